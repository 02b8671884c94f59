using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DnnGen.Kernels;

// The kernel of training in the span of the data (DataSpanTrainer): layer 1's product with the Gram matrix, once per
// iteration. Its operands are short (m = 209 for the course's application) and it owns their layout, so it is written
// as a register-blocked matrix product over rows of G padded to whole vectors, with fused multiply-adds where the
// machine has them: the span path agrees with the direct one within 1e-9, not bit for bit, so nothing forbids them.
public static partial class Dense
{
    // The register block of GramProduct: SpanUnits rows of C against SpanVectors vectors of a row of G, 16 accumulators.
    private const int SpanUnits = 4;
    private const int SpanVectors = 4;

    /// <summary>
    /// Whether <see cref="GramProduct{T}"/> (and <see cref="ReferenceGramProduct{T}"/>, which must agree with it bit for bit)
    /// rounds each multiply-add once: on x86 with FMA. Elsewhere a product and a sum round separately.
    /// </summary>
    internal static bool FusedMultiplyAdd => Fma.IsSupported;

    /// <summary>
    /// The row length of G as <see cref="GramProduct{T}"/> wants it: m rounded up to a multiple of 16 values, whole vectors
    /// of every width, the padding zero.
    /// </summary>
    internal static int GramStride(int m) => checked((m + 15) & ~15);

