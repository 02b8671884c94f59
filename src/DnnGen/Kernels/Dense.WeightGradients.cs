using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DnnGen.Kernels;

// The register-blocked weight-gradient product dW = scale * dZ^T . aPrev (WeightGradients, and Combination for the
// span of the data), for aPrev that fits in the caches (Dense.StreamsInputs; larger aPrev takes OuterProductPanels): a
// block of dW (two or four rows by GradientVectors vectors of columns) stays in registers while a chunk of examples goes
// by, so each value of dW is loaded and stored once per chunk instead of once per four examples; the block's columns of
// aPrev and its units' dZ are first copied for the chunk into contiguous runs that stay in L1.
// Measured on a Zen 3 (2 vCPUs, AVX2): the wide network's (784, 256, 128) product went from 2.1-2.4 ms (panels) to
// 1.1-1.4 ms (up to 47 GFLOP/s on both vCPUs) in float64, and its float64 training step, panels and registers
// alternated in one process, from 5.7-5.8 ms to 4.8-5.2 ms (before the copies of dZ).
public static partial class Dense
{
    // The register block's width in vectors of columns. With 16 registers (AVX2) the block is 2 units x 4 vectors: 8
    // accumulators, 4 loaded vectors of aPrev, the broadcast dZ value and the product. With 32 (AVX-512) it is 4 x 4.
    // Per example the block loads 4 vectors and broadcasts 2 (or 4) values for 8 (or 16) multiplies and adds.
    private const int GradientVectors = 4;

    // The examples go by in chunks whose slice of aPrev for one block of columns (chunk x GradientVectors vectors) is
    // this many bytes: 16 KiB, half of L1, so the slice stays in L1 while every block of units passes over it. Copied
    // into a slice, the rows no longer map to a few cache sets (the cat's rows are 96 KiB apart). A longer batch stores
    // the block's partial sums after each chunk and loads them again for the next (they stay in L2: nOut rows of the
    // block's columns), which changes no bits.
    private const int GradientChunkBytes = 16384;

    // How many blocks of columns are copied at once: each row then gives 4 x 4 vectors (512 bytes in float64 on AVX2),
    // eight cache lines in a row, for 64 KiB of slices. Wider copies (16 blocks, or smaller chunks of longer rows)
    // measured no faster.
    private const int GradientPackBlocks = 4;

    /// <summary>
    /// The columns of dW one register block covers at the width <see cref="OuterProducts{T}"/> picks for rows of
    /// <paramref name="nIn"/>: the unit of the weight gradient's parallel pieces.
    /// </summary>
    private static int GradientColumnBlock<T>(int nIn) => Math.Max(1, GradientVectors * WidestVector<T>(nIn) / Unsafe.SizeOf<T>());

    /// <summary>
    /// <c>dW[j, k] = scale * sum_i dZ[i, j] * aPrev[i, k]</c> for columns <paramref name="kStart"/> ..
    /// <paramref name="kEnd"/> - 1 and every row, with <typeparamref name="TOps"/>' vectors: blocks of
    /// <see cref="GradientVectors"/> vectors of columns, then single vectors, then single columns for the last
    /// <c>nIn % Count</c>.
    /// </summary>
    /// <remarks>
    /// Every dW[j, k] starts at zero and adds its terms in order of i, one rounding for each product and one for each
    /// sum, and is scaled once at the end, as <see cref="ReferenceDense.WeightGradients{T}"/> computes it: the result
    /// matches the reference bit for bit, whatever the block shapes, the chunks and the thread that runs a column.
    /// </remarks>
    private static void OuterProducts<T, TOps, TVec>(ReadOnlySpan<T> dZ, ReadOnlySpan<T> aPrev, Span<T> dW, int m, int nIn, int nOut, T scale, int kStart, int kEnd)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
    {
        if (TOps.FewRegisters)
        {
            OuterProducts<T, TOps, TVec, Two>(dZ, aPrev, dW, m, nIn, nOut, scale, kStart, kEnd);
        }
        else
        {
            OuterProducts<T, TOps, TVec, Four>(dZ, aPrev, dW, m, nIn, nOut, scale, kStart, kEnd);
        }
    }

