using System;
using System.ComponentModel;

namespace DnnGen;

/// <summary>Draws a layer's weights the way the course's notebooks do, from a <see cref="NumPyRandom"/> stream.</summary>
// Hidden from IntelliSense: only generated code calls it (users call the network's InitializeParameters).
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ParameterInitializer
{
    /// <summary>
    /// Fills the row-major weight matrix <paramref name="weights"/> (n[l], n[l-1]) with <c>randn(n[l], n[l-1])</c>
    /// scaled as <paramref name="initialization"/> says, consuming the stream in NumPy's order.
    /// </summary>
    public static void FillWeights(NumPyRandom random, Span<double> weights, int fanIn, Initialization initialization)
    {
        Check(random, weights.Length, fanIn, initialization);
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = Scale(random.NextGaussian(), fanIn, initialization);
        }
    }

    /// <summary>
    /// As the double overload, computing each weight in double precision and rounding it to float once, so a float
    /// network starts from the double network's weights rounded.
    /// </summary>
    public static void FillWeights(NumPyRandom random, Span<float> weights, int fanIn, Initialization initialization)
    {
        Check(random, weights.Length, fanIn, initialization);
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)Scale(random.NextGaussian(), fanIn, initialization);
        }
    }

    private static void Check(NumPyRandom random, int weightCount, int fanIn, Initialization initialization)
    {
        ArgumentNullException.ThrowIfNull(random);
        Guard.AtLeast(fanIn, 1, nameof(fanIn));
        if (weightCount % fanIn != 0)
        {
            throw new ArgumentException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Expected a multiple of fanIn = {fanIn} weights (rows of fanIn), but the span holds {weightCount}."),
                "weights");
        }

        if (initialization is not (Initialization.ScaledNormal or Initialization.NormalOverSqrtFanIn))
        {
            throw new ArgumentOutOfRangeException(nameof(initialization), initialization, "Expected ScaledNormal or NormalOverSqrtFanIn.");
        }
    }

    // NumPy evaluates `randn(...) * 0.01` and `randn(...) / np.sqrt(n)` element by element in float64; the same
    // operations in the same order give the same bits (a division, not a multiplication by 1/sqrt(n)).
    private static double Scale(double standardNormal, int fanIn, Initialization initialization) => initialization switch
    {
        Initialization.ScaledNormal => standardNormal * 0.01,
        Initialization.NormalOverSqrtFanIn => standardNormal / Math.Sqrt(fanIn),
        _ => throw new ArgumentOutOfRangeException(nameof(initialization), initialization, "Expected ScaledNormal or NormalOverSqrtFanIn."),
    };
}
