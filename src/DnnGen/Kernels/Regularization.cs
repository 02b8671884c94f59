using System;
using System.ComponentModel;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;

namespace DnnGen.Kernels;

/// <summary>
/// The course's two regularisers (the Regularization notebook): L2, whose cost term is
/// <c>lambd / (2m) * sum over l of sum(W[l]^2)</c> and whose gradient adds <c>(lambd / m) W[l]</c> to each dW[l], and
/// inverted dropout, which keeps each hidden unit of each example with probability keep_prob and scales what it keeps
/// by <c>1 / keep_prob</c>.
/// </summary>
/// <remarks>
/// <para>
/// Layout as the other kernels: W and dW are (n[l], n[l-1]) row-major as the course's; activations and dropout masks
/// are example-major, (m, n[l]), the course's (n[l], m) matrices transposed.
/// </para>
/// <para>
/// <b>The masks hold 0 and 1</b>, not 0 and <c>1 / keep_prob</c>: the course computes <c>A = A * D</c> and then
/// <c>A = A / keep_prob</c>, a product and a quotient, and <c>(a * 1) / keep</c> is not in general the bits of
/// <c>a * (1 / keep)</c>. <see cref="ApplyDropout{T}"/> and <see cref="DropoutBackward{T}"/> do the course's two
/// operations in its order, so a double network's dropout equals the notebook's bit for bit.
/// </para>
/// </remarks>
// Hidden from IntelliSense: only generated code calls it (users set TrainingOptions.L2 and KeepProbability).
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Regularization
{
    /// <summary>NumPy's pairwise summation: blocks of at most this many values are summed with eight accumulators.</summary>
    private const int PairwiseBlock = 128;

    /// <summary>NumPy's reduction buffer: a reduction over more values adds them to the result in chunks of this many, each summed pairwise.</summary>
    private const int ReductionChunk = 8192;

    /// <summary>
    /// <c>sum(W^2)</c>, the sum of the squares of <paramref name="weights"/>, in double whatever
    /// <typeparamref name="T"/> is: the course's <c>np.sum(np.square(W))</c> for one layer's W.
    /// </summary>
    /// <param name="weights">The weights, in storage order (W[l] row-major, as the course's C-ordered array).</param>
    /// <returns>The sum; 0 for an empty span.</returns>
    /// <remarks>
    /// Each square is <c>w * w</c> in double (exact for a float network's weights). They are added in NumPy's order
    /// for a contiguous array, so a double network's sum equals NumPy's bit for bit: <c>sum = 0</c>, then each chunk
    /// of 8192 values in order (NumPy's reduction buffer; the last chunk holds the rest) is summed pairwise and added
    /// to <c>sum</c>. Pairwise summation of n values: for n &lt; 8, in order from 0; for n &lt;= 128, eight partial
    /// sums <c>r[j] = x[j] + x[j + 8] + x[j + 16] + ...</c> over the first <c>n - n % 8</c> values, combined as
    /// <c>((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))</c>, then the last <c>n % 8</c> added in order; for larger
    /// n, the first <c>h = n / 2 - (n / 2) % 8</c> values and the other <c>n - h</c> summed that way, recursively, and
    /// the two sums added.
    /// </remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static double L2Penalty<T>(ReadOnlySpan<T> weights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        for (int start = 0; start < weights.Length; start += ReductionChunk)
        {
            sum += PairwiseSumOfSquares(weights.Slice(start, Math.Min(ReductionChunk, weights.Length - start)));
        }

        return sum;
    }

    /// <summary>
    /// The L2 cost term <c>lambd / (2m) * sumOfSquares</c>, as the course adds it to the cross-entropy: one division
    /// of <paramref name="lambda"/> by the exact product 2m, then one product.
    /// </summary>
    /// <param name="sumOfSquares">The sum over every layer of <see cref="L2Penalty{T}"/>, added layer by layer from W1 on.</param>
    /// <param name="lambda">The course's lambd, finite and at least 0.</param>
    /// <param name="m">The number of examples the cost is over, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lambda"/> or <paramref name="m"/> is out of range.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static double L2Cost(double sumOfSquares, double lambda, int m)
    {
        Lambda(lambda, nameof(lambda));
        Guard.AtLeast(m, 1, nameof(m));
        return lambda / (2.0 * m) * sumOfSquares;
    }

    /// <summary>
    /// <c>dW = dW + (lambd / m) W</c>: the L2 term of the course's backward_propagation_with_regularization, element by
    /// element in <typeparamref name="T"/> (each rounds as <c>dW[k] + (lambdaOverM * W[k])</c>, a product and a sum).
    /// </summary>
    /// <param name="dW">The gradient of the unregularised cost, updated in place.</param>
    /// <param name="w">The weights W, as many as <paramref name="dW"/>.</param>
    /// <param name="lambdaOverM">lambd / m, computed by the caller (the course's <c>lambd / m</c> in double, then rounded to <typeparamref name="T"/>); finite and at least 0.</param>
    /// <exception cref="ArgumentException">The lengths differ; the exception names <paramref name="w"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lambdaOverM"/> is negative or not finite.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void AddL2Gradient<T>(Span<T> dW, ReadOnlySpan<T> w, T lambdaOverM)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(w, dW.Length, nameof(w), "same as dW");
        Lambda(double.CreateTruncating(lambdaOverM), nameof(lambdaOverM));

        // (W * c) + dW in two roundings (MultiplyAdd does not fuse), the bits of dW + (c * W): products commute.
        TensorPrimitives.MultiplyAdd(w, lambdaOverM, dW, dW);
    }

    /// <summary>
    /// Draws a dropout mask as the course does, <c>D = np.random.rand(units, m) &lt; keep_prob</c>, and stores it
    /// example-major: <c>mask[i * units + j] = 1</c> if draw (j, i) is below <paramref name="keepProbability"/>,
    /// else 0.
    /// </summary>
    /// <param name="random">The generator; <c>units * m</c> values are drawn from it, one <see cref="NumPyRandom.NextDouble"/> each.</param>
    /// <param name="mask">Receives the mask, (m, units) example-major; its content is overwritten.</param>
    /// <param name="units">The layer's units n[l], at least 1.</param>
    /// <param name="m">The number of examples, at least 1.</param>
    /// <param name="keepProbability">keep_prob, greater than 0 and at most 1.</param>
    /// <remarks>
    /// The draws fill the course's (units, m) matrix row-major: unit 0's m examples first, then unit 1's, and so on,
    /// value by value into the transposed position, so nothing is allocated. Each draw, a double, is compared with
    /// <paramref name="keepProbability"/> converted to double (exact). The mask holds 0 and 1 (see the class remarks).
    /// </remarks>
    /// <exception cref="ArgumentException">The mask's length is not <c>units * m</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or <paramref name="keepProbability"/> is out of range.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void DropoutMask<T>(NumPyRandom random, Span<T> mask, int units, int m, T keepProbability)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        Guard.AtLeast(units, 1, nameof(units));
        Guard.AtLeast(m, 1, nameof(m));
        Guard.Length<T>(mask, (long)units * m, nameof(mask), "units * m");
        KeepProbability(keepProbability, nameof(keepProbability));
        double keep = double.CreateTruncating(keepProbability);
        for (int j = 0; j < units; j++)
        {
            for (int i = 0; i < m; i++)
            {
                mask[i * units + j] = random.NextDouble() < keep ? T.One : T.Zero;
            }
        }
    }

    /// <summary>
    /// Inverted dropout's forward step, the course's <c>A = A * D</c> then <c>A = A / keep_prob</c>: each element
    /// becomes <c>(a[k] * mask[k]) / keepProbability</c>, a product and a quotient in <typeparamref name="T"/>.
    /// </summary>
    /// <param name="a">The activations A[l] after the activation, (m, n[l]), updated in place.</param>
    /// <param name="mask">The mask from <see cref="DropoutMask{T}"/>, as many values (0 and 1).</param>
    /// <param name="keepProbability">The keep_prob the mask was drawn with, greater than 0 and at most 1.</param>
    /// <exception cref="ArgumentException">The mask's length differs from <paramref name="a"/>'s.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepProbability"/> is out of range.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void ApplyDropout<T>(Span<T> a, ReadOnlySpan<T> mask, T keepProbability)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(mask, a.Length, nameof(mask), "same as a");
        KeepProbability(keepProbability, nameof(keepProbability));
        MaskThenDivide(a, mask, keepProbability);
    }

    /// <summary>
    /// Inverted dropout's backward step, the course's <c>dA = dA * D</c> then <c>dA = dA / keep_prob</c>: each element
    /// becomes <c>(dA[k] * mask[k]) / keepProbability</c>, as in <see cref="ApplyDropout{T}"/>.
    /// </summary>
    /// <param name="dA">The gradient with respect to A[l], (m, n[l]), updated in place.</param>
    /// <param name="mask">The mask the forward pass applied to A[l].</param>
    /// <param name="keepProbability">The keep_prob the mask was drawn with, greater than 0 and at most 1.</param>
    /// <exception cref="ArgumentException">The mask's length differs from <paramref name="dA"/>'s.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepProbability"/> is out of range.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void DropoutBackward<T>(Span<T> dA, ReadOnlySpan<T> mask, T keepProbability)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(mask, dA.Length, nameof(mask), "same as dA");
        KeepProbability(keepProbability, nameof(keepProbability));
        MaskThenDivide(dA, mask, keepProbability);
    }

    private static void MaskThenDivide<T>(Span<T> values, ReadOnlySpan<T> mask, T keepProbability)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Two correctly rounded lane-wise operations, each the bits of its scalar form.
        TensorPrimitives.Multiply(values, mask, values);
        TensorPrimitives.Divide(values, keepProbability, values);
    }

    private static double PairwiseSumOfSquares<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length;
        if (n < 8)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += Square(x[i]);
            }

            return sum;
        }

        if (n <= PairwiseBlock)
        {
            double r0 = Square(x[0]), r1 = Square(x[1]), r2 = Square(x[2]), r3 = Square(x[3]);
            double r4 = Square(x[4]), r5 = Square(x[5]), r6 = Square(x[6]), r7 = Square(x[7]);
            int i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                r0 += Square(x[i]);
                r1 += Square(x[i + 1]);
                r2 += Square(x[i + 2]);
                r3 += Square(x[i + 3]);
                r4 += Square(x[i + 4]);
                r5 += Square(x[i + 5]);
                r6 += Square(x[i + 6]);
                r7 += Square(x[i + 7]);
            }

            double sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++)
            {
                sum += Square(x[i]);
            }

            return sum;
        }

        int half = n / 2;
        half -= half % 8;
        return PairwiseSumOfSquares(x[..half]) + PairwiseSumOfSquares(x[half..]);
    }

    private static double Square<T>(T value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double d = double.CreateTruncating(value);
        return d * d;
    }

    /// <summary>Throws unless <paramref name="value"/>, an L2 strength (lambd, or lambd / m), is finite and at least 0.</summary>
    internal static void Lambda(double value, string argumentName)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(
                argumentName,
                value,
                string.Create(CultureInfo.InvariantCulture, $"Expected a finite value of at least 0 (the course's lambd, or lambd / m), but {argumentName} is {value}."));
        }
    }

    private static void KeepProbability<T>(T keepProbability, string argumentName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(keepProbability > T.Zero && keepProbability <= T.One))
        {
            throw new ArgumentOutOfRangeException(
                argumentName,
                keepProbability,
                string.Create(CultureInfo.InvariantCulture, $"Expected a keep probability greater than 0 and at most 1 (the course's keep_prob 0.86; 1 keeps every unit), but {argumentName} is {keepProbability}."));
        }
    }
}
