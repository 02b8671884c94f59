using System;
using System.ComponentModel;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DnnGen.Kernels;

/// <summary>
/// The dense-layer kernels the generated networks call: the forward product, the weight and input gradients and
/// the gradient-descent update. They compute what <see cref="ReferenceDense"/> computes, blocked for registers and
/// caches and vectorised with the widest hardware-accelerated <see cref="Vector512{T}"/>,
/// <see cref="Vector256{T}"/> or <see cref="Vector128{T}"/>, falling back to scalar code.
/// </summary>
/// <remarks>
/// <para>
/// Layout (example-major, the course's matrices transposed): <c>aPrev</c>, <c>dAPrev</c> are (m, nIn) row-major,
/// <c>z</c>, <c>dZ</c> are (m, nOut), <c>w</c>, <c>dW</c> are (nOut, nIn) row-major as the course's W[l], and
/// <c>b</c>, <c>db</c> have nOut values. The number of examples m is derived from the span lengths. Output spans must
/// not overlap input spans.
/// </para>
/// <para>
/// <see cref="Forward{T}"/>, <see cref="WeightGradients{T}"/> and <see cref="InputGradient{T}"/> share products of more
/// than about 65,000 multiply-adds with DnnGen's worker threads (see <see cref="MaxDegreeOfParallelism"/>); the other
/// kernels run on the calling thread. No kernel allocates once it has run on a thread (the weight gradient keeps a
/// buffer per thread for its copies, made on the thread's first call), and every kernel is deterministic: the same
/// inputs give bit-identical outputs on every run on the same machine, with any number of threads. Products and sums are separate roundings (no fused
/// multiply-add), except in GramProduct, the span-of-the-data kernel (Dense.Span.cs), which needs no bitwise agreement with
/// the direct path.
/// <see cref="WeightGradients{T}"/>, <see cref="InputGradient{T}"/> and <see cref="GradientDescent{T}"/> add their
/// terms in the reference's order and so match it bit for bit; <see cref="Forward{T}"/> splits each dot product into
/// per-lane partial sums and differs from the reference only by rounding.
/// </para>
/// </remarks>
// Visible, unlike the other kernels: MaxDegreeOfParallelism is a setting users make (see the README), and
// ParallelWorkThreshold says when it matters. The kernels themselves are hidden from IntelliSense: only generated
// code calls them.
public static partial class Dense
{
    // Forward register block: ForwardExamples x ForwardUnits dot products accumulate at once, so every vector loaded
    // from aPrev is used ForwardUnits times and every vector loaded from w ForwardExamples times. DotProductBlock is
    // written out for 4 x 4 (16 accumulators: half the AVX-512 registers, which leaves room for the loaded vectors).
    private const int ForwardExamples = 4;
    private const int ForwardUnits = 4;

    // The forward block where a vector ISA has only 16 registers (AVX2 and SSE without AVX-512's 32): 4 x 4
    // accumulators leave no room for the five loaded vectors and the product, and the JIT spills six accumulators
    // to the stack on every step (seen in its disassembly on a Zen 3). 6 examples x 2 units keep 12 accumulators,
    // two vectors of w, one of aPrev and one product in the 16 registers and load one vector per 1.5 multiply-adds
    // instead of one per two: measured alone on a Zen 3 over the cat's layer 1, 26 GFLOP/s against 21 for 4 x 4. Each
    // sum still depends only on its example and unit, so the block shape changes no bits.
    private const int TallExamples = 6;
    private const int TallUnits = 2;

    // Forward cache block: the reduction over k runs in chunks of this many bytes of each row, so the chunk of w
    // (nOut rows, 160 KiB for 20 units) stays in L2 while every block of examples passes over it, and the chunk of
    // ForwardExamples rows of aPrev (32 KiB) stays in L1 while every block of units passes over it.
    private const int ForwardChunkBytes = 8192;

    // The weight gradient has two kernels, the same bits (both add each dW[j, k]'s terms in order of i from zero, as
    // the reference). The register-blocked one (Dense.WeightGradients.cs) keeps blocks of dW in registers while a
    // chunk of examples goes by, gathering the block's columns of aPrev from every row; the panel one (OuterProductPanels)
    // keeps a panel of dW in L2 and streams aPrev past it row by row, which hardware prefetch serves from memory best.
    // The panel kernel takes aPrev larger than this, which comes from memory rather than a cache: measured on a Zen 3
    // (2 vCPUs), the cat's layer 1 (12288 x 209 doubles, 20 MiB) trained 0.9 ms an iteration faster through the panels,
    // and the wide network's (784 x 128 doubles, 0.8 MiB) 0.5-0.9 ms a step faster through registers; with 6.8 MiB of
    // aPrev (4096 x 209 doubles) the register kernel took between 0.6 and 1.2 times the panels' time in repeated runs.
    private const long WeightGradientStreamBytes = 8L << 20;

    // The panel kernel's cache block: dW is accumulated in panels of this many bytes of each row (160 KiB for 20
    // units, kept in L2) while blocks of four examples (4 x 8 KiB of aPrev, in L1) stream past.
    private const int WeightGradientPanelBytes = 8192;

    /// <summary>
    /// <c>Z = W . A_prev + b</c>: <c>z[i, j] = sum_k w[j, k] * aPrev[i, k] + b[j]</c>, the dot product first and then
    /// the bias, as NumPy's <c>W.dot(A) + b</c>.
    /// </summary>
    /// <typeparam name="T">The element type, <see cref="double"/> or <see cref="float"/> (others run scalar code).</typeparam>
    /// <param name="aPrev">The previous layer's activations, (m, nIn) example-major.</param>
    /// <param name="w">The weights, (nOut, nIn) row-major.</param>
    /// <param name="b">The biases, nOut values.</param>
    /// <param name="z">Receives the pre-activations, (m, nOut) example-major; its content is overwritten.</param>
    /// <param name="nIn">The number of inputs per example (units of the previous layer).</param>
    /// <param name="nOut">The number of units of this layer.</param>
    /// <exception cref="ArgumentException">A span's length does not match the shapes; the exception names it.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Forward<T>(ReadOnlySpan<T> aPrev, ReadOnlySpan<T> w, ReadOnlySpan<T> b, Span<T> z, int nIn, int nOut)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = DenseShapes.Check(aPrev, w, z, nIn, nOut, nameof(aPrev), nameof(w), nameof(z));
        Guard.Length(b, nOut, nameof(b), "nOut");

        // Every output starts at zero and receives the partial dot products chunk by chunk, then the bias.
        z.Clear();
        int exampleBlocks = (m + ForwardExamples - 1) / ForwardExamples;
        int unitBlocks = (nOut + ForwardUnits - 1) / ForwardUnits;
        int parts = Partitions((long)m * nIn * nOut, Math.Max(exampleBlocks, unitBlocks));
        if (parts == 1)
        {
            DotProducts(aPrev, w, z, m, nIn, nOut, 0, nOut);
        }
        else
        {
            // Each piece takes whole blocks of examples, or, when there are too few examples to go round (one
            // prediction), whole blocks of units. Every z[i, j] is computed by the same code over the same chunks of
            // k whichever piece it falls in, so the result is bit for bit that of one thread.
            bool byUnits = exampleBlocks < parts;
            unsafe
            {
                ShareOut(&DotProductsPiece<T>, aPrev, w, z, new DenseJob<T> { M = m, NIn = nIn, NOut = nOut, ByUnits = byUnits, Blocks = byUnits ? unitBlocks : exampleBlocks, Parts = parts });
            }
        }

