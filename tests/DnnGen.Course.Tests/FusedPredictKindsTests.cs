using System.Numerics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace DnnGen.Course.Tests;

// Straight-line networks (every layer at most 64 weights) of every output kind: their Predict is the fused loop over the
// examples, element-wise activations in their scalar forms and a softmax output through Forward's own span kernel on the
// example's row. Forward goes layer by layer over buffers and is the reference.

/// <summary>Tanh hidden units into three sigmoid outputs.</summary>
[Network(4, 5, 3, HiddenActivation = Activation.Tanh)]
public partial class FusedKindSigmoid;

/// <summary>Three softmax classes on (4, 5, 3).</summary>
[Network(4, 5, 3, OutputActivation = Activation.Softmax)]
public partial class FusedKindSoftmax3;

/// <summary>Four softmax classes after leaky relu units of slope 0.2.</summary>
[Network(4, 5, 4, HiddenActivation = Activation.LeakyRelu, LeakyReluSlope = 0.2, OutputActivation = Activation.Softmax)]
public partial class FusedKindSoftmax4;

/// <summary>A regression with two linear outputs.</summary>
[Network(4, 5, 2, OutputActivation = Activation.Linear)]
public partial class FusedKindLinear;

/// <summary>Tanh outputs (squared error, the default for them).</summary>
[Network(3, 6, 2, OutputActivation = Activation.Tanh)]
public partial class FusedKindTanh;

/// <summary>Two leaky relu hidden layers (the default slope 0.01) into a sigmoid.</summary>
[Network(3, 6, 5, 1, HiddenActivation = Activation.LeakyRelu)]
public partial class FusedKindLeakyHidden;

/// <summary>Leaky relu outputs of slope 0.3.</summary>
[Network(3, 4, 2, OutputActivation = Activation.LeakyRelu, LeakyReluSlope = 0.3)]
public partial class FusedKindLeakyOutput;

/// <summary>Relu outputs after tanh units (squared error, the default for them).</summary>
[Network(3, 5, 2, HiddenActivation = Activation.Tanh, OutputActivation = Activation.Relu)]
public partial class FusedKindReluOutput;

/// <summary>Every activation, one per layer, into a softmax.</summary>
[Network(3, 4, 4, 3, 3, 3, 3, Activations = new[] { Activation.LeakyRelu, Activation.Tanh, Activation.Sigmoid, Activation.Linear, Activation.Relu, Activation.Softmax }, LeakyReluSlope = 0.2)]
public partial class FusedKindEvery;

/// <summary>One softmax layer: the fused loop's output is layer 1.</summary>
[Network(3, 4, OutputActivation = Activation.Softmax)]
public partial class FusedKindSoftmaxRegression;

/// <summary>A tanh kernel layer (340 weights) into ten softmax classes: Predict goes layer by layer, in chunks of examples.</summary>
[Network(20, 17, 10, HiddenActivation = Activation.Tanh, OutputActivation = Activation.Softmax)]
public partial class LayeredKindSoftmax;

/// <summary>The same in float.</summary>
[Network(20, 17, 10, HiddenActivation = Activation.Tanh, OutputActivation = Activation.Softmax, Precision = Precision.Single)]
public partial class LayeredKindSoftmaxSingle;

/// <summary>Predict equals Forward bit for bit for every output kind, fused or layer by layer, in double and float.</summary>
public class FusedPredictKindsTests
{
    public static TheoryData<int> ExampleCounts => new() { 1, 2, 3, 17, 100, 130 };

    [Fact]
    public void The_straight_line_networks_have_the_fused_Predict_and_the_wide_ones_not()
    {
        foreach (Type type in new[]
        {
            typeof(FusedKindSigmoid), typeof(FusedKindSoftmax3), typeof(FusedKindSoftmax4), typeof(FusedKindLinear),
            typeof(FusedKindTanh), typeof(FusedKindLeakyHidden), typeof(FusedKindLeakyOutput), typeof(FusedKindReluOutput), typeof(FusedKindEvery),
            typeof(FusedKindSoftmaxRegression), typeof(KindsSoftmaxSingle), typeof(KindsLinearSingle),
        })
        {
            Assert.True(HasFusedPredict(type), $"{type.Name} has the fused Predict");
        }

        Assert.False(HasFusedPredict(typeof(LayeredKindSoftmax)));
        Assert.False(HasFusedPredict(typeof(LayeredKindSoftmaxSingle)));
    }