    /// <summary>
    /// The columns <paramref name="kStart"/> .. <paramref name="kEnd"/> - 1 of dW, chunk of examples by chunk: the
    /// chunk's dZ, where its stride calls for it, copied into one run per block of units (the units' values example
    /// after example), then the columns
    /// by <see cref="GradientPackBlocks"/> blocks at a time (<see cref="GradientColumns{T, TOps, TVec, TUnits}"/>), then
    /// the last columns, fewer than a block, a vector or a column at a time, read where they are (a copy would cost as
    /// much as the work it saves).
    /// </summary>
    /// <remarks>
    /// The copies undo strides that map a chunk's rows to a few cache sets: the wide network's rows of dZ are 2 KiB
    /// apart (256 units), and read in place they made the product about 15% slower than with 248 or 264 units; the
    /// cat's rows of aPrev are 96 KiB apart. dZ is copied only where its stride calls for it (<see cref="CopiesRuns{T}"/>).
    /// They live in a buffer of the calling thread's (<see cref="GradientScratch{T}"/>; 320 KiB for the wide network's
    /// layer 1 in float64), so that training allocates nothing once it has run a step.
    /// </remarks>
    private static void OuterProducts<T, TOps, TVec, TUnits>(ReadOnlySpan<T> dZ, ReadOnlySpan<T> aPrev, Span<T> dW, int m, int nIn, int nOut, T scale, int kStart, int kEnd)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
        where TUnits : struct, IConstant
    {
        int width = GradientVectors * TOps.Count;
        int chunk = Math.Max(1, GradientChunkBytes / (width * Unsafe.SizeOf<T>()));
        int rows = Math.Min(chunk, m);
        int units = TUnits.Value;
        int groups = (nOut + units - 1) / units;
        int sliceLength = rows * width;
        bool copiesRuns = CopiesRuns<T>(nOut);
        Span<T> scratch = GradientScratch<T>.Get((GradientPackBlocks * sliceLength) + (copiesRuns ? groups * units * rows : 0));
        Span<T> slices = scratch.Slice(0, GradientPackBlocks * sliceLength);
        ref T runs = ref MemoryMarshal.GetReference(scratch.Slice(GradientPackBlocks * sliceLength));
        for (int i0 = 0; i0 < m; i0 += chunk)
        {
            int i1 = Math.Min(i0 + chunk, m);
            T chunkScale = i1 == m ? scale : T.One;
            // The chunk's dZ for group g of units starts at d + g * groupStride, a row of units every dStride values.
            ref T d = ref Row(dZ, i0, nOut);
            int groupStride = units, dStride = nOut;
            if (copiesRuns)
            {
                CopyRuns(dZ, ref runs, nOut, units, rows, i0, i1);
                d = ref runs;
                (groupStride, dStride) = (units * rows, units);
            }

            int k0 = kStart;
            for (; k0 + width <= kEnd; k0 += GradientPackBlocks * width)
            {
                int blocks = Math.Min(GradientPackBlocks, (kEnd - k0) / width);
                GradientColumns<T, TOps, TVec, TUnits>(aPrev, ref d, groupStride, dStride, slices, dW, nIn, nOut, k0, blocks, rows, i0, i1, chunkScale);
                k0 += (blocks - GradientPackBlocks) * width;
            }

            for (; k0 + TOps.Count <= kEnd; k0 += TOps.Count)
            {
                for (int g = 0; g < groups; g++)
                {
                    GradientBlock<T, TOps, TVec, TUnits, One>(
                        ref Unsafe.Add(ref Row(aPrev, i0, nIn), k0), nIn, ref Unsafe.Add(ref d, g * groupStride), dStride, dW, nIn, nOut, g * units, k0, i0, i1, chunkScale);
                }
            }

            for (; k0 < kEnd; k0++)
            {
                for (int g = 0; g < groups; g++)
                {
                    GradientBlock<T, Scalar<T>, T, TUnits, One>(
                        ref Unsafe.Add(ref Row(aPrev, i0, nIn), k0), nIn, ref Unsafe.Add(ref d, g * groupStride), dStride, dW, nIn, nOut, g * units, k0, i0, i1, chunkScale);
                }
            }
        }
    }

