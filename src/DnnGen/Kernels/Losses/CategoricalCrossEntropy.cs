using System;
using System.Numerics;

namespace DnnGen.Kernels;

// Categorical cross-entropy J = -(1/m) sum over examples i and classes j of y_ij log a_ij, with A = softmax(Z), computed
// from the logits Z: for a one-hot row with its 1 at class c, -log a_c = log(sum_j exp(z_j)) - z_c, and the log-sum-exp
// is taken stably around the row's maximum. Its delta through the softmax is dZ = A - Y.
public static partial class Cost
{
    /// <summary>
    /// The categorical cross-entropy <c>J = -(1/m) sum y log softmax(Z)</c> of <paramref name="m"/> examples, computed
    /// from the output layer's pre-activations <paramref name="zl"/> with log-sum-exp, so that it stays finite and
    /// accurate for logits of any size (1e4 included), where <c>log(softmax(z))</c> would round to <c>log(0)</c>.
    /// </summary>
    /// <param name="zl">The logits Z[L], (m, n) example-major.</param>
    /// <param name="y">One-hot labels, (m, n): each example's n values one 1 and the rest 0.</param>
    /// <param name="m">The number of examples; n is <c>zl.Length / m</c>.</param>
    /// <remarks>
    /// Evaluation order, in double whatever <typeparamref name="T"/> is, for each example i = 0, ..., m-1 in turn, with c
    /// the class of its 1: <c>max = z_0</c>, then <c>max = Math.Max(max, z_j)</c> for j = 1, ..., n-1;
    /// <c>s = 0</c>, then <c>s = s + Math.Exp(z_j - max)</c> for j = 0, ..., n-1;
    /// <c>loss_i = (max - z_c) + Math.Log(s)</c>; <c>sum = sum + loss_i</c> (sum starting at 0). Then <c>J = sum / m</c>.
    /// <c>max - z_c</c> is at least 0 and <c>log(s)</c> lies in [0, log n], so no term cancels another and each
    /// example's loss is non-negative. The class-index overload gives the same bits. A full batch's losses (from 128
    /// examples and about 4,000 logits on) are computed on DnnGen's worker threads as well, and summed in this order on
    /// the calling thread.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths disagree or a row of <paramref name="y"/> is not one-hot (the message names the example).</exception>
    public static double CategoricalCrossEntropyFromLogits<T>(ReadOnlySpan<T> zl, ReadOnlySpan<T> y, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Examples(zl, m, nameof(zl));
        Guard.Length<T>(y, zl.Length, nameof(y), "same as zl");
        int n = zl.Length / m;
        // Checked whole first (one vector pass, naming the first row that is not one-hot), so that the losses need only
        // find each row's 1.
        Guard.OneHotLabels(y, n, nameof(y));
        return MeanLoss(zl, y, default, m, n);
    }

    /// <summary>
    /// As <see cref="CategoricalCrossEntropyFromLogits{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, int)"/>, with the labels
    /// given as class indices: <c>classes[i]</c> is example i's class, in 0 .. n-1, and m is <c>classes.Length</c>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="classes"/> is empty, <paramref name="zl"/> is not m rows of the same number of values, or an index is out of range.
    /// </exception>
    public static double CategoricalCrossEntropyFromLogits<T>(ReadOnlySpan<T> zl, ReadOnlySpan<int> classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = classes.Length;
        Guard.AtLeast(m, 1, "classes.Length");
        Examples(zl, m, nameof(zl));
        int n = zl.Length / m;
        Guard.ClassIndices(classes, n, nameof(classes));
        return MeanLoss(zl, default, classes, m, n);
    }

    /// <summary>
    /// <c>(1/m) sum of loss_i</c> over checked labels, one-hot rows <paramref name="y"/> or else <paramref name="classes"/>:
    /// each example's loss on its own, shared with the worker threads for a full batch (as Softmax's rows:
    /// Dense.ExpRowPartitions), then summed in example order on this thread, so the bits do not depend on the split.
    /// </summary>
    private static unsafe double MeanLoss<T>(ReadOnlySpan<T> zl, ReadOnlySpan<T> y, ReadOnlySpan<int> classes, int m, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int parts = Dense.ExpRowPartitions(zl.Length, m);
        if (parts <= 1)
        {
            double sum = 0;
            for (int i = 0; i < m; i++)
            {
                sum += RowLoss(zl, y, classes, n, i);
            }

            return sum / m;
        }

        double[] losses = s_losses is { } kept && kept.Length >= m ? kept : (s_losses = new double[m]);
        fixed (T* zPointer = zl, yPointer = y)
        fixed (int* classesPointer = classes)
        fixed (double* lossesPointer = losses)
        {
            var job = new LossJob<T> { Z = zPointer, Y = yPointer, Classes = classesPointer, Losses = lossesPointer, M = m, N = n, Parts = parts };
            WorkerPool.Run(&LossPiece<T>, &job, parts);
        }

        double total = 0;
        for (int i = 0; i < m; i++)
        {
            total += losses[i];
        }

        return total / m;
    }