        for (int i = 0; i < m; i++)
        {
            TensorPrimitives.Add(z.Slice(i * nOut, nOut), b, z.Slice(i * nOut, nOut));
        }
    }

    /// <summary>
    /// <c>dW = (1/m) dZ^T . A_prev</c> and <c>db = (1/m) sum over examples of dZ</c>:
    /// <c>dW[j, k] = (1/m) * sum_i dZ[i, j] * aPrev[i, k]</c> and <c>db[j] = (1/m) * sum_i dZ[i, j]</c>.
    /// </summary>
    /// <typeparam name="T">The element type, <see cref="double"/> or <see cref="float"/> (others run scalar code).</typeparam>
    /// <param name="dZ">The gradient of the cost with respect to this layer's pre-activations, (m, nOut).</param>
    /// <param name="aPrev">The previous layer's activations, (m, nIn) example-major.</param>
    /// <param name="dW">Receives the weight gradient, (nOut, nIn) row-major; its content is overwritten.</param>
    /// <param name="db">Receives the bias gradient, nOut values; its content is overwritten.</param>
    /// <param name="nIn">The number of inputs per example (units of the previous layer).</param>
    /// <param name="nOut">The number of units of this layer.</param>
    /// <exception cref="ArgumentException">A span's length does not match the shapes; the exception names it.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void WeightGradients<T>(ReadOnlySpan<T> dZ, ReadOnlySpan<T> aPrev, Span<T> dW, Span<T> db, int nIn, int nOut)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = DenseShapes.Check(aPrev, dW, dZ, nIn, nOut, nameof(aPrev), nameof(dW), nameof(dZ));
        Guard.Length<T>(db, nOut, nameof(db), "nOut");
        T inverseM = T.One / T.CreateChecked(m);
        BiasGradient(dZ, db, m, nOut, inverseM);
        SumsOfOuterProducts(dZ, aPrev, dW, m, nIn, nOut, inverseM, StreamsInputs<T>(m, nIn));
    }

    /// <summary>
    /// db = (1/m) sum over examples of dZ: the examples' rows of dZ added in order, so every db[j] sums over i exactly as
    /// the reference does; <see cref="WeightGradients{T}"/>'s, and <see cref="DataSpanTrainer{T}"/>'s, which must agree with it.
    /// </summary>
    internal static void BiasGradient<T>(ReadOnlySpan<T> dZ, Span<T> db, int m, int nOut, T inverseM)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        db.Clear();
        for (int i = 0; i < m; i++)
        {
            TensorPrimitives.Add(db, dZ.Slice(i * nOut, nOut), db);
        }

        TensorPrimitives.Multiply(db, inverseM, db);
    }

    /// <summary>
    /// <c>result = coefficients^T . A_prev</c>: <c>result[j, k] = sum_i coefficients[i, j] * aPrev[i, k]</c>, the
    /// product of <see cref="WeightGradients{T}"/> without its 1/m, by the same code (the same order of terms). It turns
    /// layer 1's coefficients in the span of the data back into weights (<see cref="DataSpanTrainer{T}"/>).
    /// </summary>
    internal static void Combination<T>(ReadOnlySpan<T> coefficients, ReadOnlySpan<T> aPrev, Span<T> result, int nIn, int nOut)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = DenseShapes.Check(aPrev, result, coefficients, nIn, nOut, nameof(aPrev), nameof(result), nameof(coefficients));
        SumsOfOuterProducts(coefficients, aPrev, result, m, nIn, nOut, T.One, StreamsInputs<T>(m, nIn));
    }

    /// <summary>Whether <see cref="SumsOfOuterProducts{T}"/> takes the panel kernel for m rows of <paramref name="nIn"/> values of aPrev (see <see cref="WeightGradientStreamBytes"/>).</summary>
    internal static bool StreamsInputs<T>(int m, int nIn) => (long)m * nIn * Unsafe.SizeOf<T>() > WeightGradientStreamBytes;

    /// <summary>
    /// dW = scale * dZ^T . aPrev, by the panel kernel (<paramref name="stream"/>) or the register-blocked one, cut into
    /// pieces of whole column blocks shared with the workers when it is large enough.
    /// </summary>
    internal static void SumsOfOuterProducts<T>(ReadOnlySpan<T> dZ, ReadOnlySpan<T> aPrev, Span<T> dW, int m, int nIn, int nOut, T scale, bool stream)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int columns = ColumnsPerPiece<T>(nIn, stream);
        int blocks = (nIn + columns - 1) / columns;
        int parts = Partitions((long)m * nIn * nOut, blocks);
        if (parts == 1)
        {
            OuterProducts(dZ, aPrev, dW, m, nIn, nOut, scale, 0, nIn, stream);
        }
        else
        {
            unsafe
            {
                ShareOut(&OuterProductsPiece<T>, dZ, aPrev, dW, new DenseJob<T> { M = m, NIn = nIn, NOut = nOut, Scale = scale, Stream = stream, Blocks = blocks, Parts = parts });
            }
        }
    }

    /// <summary>The columns of dW in the unit that the weight gradient's pieces are made of: a panel, or a register block.</summary>
    private static int ColumnsPerPiece<T>(int nIn, bool stream) => stream ? WeightGradientPanelBytes / Unsafe.SizeOf<T>() : GradientColumnBlock<T>(nIn);

    /// <summary>
    /// <c>dA_prev = W^T . dZ</c>: <c>dAPrev[i, k] = sum_j w[j, k] * dZ[i, j]</c>.
    /// </summary>
    /// <typeparam name="T">The element type, <see cref="double"/> or <see cref="float"/> (others run scalar code).</typeparam>
    /// <param name="dZ">The gradient of the cost with respect to this layer's pre-activations, (m, nOut).</param>
    /// <param name="w">The weights, (nOut, nIn) row-major.</param>
    /// <param name="dAPrev">
    /// Receives the gradient with respect to the previous layer's activations, (m, nIn) example-major; its content is
    /// overwritten, not accumulated into.
    /// </param>
    /// <param name="nIn">The number of inputs per example (units of the previous layer).</param>
    /// <param name="nOut">The number of units of this layer.</param>
    /// <exception cref="ArgumentException">A span's length does not match the shapes; the exception names it.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void InputGradient<T>(ReadOnlySpan<T> dZ, ReadOnlySpan<T> w, Span<T> dAPrev, int nIn, int nOut)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = DenseShapes.Check(dAPrev, w, dZ, nIn, nOut, nameof(dAPrev), nameof(w), nameof(dZ));
        int exampleBlocks = (m + 3) / 4;
        int parts = Partitions((long)m * nIn * nOut, exampleBlocks);
        if (parts == 1)
        {
            InputGradientRows(dZ, w, dAPrev, m, nIn, nOut);
        }
        else
        {
            unsafe
            {
                ShareOut(&InputGradientPiece<T>, dZ, w, dAPrev, new DenseJob<T> { M = m, NIn = nIn, NOut = nOut, Blocks = exampleBlocks, Parts = parts });
            }
        }
    }

    /// <summary>InputGradient for <paramref name="m"/> examples at the widest vector width the hardware accelerates for rows of <paramref name="nIn"/>.</summary>
    private static void InputGradientRows<T>(ReadOnlySpan<T> dZ, ReadOnlySpan<T> w, Span<T> dAPrev, int m, int nIn, int nOut)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (WidestVector<T>(nIn))
        {
            case 64:
                InputGradientStripes<T, Simd512<T>, Vector512<T>>(dZ, w, dAPrev, m, nIn, nOut);
                break;
            case 32:
                InputGradientStripes<T, Simd256<T>, Vector256<T>>(dZ, w, dAPrev, m, nIn, nOut);
                break;
            case 16:
                InputGradientStripes<T, Simd128<T>, Vector128<T>>(dZ, w, dAPrev, m, nIn, nOut);
                break;
            default:
                InputGradientStripes<T, Scalar<T>, T>(dZ, w, dAPrev, m, nIn, nOut);
                break;
        }
    }

    /// <summary>
    /// <c>parameters = parameters - learningRate * gradients</c>, element by element, as the course's
    /// update_parameters (each element rounds as <c>p - (learningRate * g)</c>).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="parameters">The parameters, updated in place.</param>
    /// <param name="gradients">The gradients, as many as <paramref name="parameters"/>.</param>
    /// <param name="learningRate">The learning rate.</param>
    /// <exception cref="ArgumentException">The spans' lengths differ; the exception names <paramref name="gradients"/>.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void GradientDescent<T>(Span<T> parameters, ReadOnlySpan<T> gradients, T learningRate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(gradients, parameters.Length, nameof(gradients), "same as parameters");

        // (g * -lr) + p, multiplied and added in two roundings (MultiplyAdd does not fuse), equals p - (lr * g) bit
        // for bit: negation is exact and round-to-nearest is symmetric. The destination may alias the addend exactly.
        TensorPrimitives.MultiplyAdd(gradients, -learningRate, parameters, parameters);
    }

    /// <summary>
    /// The most threads one call of <see cref="Forward{T}"/> or <see cref="WeightGradients{T}"/> may use. Defaults to
    /// the processor count; 1 keeps all work on the calling thread. Results are bit for bit the same for any value:
    /// the work is split into pieces that are each computed exactly as one thread would compute them.
    /// </summary>
    /// <remarks>
    /// The other threads are DnnGen's own background workers, <c>ProcessorCount - 1</c> of them, started by the first
    /// call that shares its work. After each call they spin a while, ready for the next, then sleep (see
    /// <see cref="WorkerSpinTime"/>); with this set to 1 no call shares its work and they are never started.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => s_maxDegreeOfParallelism;
        set
        {
            Guard.AtLeast(value, 1, nameof(value));
            s_maxDegreeOfParallelism = value;
        }
    }

    private static int s_maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>
    /// The longest a worker thread spins after a call that shared its work, ready for the next, before it sleeps.
    /// Defaults to 200 microseconds; <see cref="TimeSpan.Zero"/> makes the workers sleep at once after every call.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A spinning worker takes the next call's share within a fraction of a microsecond; a sleeping one must be woken,
    /// which costs the calling thread a system call and the worker several microseconds, so the caller usually does
    /// that share itself: a one-example prediction of a large network then takes up to twice as long. Spinning, on
    /// the other hand, keeps a core busy: with a fixed 200 us spin a program that predicts once a millisecond keeps a
    /// fifth of a core busy doing nothing.
    /// </para>
    /// <para>
    /// Under <see cref="AdaptiveWorkerSpin"/> (the default) each worker spins only when at least half of its last 8
    /// waits for a call ended within this time, and then for twice the longest of them plus an eighth of this time,
    /// never longer than this time: back-to-back calls (training, a loop of predictions) get the spinning hand-over,
    /// calls that come rarely relative to this time cost no spinning. Results are bit for bit the same for any
    /// setting; only time and CPU use change.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or longer than one second.</exception>
    public static TimeSpan WorkerSpinTime
    {
        get => WorkerPool.SpinTime;
        set
        {
            if (value < TimeSpan.Zero || value > WorkerPool.MaxSpinTime)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(value),
                    value,
                    string.Create(CultureInfo.InvariantCulture, $"Expected a time from {TimeSpan.Zero} (never spin) to {WorkerPool.MaxSpinTime}."));
            }

            WorkerPool.SpinTime = value;
        }
    }

    /// <summary>
    /// Whether the worker threads spin only as long as their recent waits for a call suggest (true, the default), or
    /// always the whole <see cref="WorkerSpinTime"/> after every call (false: every call that comes within that time
    /// gets the spinning hand-over, however irregular the intervals, at the cost of spinning after every call). See
    /// <see cref="WorkerSpinTime"/> for the rule.
    /// </summary>
    public static bool AdaptiveWorkerSpin
    {
        get => WorkerPool.AdaptiveSpin;
        set => WorkerPool.AdaptiveSpin = value;
    }

    /// <summary>
    /// The number of multiply-adds (m x nIn x nOut) from which <see cref="Forward{T}"/>, <see cref="WeightGradients{T}"/>
    /// and <see cref="InputGradient{T}"/> share their work with the worker threads: below it, a couple of microseconds of
    /// work, handing part of it to another core costs more than it saves. The generated code's comments quote it.
    /// </summary>
    public const long ParallelWorkThreshold = 1L << 16;

    /// <summary>How many pieces to split <paramref name="items"/> independent items into for this much work.</summary>
    internal static int Partitions(long multiplyAdds, int items)
        => multiplyAdds < ParallelWorkThreshold ? 1 : Math.Clamp(Math.Min(s_maxDegreeOfParallelism, items), 1, WorkerPool.MaxPieces);

    /// <summary>
    /// How many pieces to split a pass of one scalar exp per value over <paramref name="rows"/> independent rows of
    /// <paramref name="values"/> values in all into (Activations.Softmax, and the categorical cross-entropy's losses): an
    /// exp costs about <see cref="ExpWorkPerValue"/> multiply-adds against <see cref="ParallelWorkThreshold"/>, and a
    /// piece takes at least <see cref="ExpRowsPerPiece"/> rows, so sharing starts at 128 rows and about 4,000 values.
    /// </summary>
    internal static int ExpRowPartitions(int values, int rows) => Partitions(ExpWorkPerValue * values, rows / ExpRowsPerPiece);

    private const long ExpWorkPerValue = 16;
    private const int ExpRowsPerPiece = 64;

    /// <summary>The first item of piece <paramref name="piece"/> when <paramref name="items"/> are cut into <paramref name="parts"/> contiguous pieces.</summary>
    internal static int PieceStart(int items, int piece, int parts) => (int)((long)items * piece / parts);

    /// <summary>
    /// The operands of a product (or of Activations.Softmax) shared out by <see cref="WorkerPool"/> (<see cref="ShareOut{T}"/>): pointers, because
    /// spans cannot be stored in a job, the shape, and the cut, <see cref="Blocks"/> items in <see cref="Parts"/>
    /// contiguous pieces. Each piece computes its own outputs, by the same code whichever thread runs it, so the result
    /// is bit for bit that of one thread and no reduction is needed.
    /// </summary>
    internal unsafe struct DenseJob<T>
        where T : unmanaged
    {
        /// <summary>The first operand: aPrev (Forward), dZ (the gradients), C (GramProduct), Z (Softmax).</summary>
        public T* A;

        /// <summary>The second operand: w (Forward, InputGradient), aPrev (the weight gradient), G (GramProduct).</summary>
        public T* B;

        /// <summary>The result: z, dW, dAPrev, Z1 transposed or A (Softmax).</summary>
        public T* Output;

        public int M;

        /// <summary>The inputs per example (GramProduct: G's row stride).</summary>
        public int NIn;

        public int NOut;

        /// <summary>The weight gradient's 1/m (1 for <see cref="Combination{T}"/>).</summary>
        public T Scale;

        /// <summary>Forward: pieces of blocks of units rather than of examples.</summary>
        public bool ByUnits;

        /// <summary>The weight gradient: the panel kernel (<see cref="StreamsInputs{T}"/>).</summary>
        public bool Stream;

        public int Blocks;
        public int Parts;

        /// <summary>The first item of <paramref name="piece"/>; its last is one before the next piece's first.</summary>
        public readonly int Start(int piece) => PieceStart(Blocks, piece, Parts);
    }

    /// <summary>
    /// Runs <paramref name="piece"/> for each of <paramref name="job"/>'s parts on the calling thread and the workers,
    /// with the operands pinned and set into the job, and returns when every piece is done.
    /// </summary>
    internal static unsafe void ShareOut<T>(delegate*<void*, int, void> piece, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> output, DenseJob<T> job)
        where T : unmanaged
    {
        fixed (T* aPointer = a, bPointer = b, outputPointer = output)
        {
            job.A = aPointer;
            job.B = bPointer;
            job.Output = outputPointer;
            WorkerPool.Run(piece, &job, job.Parts);
        }
    }

    /// <summary>
    /// One piece of a shared Forward: whole blocks of examples, or of units when <see cref="DenseJob{T}.ByUnits"/> (one
    /// prediction has a single example to go round).
    /// </summary>
    private static unsafe void DotProductsPiece<T>(void* state, int piece)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref DenseJob<T> job = ref *(DenseJob<T>*)state;
        int m = job.M, nIn = job.NIn, nOut = job.NOut;
        var aPrev = new ReadOnlySpan<T>(job.A, m * nIn);
        var w = new ReadOnlySpan<T>(job.B, nOut * nIn);
        var z = new Span<T>(job.Output, m * nOut);
        int first = job.Start(piece);
        int end = job.Start(piece + 1);
        if (job.ByUnits)
        {
            DotProducts(aPrev, w, z, m, nIn, nOut, first * ForwardUnits, Math.Min(end * ForwardUnits, nOut));
        }
        else
        {
            int i0 = first * ForwardExamples;
            int i1 = Math.Min(end * ForwardExamples, m);
            DotProducts(aPrev.Slice(i0 * nIn, (i1 - i0) * nIn), w, z.Slice(i0 * nOut, (i1 - i0) * nOut), i1 - i0, nIn, nOut, 0, nOut);
        }
    }

    /// <summary>
    /// One piece of a shared weight gradient: whole column blocks of dW (panels, or register blocks; see
    /// <see cref="ColumnsPerPiece{T}"/>), every dW[j, k] summing its examples in order.
    /// </summary>
    private static unsafe void OuterProductsPiece<T>(void* state, int piece)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref DenseJob<T> job = ref *(DenseJob<T>*)state;
        int m = job.M, nIn = job.NIn, nOut = job.NOut;
        int columns = ColumnsPerPiece<T>(nIn, job.Stream);
        OuterProducts(
            new ReadOnlySpan<T>(job.A, m * nOut),
            new ReadOnlySpan<T>(job.B, m * nIn),
            new Span<T>(job.Output, nOut * nIn),
            m,
            nIn,
            nOut,
            job.Scale,
            job.Start(piece) * columns,
            Math.Min(job.Start(piece + 1) * columns, nIn),
            job.Stream);
    }

    /// <summary>
    /// One piece of a shared InputGradient: whole blocks of four examples, every dAPrev[i, k] adding its terms in order
    /// of j.
    /// </summary>
    private static unsafe void InputGradientPiece<T>(void* state, int piece)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref DenseJob<T> job = ref *(DenseJob<T>*)state;
        int i0 = job.Start(piece) * 4;
        int i1 = Math.Min(job.Start(piece + 1) * 4, job.M);
        int nIn = job.NIn, nOut = job.NOut;
        InputGradientRows(
            new ReadOnlySpan<T>(job.A + ((long)i0 * nOut), (i1 - i0) * nOut),
            new ReadOnlySpan<T>(job.B, nOut * nIn),
            new Span<T>(job.Output + ((long)i0 * nIn), (i1 - i0) * nIn),
            i1 - i0,
            nIn,
            nOut);
    }

    /// <summary>
    /// DotProducts for units <paramref name="jStart"/> .. <paramref name="jEnd"/> - 1 at the widest vector width the
    /// hardware accelerates for this row length.
    /// </summary>
    private static void DotProducts<T>(ReadOnlySpan<T> aPrev, ReadOnlySpan<T> w, Span<T> z, int m, int nIn, int nOut, int jStart, int jEnd)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (WidestVector<T>(nIn))
        {
            case 64:
                DotProducts<T, Simd512<T>, Vector512<T>>(aPrev, w, z, m, nIn, nOut, jStart, jEnd);
                break;
            case 32:
                DotProducts<T, Simd256<T>, Vector256<T>>(aPrev, w, z, m, nIn, nOut, jStart, jEnd);
                break;
            case 16:
                DotProducts<T, Simd128<T>, Vector128<T>>(aPrev, w, z, m, nIn, nOut, jStart, jEnd);
                break;
            default:
                DotProducts<T, Scalar<T>, T>(aPrev, w, z, m, nIn, nOut, jStart, jEnd);
                break;
        }
    }

    /// <summary>
    /// The weight gradient over columns <paramref name="kStart"/> .. <paramref name="kEnd"/> - 1 at the widest
    /// accelerated width, by the panel kernel (<paramref name="stream"/>) or the register-blocked one.
    /// </summary>
    private static void OuterProducts<T>(ReadOnlySpan<T> dZ, ReadOnlySpan<T> aPrev, Span<T> dW, int m, int nIn, int nOut, T inverseM, int kStart, int kEnd, bool stream)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch ((WidestVector<T>(nIn), stream))
        {
            case (64, true):
                OuterProductPanels<T, Simd512<T>, Vector512<T>>(dZ, aPrev, dW, m, nIn, nOut, inverseM, kStart, kEnd);
                break;
            case (64, false):
                OuterProducts<T, Simd512<T>, Vector512<T>>(dZ, aPrev, dW, m, nIn, nOut, inverseM, kStart, kEnd);
                break;
            case (32, true):
                OuterProductPanels<T, Simd256<T>, Vector256<T>>(dZ, aPrev, dW, m, nIn, nOut, inverseM, kStart, kEnd);
                break;
            case (32, false):
                OuterProducts<T, Simd256<T>, Vector256<T>>(dZ, aPrev, dW, m, nIn, nOut, inverseM, kStart, kEnd);
                break;
            case (16, true):
                OuterProductPanels<T, Simd128<T>, Vector128<T>>(dZ, aPrev, dW, m, nIn, nOut, inverseM, kStart, kEnd);
                break;
            case (16, false):
                OuterProducts<T, Simd128<T>, Vector128<T>>(dZ, aPrev, dW, m, nIn, nOut, inverseM, kStart, kEnd);
                break;
            case (_, true):
                OuterProductPanels<T, Scalar<T>, T>(dZ, aPrev, dW, m, nIn, nOut, inverseM, kStart, kEnd);
                break;
            default:
                OuterProducts<T, Scalar<T>, T>(dZ, aPrev, dW, m, nIn, nOut, inverseM, kStart, kEnd);
                break;
        }
    }

    /// <summary>
    /// The byte width (64, 32 or 16) of the widest hardware-accelerated vector of <typeparamref name="T"/> that
    /// holds no more than <paramref name="length"/> elements, or 0 for scalar code.
    /// </summary>
    /// <remarks>The conditions are JIT-time constants for each T, so the dispatch costs nothing.</remarks>
    private static int WidestVector<T>(int length)
    {
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && length >= Vector512<T>.Count)
        {
            return 64;
        }

        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported && length >= Vector256<T>.Count)
        {
            return 32;
        }

        if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported && length >= Vector128<T>.Count)
        {
            return 16;
        }

        return 0;
    }

    /// <summary>
    /// Adds <c>sum_k w[j, k] * aPrev[i, k]</c> to every <c>z[i, j]</c>: the vector part of each row with
    /// <typeparamref name="TOps"/>, chunk by chunk, then the last <c>nIn % Count</c> columns with scalar code.
    /// </summary>
    private static void DotProducts<T, TOps, TVec>(ReadOnlySpan<T> aPrev, ReadOnlySpan<T> w, Span<T> z, int m, int nIn, int nOut, int jStart, int jEnd)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
    {
        Span<T> sums = stackalloc T[ForwardExamples * ForwardUnits];
        int vectorEnd = nIn - (nIn % TOps.Count);

        // A multiple of the vector length, since both are powers of two and a vector holds at most 64 bytes.
        int chunk = ForwardChunkBytes / Unsafe.SizeOf<T>();
        for (int k0 = 0; k0 < vectorEnd; k0 += chunk)
        {
            AccumulateDotProducts<T, TOps, TVec>(aPrev, w, z, m, nIn, nOut, jStart, jEnd, k0, Math.Min(k0 + chunk, vectorEnd), sums);
        }

        if (vectorEnd < nIn)
        {
            AccumulateDotProducts<T, Scalar<T>, T>(aPrev, w, z, m, nIn, nOut, jStart, jEnd, vectorEnd, nIn, sums);
        }
    }

    /// <summary>
    /// Adds <c>sum_{k0 &lt;= k &lt; k1} w[j, k] * aPrev[i, k]</c> to every <c>z[i, j]</c> with
    /// <paramref name="jStart"/> &lt;= j &lt; <paramref name="jEnd"/>: blocks of four examples, then the last
    /// <c>m % 4</c> examples one at a time, so that no example's products are computed twice. <c>k1 - k0</c> is a
    /// multiple of <typeparamref name="TOps"/>' vector length. With <see cref="ISimd{T, TVec}.FewRegisters"/>, blocks of
    /// six examples come first.
    /// </summary>
    private static void AccumulateDotProducts<T, TOps, TVec>(ReadOnlySpan<T> aPrev, ReadOnlySpan<T> w, Span<T> z, int m, int nIn, int nOut, int jStart, int jEnd, int k0, int k1, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
    {
        int i0 = 0;
        if (TOps.FewRegisters)
        {
            for (; i0 + TallExamples <= m; i0 += TallExamples)
            {
                AccumulateTallBlock<T, TOps, TVec>(aPrev, w, z, nIn, nOut, i0, jStart, jEnd, k0, k1, sums);
            }
        }

        for (; i0 + ForwardExamples <= m; i0 += ForwardExamples)
        {
            AccumulateExampleBlock<T, TOps, TVec, Four>(aPrev, w, z, nIn, nOut, i0, jStart, jEnd, k0, k1, sums);
        }

        for (; i0 < m; i0++)
        {
            AccumulateExampleBlock<T, TOps, TVec, One>(aPrev, w, z, nIn, nOut, i0, jStart, jEnd, k0, k1, sums);
        }
    }

    /// <summary>
    /// Adds the partial dot products of examples <c>i0 .. i0 + TExamples.Value - 1</c> with units
    /// <paramref name="jStart"/> .. <paramref name="jEnd"/> - 1 over columns <c>k0 .. k1 - 1</c> into z, four units
    /// at a time.
    /// </summary>
    private static void AccumulateExampleBlock<T, TOps, TVec, TExamples>(ReadOnlySpan<T> aPrev, ReadOnlySpan<T> w, Span<T> z, int nIn, int nOut, int i0, int jStart, int jEnd, int k0, int k1, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
        where TExamples : struct, IConstant
    {
        for (int j0 = jStart; j0 < jEnd; j0 += ForwardUnits)
        {
            int units = Math.Min(ForwardUnits, jEnd - j0);
            DotProductBlock<T, TOps, TVec, TExamples>(aPrev, w, nIn, i0, j0, units, k0, k1, sums);
            for (int r = 0; r < TExamples.Value; r++)
            {
                Span<T> zRow = z.Slice(((i0 + r) * nOut) + j0, units);
                for (int c = 0; c < units; c++)
                {
                    zRow[c] += sums[(r * ForwardUnits) + c];
                }
            }
        }
    }

    /// <summary>
    /// The forward micro-kernel: the dot products of examples <c>i0 .. i0 + TExamples.Value - 1</c> (four, or one)
    /// with units <c>j0 .. j0 + 3</c> over columns <c>k0 .. k1 - 1</c>, into <paramref name="sums"/>[r * 4 + c].
    /// The 4 x 4 (or 1 x 4) vector accumulators stay in registers; each step loads one vector of aPrev per example
    /// and one of w per unit. Past the last unit (when <paramref name="units"/> is below 4) the rows repeat the last
    /// valid one, so the loop needs no edge cases; the caller ignores those sums.
    /// </summary>
    /// <remarks>
    /// Each sum sRC depends only on example r and unit c, so an example gets the same bits in a block of four as on
    /// its own: a prediction of one example equals its column of a batch's Forward exactly.
    /// </remarks>
    private static void DotProductBlock<T, TOps, TVec, TExamples>(ReadOnlySpan<T> aPrev, ReadOnlySpan<T> w, int nIn, int i0, int j0, int units, int k0, int k1, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
        where TExamples : struct, IConstant
    {
        // The callers validated the shapes and keep k0 .. k1 inside a row, so the loads below need no bounds checks.
        // With one example, a1 .. a3 repeat a0 and are never loaded.
        int lastExample = i0 + TExamples.Value - 1;
        ref T a0 = ref Row(aPrev, i0, nIn);
        ref T a1 = ref Row(aPrev, Math.Min(i0 + 1, lastExample), nIn);
        ref T a2 = ref Row(aPrev, Math.Min(i0 + 2, lastExample), nIn);
        ref T a3 = ref Row(aPrev, Math.Min(i0 + 3, lastExample), nIn);
        ref T w0 = ref Row(w, j0, nIn);
        ref T w1 = ref Row(w, j0 + Math.Min(1, units - 1), nIn);
        ref T w2 = ref Row(w, j0 + Math.Min(2, units - 1), nIn);
        ref T w3 = ref Row(w, j0 + Math.Min(3, units - 1), nIn);

        // sRC accumulates example r against unit c.
        TVec s00 = TOps.Zero, s01 = TOps.Zero, s02 = TOps.Zero, s03 = TOps.Zero;
        TVec s10 = TOps.Zero, s11 = TOps.Zero, s12 = TOps.Zero, s13 = TOps.Zero;
        TVec s20 = TOps.Zero, s21 = TOps.Zero, s22 = TOps.Zero, s23 = TOps.Zero;
        TVec s30 = TOps.Zero, s31 = TOps.Zero, s32 = TOps.Zero, s33 = TOps.Zero;
        for (nuint k = (nuint)k0; k < (nuint)k1; k += (nuint)TOps.Count)
        {
            TVec x0 = TOps.Load(ref a0, k);
            TVec y0 = TOps.Load(ref w0, k);
            TVec y1 = TOps.Load(ref w1, k);
            TVec y2 = TOps.Load(ref w2, k);
            TVec y3 = TOps.Load(ref w3, k);
            s00 = TOps.Add(s00, TOps.Multiply(y0, x0));
            s01 = TOps.Add(s01, TOps.Multiply(y1, x0));
            s02 = TOps.Add(s02, TOps.Multiply(y2, x0));
            s03 = TOps.Add(s03, TOps.Multiply(y3, x0));
            if (TExamples.Value == 4)
            {
                TVec x = TOps.Load(ref a1, k);
                s10 = TOps.Add(s10, TOps.Multiply(y0, x));
                s11 = TOps.Add(s11, TOps.Multiply(y1, x));
                s12 = TOps.Add(s12, TOps.Multiply(y2, x));
                s13 = TOps.Add(s13, TOps.Multiply(y3, x));

                x = TOps.Load(ref a2, k);
                s20 = TOps.Add(s20, TOps.Multiply(y0, x));
                s21 = TOps.Add(s21, TOps.Multiply(y1, x));
                s22 = TOps.Add(s22, TOps.Multiply(y2, x));
                s23 = TOps.Add(s23, TOps.Multiply(y3, x));

                x = TOps.Load(ref a3, k);
                s30 = TOps.Add(s30, TOps.Multiply(y0, x));
                s31 = TOps.Add(s31, TOps.Multiply(y1, x));
                s32 = TOps.Add(s32, TOps.Multiply(y2, x));
                s33 = TOps.Add(s33, TOps.Multiply(y3, x));
            }
        }

        sums[0] = TOps.Sum(s00);
        sums[1] = TOps.Sum(s01);
        sums[2] = TOps.Sum(s02);
        sums[3] = TOps.Sum(s03);
        if (TExamples.Value == 4)
        {
            sums[4] = TOps.Sum(s10);
            sums[5] = TOps.Sum(s11);
            sums[6] = TOps.Sum(s12);
            sums[7] = TOps.Sum(s13);
            sums[8] = TOps.Sum(s20);
            sums[9] = TOps.Sum(s21);
            sums[10] = TOps.Sum(s22);
            sums[11] = TOps.Sum(s23);
            sums[12] = TOps.Sum(s30);
            sums[13] = TOps.Sum(s31);
            sums[14] = TOps.Sum(s32);
            sums[15] = TOps.Sum(s33);
        }
    }

    /// <summary>
    /// <see cref="AccumulateExampleBlock{T, TOps, TVec, TExamples}"/> for the six examples <c>i0 .. i0 + 5</c>, two units
    /// at a time with <see cref="DotProductTallBlock{T, TOps, TVec}"/>.
    /// </summary>
    private static void AccumulateTallBlock<T, TOps, TVec>(ReadOnlySpan<T> aPrev, ReadOnlySpan<T> w, Span<T> z, int nIn, int nOut, int i0, int jStart, int jEnd, int k0, int k1, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
    {
        for (int j0 = jStart; j0 < jEnd; j0 += TallUnits)
        {
            int units = Math.Min(TallUnits, jEnd - j0);
            DotProductTallBlock<T, TOps, TVec>(aPrev, w, nIn, i0, j0, units, k0, k1, sums);
            for (int r = 0; r < TallExamples; r++)
            {
                Span<T> zRow = z.Slice(((i0 + r) * nOut) + j0, units);
                for (int c = 0; c < units; c++)
                {
                    zRow[c] += sums[(r * TallUnits) + c];
                }
            }
        }
    }

    /// <summary>
    /// The forward micro-kernel for 16-register vector ISAs: the dot products of examples <c>i0 .. i0 + 5</c> with
    /// units <c>j0</c> and <c>j0 + 1</c> over columns <c>k0 .. k1 - 1</c>, into <paramref name="sums"/>[r * 2 + c].
    /// As in <see cref="DotProductBlock{T, TOps, TVec, TExamples}"/>, a missing second unit repeats the first and the
    /// caller ignores its sums, and every sum is computed lane by lane in the same order as there: the same bits.
    /// </summary>
    private static void DotProductTallBlock<T, TOps, TVec>(ReadOnlySpan<T> aPrev, ReadOnlySpan<T> w, int nIn, int i0, int j0, int units, int k0, int k1, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
    {
        ref T a0 = ref Row(aPrev, i0, nIn);
        ref T a1 = ref Row(aPrev, i0 + 1, nIn);
        ref T a2 = ref Row(aPrev, i0 + 2, nIn);
        ref T a3 = ref Row(aPrev, i0 + 3, nIn);
        ref T a4 = ref Row(aPrev, i0 + 4, nIn);
        ref T a5 = ref Row(aPrev, i0 + 5, nIn);
        ref T w0 = ref Row(w, j0, nIn);
        ref T w1 = ref Row(w, j0 + units - 1, nIn);

        // sRC accumulates example r against unit c.
        TVec s00 = TOps.Zero, s01 = TOps.Zero, s10 = TOps.Zero, s11 = TOps.Zero, s20 = TOps.Zero, s21 = TOps.Zero;
        TVec s30 = TOps.Zero, s31 = TOps.Zero, s40 = TOps.Zero, s41 = TOps.Zero, s50 = TOps.Zero, s51 = TOps.Zero;
        for (nuint k = (nuint)k0; k < (nuint)k1; k += (nuint)TOps.Count)
        {
            TVec y0 = TOps.Load(ref w0, k);
            TVec y1 = TOps.Load(ref w1, k);

            TVec x = TOps.Load(ref a0, k);
            s00 = TOps.Add(s00, TOps.Multiply(y0, x));
            s01 = TOps.Add(s01, TOps.Multiply(y1, x));
            x = TOps.Load(ref a1, k);
            s10 = TOps.Add(s10, TOps.Multiply(y0, x));
            s11 = TOps.Add(s11, TOps.Multiply(y1, x));
            x = TOps.Load(ref a2, k);
            s20 = TOps.Add(s20, TOps.Multiply(y0, x));
            s21 = TOps.Add(s21, TOps.Multiply(y1, x));
            x = TOps.Load(ref a3, k);
            s30 = TOps.Add(s30, TOps.Multiply(y0, x));
            s31 = TOps.Add(s31, TOps.Multiply(y1, x));
            x = TOps.Load(ref a4, k);
            s40 = TOps.Add(s40, TOps.Multiply(y0, x));
            s41 = TOps.Add(s41, TOps.Multiply(y1, x));
            x = TOps.Load(ref a5, k);
            s50 = TOps.Add(s50, TOps.Multiply(y0, x));
            s51 = TOps.Add(s51, TOps.Multiply(y1, x));
        }

        sums[0] = TOps.Sum(s00);
        sums[1] = TOps.Sum(s01);
        sums[2] = TOps.Sum(s10);
        sums[3] = TOps.Sum(s11);
        sums[4] = TOps.Sum(s20);
        sums[5] = TOps.Sum(s21);
        sums[6] = TOps.Sum(s30);
        sums[7] = TOps.Sum(s31);
        sums[8] = TOps.Sum(s40);
        sums[9] = TOps.Sum(s41);
        sums[10] = TOps.Sum(s50);
        sums[11] = TOps.Sum(s51);
    }

    /// <summary>
    /// The panel kernel of the weight gradient, for aPrev that comes from memory (see
    /// <see cref="WeightGradientStreamBytes"/>): adds <c>dZ[i, j] * aPrev[i, k]</c> into <c>dW[j, k]</c> for every
    /// example i in order, panel of columns by panel, then scales each finished panel by <paramref name="inverseM"/>.
    /// </summary>
    /// <remarks>
    /// A panel of <see cref="WeightGradientPanelBytes"/> per row of dW (160 KiB for 20 units) stays in L2 while the
    /// examples stream past it four rows at a time, each block of rows read once, sequentially, from memory. Each
    /// dW[j, k] starts at zero and adds its terms in order of i before the single scaling, as the reference does, so
    /// the result matches it bit for bit.
    /// </remarks>
    private static void OuterProductPanels<T, TOps, TVec>(ReadOnlySpan<T> dZ, ReadOnlySpan<T> aPrev, Span<T> dW, int m, int nIn, int nOut, T inverseM, int kStart, int kEnd)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
    {
        int vectorEnd = nIn - (nIn % TOps.Count);
        int panel = WeightGradientPanelBytes / Unsafe.SizeOf<T>();
        for (int k0 = kStart; k0 < kEnd; k0 += panel)
        {
            // Vectors cover k0 .. kv - 1; the scalar code takes kv .. k1 - 1, the row's last nIn % Count columns.
            int k1 = Math.Min(k0 + panel, kEnd);
            int kv = Math.Min(k1, vectorEnd);
            for (int j = 0; j < nOut; j++)
            {
                dW.Slice((j * nIn) + k0, k1 - k0).Clear();
            }

            int i0 = 0;
            for (; i0 + 4 <= m; i0 += 4)
            {
                OuterProductBlock<T, TOps, TVec, Four>(dZ, aPrev, dW, nIn, nOut, i0, k0, kv);
                OuterProductBlock<T, Scalar<T>, T, Four>(dZ, aPrev, dW, nIn, nOut, i0, kv, k1);
            }

            for (; i0 < m; i0++)
            {
                OuterProductBlock<T, TOps, TVec, One>(dZ, aPrev, dW, nIn, nOut, i0, k0, kv);
                OuterProductBlock<T, Scalar<T>, T, One>(dZ, aPrev, dW, nIn, nOut, i0, kv, k1);
            }

            for (int j = 0; j < nOut; j++)
            {
                Span<T> dWPanel = dW.Slice((j * nIn) + k0, k1 - k0);
                TensorPrimitives.Multiply(dWPanel, inverseM, dWPanel);
            }
        }
    }

    /// <summary>
    /// The weight-gradient micro-kernel: for examples <c>i0 .. i0 + TExamples.Value - 1</c> (one or four) and
    /// every block of four units, adds <c>dZ[i, j] * aPrev[i, k]</c> into <c>dW[j, k]</c> for columns
    /// <c>k0 .. k1 - 1</c>, one example after the other. The 4 x 4 coefficients dZ[i, j] are broadcast into
    /// registers once per block; each step loads four vectors of dW, adds the examples' terms and stores them back.
    /// </summary>
    /// <remarks>
    /// Past the last unit the rows repeat the last valid one: both copies load the same values, add the same terms
    /// and store the same result, so no edge case is needed. Examples cannot repeat that way (their terms would be
    /// added twice), hence the example count as a type whose value the JIT folds into the loop.
    /// </remarks>
    private static void OuterProductBlock<T, TOps, TVec, TExamples>(ReadOnlySpan<T> dZ, ReadOnlySpan<T> aPrev, Span<T> dW, int nIn, int nOut, int i0, int k0, int k1)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
        where TExamples : struct, IConstant
    {
        // With one example, the unused rows repeat it; they are read for the coefficients below but never used.
        int lastExample = i0 + TExamples.Value - 1;
        ref T a0 = ref Row(aPrev, i0, nIn);
        ref T a1 = ref Row(aPrev, Math.Min(i0 + 1, lastExample), nIn);
        ref T a2 = ref Row(aPrev, Math.Min(i0 + 2, lastExample), nIn);
        ref T a3 = ref Row(aPrev, Math.Min(i0 + 3, lastExample), nIn);
        ref T dZ0 = ref Row(dZ, i0, nOut);
        ref T dZ1 = ref Row(dZ, Math.Min(i0 + 1, lastExample), nOut);
        ref T dZ2 = ref Row(dZ, Math.Min(i0 + 2, lastExample), nOut);
        ref T dZ3 = ref Row(dZ, Math.Min(i0 + 3, lastExample), nOut);
        for (int j0 = 0; j0 < nOut; j0 += 4)
        {
            int j1 = Math.Min(j0 + 1, nOut - 1);
            int j2 = Math.Min(j0 + 2, nOut - 1);
            int j3 = Math.Min(j0 + 3, nOut - 1);

            // cRU = dZ[i0 + r, unit u of the block], in every lane.
            TVec c00 = TOps.Broadcast(Unsafe.Add(ref dZ0, j0)), c01 = TOps.Broadcast(Unsafe.Add(ref dZ0, j1));
            TVec c02 = TOps.Broadcast(Unsafe.Add(ref dZ0, j2)), c03 = TOps.Broadcast(Unsafe.Add(ref dZ0, j3));
            TVec c10 = TOps.Broadcast(Unsafe.Add(ref dZ1, j0)), c11 = TOps.Broadcast(Unsafe.Add(ref dZ1, j1));
            TVec c12 = TOps.Broadcast(Unsafe.Add(ref dZ1, j2)), c13 = TOps.Broadcast(Unsafe.Add(ref dZ1, j3));
            TVec c20 = TOps.Broadcast(Unsafe.Add(ref dZ2, j0)), c21 = TOps.Broadcast(Unsafe.Add(ref dZ2, j1));
            TVec c22 = TOps.Broadcast(Unsafe.Add(ref dZ2, j2)), c23 = TOps.Broadcast(Unsafe.Add(ref dZ2, j3));
            TVec c30 = TOps.Broadcast(Unsafe.Add(ref dZ3, j0)), c31 = TOps.Broadcast(Unsafe.Add(ref dZ3, j1));
            TVec c32 = TOps.Broadcast(Unsafe.Add(ref dZ3, j2)), c33 = TOps.Broadcast(Unsafe.Add(ref dZ3, j3));
            ref T dW0 = ref Row(dW, j0, nIn);
            ref T dW1 = ref Row(dW, j1, nIn);
            ref T dW2 = ref Row(dW, j2, nIn);
            ref T dW3 = ref Row(dW, j3, nIn);
            for (nuint k = (nuint)k0; k < (nuint)k1; k += (nuint)TOps.Count)
            {
                TVec s0 = TOps.Load(ref dW0, k);
                TVec s1 = TOps.Load(ref dW1, k);
                TVec s2 = TOps.Load(ref dW2, k);
                TVec s3 = TOps.Load(ref dW3, k);

                TVec x = TOps.Load(ref a0, k);
                s0 = TOps.Add(s0, TOps.Multiply(c00, x));
                s1 = TOps.Add(s1, TOps.Multiply(c01, x));
                s2 = TOps.Add(s2, TOps.Multiply(c02, x));
                s3 = TOps.Add(s3, TOps.Multiply(c03, x));
                if (TExamples.Value == 4)
                {
                    x = TOps.Load(ref a1, k);
                    s0 = TOps.Add(s0, TOps.Multiply(c10, x));
                    s1 = TOps.Add(s1, TOps.Multiply(c11, x));
                    s2 = TOps.Add(s2, TOps.Multiply(c12, x));
                    s3 = TOps.Add(s3, TOps.Multiply(c13, x));

                    x = TOps.Load(ref a2, k);
                    s0 = TOps.Add(s0, TOps.Multiply(c20, x));
                    s1 = TOps.Add(s1, TOps.Multiply(c21, x));
                    s2 = TOps.Add(s2, TOps.Multiply(c22, x));
                    s3 = TOps.Add(s3, TOps.Multiply(c23, x));

                    x = TOps.Load(ref a3, k);
                    s0 = TOps.Add(s0, TOps.Multiply(c30, x));
                    s1 = TOps.Add(s1, TOps.Multiply(c31, x));
                    s2 = TOps.Add(s2, TOps.Multiply(c32, x));
                    s3 = TOps.Add(s3, TOps.Multiply(c33, x));
                }

                TOps.Store(s0, ref dW0, k);
                TOps.Store(s1, ref dW1, k);
                TOps.Store(s2, ref dW2, k);
                TOps.Store(s3, ref dW3, k);
            }
        }
    }

    /// <summary>
    /// <c>dAPrev[i, k] = sum_j dZ[i, j] * w[j, k]</c> with <typeparamref name="TOps"/>' vectors. The columns are cut
    /// into stripes of two vectors; within a stripe, blocks of four examples keep their 4 x 2 accumulators in
    /// registers while the loop runs over the units, loading two vectors of row j of w and broadcasting dZ[i, j] for
    /// each example. The stripe of w (nOut rows of two vectors) stays in L1 for every block of examples.
    /// </summary>
    /// <remarks>
    /// Edges need no special code: a vector that would run past the last column starts at <c>nIn - Count</c> instead,
    /// and examples past the last repeat the last one. Those lanes and rows are computed twice in the same order, so
    /// the second store writes the same bits. Every value adds its terms in order of j, from zero, so the result
    /// equals the reference's bit for bit. <c>nIn &gt;= Count</c> is required.
    /// </remarks>
    private static void InputGradientStripes<T, TOps, TVec>(ReadOnlySpan<T> dZ, ReadOnlySpan<T> w, Span<T> dAPrev, int m, int nIn, int nOut)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : struct, ISimd<T, TVec>
        where TVec : unmanaged
    {
        ref T wStart = ref MemoryMarshal.GetReference(w);
        int lastVector = nIn - TOps.Count;
        for (int k0 = 0; k0 < nIn; k0 += 2 * TOps.Count)
        {
            nuint col0 = (nuint)Math.Min(k0, lastVector);
            nuint col1 = (nuint)Math.Min(k0 + TOps.Count, lastVector);
            for (int i0 = 0; i0 < m; i0 += 4)
            {
                int i1 = Math.Min(i0 + 1, m - 1);
                int i2 = Math.Min(i0 + 2, m - 1);
                int i3 = Math.Min(i0 + 3, m - 1);
                ref T dZ0 = ref Row(dZ, i0, nOut);
                ref T dZ1 = ref Row(dZ, i1, nOut);
                ref T dZ2 = ref Row(dZ, i2, nOut);
                ref T dZ3 = ref Row(dZ, i3, nOut);

                // sRV accumulates example i0 + r, vector v of the stripe.
                TVec s00 = TOps.Zero, s01 = TOps.Zero;
                TVec s10 = TOps.Zero, s11 = TOps.Zero;
                TVec s20 = TOps.Zero, s21 = TOps.Zero;
                TVec s30 = TOps.Zero, s31 = TOps.Zero;
                nuint wRow = 0;
                for (int j = 0; j < nOut; j++)
                {
                    TVec x0 = TOps.Load(ref wStart, wRow + col0);
                    TVec x1 = TOps.Load(ref wStart, wRow + col1);

                    TVec y = TOps.Broadcast(Unsafe.Add(ref dZ0, j));
                    s00 = TOps.Add(s00, TOps.Multiply(y, x0));
                    s01 = TOps.Add(s01, TOps.Multiply(y, x1));

                    y = TOps.Broadcast(Unsafe.Add(ref dZ1, j));
                    s10 = TOps.Add(s10, TOps.Multiply(y, x0));
                    s11 = TOps.Add(s11, TOps.Multiply(y, x1));

                    y = TOps.Broadcast(Unsafe.Add(ref dZ2, j));
                    s20 = TOps.Add(s20, TOps.Multiply(y, x0));
                    s21 = TOps.Add(s21, TOps.Multiply(y, x1));

                    y = TOps.Broadcast(Unsafe.Add(ref dZ3, j));
                    s30 = TOps.Add(s30, TOps.Multiply(y, x0));
                    s31 = TOps.Add(s31, TOps.Multiply(y, x1));

                    wRow += (nuint)nIn;
                }

                ref T out0 = ref Row(dAPrev, i0, nIn);
                ref T out1 = ref Row(dAPrev, i1, nIn);
                ref T out2 = ref Row(dAPrev, i2, nIn);
                ref T out3 = ref Row(dAPrev, i3, nIn);
                TOps.Store(s00, ref out0, col0);
                TOps.Store(s01, ref out0, col1);
                TOps.Store(s10, ref out1, col0);
                TOps.Store(s11, ref out1, col1);
                TOps.Store(s20, ref out2, col0);
                TOps.Store(s21, ref out2, col1);
                TOps.Store(s30, ref out3, col0);
                TOps.Store(s31, ref out3, col1);
            }
        }
    }

    /// <summary>A reference to the first element of row <paramref name="row"/> of a row-major matrix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref T Row<T>(ReadOnlySpan<T> matrix, int row, int rowLength)
        => ref Unsafe.Add(ref MemoryMarshal.GetReference(matrix), row * rowLength);

    /// <summary>
    /// The operations the kernels need on one register of <typeparamref name="T"/> values. Each width is an empty
    /// struct, so the JIT compiles a separate, fully inlined copy of a kernel for each (the scalar "register" is a
    /// single T). Loads and stores take an element offset and do not check bounds.
    /// </summary>
    private interface ISimd<T, TVec>
        where T : unmanaged
        where TVec : unmanaged
    {
        /// <summary>The number of T values in a register.</summary>
        static abstract int Count { get; }

        /// <summary>
        /// True where this width has only 16 registers (x86 without AVX-512), so that a kernel picks a block whose
        /// accumulators and operands fit them. A JIT-time constant.
        /// </summary>
        static abstract bool FewRegisters { get; }

        /// <summary>A register of zeros.</summary>
        static abstract TVec Zero { get; }

        /// <summary>Loads Count values from <c>source[offset]</c> on.</summary>
        static abstract TVec Load(ref T source, nuint offset);

        /// <summary>Stores Count values at <c>destination[offset]</c> on.</summary>
        static abstract void Store(TVec value, ref T destination, nuint offset);

        /// <summary>A register with every lane set to <paramref name="value"/>.</summary>
        static abstract TVec Broadcast(T value);

        /// <summary>Lane-wise sum.</summary>
        static abstract TVec Add(TVec left, TVec right);

        /// <summary>Lane-wise product.</summary>
        static abstract TVec Multiply(TVec left, TVec right);

        /// <summary>
        /// Lane-wise <c>left * right + addend</c>, one rounding when <see cref="FusedMultiplyAdd"/> (x86 FMA), two otherwise:
        /// only the span-of-the-data kernels use it, which need no bit-exactness with the reference's separate roundings.
        /// </summary>
        static abstract TVec MultiplyAdd(TVec left, TVec right, TVec addend);

        /// <summary>The sum of the lanes, in a fixed order.</summary>
        static abstract T Sum(TVec value);
    }

    /// <summary><see cref="ISimd{T, TVec}"/> on <see cref="Vector512{T}"/>.</summary>
    private readonly struct Simd512<T> : ISimd<T, Vector512<T>>
        where T : unmanaged
    {
        public static int Count => Vector512<T>.Count;

        public static bool FewRegisters => false;

        public static Vector512<T> Zero => Vector512<T>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Load(ref T source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Broadcast(T value) => Vector512.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Add(Vector512<T> left, Vector512<T> right) => left + right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Multiply(Vector512<T> left, Vector512<T> right) => left * right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> MultiplyAdd(Vector512<T> left, Vector512<T> right, Vector512<T> addend)
        {
            if (FusedMultiplyAdd && Avx512F.IsSupported && typeof(T) == typeof(double))
            {
                return Avx512F.FusedMultiplyAdd(left.AsDouble(), right.AsDouble(), addend.AsDouble()).As<double, T>();
            }

            if (FusedMultiplyAdd && Avx512F.IsSupported && typeof(T) == typeof(float))
            {
                return Avx512F.FusedMultiplyAdd(left.AsSingle(), right.AsSingle(), addend.AsSingle()).As<float, T>();
            }

            return (left * right) + addend;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Sum(Vector512<T> value) => Vector512.Sum(value);
    }

    /// <summary><see cref="ISimd{T, TVec}"/> on <see cref="Vector256{T}"/>.</summary>
    private readonly struct Simd256<T> : ISimd<T, Vector256<T>>
        where T : unmanaged
    {
        public static int Count => Vector256<T>.Count;

        public static bool FewRegisters => !Avx512F.VL.IsSupported;

        public static Vector256<T> Zero => Vector256<T>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Load(ref T source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Broadcast(T value) => Vector256.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Add(Vector256<T> left, Vector256<T> right) => left + right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Multiply(Vector256<T> left, Vector256<T> right) => left * right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> MultiplyAdd(Vector256<T> left, Vector256<T> right, Vector256<T> addend)
        {
            if (FusedMultiplyAdd && typeof(T) == typeof(double))
            {
                return Fma.MultiplyAdd(left.AsDouble(), right.AsDouble(), addend.AsDouble()).As<double, T>();
            }

            if (FusedMultiplyAdd && typeof(T) == typeof(float))
            {
                return Fma.MultiplyAdd(left.AsSingle(), right.AsSingle(), addend.AsSingle()).As<float, T>();
            }

            return (left * right) + addend;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Sum(Vector256<T> value) => Vector256.Sum(value);
    }

    /// <summary><see cref="ISimd{T, TVec}"/> on <see cref="Vector128{T}"/>.</summary>
    private readonly struct Simd128<T> : ISimd<T, Vector128<T>>
        where T : unmanaged
    {
        public static int Count => Vector128<T>.Count;

        public static bool FewRegisters => !Avx512F.VL.IsSupported && !System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;

        public static Vector128<T> Zero => Vector128<T>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Load(ref T source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector128<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Broadcast(T value) => Vector128.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Add(Vector128<T> left, Vector128<T> right) => left + right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Multiply(Vector128<T> left, Vector128<T> right) => left * right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> MultiplyAdd(Vector128<T> left, Vector128<T> right, Vector128<T> addend)
        {
            if (FusedMultiplyAdd && typeof(T) == typeof(double))
            {
                return Fma.MultiplyAdd(left.AsDouble(), right.AsDouble(), addend.AsDouble()).As<double, T>();
            }

            if (FusedMultiplyAdd && typeof(T) == typeof(float))
            {
                return Fma.MultiplyAdd(left.AsSingle(), right.AsSingle(), addend.AsSingle()).As<float, T>();
            }

            return (left * right) + addend;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Sum(Vector128<T> value) => Vector128.Sum(value);
    }

    /// <summary><see cref="ISimd{T, TVec}"/> on single values: the fallback, and the column tails of the kernels that accumulate.</summary>
    private readonly struct Scalar<T> : ISimd<T, T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static int Count => 1;

        public static bool FewRegisters => false;

        public static T Zero => T.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Load(ref T source, nuint offset) => Unsafe.Add(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(T value, ref T destination, nuint offset) => Unsafe.Add(ref destination, offset) = value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Broadcast(T value) => value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Add(T left, T right) => left + right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Multiply(T left, T right) => left * right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T MultiplyAdd(T left, T right, T addend) => FusedMultiplyAdd ? T.FusedMultiplyAdd(left, right, addend) : (left * right) + addend;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Sum(T value) => value;
    }

    /// <summary>A count fixed by a type, so that the JIT compiles a kernel for each value and folds its tests.</summary>
    private interface IConstant
    {
        /// <summary>The count.</summary>
        static abstract int Value { get; }
    }

    /// <summary>The count one.</summary>
    private readonly struct One : IConstant
    {
        public static int Value => 1;
    }

    /// <summary>The count four.</summary>
    private readonly struct Four : IConstant
    {
        public static int Value => 4;
    }
}
