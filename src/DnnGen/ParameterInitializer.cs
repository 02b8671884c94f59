using System;
using System.ComponentModel;

namespace DnnGen;

/// <summary>Draws a layer's weights the way the course's notebooks do, from a <see cref="NumPyRandom"/> stream.</summary>
// Hidden from IntelliSense: only generated code calls it (users call the network's InitializeParameters).
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ParameterInitializer
{
    /// <summary>
    /// Fills the row-major weight matrix <paramref name="weights"/> (n[l], n[l-1]) as <paramref name="initialization"/>
    /// says: <c>randn(n[l], n[l-1])</c> scaled, consuming the stream in NumPy's order, or zeros for
    /// <see cref="Initialization.Zeros"/>, which draws nothing and leaves the stream as it was.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentException">The weights are not whole rows of <paramref name="fanIn"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fanIn"/> is below 1 or <paramref name="initialization"/> is not a member of <see cref="Initialization"/>.</exception>
    public static void FillWeights(NumPyRandom random, Span<double> weights, int fanIn, Initialization initialization)
    {
        Check(random, weights.Length, fanIn, initialization);
        if (initialization == Initialization.Zeros)
        {
            weights.Clear();
            return;
        }

        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = Scale(random.NextGaussian(), fanIn, initialization);
        }
    }

    /// <summary>
    /// As the double overload, computing each weight in double precision and rounding it to float once, so a float
    /// network starts from the double network's weights rounded.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentException">The weights are not whole rows of <paramref name="fanIn"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fanIn"/> is below 1 or <paramref name="initialization"/> is not a member of <see cref="Initialization"/>.</exception>
    public static void FillWeights(NumPyRandom random, Span<float> weights, int fanIn, Initialization initialization)
    {
        Check(random, weights.Length, fanIn, initialization);
        if (initialization == Initialization.Zeros)
        {
            weights.Clear();
            return;
        }

        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)Scale(random.NextGaussian(), fanIn, initialization);
        }
    }

    /// <summary>
    /// Throws unless <paramref name="initialization"/> is a member of <see cref="Initialization"/>. Generated networks
    /// call it before drawing anything, so a bad value leaves their parameters as they were.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialization"/> is not a member of <see cref="Initialization"/>.</exception>
    public static void CheckInitialization(Initialization initialization, string argumentName)
    {
        if (!Enum.IsDefined(initialization))
        {
            throw new ArgumentOutOfRangeException(argumentName, initialization, "Expected Initialization.ScaledNormal, NormalOverSqrtFanIn, Zeros or He.");
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

        CheckInitialization(initialization, nameof(initialization));
    }

    // NumPy evaluates `randn(...) * 0.01`, `randn(...) / np.sqrt(n)` and `randn(...) * np.sqrt(2 / n)` element by
    // element in float64; the same operations in the same order give the same bits: a division by sqrt(n), not a
    // multiplication by 1/sqrt(n), and for He a multiplication by the float64 sqrt of the float64 quotient 2 / n.
    private static double Scale(double standardNormal, int fanIn, Initialization initialization) => initialization switch
    {
        Initialization.ScaledNormal => standardNormal * 0.01,
        Initialization.NormalOverSqrtFanIn => standardNormal / Math.Sqrt(fanIn),
        Initialization.He => standardNormal * Math.Sqrt(2.0 / fanIn),
        _ => throw new ArgumentOutOfRangeException(nameof(initialization), initialization, "Expected ScaledNormal, NormalOverSqrtFanIn or He (Zeros draws nothing)."),
    };
}
