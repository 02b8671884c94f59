using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;

namespace DnnGen.Course.Tests;

// Networks whose layers all have at most 64 weights: their Predict is one fused loop over the examples, every
// layer's arithmetic in locals. Forward still goes layer by layer over buffers, and is the reference here.

/// <summary>The course's week-3 planar size, (2, 4, 1), in double.</summary>
[Network(2, 4, 1)]
public partial class FusedPlanar;

/// <summary>(2, 4, 1) in float.</summary>
[Network(2, 4, 1, Precision = Precision.Single)]
public partial class FusedPlanarSingle;

/// <summary>Two hidden ReLU layers, (2, 8, 8, 1) (the Planar sample's network before it became the week-3 one), in double.</summary>
[Network(2, 8, 8, 1)]
public partial class FusedTwoHidden;

/// <summary>(2, 8, 8, 1) in float.</summary>
[Network(2, 8, 8, 1, Precision = Precision.Single)]
public partial class FusedTwoHiddenSingle;

/// <summary>L_model_forward's (5, 4, 3, 1), in float.</summary>
[Network(5, 4, 3, 1, Precision = Precision.Single)]
public partial class FusedDeepSingle;

/// <summary>Two outputs, (3, 5, 2), in double.</summary>
[Network(3, 5, 2)]
public partial class FusedTwoOutputs;

/// <summary>(3, 5, 2) in float.</summary>
[Network(3, 5, 2, Precision = Precision.Single)]
public partial class FusedTwoOutputsSingle;

/// <summary>One layer, logistic regression with two outputs: Z1 is the output layer.</summary>
[Network(3, 2)]
public partial class FusedLogistic;

/// <summary>Layer 1 has exactly 64 weights, the most that is still straight-line code.</summary>
[Network(8, 8, 1)]
public partial class FusedWidest;

/// <summary>
/// The fused Predict of straight-line networks gives what Forward gives, bit for bit, whatever m, in double and float;
/// and it rejects NaN and infinity in its inputs with the very exception the layer-by-layer path throws.
/// </summary>
public class FusedPredictTests
{
    public static TheoryData<int> ExampleCounts => new() { 1, 2, 3, 17, 100 };

    [Theory]
    [MemberData(nameof(ExampleCounts))]
    public void Predict_equals_Forward_bit_for_bit(int m)
    {
        AssertPredictEqualsForward(new FusedPlanar(), m);
        AssertPredictEqualsForward(new FusedPlanarSingle(), m);
        AssertPredictEqualsForward(new FusedTwoHidden(), m);
        AssertPredictEqualsForward(new FusedTwoHiddenSingle(), m);
        AssertPredictEqualsForward(new FusedDeepSingle(), m);
        AssertPredictEqualsForward(new Forward5431(), m);
        AssertPredictEqualsForward(new FusedTwoOutputs(), m);
        AssertPredictEqualsForward(new FusedTwoOutputsSingle(), m);
        AssertPredictEqualsForward(new FusedLogistic(), m);
        AssertPredictEqualsForward(new FusedWidest(), m);
    }

    [Fact]
    public void Predict_equals_Forward_bit_for_bit_after_training()
    {
        // The course's initialisation and some gradient descent, rather than arbitrary parameters.
        var network = new FusedTwoHidden();
        network.InitializeParameters(seed: 1);
        double[] x = Inputs<double>(200, FusedTwoHidden.InputSize, seed: 5);
        var y = new double[200];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0;
        }

        network.Train(x, y, 300, 0.1, cancellationToken: TestContext.Current.CancellationToken);

