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
    // The register block of GramProduct: SpanUnits units against SpanVectors vectors of a row of G, and per step two loads
    // of G and one broadcast of C per unit. Ten units (20 accumulators, 23 registers) where the vectors have 32 registers
    // (AVX-512); five (10 accumulators, 13 registers) where they have 16 (AVX2, SSE): there ten units spilled eight
    // accumulators to the stack on every step, and the course's product ran at half the FMA units' rate. The slab of G a
    // block reads (two vectors of each of m rows, 27 KB for m = 209 at 256 bits) stays in L1 while the blocks of units
    // pass over it; four vectors (16 accumulators) measured 10-25% slower on the course's shape, their slab twice as wide.
    private const int SpanUnits = 10;
    private const int FewRegistersSpanUnits = 5;
    private const int SpanVectors = 2;

    /// <summary>
    /// Whether <see cref="GramProduct{T}"/> (and <see cref="ReferenceGramProduct{T}"/>, which must agree with it bit for bit)
    /// rounds each multiply-add once: on x86 with FMA. Elsewhere a product and a sum round separately.
    /// </summary>
    internal static bool FusedMultiplyAdd => Fma.IsSupported;

    /// <summary>
    /// The row length of G as <see cref="GramProduct{T}"/> wants it: m rounded up to a multiple of 16 values, whole vectors
    /// of every width, the padding zero.
    /// </summary>
    internal static int GramStride(int m) => checked((int)PaddedRow(m));

    /// <summary>The number of values G takes for <paramref name="m"/> examples, m rows of <see cref="GramStride"/>; in 64 bits, for any m.</summary>
    internal static long GramLength(int m) => m * PaddedRow(m);

    /// <summary>
    /// Whether G for <paramref name="m"/> examples fits in one <see cref="AlignedBuffer{T}"/> (an array, with the padding
    /// that puts its first row on a cache line): up to 46,336 examples.
    /// </summary>
    internal static bool GramFits(int m) => GramLength(m) <= Array.MaxLength - AlignedBuffer<double>.Alignment;

    private static long PaddedRow(int m) => ((long)m + 15) & ~15L;

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
        // Cut into tiles of a register block's units (ten, or five) by two vectors of columns, shared out in contiguous
        // runs of tiles; each tile is computed by the same code whichever thread runs it, so the result is bit for bit that
        // of one thread. For the course's application in float64: 28 tiles with AVX-512, 112 with AVX2.
        int tiles = GramTileCount<T>(stride, nOut);
        int parts = Partitions((long)nOut * m * stride, tiles);
        if (parts == 1)
        {
            GramTiles(c, gram, zt, m, stride, nOut, 0, tiles);
            return;
        }

        ShareOut(&GramPiece<T>, c, gram, zt, new DenseJob<T> { M = m, NIn = stride, NOut = nOut, Blocks = tiles, Parts = parts });
    }

    /// <summary>One piece of a shared GramProduct: its run of tiles (the job's A is C, B is G, NIn G's row stride).</summary>
    private static unsafe void GramPiece<T>(void* state, int piece)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref DenseJob<T> job = ref *(DenseJob<T>*)state;
        GramTiles(
            new ReadOnlySpan<T>(job.A, job.M * job.NOut),
            new ReadOnlySpan<T>(job.B, job.M * job.NIn),
            new Span<T>(job.Output, job.NOut * job.NIn),
            job.M,
            job.NIn,
            job.NOut,
            job.Start(piece),
            job.Start(piece + 1));
    }

    /// <summary>
    /// How many tiles GramProduct cuts the product into at the widest accelerated width: blocks of units (ten, or five
    /// where the vectors have 16 registers) times blocks of two vectors of columns.
    /// </summary>
    private static int GramTileCount<T>(int stride, int nOut)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        return WidestVector<T>(16) switch
        {
            64 => GramTileCount<T, Simd512<T>, Vector512<T>>(stride, nOut),
            32 => GramTileCount<T, Simd256<T>, Vector256<T>>(stride, nOut),
            16 => GramTileCount<T, Simd128<T>, Vector128<T>>(stride, nOut),
            _ => GramTileCount<T, Scalar<T>, T>(stride, nOut),
        };
    }

    private static int GramTileCount<T, TOps, TVec>(int stride, int nOut)
        where T : unmanaged
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
    {
        int units = GramBlockUnits<T, TOps, TVec>();
        int width = SpanVectors * TOps.Count;
        return ((nOut + units - 1) / units) * ((stride + width - 1) / width);
    }

    /// <summary>The units in one register block of GramProduct at this width: a JIT-time constant.</summary>
    private static int GramBlockUnits<T, TOps, TVec>()
        where T : unmanaged
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
        => TOps.FewRegisters ? FewRegistersSpanUnits : SpanUnits;

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
    /// within each block of columns: a tile is two vectors of columns wide, or what is left of the row (one vector).
    /// </summary>
    private static void GramTiles<T, TOps, TVec>(ReadOnlySpan<T> c, ReadOnlySpan<T> gram, Span<T> zt, int m, int stride, int nOut, int first, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
    {
        if (TOps.FewRegisters)
        {
            GramTiles<T, TOps, TVec, Five>(c, gram, zt, m, stride, nOut, first, end);
        }
        else
        {
            GramTiles<T, TOps, TVec, Ten>(c, gram, zt, m, stride, nOut, first, end);
        }
    }

    /// <summary>Tiles <paramref name="first"/> .. <paramref name="end"/> - 1 with blocks of <typeparamref name="TBlock"/> units.</summary>
    private static void GramTiles<T, TOps, TVec, TBlock>(ReadOnlySpan<T> c, ReadOnlySpan<T> gram, Span<T> zt, int m, int stride, int nOut, int first, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
        where TBlock : struct, IConstant
    {
        int block = TBlock.Value;
        int width = SpanVectors * TOps.Count;
        int unitBlocks = (nOut + block - 1) / block;
        for (int tile = first; tile < end; tile++)
        {
            int j0 = (tile % unitBlocks) * block;
            int units = Math.Min(block, nOut - j0);
            int i0 = (tile / unitBlocks) * width;
            if (i0 + width <= stride && units == block)
            {
                GramBlock<T, TOps, TVec, Two, TBlock, TBlock>(c, gram, zt, m, stride, nOut, j0, units, i0);
                continue;
            }

            if (i0 + width <= stride)
            {
                GramBlock<T, TOps, TVec, Two, TBlock, Some>(c, gram, zt, m, stride, nOut, j0, units, i0);
                continue;
            }

            for (; i0 < stride; i0 += TOps.Count)
            {
                GramBlock<T, TOps, TVec, One, TBlock, Some>(c, gram, zt, m, stride, nOut, j0, units, i0);
            }
        }
    }

    /// <summary>
    /// The micro-kernel: units <c>j0 .. j0 + TBlock.Value - 1</c> (ten, or five) against <c>TVectors.Value</c> vectors
    /// (two, or one) of columns from <paramref name="i0"/>, summed over all of k in registers. With
    /// <typeparamref name="TBlock"/> for <typeparamref name="TUnits"/> the whole block is there, and its coefficients are
    /// at fixed offsets; with <see cref="Some"/>, units past the last (<paramref name="units"/>) repeat it and are not stored.
    /// </summary>
    private static void GramBlock<T, TOps, TVec, TVectors, TBlock, TUnits>(ReadOnlySpan<T> c, ReadOnlySpan<T> gram, Span<T> zt, int m, int stride, int nOut, int j0, int units, int i0)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
        where TVectors : struct, IConstant
        where TBlock : struct, IConstant
        where TUnits : struct, IConstant
    {
        // Units 5 to 9 exist only in a block of ten: in a block of five every line that names them folds away.
        bool ten = TBlock.Value == SpanUnits;
        if (TUnits.Value == TBlock.Value)
        {
            units = TBlock.Value;
        }

        // The callers validated the shapes, so the loads and stores below need no bounds checks.
        ref T c0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(c), j0);
        // Offsets of the units in a row of C, the last repeated past the end (constants for a whole block).
        nuint u1 = (nuint)Math.Min(1, units - 1), u2 = (nuint)Math.Min(2, units - 1), u3 = (nuint)Math.Min(3, units - 1);
        nuint u4 = (nuint)Math.Min(4, units - 1), u5 = (nuint)Math.Min(5, units - 1), u6 = (nuint)Math.Min(6, units - 1);
        nuint u7 = (nuint)Math.Min(7, units - 1), u8 = (nuint)Math.Min(8, units - 1), u9 = (nuint)Math.Min(9, units - 1);
        ref T g = ref Unsafe.Add(ref MemoryMarshal.GetReference(gram), i0);
        nuint n = (nuint)TOps.Count;

        // aU and bU accumulate unit U against the first and the second vector of the columns.
        TVec a0 = TOps.Zero, b0 = TOps.Zero;
        TVec a1 = TOps.Zero, b1 = TOps.Zero;
        TVec a2 = TOps.Zero, b2 = TOps.Zero;
        TVec a3 = TOps.Zero, b3 = TOps.Zero;
        TVec a4 = TOps.Zero, b4 = TOps.Zero;
        TVec a5 = TOps.Zero, b5 = TOps.Zero;
        TVec a6 = TOps.Zero, b6 = TOps.Zero;
        TVec a7 = TOps.Zero, b7 = TOps.Zero;
        TVec a8 = TOps.Zero, b8 = TOps.Zero;
        TVec a9 = TOps.Zero, b9 = TOps.Zero;
        nuint row = 0, coefficients = 0;
        for (int k = 0; k < m; k++, row += (nuint)stride, coefficients += (nuint)nOut)
        {
            TVec y0 = TOps.Load(ref g, row);
            TVec y1 = TVectors.Value == 2 ? TOps.Load(ref g, row + n) : y0;
            TVec x;
            x = TOps.Broadcast(Unsafe.Add(ref c0, coefficients));
            a0 = TOps.MultiplyAdd(x, y0, a0);
            if (TVectors.Value == 2)
            {
                b0 = TOps.MultiplyAdd(x, y1, b0);
            }

            x = TOps.Broadcast(Unsafe.Add(ref c0, coefficients + u1));
            a1 = TOps.MultiplyAdd(x, y0, a1);
            if (TVectors.Value == 2)
            {
                b1 = TOps.MultiplyAdd(x, y1, b1);
            }

            x = TOps.Broadcast(Unsafe.Add(ref c0, coefficients + u2));
            a2 = TOps.MultiplyAdd(x, y0, a2);
            if (TVectors.Value == 2)
            {
                b2 = TOps.MultiplyAdd(x, y1, b2);
            }

            x = TOps.Broadcast(Unsafe.Add(ref c0, coefficients + u3));
            a3 = TOps.MultiplyAdd(x, y0, a3);
            if (TVectors.Value == 2)
            {
                b3 = TOps.MultiplyAdd(x, y1, b3);
            }

            x = TOps.Broadcast(Unsafe.Add(ref c0, coefficients + u4));
            a4 = TOps.MultiplyAdd(x, y0, a4);
            if (TVectors.Value == 2)
            {
                b4 = TOps.MultiplyAdd(x, y1, b4);
            }

            if (ten)
            {
                x = TOps.Broadcast(Unsafe.Add(ref c0, coefficients + u5));
                a5 = TOps.MultiplyAdd(x, y0, a5);
                if (TVectors.Value == 2)
                {
                    b5 = TOps.MultiplyAdd(x, y1, b5);
                }

                x = TOps.Broadcast(Unsafe.Add(ref c0, coefficients + u6));
                a6 = TOps.MultiplyAdd(x, y0, a6);
                if (TVectors.Value == 2)
                {
                    b6 = TOps.MultiplyAdd(x, y1, b6);
                }

                x = TOps.Broadcast(Unsafe.Add(ref c0, coefficients + u7));
                a7 = TOps.MultiplyAdd(x, y0, a7);
                if (TVectors.Value == 2)
                {
                    b7 = TOps.MultiplyAdd(x, y1, b7);
                }

                x = TOps.Broadcast(Unsafe.Add(ref c0, coefficients + u8));
                a8 = TOps.MultiplyAdd(x, y0, a8);
                if (TVectors.Value == 2)
                {
                    b8 = TOps.MultiplyAdd(x, y1, b8);
                }

                x = TOps.Broadcast(Unsafe.Add(ref c0, coefficients + u9));
                a9 = TOps.MultiplyAdd(x, y0, a9);
                if (TVectors.Value == 2)
                {
                    b9 = TOps.MultiplyAdd(x, y1, b9);
                }
            }
        }

        ref T z = ref Unsafe.Add(ref MemoryMarshal.GetReference(zt), (j0 * stride) + i0);
        StoreGramRow<T, TOps, TVec, TVectors>(ref z, a0, b0);
        if (units > 1)
        {
            StoreGramRow<T, TOps, TVec, TVectors>(ref Unsafe.Add(ref z, 1 * stride), a1, b1);
        }

        if (units > 2)
        {
            StoreGramRow<T, TOps, TVec, TVectors>(ref Unsafe.Add(ref z, 2 * stride), a2, b2);
        }

        if (units > 3)
        {
            StoreGramRow<T, TOps, TVec, TVectors>(ref Unsafe.Add(ref z, 3 * stride), a3, b3);
        }

        if (units > 4)
        {
            StoreGramRow<T, TOps, TVec, TVectors>(ref Unsafe.Add(ref z, 4 * stride), a4, b4);
        }

        if (ten && units > 5)
        {
            StoreGramRow<T, TOps, TVec, TVectors>(ref Unsafe.Add(ref z, 5 * stride), a5, b5);
        }

        if (ten && units > 6)
        {
            StoreGramRow<T, TOps, TVec, TVectors>(ref Unsafe.Add(ref z, 6 * stride), a6, b6);
        }

        if (ten && units > 7)
        {
            StoreGramRow<T, TOps, TVec, TVectors>(ref Unsafe.Add(ref z, 7 * stride), a7, b7);
        }

        if (ten && units > 8)
        {
            StoreGramRow<T, TOps, TVec, TVectors>(ref Unsafe.Add(ref z, 8 * stride), a8, b8);
        }

        if (ten && units > 9)
        {
            StoreGramRow<T, TOps, TVec, TVectors>(ref Unsafe.Add(ref z, 9 * stride), a9, b9);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreGramRow<T, TOps, TVec, TVectors>(ref T z, TVec first, TVec second)
        where T : unmanaged
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
        where TVectors : struct, IConstant
    {
        TOps.Store(first, ref z, 0);
        if (TVectors.Value == 2)
        {
            TOps.Store(second, ref z, (nuint)TOps.Count);
        }
    }

    /// <summary>The count five: a whole block of units where the vectors have 16 registers.</summary>
    private readonly struct Five : IConstant
    {
        public static int Value => 5;
    }

    /// <summary>The count ten: a whole block of units.</summary>
    private readonly struct Ten : IConstant
    {
        public static int Value => 10;
    }

    /// <summary>A count given at run time (the kernel reads its argument).</summary>
    private readonly struct Some : IConstant
    {
        public static int Value => 0;
    }

    /// <summary>The count two.</summary>
    private readonly struct Two : IConstant
    {
        public static int Value => 2;
    }
}
