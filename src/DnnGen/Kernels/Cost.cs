using System;
using System.ComponentModel;
using System.Numerics;

namespace DnnGen.Kernels;

/// <summary>
/// The binary cross-entropy cost <c>J = -(1/m) sum(Y log AL + (1 - Y) log(1 - AL))</c> and its gradients.
/// Sums run in double precision whatever the network's element type.
/// </summary>
// Hidden from IntelliSense: only generated code calls it (users call the network's ComputeCost and Train).
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Cost
{
    /// <summary>The course's compute_cost, literally, from probabilities <paramref name="al"/> and labels <paramref name="y"/> of <paramref name="m"/> examples.</summary>
    /// <exception cref="ArgumentException">The lengths disagree, a probability is outside [0, 1] or a label is not 0 or 1.</exception>
    public static double CrossEntropy<T>(ReadOnlySpan<T> al, ReadOnlySpan<T> y, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Examples(al, m, nameof(al));
        Guard.Labels<T>(y, al.Length, nameof(y), "same as al");
        Guard.Probabilities(al, nameof(al));
        double sum = 0;
        for (int i = 0; i < al.Length; i++)
        {
            double a = double.CreateTruncating(al[i]);
            double label = double.CreateTruncating(y[i]);
            sum += label * Math.Log(a) + (1 - label) * Math.Log(1 - a);
        }

        return -sum / m;
    }

    /// <summary>
    /// The same cost computed from the output layer's pre-activations <paramref name="zl"/> (AL = sigmoid(ZL)):
    /// <c>-(y log s(z) + (1 - y) log(1 - s(z))) = softplus(z) - y z</c>, which stays finite where AL rounds to 0 or 1.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths disagree or a label is not 0 or 1.</exception>
    public static double CrossEntropyFromLogits<T>(ReadOnlySpan<T> zl, ReadOnlySpan<T> y, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Examples(zl, m, nameof(zl));
        Guard.Labels<T>(y, zl.Length, nameof(y), "same as zl");
        double sum = 0;
        for (int i = 0; i < zl.Length; i++)
        {
            double z = double.CreateTruncating(zl[i]);
            double softplus = Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
            sum += softplus - double.CreateTruncating(y[i]) * z;
        }

        return sum / m;
    }

    /// <summary>The course's <c>dAL = -(Y / AL - (1 - Y) / (1 - AL))</c>, element by element.</summary>
    public static void CrossEntropyGradient<T>(ReadOnlySpan<T> al, ReadOnlySpan<T> y, Span<T> dAL)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Labels<T>(y, al.Length, nameof(y), "same as al");
        Guard.Length<T>(dAL, al.Length, nameof(dAL), "same as al");
        for (int i = 0; i < al.Length; i++)
        {
            dAL[i] = -(y[i] / al[i] - (T.One - y[i]) / (T.One - al[i]));
        }
    }

    /// <summary>
    /// <c>dZL = AL - Y</c>: the sigmoid backward of the cost gradient in closed form (the course derives it), exact
    /// when AL = sigmoid(ZL) and free of the divisions by AL and 1 - AL.
    /// </summary>
    public static void SigmoidCrossEntropyDelta<T>(ReadOnlySpan<T> al, ReadOnlySpan<T> y, Span<T> dZL)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Labels<T>(y, al.Length, nameof(y), "same as al");
        Guard.Length<T>(dZL, al.Length, nameof(dZL), "same as al");
        for (int i = 0; i < al.Length; i++)
        {
            dZL[i] = al[i] - y[i];
        }
    }

    /// <summary>Throws unless <paramref name="m"/> is at least 1 and <paramref name="values"/> holds the same positive number of values for each of the m examples.</summary>
    private static void Examples<T>(ReadOnlySpan<T> values, int m, string argumentName)
    {
        Guard.AtLeast(m, 1, nameof(m));
        if (values.Length == 0 || values.Length % m != 0)
        {
            throw new ArgumentException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Expected a positive multiple of m = {m} elements (the same number of outputs for each example), but the span holds {values.Length}."),
                argumentName);
        }
    }
}