    /// <summary>
    /// Whether the weight gradient copies each chunk's dZ into runs: where dZ's rows are a multiple of 512 bytes apart
    /// (a multiple of 64 units in float64, of 128 in float32), a chunk's 64 to 128 rows fall into 8 or fewer of a 32 KiB
    /// L1's 64 sets, too few ways for them. Otherwise the copy costs more than it saves, amortised over few columns: the digits network's
    /// full-batch step (32 units, 64 inputs, 1500 examples) took 986-994 us reading dZ in place and 1042-1049 us with
    /// the copies, alternated in one process on a Zen 3.
    /// </summary>
    private static bool CopiesRuns<T>(int nOut) => nOut * Unsafe.SizeOf<T>() % 512 == 0;

    /// <summary>
    /// <c>runs[(g * rows + (i - i0)) * units + u] = dZ[i, min(g * units + u, nOut - 1)]</c> for the examples
    /// <paramref name="i0"/> .. <paramref name="i1"/> - 1: past the last unit, the last unit's value again.
    /// </summary>
    private static void CopyRuns<T>(ReadOnlySpan<T> dZ, ref T runs, int nOut, int units, int rows, int i0, int i1)
        where T : unmanaged
    {
        int groups = (nOut + units - 1) / units;
        for (int i = i0; i < i1; i++)
        {
            ref T dZRow = ref Row(dZ, i, nOut);
            ref T first = ref Unsafe.Add(ref runs, (i - i0) * units);
            for (int g = 0; g < groups; g++)
            {
                ref T run = ref Unsafe.Add(ref first, g * units * rows);
                for (int u = 0; u < units; u++)
                {
                    Unsafe.Add(ref run, u) = Unsafe.Add(ref dZRow, Math.Min((g * units) + u, nOut - 1));
                }
            }
        }
    }

