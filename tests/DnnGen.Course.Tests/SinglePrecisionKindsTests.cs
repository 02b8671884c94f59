using System.Numerics;

namespace DnnGen.Course.Tests;

// Float networks of the new output kinds, each with its double twin: the same sizes and activations, Precision.Double.

/// <summary>Three softmax classes on (4, 5, 3), in float; fused Predict.</summary>
[Network(4, 5, 3, OutputActivation = Activation.Softmax, Precision = Precision.Single)]
public partial class KindsSoftmaxSingle;

/// <summary>The double twin of <see cref="KindsSoftmaxSingle"/>.</summary>
[Network(4, 5, 3, OutputActivation = Activation.Softmax)]
public partial class KindsSoftmaxDouble;

/// <summary>A regression with two linear outputs after leaky relu units, in float; fused Predict.</summary>
[Network(4, 5, 2, HiddenActivation = Activation.LeakyRelu, LeakyReluSlope = 0.2, OutputActivation = Activation.Linear, Precision = Precision.Single)]
public partial class KindsLinearSingle;

/// <summary>The double twin of <see cref="KindsLinearSingle"/>.</summary>
[Network(4, 5, 2, HiddenActivation = Activation.LeakyRelu, LeakyReluSlope = 0.2, OutputActivation = Activation.Linear)]
public partial class KindsLinearDouble;

/// <summary>Ten softmax classes after tanh, through the float vector kernels (340 and 170 weights).</summary>
[Network(20, 17, 10, HiddenActivation = Activation.Tanh, OutputActivation = Activation.Softmax, Precision = Precision.Single)]
public partial class KindsWideSoftmaxSingle;

/// <summary>The double twin of <see cref="KindsWideSoftmaxSingle"/>.</summary>
[Network(20, 17, 10, HiddenActivation = Activation.Tanh, OutputActivation = Activation.Softmax)]
public partial class KindsWideSoftmaxDouble;

/// <summary>Tanh outputs with squared error, in float: an unnatural pair through the float backward.</summary>
[Network(6, 8, 3, HiddenActivation = Activation.Sigmoid, OutputActivation = Activation.Tanh, Precision = Precision.Single)]
public partial class KindsTanhSingle;

/// <summary>The double twin of <see cref="KindsTanhSingle"/>.</summary>
[Network(6, 8, 3, HiddenActivation = Activation.Sigmoid, OutputActivation = Activation.Tanh)]
public partial class KindsTanhDouble;

/// <summary>
/// A float network computes what its double twin computes, to float's precision: given the same parameters and inputs
/// (float values, so both start from identical numbers), Forward, the cost and the gradients agree within about 1e-5
/// relative to each array's largest magnitude.
/// </summary>
public class SinglePrecisionKindsTests
{
    private const int Examples = 40;

    [Fact]
    public void Softmax_in_float_agrees_with_double()
        => AssertTwinsAgree(new KindsSoftmaxSingle(), new KindsSoftmaxDouble(), Targets.OneHot);

    [Fact]
    public void Linear_regression_in_float_agrees_with_double()
        => AssertTwinsAgree(new KindsLinearSingle(), new KindsLinearDouble(), Targets.Real);

    [Fact]
    public void Ten_class_softmax_through_the_float_kernels_agrees_with_double()
        => AssertTwinsAgree(new KindsWideSoftmaxSingle(), new KindsWideSoftmaxDouble(), Targets.OneHot);

    [Fact]
    public void Tanh_output_with_squared_error_in_float_agrees_with_double()
        => AssertTwinsAgree(new KindsTanhSingle(), new KindsTanhDouble(), Targets.Real);

    private enum Targets
    {
        OneHot,
        Real,
    }

    private static void AssertTwinsAgree(INetwork<float> single, INetwork<double> twin, Targets targets)
    {
        Assert.Equal(twin.LayerSizes.ToArray(), single.LayerSizes.ToArray());
        int inputs = single.LayerSizes[0];
        int outputs = single.LayerSizes[^1];
        var random = new NumPyRandom(21);

        // The course's initialisation plus biases 0.5 N(0, 1), rounded to float, the same numbers in both.
        var parameters = new double[single.Parameters.Length];
        twin.InitializeParameters(random, Initialization.NormalOverSqrtFanIn);
        twin.Parameters.CopyTo(parameters);
        int offset = 0;
        for (int l = 1; l < single.LayerSizes.Length; l++)
        {
            offset += single.LayerSizes[l] * single.LayerSizes[l - 1];
            for (int j = 0; j < single.LayerSizes[l]; j++)
            {
                parameters[offset + j] = 0.5 * random.NextGaussian();
            }

            offset += single.LayerSizes[l];
        }

        for (int i = 0; i < parameters.Length; i++)
        {
            single.Parameters[i] = (float)parameters[i];
            twin.Parameters[i] = (float)parameters[i];
        }

        var x = new double[Examples * inputs];
        random.FillStandardNormal(x);
        var y = new double[Examples * outputs];
        for (int i = 0; i < Examples; i++)
        {
            if (targets == Targets.OneHot)
            {
                y[i * outputs + (int)(random.NextDouble() * outputs)] = 1;
            }
            else
            {
                for (int j = 0; j < outputs; j++)
                {
                    y[i * outputs + j] = 0.5 * random.NextGaussian();
                }
            }
        }

        float[] xSingle = Array.ConvertAll(x, v => (float)v);
        float[] ySingle = Array.ConvertAll(y, v => (float)v);
        double[] xTwin = Array.ConvertAll(xSingle, v => (double)v);
        double[] yTwin = Array.ConvertAll(ySingle, v => (double)v);

        double forward = Difference(single.Forward(xSingle), twin.Forward(xTwin));
        double cost = Math.Abs(single.ComputeCost(ySingle) - twin.ComputeCost(yTwin)) / Math.Abs(twin.ComputeCost(yTwin));
        single.Backward(xSingle, ySingle);
        twin.Backward(xTwin, yTwin);
        double gradients = Difference(single.Gradients, twin.Gradients);

        string what = $"{single.GetType().Name}: Forward {forward:E2}, cost {cost:E2}, gradients {gradients:E2}";
        TestContext.Current.TestOutputHelper?.WriteLine(what);
        Assert.True(forward < 1e-5, what);
        Assert.True(cost < 1e-5, what);
        Assert.True(gradients < 1e-5, what);
    }

    /// <summary>max |single - double| / max |double|.</summary>
    private static double Difference(ReadOnlySpan<float> single, ReadOnlySpan<double> twin)
    {
        Assert.Equal(twin.Length, single.Length);
        double difference = 0, scale = 0;
        for (int i = 0; i < twin.Length; i++)
        {
            Assert.True(float.IsFinite(single[i]), $"value {i} is {single[i]}");
            difference = Math.Max(difference, Math.Abs(single[i] - twin[i]));
            scale = Math.Max(scale, Math.Abs(twin[i]));
        }

        Assert.True(scale > 0, "the double twin's values are not all zero");
        return difference / scale;
    }
}
