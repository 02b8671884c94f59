using System;
using System.Numerics;

namespace DnnGen.Kernels;

// Squared error J = (1/(2m)) sum over examples and outputs of (a - y)^2, for a linear output (regression). The 1/2
// makes its delta through the identity dZ = A - Y, as for the two cross-entropies.
public static partial class Cost
{
    /// <summary>
    /// The squared error <c>J = (1/(2m)) sum (AL - Y)^2</c> of <paramref name="m"/> examples, summed over every output.
    /// </summary>
    /// <param name="al">The outputs A[L], (m, n) example-major.</param>
    /// <param name="y">The targets, (m, n): any finite values.</param>
    /// <param name="m">The number of examples; n is <c>al.Length / m</c>.</param>
    /// <remarks>
    /// Evaluation order, in double whatever <typeparamref name="T"/> is: <c>sum = 0</c>; for k = 0, ..., m n - 1 in
    /// storage order, <c>d = a_k - y_k</c> and <c>sum = sum + d * d</c>; then <c>J = sum / (2 m)</c> (one division by
    /// the exact product 2m, not a multiplication by 1/(2m)).
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths disagree or a target is not finite (the message names the example).</exception>
    public static double SquaredError<T>(ReadOnlySpan<T> al, ReadOnlySpan<T> y, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Examples(al, m, nameof(al));
        Guard.Length<T>(y, al.Length, nameof(y), "same as al");
        Guard.Finite(y, al.Length / m, nameof(y));
        double sum = 0;
        for (int k = 0; k < al.Length; k++)
        {
            double d = double.CreateTruncating(al[k]) - double.CreateTruncating(y[k]);
            sum += d * d;
        }

        return sum / (2.0 * m);
    }

    /// <summary>
    /// <c>dZL = AL - Y</c>: the identity's backward of the squared error's gradient (the 1/m is applied with dW and db),
    /// element by element in <typeparamref name="T"/>. <paramref name="dZL"/> may be <paramref name="al"/> itself.
    /// </summary>
    /// <param name="al">The outputs A[L] = Z[L].</param>
    /// <param name="y">The targets, as many as <paramref name="al"/>: any finite values.</param>
    /// <param name="dZL">Receives dZ[L].</param>
    /// <exception cref="ArgumentException">The lengths disagree or a target is not finite.</exception>
    public static void SquaredErrorDelta<T>(ReadOnlySpan<T> al, ReadOnlySpan<T> y, Span<T> dZL)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(y, al.Length, nameof(y), "same as al");
        Guard.Length<T>(dZL, al.Length, nameof(dZL), "same as al");
        FiniteTargets(y, nameof(y));
        for (int k = 0; k < al.Length; k++)
        {
            dZL[k] = al[k] - y[k];
        }
    }

    private static void FiniteTargets<T>(ReadOnlySpan<T> y, string argumentName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(y))
        {
            return;
        }

        for (int k = 0; k < y.Length; k++)
        {
            if (!T.IsFinite(y[k]))
            {
                throw new ArgumentException(
                    string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Expected finite targets, but {argumentName}[{k}] is {y[k]}."),
                    argumentName);
            }
        }
    }
}
