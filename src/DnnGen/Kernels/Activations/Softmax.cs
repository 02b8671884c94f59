using System;
using System.Numerics;

namespace DnnGen.Kernels;

// softmax(z)_j = exp(z_j) / sum_k exp(z_k) over each example's n values; it is not element-wise, so it has no scalar
// form, and its backward step is the Jacobian-vector product dZ_j = A_j (dA_j - sum_k dA_k A_k).
public static partial class Activations
{
    /// <summary>
    /// <c>A = softmax(Z)</c> over each example's <paramref name="n"/> values of an example-major (m, n) span, computed
    /// stably: <c>A_j = exp(Z_j - max_k Z_k) / sum_k exp(Z_k - max_k Z_k)</c>. <paramref name="a"/> may be <paramref name="z"/> itself.
    /// </summary>
    /// <param name="z">The pre-activations, (m, n) example-major.</param>
    /// <param name="a">Receives the probabilities, (m, n); each example's n values sum to 1 up to rounding.</param>
    /// <param name="n">The number of values (classes) per example: the layer's size n[l].</param>
    /// <remarks>
    /// <para>
    /// The evaluation order, in <typeparamref name="T"/> arithmetic, for each example separately (a fused Predict must
    /// write out exactly these operations to give Forward's bits):
    /// </para>
    /// <list type="number">
    /// <item><c>max = z_0</c>, then <c>max = T.Max(max, z_j)</c> for j = 1, ..., n-1 (IEEE 754 maximum, so a NaN propagates);</item>
    /// <item><c>sum = 0</c>, then for j = 0, ..., n-1: <c>e_j = T.Exp(z_j - max)</c>, <c>sum = sum + e_j</c>;</item>
    /// <item><c>a_j = e_j / sum</c> for j = 0, ..., n-1: a division, not a multiplication by <c>1 / sum</c>.</item>
    /// </list>
    /// <para>
    /// Subtracting the maximum changes nothing mathematically and keeps every exponent at most 0, so no logit, however
    /// large, overflows: the largest term is exactly 1 and the sum lies in [1, n]. A row holding an infinity or NaN
    /// gives NaN. Nothing is vectorised (exp must be the scalar <c>T.Exp</c>), and <see cref="ReferenceActivations.Softmax{T}"/>
    /// is this definition written as plainly as possible. A full batch's rows (from 128 examples and about 4,000 values
    /// on) are shared with DnnGen's worker threads (<see cref="Dense.MaxDegreeOfParallelism"/>) in contiguous runs; each
    /// row is computed by the same code whichever thread runs it, so the result does not depend on the split.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths are not m rows of <paramref name="n"/> values, the same for both spans.</exception>
    public static unsafe void Softmax<T>(ReadOnlySpan<T> z, Span<T> a, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = Guard.ExampleCount(z, n, nameof(z));
        Guard.Length<T>(a, z.Length, nameof(a), "same as z");

        // Each row stands alone, so a full batch's rows are shared with the worker threads in contiguous runs with the
        // same bits.
        int parts = Dense.ExpRowPartitions(z.Length, m);
        if (parts <= 1)
        {
            SoftmaxRows(z, a, n, 0, m);
            return;
        }

        Dense.ShareOut(&SoftmaxPiece<T>, z, default, a, new Dense.DenseJob<T> { M = m, NOut = n, Blocks = m, Parts = parts });
    }

    /// <summary>One piece of a shared Softmax: a contiguous run of rows (the job's A is Z, its Output A, NOut n).</summary>
    private static unsafe void SoftmaxPiece<T>(void* state, int piece)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref Dense.DenseJob<T> job = ref *(Dense.DenseJob<T>*)state;
        int length = job.M * job.NOut;
        SoftmaxRows(new ReadOnlySpan<T>(job.A, length), new Span<T>(job.Output, length), job.NOut, job.Start(piece), job.Start(piece + 1));
    }

    /// <summary>Rows <paramref name="first"/> .. <paramref name="end"/> - 1 of <see cref="Softmax{T}"/>, in its documented order.</summary>
    private static void SoftmaxRows<T>(ReadOnlySpan<T> z, Span<T> a, int n, int first, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = first; i < end; i++)
        {
            ReadOnlySpan<T> row = z.Slice(i * n, n);
            Span<T> output = a.Slice(i * n, n);
            T max = row[0];
            for (int j = 1; j < n; j++)
            {
                max = T.Max(max, row[j]);
            }

            T sum = T.Zero;
            for (int j = 0; j < n; j++)
            {
                T e = T.Exp(row[j] - max);
                output[j] = e;
                sum += e;
            }

            for (int j = 0; j < n; j++)
            {
                output[j] /= sum;
            }
        }
    }

    /// <summary>
    /// <c>dZ = softmax'(Z)^T dA</c> from the forward pass's <c>A = softmax(Z)</c>, for each example separately:
    /// <c>dZ_j = A_j (dA_j - sum_k dA_k A_k)</c>, the full Jacobian <c>dA_j/dZ_k = A_j (delta_jk - A_k)</c> applied to dA.
    /// <paramref name="dZ"/> may be <paramref name="dA"/> itself.
    /// </summary>
    /// <param name="dA">The gradient of the cost with respect to A, (m, n) example-major.</param>
    /// <param name="a">The softmax outputs of the forward pass, (m, n).</param>
    /// <param name="dZ">Receives the gradient with respect to Z, (m, n).</param>
    /// <param name="n">The number of values (classes) per example.</param>
    /// <remarks>
    /// Evaluation order, in <typeparamref name="T"/>, per example: <c>dot = 0</c>, then <c>dot = dot + dA_k * A_k</c>
    /// for k = 0, ..., n-1; then <c>dZ_j = A_j * (dA_j - dot)</c>. With categorical cross-entropy the product collapses
    /// to <c>dZ = A - Y</c>, which <see cref="Cost.SoftmaxCrossEntropyDelta{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int)"/>
    /// computes directly; this general form serves any other cost placed on a softmax.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths are not m rows of <paramref name="n"/> values, the same for all three spans.</exception>
    public static void SoftmaxBackward<T>(ReadOnlySpan<T> dA, ReadOnlySpan<T> a, Span<T> dZ, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = Guard.ExampleCount(dA, n, nameof(dA));
        Guard.Length<T>(a, dA.Length, nameof(a), "same as dA");
        Guard.Length<T>(dZ, dA.Length, nameof(dZ), "same as dA");
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<T> gradient = dA.Slice(i * n, n);
            ReadOnlySpan<T> probabilities = a.Slice(i * n, n);
            T dot = T.Zero;
            for (int k = 0; k < n; k++)
            {
                dot += gradient[k] * probabilities[k];
            }

            Span<T> output = dZ.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                output[j] = probabilities[j] * (gradient[j] - dot);
            }
        }
    }
}
