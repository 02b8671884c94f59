using System;
using System.ComponentModel;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace DnnGen.Kernels;

/// <summary>
/// The parameter updates with state of the course's Optimization notebook: gradient descent with momentum and Adam.
/// (Plain gradient descent is <see cref="Dense.GradientDescent{T}"/>; <see cref="GradientDescentWithSnapshot{T}"/> is
/// the same update with a training step's snapshot and check.) Each call updates a span of parameters and its state
/// twins in place, element by element; a network passes its whole parameter buffer, or one layer's W and b.
/// </summary>
/// <remarks>
/// <para>
/// <b>Every element gets the bits of the scalar formula</b> written in each method's remarks, whatever the hardware:
/// the bulk runs on <see cref="Vector{T}"/> (for <see cref="float"/> and <see cref="double"/> where the hardware
/// accelerates it) with the same operations lane by lane (products, sums, quotients and the square root are correctly
/// rounded IEEE 754 operations; nothing is fused into a multiply-add), and the tail runs the formula itself.
/// <see cref="ReferenceOptimizers"/> is that formula, one element at a time; the tests hold these kernels to it bit
/// for bit. The same seed therefore gives the same trained bits on every machine.
/// </para>
/// <para>
/// The kernels allocate nothing. The spans must not overlap one another, except as no two of them do in a network
/// (each is its own buffer). Adam's update and <see cref="GradientDescentWithSnapshot{T}"/> (training's full-batch
/// update), of 16,384 values or more, are shared with DnnGen's worker threads
/// (<see cref="Dense.MaxDegreeOfParallelism"/>) in ranges of whole blocks of 8192 values; every element is updated by
/// the same code whichever thread runs it, so the result does not depend on the split.
/// </para>
/// </remarks>
// Hidden from IntelliSense: only generated code calls it (users set TrainingOptions and call Train).
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Optimizers
{
    /// <summary>
    /// Gradient descent, <c>W = W - rate g</c>, with what a training step does around it, in one pass over the
    /// parameters instead of three: each parameter's value before the update goes into <paramref name="snapshot"/>,
    /// the update is <see cref="Dense.GradientDescent{T}"/>'s bit for bit, and the result says whether every updated
    /// value is finite. An update that was not is undone by copying <paramref name="snapshot"/> back.
    /// </summary>
    /// <typeparam name="T">The element type, <see cref="double"/> or <see cref="float"/> (others run scalar code).</typeparam>
    /// <param name="parameters">The parameters W, updated in place (a network's whole buffer: every region's update is the same).</param>
    /// <param name="gradients">The gradients g, as many values as <paramref name="parameters"/>, in their layout.</param>
    /// <param name="rate">The learning rate, finite and greater than zero.</param>
    /// <param name="snapshot">Receives the parameters before the update, as many values; must not overlap them.</param>
    /// <returns>Whether every updated parameter is finite (neither NaN nor infinite).</returns>
    /// <remarks>
    /// Evaluation order in <typeparamref name="T"/>: <c>W[k] = (g[k] * -rate) + W[k]</c> in two roundings, which is
    /// <c>W[k] - (rate * g[k])</c> bit for bit (negation is exact and round-to-nearest symmetric) and is the operation
    /// of <see cref="Dense.GradientDescent{T}"/> and <see cref="Divergence.TryRestoreBeforeUpdate{T}"/>. The check adds
    /// <c>W[k] - W[k]</c> per lane, zero for a finite value and NaN otherwise.
    /// </remarks>
    /// <exception cref="ArgumentException">A span's length differs from <paramref name="parameters"/>'; the exception names it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is not finite and greater than zero.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static unsafe bool GradientDescentWithSnapshot<T>(Span<T> parameters, ReadOnlySpan<T> gradients, T rate, Span<T> snapshot)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(gradients, parameters.Length, nameof(gradients), "same as parameters");
        Guard.Length<T>(snapshot, parameters.Length, nameof(snapshot), "same as parameters");
        Rate(rate, nameof(rate));
        T negativeRate = -rate;
        int n = parameters.Length;
        int parts = UpdateParts(n, GradientDescentWorkPerValue, out int blocks);
        if (parts == 1)
        {
            return GradientDescentRange(parameters, gradients, snapshot, negativeRate, 0, n);
        }

        fixed (T* wPointer = parameters, gPointer = gradients, snapshotPointer = snapshot)
        {
            var job = new UpdateJob<T> { W = wPointer, G = gPointer, Snapshot = snapshotPointer, N = n, NegativeRate = negativeRate };
            return ShareUpdate(&GradientDescentPiece<T>, job, blocks, parts);
        }
    }

    // GradientDescentWithSnapshot is memory-bound: four accesses of each value (W read and written, g read, the snapshot
    // written) for one multiply-add, counted as this many multiply-adds for Dense.Partitions' threshold.
    private const long GradientDescentWorkPerValue = 4;

    /// <summary>GradientDescentRange over a shared job's values <paramref name="start"/> .. <paramref name="end"/> - 1.</summary>
    private static unsafe bool GradientDescentPiece<T>(UpdateJob<T>* job, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = job->N;
        return GradientDescentRange(new Span<T>(job->W, n), new ReadOnlySpan<T>(job->G, n), new Span<T>(job->Snapshot, n), job->NegativeRate, start, end);
    }

    /// <summary>
    /// Values <paramref name="start"/> .. <paramref name="end"/> - 1 of <see cref="GradientDescentWithSnapshot{T}"/>:
    /// the snapshot, the update and the check; returns whether every updated value in the range is finite.
    /// </summary>
    private static bool GradientDescentRange<T>(Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> snapshot, T negativeRate, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T w = ref MemoryMarshal.GetReference(parameters);
        ref T g = ref MemoryMarshal.GetReference(gradients);
        ref T old = ref MemoryMarshal.GetReference(snapshot);
        int k = start;
        bool finite = true;
        if (Vectorised<T>())
        {
            var negativeRateV = new Vector<T>(negativeRate);
            Vector<T> check = Vector<T>.Zero;
            for (; k <= end - Vector<T>.Count; k += Vector<T>.Count)
            {
                Vector<T> wk = Vector.LoadUnsafe(ref w, (nuint)k);
                wk.StoreUnsafe(ref old, (nuint)k);
                Vector<T> updated = (Vector.LoadUnsafe(ref g, (nuint)k) * negativeRateV) + wk;
                updated.StoreUnsafe(ref w, (nuint)k);
                check += updated - updated;
            }

            finite = Vector.EqualsAll(check, Vector<T>.Zero);
        }

        for (; k < end; k++)
        {
            ref T wk = ref Unsafe.Add(ref w, k);
            Unsafe.Add(ref old, k) = wk;
            wk = (Unsafe.Add(ref g, k) * negativeRate) + wk;
            finite &= T.IsFinite(wk);
        }

        return finite;
    }

    /// <summary>
    /// Gradient descent with momentum, as the course's update_parameters_with_momentum:
    /// <c>v = beta v + (1 - beta) g</c>, then <c>W = W - rate v</c> (v starts at zero).
    /// </summary>
    /// <typeparam name="T">The element type, <see cref="double"/> or <see cref="float"/> (others run scalar code).</typeparam>
    /// <param name="parameters">The parameters W, updated in place.</param>
    /// <param name="velocity">The velocity v, as many values as <paramref name="parameters"/>, updated in place.</param>
    /// <param name="gradients">The gradients g (dW), as many values as <paramref name="parameters"/>.</param>
    /// <param name="rate">The learning rate, finite and greater than zero.</param>
    /// <param name="beta">The momentum beta, from 0 (plain gradient descent) to below 1.</param>
    /// <remarks>
    /// Evaluation order in <typeparamref name="T"/>, with <c>c = 1 - beta</c> rounded once per call:
    /// <c>v[k] = (beta * v[k]) + (c * g[k])</c>; <c>W[k] = W[k] - (rate * v[k])</c>. These are NumPy's operations on
    /// the course's float64 arrays, so a double network's update equals the notebook's bit for bit.
    /// </remarks>
    /// <exception cref="ArgumentException">A span's length differs from <paramref name="parameters"/>'; the exception names it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> or <paramref name="beta"/> is out of range.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Momentum<T>(Span<T> parameters, Span<T> velocity, ReadOnlySpan<T> gradients, T rate, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(velocity, parameters.Length, nameof(velocity), "same as parameters");
        Guard.Length(gradients, parameters.Length, nameof(gradients), "same as parameters");
        Rate(rate, nameof(rate));
        Beta(beta, nameof(beta));
        T c = T.One - beta;

        ref T w = ref MemoryMarshal.GetReference(parameters);
        ref T v = ref MemoryMarshal.GetReference(velocity);
        ref T g = ref MemoryMarshal.GetReference(gradients);
        int n = parameters.Length;
        int k = 0;
        if (Vectorised<T>())
        {
            var betaV = new Vector<T>(beta);
            var cV = new Vector<T>(c);
            var rateV = new Vector<T>(rate);
            for (; k <= n - Vector<T>.Count; k += Vector<T>.Count)
            {
                Vector<T> vk = (betaV * Vector.LoadUnsafe(ref v, (nuint)k)) + (cV * Vector.LoadUnsafe(ref g, (nuint)k));
                vk.StoreUnsafe(ref v, (nuint)k);
                (Vector.LoadUnsafe(ref w, (nuint)k) - (rateV * vk)).StoreUnsafe(ref w, (nuint)k);
            }
        }

        for (; k < n; k++)
        {
            ref T vk = ref Unsafe.Add(ref v, k);
            vk = (beta * vk) + (c * Unsafe.Add(ref g, k));
            Unsafe.Add(ref w, k) -= rate * vk;
        }
    }

    /// <summary>
    /// Adam, as the course's update_parameters_with_adam: <c>v = beta1 v + (1 - beta1) g</c>,
    /// <c>s = beta2 s + (1 - beta2) g^2</c>, then
    /// <c>W = W - rate (v / (1 - beta1^t)) / (sqrt(s / (1 - beta2^t)) + epsilon)</c>, epsilon outside the square root.
    /// </summary>
    /// <typeparam name="T">The element type, <see cref="double"/> or <see cref="float"/> (others run scalar code).</typeparam>
    /// <param name="parameters">The parameters W, updated in place.</param>
    /// <param name="v">The first moment v, as many values as <paramref name="parameters"/>, updated in place (starts at zero).</param>
    /// <param name="s">The second moment s, as many values as <paramref name="parameters"/>, updated in place (starts at zero).</param>
    /// <param name="gradients">The gradients g (dW), as many values as <paramref name="parameters"/>.</param>
    /// <param name="rate">The learning rate, finite and greater than zero.</param>
    /// <param name="beta1">The first moment's decay, from 0 to below 1 (the course's 0.9).</param>
    /// <param name="beta2">The second moment's decay, from 0 to below 1 (the course's 0.999).</param>
    /// <param name="epsilon">The term added to the square root, finite and at least 0 (the course's 1e-8).</param>
    /// <param name="t">The number of this update, counting every call from 1 (the course's t, one per mini-batch).</param>
    /// <remarks>
    /// <para>
    /// The bias corrections are computed once per call, in double whatever <typeparamref name="T"/> is:
    /// <c>c1 = 1 - beta1^t</c> and <c>c2 = 1 - beta2^t</c>, each power rounded to double once from a double-double
    /// product (see <see cref="Power"/>, correctly rounded but for astronomically rare ties, with IEEE operations only,
    /// so the same bits on every platform, which <see cref="Math.Pow"/> does not promise), then each correction rounded
    /// once to <typeparamref name="T"/>. <c>d1 = 1 - beta1</c> and <c>d2 = 1 - beta2</c> are rounded once in
    /// <typeparamref name="T"/>.
    /// </para>
    /// <para>
    /// Evaluation order per element in <typeparamref name="T"/>: <c>v[k] = (beta1 * v[k]) + (d1 * g[k])</c>;
    /// <c>s[k] = (beta2 * s[k]) + (d2 * (g[k] * g[k]))</c>;
    /// <c>W[k] = W[k] - ((rate * (v[k] / c1)) / (sqrt(s[k] / c2) + epsilon))</c>, the course's operations in its
    /// order. Two of NumPy's differ in the last bit on some machines: <c>np.power(g, 2)</c> and
    /// <c>np.power(beta, t)</c> run through a vectorised pow (SVML on AVX-512) within about one unit in the last
    /// place, where this squares with one correctly rounded product and rounds the power correctly. A double
    /// network's Adam therefore agrees with the notebook to about 1e-15 relative, not bit for bit.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException">A span's length differs from <paramref name="parameters"/>'; the exception names it.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A rate, decay, epsilon or t is out of range; the exception names it.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Adam<T>(Span<T> parameters, Span<T> v, Span<T> s, ReadOnlySpan<T> gradients, T rate, T beta1, T beta2, T epsilon, long t)
        where T : unmanaged, IFloatingPointIeee754<T>
        => AdamCore(parameters, v, s, gradients, rate, beta1, beta2, epsilon, t, default, keep: false);

    /// <summary>
    /// <see cref="Adam{T}"/> (the same bits) in the same pass as the divergence snapshot and check that a training step
    /// needs: the parameters, v and s before the update go to <paramref name="snapshot"/>, and the result says whether
    /// every updated parameter and s is finite. One pass over the buffers in place of six: three copies, the update and
    /// two checks.
    /// </summary>
    /// <typeparam name="T">The element type, <see cref="double"/> or <see cref="float"/> (others run scalar code).</typeparam>
    /// <param name="parameters">The parameters W, updated in place (a network's whole buffer: every region's update is the same).</param>
    /// <param name="v">The first moment, as many values as <paramref name="parameters"/>, in their layout; updated in place.</param>
    /// <param name="s">The second moment, likewise.</param>
    /// <param name="gradients">The gradients g, likewise.</param>
    /// <param name="rate">The learning rate, finite and greater than zero.</param>
    /// <param name="beta1">The first moment's decay, from 0 to below 1.</param>
    /// <param name="beta2">The second moment's decay, from 0 to below 1.</param>
    /// <param name="epsilon">The denominator's guard, finite and at least 0.</param>
    /// <param name="t">The update's number, from 1.</param>
    /// <param name="snapshot">
    /// Receives, for n parameters, the parameters before the update in [0, n), v in [n, 2n) and s in [2n, 3n): 3n values,
    /// overlapping none of the others.
    /// </param>
    /// <returns>Whether every updated parameter and every updated s is finite (neither NaN nor infinite).</returns>
    /// <exception cref="ArgumentException">A span's length is not as above; the exception names it.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A rate, decay, epsilon or t is out of range; the exception names it.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool AdamWithSnapshot<T>(Span<T> parameters, Span<T> v, Span<T> s, ReadOnlySpan<T> gradients, T rate, T beta1, T beta2, T epsilon, long t, Span<T> snapshot)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(snapshot, 3L * parameters.Length, nameof(snapshot), "three times the parameters': W, v and s");
        return AdamCore(parameters, v, s, gradients, rate, beta1, beta2, epsilon, t, snapshot, keep: true);
    }

    private static unsafe bool AdamCore<T>(Span<T> parameters, Span<T> v, Span<T> s, ReadOnlySpan<T> gradients, T rate, T beta1, T beta2, T epsilon, long t, Span<T> snapshot, bool keep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(v, parameters.Length, nameof(v), "same as parameters");
        Guard.Length<T>(s, parameters.Length, nameof(s), "same as parameters");
        Guard.Length(gradients, parameters.Length, nameof(gradients), "same as parameters");
        Rate(rate, nameof(rate));
        Beta(beta1, nameof(beta1));
        Beta(beta2, nameof(beta2));
        if (!(epsilon >= T.Zero) || !T.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Expected a finite value of at least 0 (the course's 1e-8).");
        }

        Step(t, nameof(t));
        T d1 = T.One - beta1;
        T d2 = T.One - beta2;
        T c1 = BiasCorrection(beta1, t);
        T c2 = BiasCorrection(beta2, t);

        var constants = new AdamConstants<T>(beta1, beta2, d1, d2, c1, c2, rate, epsilon);
        int n = parameters.Length;
        int parts = UpdateParts(n, AdamWorkPerValue, out int blocks);
        if (parts == 1)
        {
            return AdamRange(parameters, v, s, gradients, snapshot, constants, 0, n, keep);
        }

        fixed (T* wPointer = parameters, vPointer = v, sPointer = s, gPointer = gradients, snapshotPointer = snapshot)
        {
            var job = new UpdateJob<T>
            {
                W = wPointer,
                V = vPointer,
                S = sPointer,
                G = gPointer,
                Snapshot = snapshotPointer,
                N = n,
                Keep = keep,
                Constants = constants,
            };
            return ShareUpdate(&AdamPiece<T>, job, blocks, parts);
        }
    }

    // The updates (GradientDescentWithSnapshot, Adam) are shared with the worker threads from two pieces of this many
    // values: each value's update is on its own, so a piece's bounds change no bit.
    private const int UpdatePieceLength = 8192;

    // Adam's three divisions and a square root per value cost about as much as this many multiply-adds (for
    // Dense.Partitions' threshold).
    private const long AdamWorkPerValue = 8;

    /// <summary>How many pieces an update of <paramref name="n"/> values is shared in, from its cost per value; its whole blocks.</summary>
    private static int UpdateParts(int n, long workPerValue, out int blocks)
    {
        blocks = n / UpdatePieceLength;
        return blocks < 2 ? 1 : Dense.Partitions(workPerValue * n, blocks);
    }

    /// <summary>
    /// Runs <paramref name="range"/> over <paramref name="job"/>'s values in <paramref name="parts"/> ranges of whole
    /// blocks, on the calling thread and the workers; returns whether every range found its updated values finite.
    /// </summary>
    private static unsafe bool ShareUpdate<T>(delegate*<UpdateJob<T>*, int, int, bool> range, UpdateJob<T> job, int blocks, int parts)
        where T : unmanaged
    {
        job.Range = range;
        job.Blocks = blocks;
        job.Parts = parts;
        WorkerPool.Run(&UpdatePiece<T>, &job, parts);
        return job.NotFinite == 0;
    }

    /// <summary>One piece of a shared update: its range of values, whole blocks of UpdatePieceLength, the last piece to the end.</summary>
    private static unsafe void UpdatePiece<T>(void* state, int piece)
        where T : unmanaged
    {
        var job = (UpdateJob<T>*)state;
        int start = (int)((long)job->Blocks * piece / job->Parts) * UpdatePieceLength;
        int end = piece == job->Parts - 1 ? job->N : (int)((long)job->Blocks * (piece + 1) / job->Parts) * UpdatePieceLength;
        if (!job->Range(job, start, end))
        {
            Volatile.Write(ref job->NotFinite, 1);
        }
    }

    /// <summary>Adam's per-update constants, computed once by <see cref="AdamCore{T}"/>.</summary>
    private readonly record struct AdamConstants<T>(T Beta1, T Beta2, T D1, T D2, T C1, T C2, T Rate, T Epsilon);

    /// <summary>
    /// The operands of an update shared out by <see cref="WorkerPool"/> (<see cref="ShareUpdate{T}"/>): pointers, pinned
    /// by the caller. Gradient descent uses W, G, the snapshot and its negated rate; Adam all five buffers and its constants.
    /// </summary>
    private unsafe struct UpdateJob<T>
        where T : unmanaged
    {
        public T* W;
        public T* V;
        public T* S;
        public T* G;
        public T* Snapshot;
        public int N;
        public T NegativeRate;
        public bool Keep;
        public AdamConstants<T> Constants;

        // The update of a range of values; true when every updated value in it is finite.
        public delegate*<UpdateJob<T>*, int, int, bool> Range;
        public int Blocks;
        public int Parts;

        // Set to 1 by a piece that finds a value that is not finite; never reset while the job runs.
        public int NotFinite;
    }

    /// <summary>AdamRange over a shared job's values <paramref name="start"/> .. <paramref name="end"/> - 1.</summary>
    private static unsafe bool AdamPiece<T>(UpdateJob<T>* job, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = job->N;
        return AdamRange(
            new Span<T>(job->W, n),
            new Span<T>(job->V, n),
            new Span<T>(job->S, n),
            new ReadOnlySpan<T>(job->G, n),
            job->Keep ? new Span<T>(job->Snapshot, 3 * n) : default,
            job->Constants,
            start,
            end,
            job->Keep);
    }

    /// <summary>
    /// Adam's update of values <paramref name="start"/> .. <paramref name="end"/> - 1, with the snapshot and check when
    /// <paramref name="keep"/>; returns whether every updated parameter and s in the range is finite (true without keep).
    /// </summary>
    private static bool AdamRange<T>(Span<T> parameters, Span<T> v, Span<T> s, ReadOnlySpan<T> gradients, Span<T> snapshot, in AdamConstants<T> constants, int start, int end, bool keep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (T beta1, T beta2, T d1, T d2, T c1, T c2, T rate, T epsilon) = constants;
        ref T w = ref MemoryMarshal.GetReference(parameters);
        ref T vRef = ref MemoryMarshal.GetReference(v);
        ref T sRef = ref MemoryMarshal.GetReference(s);
        ref T g = ref MemoryMarshal.GetReference(gradients);
        int n = parameters.Length;
        // The snapshot's three regions (unused without keep: then snapshot is empty and nothing is written through them).
        ref T oldW = ref MemoryMarshal.GetReference(snapshot);
        ref T oldV = ref keep ? ref Unsafe.Add(ref oldW, n) : ref oldW;
        ref T oldS = ref keep ? ref Unsafe.Add(ref oldW, 2 * n) : ref oldW;
        int k = start;
        bool finite = true;
        if (Vectorised<T>())
        {
            var beta1V = new Vector<T>(beta1);
            var beta2V = new Vector<T>(beta2);
            var d1V = new Vector<T>(d1);
            var d2V = new Vector<T>(d2);
            var c1V = new Vector<T>(c1);
            var c2V = new Vector<T>(c2);
            var rateV = new Vector<T>(rate);
            var epsilonV = new Vector<T>(epsilon);
            Vector<T> check = Vector<T>.Zero;
            for (; k <= end - Vector<T>.Count; k += Vector<T>.Count)
            {
                Vector<T> gk = Vector.LoadUnsafe(ref g, (nuint)k);
                Vector<T> wk = Vector.LoadUnsafe(ref w, (nuint)k);
                Vector<T> vOld = Vector.LoadUnsafe(ref vRef, (nuint)k);
                Vector<T> sOld = Vector.LoadUnsafe(ref sRef, (nuint)k);
                Vector<T> vk = (beta1V * vOld) + (d1V * gk);
                Vector<T> sk = (beta2V * sOld) + (d2V * (gk * gk));
                vk.StoreUnsafe(ref vRef, (nuint)k);
                sk.StoreUnsafe(ref sRef, (nuint)k);
                Vector<T> step = (rateV * (vk / c1V)) / (Vector.SquareRoot(sk / c2V) + epsilonV);
                Vector<T> updated = wk - step;
                updated.StoreUnsafe(ref w, (nuint)k);
                if (keep)
                {
                    wk.StoreUnsafe(ref oldW, (nuint)k);
                    vOld.StoreUnsafe(ref oldV, (nuint)k);
                    sOld.StoreUnsafe(ref oldS, (nuint)k);
                    // x - x is 0 for a finite x and NaN otherwise.
                    check += (updated - updated) + (sk - sk);
                }
            }

            finite = Vector.EqualsAll(check, Vector<T>.Zero);
        }

        for (; k < end; k++)
        {
            T gk = Unsafe.Add(ref g, k);
            ref T wk = ref Unsafe.Add(ref w, k);
            ref T vk = ref Unsafe.Add(ref vRef, k);
            ref T sk = ref Unsafe.Add(ref sRef, k);
            if (keep)
            {
                Unsafe.Add(ref oldW, k) = wk;
                Unsafe.Add(ref oldV, k) = vk;
                Unsafe.Add(ref oldS, k) = sk;
            }

            vk = (beta1 * vk) + (d1 * gk);
            sk = (beta2 * sk) + (d2 * (gk * gk));
            wk -= (rate * (vk / c1)) / (T.Sqrt(sk / c2) + epsilon);
            finite &= T.IsFinite(wk) && T.IsFinite(sk);
        }

        return finite;
    }

    /// <summary>
    /// The bias correction <c>1 - beta^t</c> of Adam's update <paramref name="t"/>, as <see cref="Adam{T}"/> uses it:
    /// <c>beta^t</c> by <see cref="Power"/> in double, subtracted from 1 in double, rounded once to <typeparamref name="T"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="beta"/> is not in [0, 1) or <paramref name="t"/> is below 1.</exception>
    internal static T BiasCorrection<T>(T beta, long t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Beta(beta, nameof(beta));
        Step(t, nameof(t));
        return T.CreateTruncating(1.0 - Power(double.CreateTruncating(beta), t));
    }

    /// <summary>
    /// <c>x^n</c> for x in [0, 1) and n at least 1, rounded once to double: binary exponentiation on double-double
    /// values (each product's rounding error recovered exactly with a fused multiply-add), so the result carries about
    /// 100 correct bits before its one rounding. IEEE operations only: the same bits on every platform.
    /// </summary>
    internal static double Power(double x, long n)
    {
        // result = rHi + rLo and base = bHi + bLo, each an unevaluated sum of two doubles.
        double rHi = 1, rLo = 0;
        double bHi = x, bLo = 0;
        while (true)
        {
            if ((n & 1) != 0)
            {
                (rHi, rLo) = Multiply(rHi, rLo, bHi, bLo);
            }

            n >>= 1;
            if (n == 0 || rHi == 0)
            {
                return rHi + rLo;
            }

            (bHi, bLo) = Multiply(bHi, bLo, bHi, bLo);
        }
    }

    /// <summary>The double-double product (aHi + aLo)(bHi + bLo), normalised.</summary>
    private static (double Hi, double Lo) Multiply(double aHi, double aLo, double bHi, double bLo)
    {
        double p = aHi * bHi;
        double e = Math.FusedMultiplyAdd(aHi, bHi, -p);
        e += (aHi * bLo) + (aLo * bHi);
        double hi = p + e;
        return (hi, e - (hi - p));
    }

    /// <summary>Whether <see cref="Vector{T}"/> is worth using for <typeparamref name="T"/>: hardware-accelerated and a float or a double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Vectorised<T>()
        => Vector.IsHardwareAccelerated && (typeof(T) == typeof(double) || typeof(T) == typeof(float));

    private static void Rate<T>(T rate, string argumentName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(rate > T.Zero) || !T.IsFinite(rate))
        {
            throw new ArgumentOutOfRangeException(argumentName, rate, "Expected a finite learning rate greater than zero.");
        }
    }

    private static void Beta<T>(T beta, string argumentName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(beta >= T.Zero && beta < T.One))
        {
            throw new ArgumentOutOfRangeException(
                argumentName,
                beta,
                string.Create(CultureInfo.InvariantCulture, $"Expected a decay from 0 to below 1 (the course's beta 0.9, beta1 0.9, beta2 0.999), but {argumentName} is {beta}."));
        }
    }

    private static void Step(long t, string argumentName)
    {
        if (t < 1)
        {
            throw new ArgumentOutOfRangeException(
                argumentName,
                t,
                "Expected the number of this Adam update, counting from 1 (the bias corrections 1 - beta^t are zero at t = 0).");
        }
    }
}