        AssertSameBits(network.Forward(x), Predict(network, x), "trained (2, 8, 8, 1)");
    }

    [Fact]
    public void NaN_parameters_are_named_as_Forward_names_them_and_the_inputs_are_not_blamed()
    {
        // A quiet NaN with a payload and the sign bit set, in b1[1]: every example takes the slow path of the finiteness
        // test, which must find the inputs finite and name the parameter, as Forward does.
        double nan = BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_0456));
        var network = new FusedTwoHidden();
        network.InitializeParameters(seed: 2);
        network.b1[1] = nan;
        double[] x = Inputs<double>(17, FusedTwoHidden.InputSize, seed: 6);

        var predicted = Assert.Throws<InvalidOperationException>(() => Predict(network, x));
        var forward = Assert.Throws<InvalidOperationException>(() => network.Forward(x));

        Assert.Equal(forward.Message, predicted.Message);
        Assert.StartsWith("Parameter b1[1, 0] is NaN: the parameters must be finite.", predicted.Message, StringComparison.Ordinal);

        // A NaN in a later layer's weights, which Z1 does not see.
        network.InitializeParameters(seed: 2);
        network.W3[2] = double.NaN;
        predicted = Assert.Throws<InvalidOperationException>(() => Predict(network, x));
        Assert.StartsWith("Parameter W3[0, 2] is NaN", predicted.Message, StringComparison.Ordinal);
        Assert.Equal(Assert.Throws<InvalidOperationException>(() => network.Forward(x)).Message, predicted.Message);
    }

    [Fact]
    public void Parameters_that_overflow_are_reported_as_Forward_reports_them()
    {
        // Finite inputs and weights whose products overflow: Z1 holds infinities that are not the inputs' fault.
        var network = new FusedTwoOutputs();
        network.InitializeParameters(seed: 4);
        network.W1[0] = 1e308;
        network.W1[4] = -1e308;
        double[] x = Inputs<double>(17, FusedTwoOutputs.InputSize, seed: 8);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] *= 100;
        }

        var predicted = Assert.Throws<LayerOverflowException>(() => Predict(network, x));
        var forward = Assert.Throws<LayerOverflowException>(() => network.Forward(x));

        Assert.Equal(forward.Message, predicted.Message);
        Assert.Equal("x", predicted.ParamName);
        Assert.Equal(1, predicted.Layer);
        Assert.Equal(0, predicted.Example);
        Assert.Contains("Layer 1's pre-activation overflowed", predicted.Message, StringComparison.Ordinal);
    }

    /// <summary>(m, example, value): one bad value at each position of x, the first and last examples included.</summary>
    public static TheoryData<int, int, int> BadPositions()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int m in new[] { 1, 3, 17 })
        {
            foreach (int example in new[] { 0, m / 2, m - 1 }.Distinct())
            {
                for (int value = 0; value < 5; value++)
                {
                    data.Add(m, example, value);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadPositions))]
    public void NaN_or_infinity_in_the_inputs_is_rejected_as_Forward_rejects_it(int m, int example, int value)
    {
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            AssertRejectedLikeForward(new FusedDeepSingle(), m, example, value, (float)bad);
            AssertRejectedLikeForward(new Forward5431(), m, example, value, bad);
            AssertRejectedLikeForward(new FusedPlanar(), m, example, value % FusedPlanar.InputSize, bad);
            AssertRejectedLikeForward(new FusedTwoOutputs(), m, example, value % FusedTwoOutputs.InputSize, bad);
            AssertRejectedLikeForward(new FusedWidest(), m, example, value, bad);
        }
    }

    [Fact]
    public void Of_several_bad_inputs_the_first_is_reported()
    {
        var network = new FusedTwoHidden();
        network.InitializeParameters(seed: 1);
        double[] x = Inputs<double>(100, FusedTwoHidden.InputSize, seed: 9);
        x[2 * 90] = double.NaN;
        x[2 * 41 + 1] = double.NegativeInfinity;
        x[2 * 41 + 0] = double.NaN;
        x[2 * 70 + 1] = double.PositiveInfinity;

        var error = Assert.Throws<ArgumentException>(() => network.Predict(x, new double[100]));

        Assert.Equal("x", error.ParamName);
        Assert.StartsWith("Expected finite values, but x[82] (example 41, value 0) is NaN.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_input_is_reported_even_when_the_parameters_are_NaN()
    {
        var network = new FusedPlanar();
        network.InitializeParameters(seed: 1);
        network.b1[0] = double.NaN;
        double[] x = [0.5, 1, 2, 3, 4, double.PositiveInfinity];

        var error = Assert.Throws<ArgumentException>(() => network.Predict(x, new double[3]));

        Assert.Equal("x", error.ParamName);
        Assert.StartsWith("Expected finite values, but x[5] (example 2, value 1) is Infinity.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_argument_checks_are_those_of_the_layered_Predict()
    {
        var network = new FusedPlanar();

        var x = Assert.Throws<ArgumentException>(() => network.Predict(new double[3], new double[1]));
        Assert.Equal("x", x.ParamName);
        Assert.StartsWith("Expected a positive multiple of 2 elements (m examples of 2 values, example-major), but the span holds 3.", x.Message, StringComparison.Ordinal);

        var empty = Assert.Throws<ArgumentException>(() => network.Predict([], []));
        Assert.Equal("x", empty.ParamName);

        var probabilities = Assert.Throws<ArgumentException>(() => network.Predict(new double[4], new double[3]));
        Assert.Equal("probabilities", probabilities.ParamName);
        Assert.StartsWith("Expected 2 elements (OutputSize values for each of the m examples in x), but the span holds 3.", probabilities.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_allocates_nothing()
    {
        var network = new FusedTwoHidden();
        network.InitializeParameters(seed: 1);
        double[] x = Inputs<double>(100, FusedTwoHidden.InputSize, seed: 3);
        var probabilities = new double[100];
        network.Predict(x, probabilities);

        long before = GC.GetAllocatedBytesForCurrentThread();
        network.Predict(x, probabilities);
        network.PredictLabels(x, probabilities);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// Random parameters (biases too, so that the bias term counts) and inputs: mostly of order 1, with some exact
    /// zeros and some large values, so that units are negative, zero and positive and the sigmoid also saturates.
    /// </summary>
    private static void AssertPredictEqualsForward<T>(INetwork<T> network, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new NumPyRandom((uint)(1000 + m));
        var parameters = new double[network.Parameters.Length];
        random.FillStandardNormal(parameters);
        for (int i = 0; i < parameters.Length; i++)
        {
            network.Parameters[i] = T.CreateTruncating(parameters[i]);
        }

        int inputs = network.LayerSizes[0];
        T[] x = Inputs<T>(m, inputs, seed: (uint)(2000 + m));

        string name = $"{network.GetType().Name}, m = {m}";
        AssertSameBits(network.Forward(x), Predict(network, x), name);
    }

    private static T[] Predict<T>(INetwork<T> network, T[] x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var probabilities = new T[x.Length / network.LayerSizes[0] * network.LayerSizes[^1]];
        network.Predict(x, probabilities);
        return probabilities;
    }

    private static T[] Inputs<T>(int m, int inputs, uint seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new NumPyRandom(seed);
        var values = new double[m * inputs];
        random.FillStandardNormal(values);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (i % 11) switch
            {
                3 => 0.0,
                7 => -0.0,
                9 => values[i] * 40,
                _ => values[i],
            };
        }

        return Array.ConvertAll(values, T.CreateTruncating);
    }

    private static void AssertSameBits<T>(ReadOnlySpan<T> forward, ReadOnlySpan<T> predicted, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(forward.Length, predicted.Length);
        ReadOnlySpan<byte> expected = MemoryMarshal.AsBytes(forward);
        ReadOnlySpan<byte> actual = MemoryMarshal.AsBytes(predicted);
        if (!expected.SequenceEqual(actual))
        {
            int i = 0;
            while (MemoryMarshal.AsBytes(forward.Slice(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(predicted.Slice(i, 1))))
            {
                i++;
            }

            Assert.Fail($"{what}: Predict differs from Forward's AL at [{i}]: {predicted[i]} against {forward[i]}");
        }
    }

    /// <summary>
    /// Puts <paramref name="bad"/> at (example, value) of otherwise finite inputs; Predict must throw what Forward
    /// throws (the same type, argument and message, so the same index), and the message must name that position.
    /// </summary>
    private static void AssertRejectedLikeForward<T>(INetwork<T> network, int m, int example, int value, T bad)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        network.InitializeParameters(new NumPyRandom(1), Initialization.NormalOverSqrtFanIn);
        int inputs = network.LayerSizes[0];
        T[] x = Inputs<T>(m, inputs, seed: 10);
        int index = example * inputs + value;
        x[index] = bad;
        var probabilities = new T[m * network.LayerSizes[^1]];

        var expected = Assert.Throws<ArgumentException>(() => network.Forward(x));
        var actual = Assert.Throws<ArgumentException>(() => network.Predict(x, probabilities));

        Assert.Equal("x", actual.ParamName);
        Assert.Equal(expected.Message, actual.Message);
        string shown = bad.ToString(null, System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith($"Expected finite values, but x[{index}] (example {example}, value {value}) is {shown}.", actual.Message, StringComparison.Ordinal);
    }
}