    // The per-example losses of a shared MeanLoss, the calling thread's own, grown to the largest m seen: a training loop
    // allocates nothing after its first iteration.
    [ThreadStatic]
    private static double[]? s_losses;

    /// <summary>The operands of a shared MeanLoss: pointers, pinned by the caller; Y is null with class indices.</summary>
    private unsafe struct LossJob<T>
        where T : unmanaged
    {
        public T* Z;
        public T* Y;
        public int* Classes;
        public double* Losses;
        public int M;
        public int N;
        public int Parts;
    }

    /// <summary>One piece of a shared MeanLoss: the losses of a contiguous run of examples.</summary>
    private static unsafe void LossPiece<T>(void* state, int piece)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref LossJob<T> job = ref *(LossJob<T>*)state;
        int length = job.M * job.N;
        var zl = new ReadOnlySpan<T>(job.Z, length);
        ReadOnlySpan<T> y = job.Y == null ? default : new ReadOnlySpan<T>(job.Y, length);
        ReadOnlySpan<int> classes = job.Y == null ? new ReadOnlySpan<int>(job.Classes, job.M) : default;
        int first = Dense.PieceStart(job.M, piece, job.Parts);
        int end = Dense.PieceStart(job.M, piece + 1, job.Parts);
        for (int i = first; i < end; i++)
        {
            job.Losses[i] = RowLoss(zl, y, classes, job.N, i);
        }
    }

    /// <summary>Example <paramref name="i"/>'s loss, its class from its checked one-hot row, or else from <paramref name="classes"/>.</summary>
    private static double RowLoss<T>(ReadOnlySpan<T> zl, ReadOnlySpan<T> y, ReadOnlySpan<int> classes, int n, int i)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = y.IsEmpty ? classes[i] : y.Slice(i * n, n).IndexOf(T.One);
        return LogSoftmaxLoss(zl.Slice(i * n, n), c);
    }

    /// <summary>
    /// <c>dZL = AL - Y</c>: the softmax backward of the categorical cross-entropy's gradient in closed form, exact when
    /// AL = softmax(ZL), element by element in <typeparamref name="T"/>. <paramref name="dZL"/> may be <paramref name="al"/> itself.
    /// </summary>
    /// <param name="al">The softmax outputs A[L], (m, n) example-major.</param>
    /// <param name="y">One-hot labels, (m, n).</param>
    /// <param name="dZL">Receives dZ[L], (m, n).</param>
    /// <param name="n">The number of classes per example.</param>
    /// <exception cref="ArgumentException">The lengths disagree or a row of <paramref name="y"/> is not one-hot.</exception>
    public static void SoftmaxCrossEntropyDelta<T>(ReadOnlySpan<T> al, ReadOnlySpan<T> y, Span<T> dZL, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ExampleCount(al, n, nameof(al));
        Guard.Length<T>(y, al.Length, nameof(y), "same as al");
        Guard.Length<T>(dZL, al.Length, nameof(dZL), "same as al");
        Guard.OneHotLabels(y, n, nameof(y));
        for (int i = 0; i < al.Length; i++)
        {
            dZL[i] = al[i] - y[i];
        }
    }

    /// <summary>
    /// As <see cref="SoftmaxCrossEntropyDelta{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int)"/>, with the labels as
    /// class indices (m = <c>classes.Length</c>): <c>dZL = AL</c>, less 1 at each example's class; the same bits as the
    /// one-hot form.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="classes"/> is empty, the lengths are not m rows of the same number of values, or an index is out of range.
    /// </exception>
    public static void SoftmaxCrossEntropyDelta<T>(ReadOnlySpan<T> al, ReadOnlySpan<int> classes, Span<T> dZL)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = classes.Length;
        Guard.AtLeast(m, 1, "classes.Length");
        Examples(al, m, nameof(al));
        Guard.Length<T>(dZL, al.Length, nameof(dZL), "same as al");
        int n = al.Length / m;
        Guard.ClassIndices(classes, n, nameof(classes));
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T a = al[(i * n) + j];
                dZL[(i * n) + j] = j == classes[i] ? a - T.One : a;
            }
        }
    }

    /// <summary><c>-log softmax(z)_c = (max - z_c) + log(sum_j exp(z_j - max))</c> for one example, in double, in the documented order.</summary>
    private static double LogSoftmaxLoss<T>(ReadOnlySpan<T> z, int c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = double.CreateTruncating(z[0]);
        for (int j = 1; j < z.Length; j++)
        {
            max = Math.Max(max, double.CreateTruncating(z[j]));
        }

        double s = 0;
        for (int j = 0; j < z.Length; j++)
        {
            s += Math.Exp(double.CreateTruncating(z[j]) - max);
        }

        return (max - double.CreateTruncating(z[c])) + Math.Log(s);
    }
}