    /// <summary>
    /// The <paramref name="blocks"/> blocks of <c>GradientVectors * TOps.Count</c> columns of dW from
    /// <paramref name="k0"/>, for the chunk of examples <paramref name="i0"/> .. <paramref name="i1"/> - 1: the
    /// chunk's rows of those columns copied into one contiguous slice per block, then every block of units over each
    /// slice while it is in L1.
    /// </summary>
    private static void GradientColumns<T, TOps, TVec, TUnits>(ReadOnlySpan<T> aPrev, ref T d, int groupStride, int dStride, Span<T> slices, Span<T> dW, int nIn, int nOut, int k0, int blocks, int rows, int i0, int i1, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
        where TUnits : struct, IConstant
    {
        int width = GradientVectors * TOps.Count;
        int sliceLength = rows * width;
        for (int i = i0; i < i1; i++)
        {
            ReadOnlySpan<T> row = aPrev.Slice((i * nIn) + k0, blocks * width);
            for (int block = 0; block < blocks; block++)
            {
                row.Slice(block * width, width).CopyTo(slices.Slice((block * sliceLength) + ((i - i0) * width), width));
            }
        }

        int units = TUnits.Value;
        int groups = (nOut + units - 1) / units;
        for (int block = 0; block < blocks; block++)
        {
            ref T slice = ref slices[block * sliceLength];
            for (int g = 0; g < groups; g++)
            {
                GradientBlock<T, TOps, TVec, TUnits, Four>(
                    ref slice, width, ref Unsafe.Add(ref d, g * groupStride), dStride, dW, nIn, nOut, g * units, k0 + (block * width), i0, i1, scale);
            }
        }
    }

    /// <summary>
    /// The weight-gradient micro-kernel: for units <c>j0 .. j0 + TUnits.Value - 1</c> and the
    /// <c>TVectors.Value</c> vectors of columns from <paramref name="k0"/>, adds <c>dZ[i, j] * aPrev[i, k]</c> for the
    /// examples <paramref name="i0"/> .. <paramref name="i1"/> - 1 in order to sums held in registers, which start at
    /// zero for the first chunk (<paramref name="i0"/> = 0) and at dW's partial sums otherwise, and stores them
    /// multiplied by <paramref name="scale"/> (1 except after the last chunk). aPrev's columns for example i are at
    /// <c>a + (i - i0) * aStride</c>, the units' dZ values side by side at <c>d + (i - i0) * dStride</c> (a run).
    /// </summary>
    /// <remarks>
    /// Units past the last repeat the last valid one: both copies start from the same values, add the same terms and
    /// store the same result, so no edge case is needed. Unused accumulators (two units, or one vector) are dead code
    /// the JIT removes, the counts being types whose values it folds.
    /// </remarks>
    private static void GradientBlock<T, TOps, TVec, TUnits, TVectors>(ref T a, int aStride, ref T d, int dStride, Span<T> dW, int nIn, int nOut, int j0, int k0, int i0, int i1, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
        where TUnits : struct, IConstant
        where TVectors : struct, IConstant
    {
        int c = TOps.Count;
        int j1 = Math.Min(j0 + 1, nOut - 1), j2 = Math.Min(j0 + 2, nOut - 1), j3 = Math.Min(j0 + 3, nOut - 1);
        ref T w0 = ref Unsafe.Add(ref Row(dW, j0, nIn), k0);
        ref T w1 = ref Unsafe.Add(ref Row(dW, j1, nIn), k0);
        ref T w2 = ref Unsafe.Add(ref Row(dW, j2, nIn), k0);
        ref T w3 = ref Unsafe.Add(ref Row(dW, j3, nIn), k0);

        // sUV accumulates unit u of the block, vector v of the columns.
        TVec s00 = TOps.Zero, s01 = TOps.Zero, s02 = TOps.Zero, s03 = TOps.Zero;
        TVec s10 = TOps.Zero, s11 = TOps.Zero, s12 = TOps.Zero, s13 = TOps.Zero;
        TVec s20 = TOps.Zero, s21 = TOps.Zero, s22 = TOps.Zero, s23 = TOps.Zero;
        TVec s30 = TOps.Zero, s31 = TOps.Zero, s32 = TOps.Zero, s33 = TOps.Zero;
        if (i0 != 0)
        {
            Load<T, TOps, TVec, TVectors>(ref w0, c, ref s00, ref s01, ref s02, ref s03);
            Load<T, TOps, TVec, TVectors>(ref w1, c, ref s10, ref s11, ref s12, ref s13);
            if (TUnits.Value == 4)
            {
                Load<T, TOps, TVec, TVectors>(ref w2, c, ref s20, ref s21, ref s22, ref s23);
                Load<T, TOps, TVec, TVectors>(ref w3, c, ref s30, ref s31, ref s32, ref s33);
            }
        }

        for (int i = i0; i < i1; i++)
        {
            TVec x0 = TOps.Load(ref a, 0);
            TVec x1 = TVectors.Value == 4 ? TOps.Load(ref a, (nuint)c) : x0;
            TVec x2 = TVectors.Value == 4 ? TOps.Load(ref a, (nuint)(2 * c)) : x0;
            TVec x3 = TVectors.Value == 4 ? TOps.Load(ref a, (nuint)(3 * c)) : x0;

            TVec y = TOps.Broadcast(d);
            // (Units past the last read the last one's value: in a run it is there again, in place it is at j1 - j0.)
            Accumulate<T, TOps, TVec, TVectors>(y, x0, x1, x2, x3, ref s00, ref s01, ref s02, ref s03);
            y = TOps.Broadcast(Unsafe.Add(ref d, j1 - j0));
            Accumulate<T, TOps, TVec, TVectors>(y, x0, x1, x2, x3, ref s10, ref s11, ref s12, ref s13);
            if (TUnits.Value == 4)
            {
                y = TOps.Broadcast(Unsafe.Add(ref d, j2 - j0));
                Accumulate<T, TOps, TVec, TVectors>(y, x0, x1, x2, x3, ref s20, ref s21, ref s22, ref s23);
                y = TOps.Broadcast(Unsafe.Add(ref d, j3 - j0));
                Accumulate<T, TOps, TVec, TVectors>(y, x0, x1, x2, x3, ref s30, ref s31, ref s32, ref s33);
            }

            a = ref Unsafe.Add(ref a, aStride);
            d = ref Unsafe.Add(ref d, dStride);
        }

        TVec factor = TOps.Broadcast(scale);
        Store<T, TOps, TVec, TVectors>(ref w0, c, factor, s00, s01, s02, s03);
        Store<T, TOps, TVec, TVectors>(ref w1, c, factor, s10, s11, s12, s13);
        if (TUnits.Value == 4)
        {
            Store<T, TOps, TVec, TVectors>(ref w2, c, factor, s20, s21, s22, s23);
            Store<T, TOps, TVec, TVectors>(ref w3, c, factor, s30, s31, s32, s33);
        }
    }

    /// <summary>One unit's row of the block: <c>sV += y * xV</c> for its one or four vectors, product then sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate<T, TOps, TVec, TVectors>(TVec y, TVec x0, TVec x1, TVec x2, TVec x3, ref TVec s0, ref TVec s1, ref TVec s2, ref TVec s3)
        where T : unmanaged
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
        where TVectors : struct, IConstant
    {
        s0 = TOps.Add(s0, TOps.Multiply(y, x0));
        if (TVectors.Value == 4)
        {
            s1 = TOps.Add(s1, TOps.Multiply(y, x1));
            s2 = TOps.Add(s2, TOps.Multiply(y, x2));
            s3 = TOps.Add(s3, TOps.Multiply(y, x3));
        }
    }

    /// <summary>Loads one unit's partial sums, its one or four vectors from <paramref name="row"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load<T, TOps, TVec, TVectors>(ref T row, int c, ref TVec s0, ref TVec s1, ref TVec s2, ref TVec s3)
        where T : unmanaged
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
        where TVectors : struct, IConstant
    {
        s0 = TOps.Load(ref row, 0);
        if (TVectors.Value == 4)
        {
            s1 = TOps.Load(ref row, (nuint)c);
            s2 = TOps.Load(ref row, (nuint)(2 * c));
            s3 = TOps.Load(ref row, (nuint)(3 * c));
        }
    }

    /// <summary>Stores one unit's sums times <paramref name="factor"/>, its one or four vectors, to <paramref name="row"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T, TOps, TVec, TVectors>(ref T row, int c, TVec factor, TVec s0, TVec s1, TVec s2, TVec s3)
        where T : unmanaged
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
        where TVectors : struct, IConstant
    {
        TOps.Store(TOps.Multiply(s0, factor), ref row, 0);
        if (TVectors.Value == 4)
        {
            TOps.Store(TOps.Multiply(s1, factor), ref row, (nuint)c);
            TOps.Store(TOps.Multiply(s2, factor), ref row, (nuint)(2 * c));
            TOps.Store(TOps.Multiply(s3, factor), ref row, (nuint)(3 * c));
        }
    }

    /// <summary>The weight gradient's copies of aPrev and dZ: one buffer per thread and element type, grown, never shrunk.</summary>
    private static class GradientScratch<T>
        where T : unmanaged
    {
        [ThreadStatic]
        private static T[]? t_buffer;

        public static Span<T> Get(int length)
        {
            T[]? buffer = t_buffer;
            if (buffer is null || buffer.Length < length)
            {
                t_buffer = buffer = new T[length];
            }

            return buffer.AsSpan(0, length);
        }
    }
}