    /// <summary>
    /// <c>zt[j, i] = sum over k of c[k, j] * gram[k, i]</c> for every unit j and column i (padding included): the
    /// (nOut, m) . (m, stride) product <c>C . G</c>, each sum taken over k in order, one multiply-add per term.
    /// </summary>
    /// <param name="c">C stored transposed, (m, nOut) example-major as dZ.</param>
    /// <param name="gram">G, (m, stride) row-major, <paramref name="stride"/> from <see cref="GramStride"/>.</param>
    /// <param name="zt">Receives C . G, (nOut, stride) row-major; overwritten.</param>
    /// <param name="m">The number of examples: G's rows, C's columns.</param>
    /// <param name="stride">The row length of G and zt.</param>
    /// <param name="nOut">The number of units: C's rows.</param>
    internal static unsafe void GramProduct<T>(ReadOnlySpan<T> c, ReadOnlySpan<T> gram, Span<T> zt, int m, int stride, int nOut)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.AtLeast(m, 1, nameof(m));
        Guard.AtLeast(nOut, 1, nameof(nOut));
        if (stride != GramStride(m))
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, $"Expected {GramStride(m)}, GramStride(m) for m = {m}.");
        }

        Guard.Length(c, (long)m * nOut, nameof(c), "(m, nOut)");
        Guard.Length(gram, (long)m * stride, nameof(gram), "(m, stride)");
        Guard.Length<T>(zt, (long)nOut * stride, nameof(zt), "(nOut, stride)");
        // Cut into tiles of four units by one block of columns (the register block's four vectors), shared out in
        // contiguous runs of tiles; each tile is computed by the same code whichever thread runs it, so the result is bit
        // for bit that of one thread. 35 tiles for the course's application, so two threads get 17 and 18.
        int tiles = GramTiles<T>(stride, nOut);
        int parts = Partitions((long)nOut * m * stride, tiles);
        if (parts == 1)
        {
            GramTiles(c, gram, zt, m, stride, nOut, 0, tiles);
            return;
        }

        fixed (T* cPointer = c, gramPointer = gram, ztPointer = zt)
        {
            var job = new GramJob<T> { C = cPointer, Gram = gramPointer, Zt = ztPointer, M = m, Stride = stride, NOut = nOut, Tiles = tiles, Parts = parts };
            WorkerPool.Run(&GramPiece<T>, &job, parts);
        }
    }

    /// <summary>The operands of a GramProduct shared out by <see cref="WorkerPool"/>, as <see cref="ForwardJob{T}"/>.</summary>
    private unsafe struct GramJob<T>
        where T : unmanaged
    {
        public T* C;
        public T* Gram;
        public T* Zt;
        public int M;
        public int Stride;
        public int NOut;
        public int Tiles;
        public int Parts;
    }

    /// <summary>One piece of a shared GramProduct: its run of tiles.</summary>
    private static unsafe void GramPiece<T>(void* state, int piece)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref GramJob<T> job = ref *(GramJob<T>*)state;
        GramTiles(
            new ReadOnlySpan<T>(job.C, job.M * job.NOut),
            new ReadOnlySpan<T>(job.Gram, job.M * job.Stride),
            new Span<T>(job.Zt, job.NOut * job.Stride),
            job.M,
            job.Stride,
            job.NOut,
            PieceStart(job.Tiles, piece, job.Parts),
            PieceStart(job.Tiles, piece + 1, job.Parts));
    }

    /// <summary>How many tiles GramProduct cuts the product into: blocks of four units times blocks of four vectors of columns.</summary>
    private static int GramTiles<T>(int stride, int nOut)
        where T : unmanaged
    {
        int width = SpanVectors * Math.Max(1, WidestVector<T>(16) / Unsafe.SizeOf<T>());
        return ((nOut + SpanUnits - 1) / SpanUnits) * ((stride + width - 1) / width);
    }

    /// <summary>Tiles <paramref name="first"/> .. <paramref name="end"/> - 1 of C . G at the widest accelerated width.</summary>
    private static void GramTiles<T>(ReadOnlySpan<T> c, ReadOnlySpan<T> gram, Span<T> zt, int m, int stride, int nOut, int first, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (WidestVector<T>(16))
        {
            case 64:
                GramTiles<T, Simd512<T>, Vector512<T>>(c, gram, zt, m, stride, nOut, first, end);
                break;
            case 32:
                GramTiles<T, Simd256<T>, Vector256<T>>(c, gram, zt, m, stride, nOut, first, end);
                break;
            case 16:
                GramTiles<T, Simd128<T>, Vector128<T>>(c, gram, zt, m, stride, nOut, first, end);
                break;
            default:
                GramTiles<T, Scalar<T>, T>(c, gram, zt, m, stride, nOut, first, end);
                break;
        }
    }

    /// <summary>
    /// <see cref="GramProduct{T}"/> as plain loops: each sum over k in order, with <see cref="FusedMultiplyAdd"/>'s
    /// rounding. The kernel must match it bit for bit.
    /// </summary>
    internal static void ReferenceGramProduct<T>(ReadOnlySpan<T> c, ReadOnlySpan<T> gram, Span<T> zt, int m, int stride, int nOut)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j < nOut; j++)
        {
            for (int i = 0; i < stride; i++)
            {
                T sum = T.Zero;
                for (int k = 0; k < m; k++)
                {
                    T term = c[(k * nOut) + j];
                    sum = FusedMultiplyAdd ? T.FusedMultiplyAdd(term, gram[(k * stride) + i], sum) : sum + (term * gram[(k * stride) + i]);
                }

                zt[(j * stride) + i] = sum;
            }
        }
    }

    /// <summary>
    /// Tiles <paramref name="first"/> .. <paramref name="end"/> - 1 of C . G at one vector width, the units' blocks
    /// within each block of columns: a tile is four vectors of columns wide, or what is left of the row (single vectors).
    /// </summary>
    private static void GramTiles<T, TOps, TVec>(ReadOnlySpan<T> c, ReadOnlySpan<T> gram, Span<T> zt, int m, int stride, int nOut, int first, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
    {
        int width = SpanVectors * TOps.Count;
        int unitBlocks = (nOut + SpanUnits - 1) / SpanUnits;
        for (int tile = first; tile < end; tile++)
        {
            int j0 = (tile % unitBlocks) * SpanUnits;
            int units = Math.Min(SpanUnits, nOut - j0);
            int i0 = (tile / unitBlocks) * width;
            if (i0 + width <= stride)
            {
                GramBlock<T, TOps, TVec, Four>(c, gram, zt, m, stride, nOut, j0, units, i0);
                continue;
            }

            for (; i0 < stride; i0 += TOps.Count)
            {
                GramBlock<T, TOps, TVec, One>(c, gram, zt, m, stride, nOut, j0, units, i0);
            }
        }
    }

    /// <summary>
    /// The micro-kernel: units <c>j0 .. j0 + 3</c> against <c>TVectors.Value</c> vectors of columns from <paramref name="i0"/>,
    /// summed over all of k in registers. Rows past the last unit repeat it and are not stored.
    /// </summary>
    private static void GramBlock<T, TOps, TVec, TVectors>(ReadOnlySpan<T> c, ReadOnlySpan<T> gram, Span<T> zt, int m, int stride, int nOut, int j0, int units, int i0)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
        where TVectors : struct, IConstant
    {
        // The callers validated the shapes, so the loads and stores below need no bounds checks.
        ref T c0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(c), j0);
        nuint u1 = (nuint)Math.Min(1, units - 1), u2 = (nuint)Math.Min(2, units - 1), u3 = (nuint)Math.Min(3, units - 1);
        ref T g = ref Unsafe.Add(ref MemoryMarshal.GetReference(gram), i0);
        nuint n = (nuint)TOps.Count;

        // sUV accumulates unit U against vector V of the columns.
        TVec s00 = TOps.Zero, s01 = TOps.Zero, s02 = TOps.Zero, s03 = TOps.Zero;
        TVec s10 = TOps.Zero, s11 = TOps.Zero, s12 = TOps.Zero, s13 = TOps.Zero;
        TVec s20 = TOps.Zero, s21 = TOps.Zero, s22 = TOps.Zero, s23 = TOps.Zero;
        TVec s30 = TOps.Zero, s31 = TOps.Zero, s32 = TOps.Zero, s33 = TOps.Zero;
        nuint row = 0, coefficients = 0;
        for (int k = 0; k < m; k++, row += (nuint)stride, coefficients += (nuint)nOut)
        {
            TVec x0 = TOps.Broadcast(Unsafe.Add(ref c0, coefficients));
            TVec x1 = TOps.Broadcast(Unsafe.Add(ref c0, coefficients + u1));
            TVec x2 = TOps.Broadcast(Unsafe.Add(ref c0, coefficients + u2));
            TVec x3 = TOps.Broadcast(Unsafe.Add(ref c0, coefficients + u3));
            TVec y = TOps.Load(ref g, row);
            s00 = TOps.MultiplyAdd(x0, y, s00);
            s10 = TOps.MultiplyAdd(x1, y, s10);
            s20 = TOps.MultiplyAdd(x2, y, s20);
            s30 = TOps.MultiplyAdd(x3, y, s30);
            if (TVectors.Value == 4)
            {
                y = TOps.Load(ref g, row + n);
                s01 = TOps.MultiplyAdd(x0, y, s01);
                s11 = TOps.MultiplyAdd(x1, y, s11);
                s21 = TOps.MultiplyAdd(x2, y, s21);
                s31 = TOps.MultiplyAdd(x3, y, s31);
                y = TOps.Load(ref g, row + (2 * n));
                s02 = TOps.MultiplyAdd(x0, y, s02);
                s12 = TOps.MultiplyAdd(x1, y, s12);
                s22 = TOps.MultiplyAdd(x2, y, s22);
                s32 = TOps.MultiplyAdd(x3, y, s32);
                y = TOps.Load(ref g, row + (3 * n));
                s03 = TOps.MultiplyAdd(x0, y, s03);
                s13 = TOps.MultiplyAdd(x1, y, s13);
                s23 = TOps.MultiplyAdd(x2, y, s23);
                s33 = TOps.MultiplyAdd(x3, y, s33);
            }
        }

        ref T z = ref Unsafe.Add(ref MemoryMarshal.GetReference(zt), (j0 * stride) + i0);
        StoreGramRow<T, TOps, TVec, TVectors>(ref z, s00, s01, s02, s03);
        if (units > 1)
        {
            StoreGramRow<T, TOps, TVec, TVectors>(ref Unsafe.Add(ref z, stride), s10, s11, s12, s13);
        }

        if (units > 2)
        {
            StoreGramRow<T, TOps, TVec, TVectors>(ref Unsafe.Add(ref z, 2 * stride), s20, s21, s22, s23);
        }

        if (units > 3)
        {
            StoreGramRow<T, TOps, TVec, TVectors>(ref Unsafe.Add(ref z, 3 * stride), s30, s31, s32, s33);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreGramRow<T, TOps, TVec, TVectors>(ref T z, TVec v0, TVec v1, TVec v2, TVec v3)
        where T : unmanaged
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
        where TVectors : struct, IConstant
    {
        nuint n = (nuint)TOps.Count;
        TOps.Store(v0, ref z, 0);
        if (TVectors.Value == 4)
        {
            TOps.Store(v1, ref z, n);
            TOps.Store(v2, ref z, 2 * n);
            TOps.Store(v3, ref z, 3 * n);
        }
    }
}