    [Theory]
    [MemberData(nameof(ExampleCounts))]
    public void Predict_equals_Forward_bit_for_bit(int m)
    {
        AssertPredictEqualsForward(new FusedKindSigmoid(), m);
        AssertPredictEqualsForward(new FusedKindSoftmax3(), m);
        AssertPredictEqualsForward(new FusedKindSoftmax4(), m);
        AssertPredictEqualsForward(new FusedKindLinear(), m);
        AssertPredictEqualsForward(new FusedKindTanh(), m);
        AssertPredictEqualsForward(new FusedKindLeakyHidden(), m);
        AssertPredictEqualsForward(new FusedKindLeakyOutput(), m);
        AssertPredictEqualsForward(new FusedKindReluOutput(), m);
        AssertPredictEqualsForward(new FusedKindEvery(), m);
        AssertPredictEqualsForward(new FusedKindSoftmaxRegression(), m);
        AssertPredictEqualsForward(new KindsSoftmaxSingle(), m);
        AssertPredictEqualsForward(new KindsLinearSingle(), m);
        AssertPredictEqualsForward(new LayeredKindSoftmax(), m);
        AssertPredictEqualsForward(new LayeredKindSoftmaxSingle(), m);
    }

    [Fact]
    public void The_softmax_rows_are_distributions_even_when_the_logits_are_large()
    {
        // The inputs scaled by 40 in places give logits in the hundreds: a softmax without the max subtracted would overflow.
        foreach (INetwork<double> network in new INetwork<double>[] { new FusedKindSoftmax4(), new FusedKindEvery(), new LayeredKindSoftmax() })
        {
            Randomise(network, seed: 77);
            int classes = network.LayerSizes[^1];
            double[] x = Inputs<double>(50, network.LayerSizes[0], seed: 78);
            double[] probabilities = Predict(network, x);
            for (int i = 0; i < 50; i++)
            {
                double sum = 0;
                for (int c = 0; c < classes; c++)
                {
                    double p = probabilities[i * classes + c];
                    Assert.InRange(p, 0.0, 1.0);
                    sum += p;
                }

                Assert.Equal(1.0, sum, 1e-14);
            }
        }
    }

    /// <summary>
    /// Random parameters N(0, 1) (biases too) and inputs mostly of order 1, with exact zeros of both signs and some 40 times
    /// larger, so that relu units are negative, zero and positive, sigmoid and tanh saturate and softmax logits are large.
    /// Predict of the batch must be Forward's AL, and Predict of each example alone that example's row.
    /// </summary>
    private static void AssertPredictEqualsForward<T>(INetwork<T> network, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Randomise(network, seed: (uint)(3000 + m));
        int inputs = network.LayerSizes[0];
        int outputs = network.LayerSizes[^1];
        T[] x = Inputs<T>(m, inputs, seed: (uint)(4000 + m));
        string name = $"{network.GetType().Name}, m = {m}";

        T[] predicted = Predict(network, x);
        AssertSameBits(network.Forward(x), predicted, name);

        var one = new T[outputs];
        for (int i = 0; i < m; i++)
        {
            network.Predict(x.AsSpan(i * inputs, inputs), one);
            AssertSameBits(predicted.AsSpan(i * outputs, outputs), one, $"{name}, example {i} alone");
        }
    }

    private static void Randomise<T>(INetwork<T> network, uint seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new NumPyRandom(seed);
        var parameters = new double[network.Parameters.Length];
        random.FillStandardNormal(parameters);
        for (int i = 0; i < parameters.Length; i++)
        {
            network.Parameters[i] = T.CreateTruncating(parameters[i]);
        }
    }

    /// <summary>True when the generated class has the fused Predict's slow path, which only the fused Predict has.</summary>
    private static bool HasFusedPredict(Type type)
        => type.GetMethod("ReportNotFiniteExample", BindingFlags.Instance | BindingFlags.NonPublic) is not null;

    private static T[] Predict<T>(INetwork<T> network, T[] x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = new T[x.Length / network.LayerSizes[0] * network.LayerSizes[^1]];
        network.Predict(x, result);
        return result;
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

    private static void AssertSameBits<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (!MemoryMarshal.AsBytes(expected.Slice(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(actual.Slice(i, 1))))
            {
                Assert.Fail($"{what}: Predict differs from Forward at [{i}]: {actual[i]:R} against {expected[i]:R}");
            }
        }
    }
}
