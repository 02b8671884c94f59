namespace DnnGen.Course.Tests;

/// <summary>Straight-line layers only: 2 -> 4 -> 1.</summary>
[Network(2, 4, 1)]
public partial class CheckSmall;

/// <summary>Layer 1 (340 weights) goes through the vector kernels, the rest is straight-line.</summary>
[Network(20, 17, 5, 1)]
public partial class CheckKernel;

/// <summary>Four hidden layers.</summary>
[Network(5, 6, 4, 3, 4, 1)]
public partial class CheckFourHidden;

/// <summary>Three sigmoid outputs per example and a kernel layer feeding them.</summary>
[Network(9, 10, 3)]
public partial class CheckMultiOutput;

/// <summary>
/// Backpropagation against centred finite differences of the cost, (J(theta + eps) - J(theta - eps)) / (2 eps), for
/// every single parameter, as the course's gradient-checking assignment does.
/// </summary>
public class GradientCheckTests
{
    private const double Epsilon = 1e-6;
    private const double MaxRelativeDifference = 1e-7;
    private const int Examples = 7;

    [Fact]
    public void Straight_line_network() => Check(new CheckSmall());

    [Fact]
    public void Network_with_a_kernel_layer() => Check(new CheckKernel());

    [Fact]
    public void Network_with_four_hidden_layers() => Check(new CheckFourHidden());

    [Fact]
    public void Network_with_several_outputs() => Check(new CheckMultiOutput());

    private static void Check(INetwork<double> network)
    {
        int inputSize = network.LayerSizes[0];
        int outputSize = network.LayerSizes[^1];
        var random = new NumPyRandom(7);
        network.InitializeParameters(random, Initialization.NormalOverSqrtFanIn);
        Span<double> theta = network.Parameters;
        // Non-zero biases, so that the check also covers them meaningfully.
        for (int i = 0; i < theta.Length; i++)
        {
            if (theta[i] == 0)
            {
                theta[i] = 0.1 * random.NextGaussian();
            }
        }

        var x = new double[Examples * inputSize];
        random.FillStandardNormal(x);
        var y = new double[Examples * outputSize];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = random.NextDouble() < 0.5 ? 0 : 1;
        }

        network.Forward(x);
        network.Backward(x, y);
        double[] analytic = network.Gradients.ToArray();

        var numeric = new double[analytic.Length];
        for (int i = 0; i < numeric.Length; i++)
        {
            Span<double> current = network.Parameters;
            double saved = current[i];
            current[i] = saved + Epsilon;
            network.Forward(x);
            double plus = network.ComputeCost(y);
            current[i] = saved - Epsilon;
            network.Forward(x);
            double minus = network.ComputeCost(y);
            current[i] = saved;
            numeric[i] = (plus - minus) / (2 * Epsilon);
        }

        double difference = 0, analyticNorm = 0, numericNorm = 0;
        for (int i = 0; i < numeric.Length; i++)
        {
            difference += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
            analyticNorm += analytic[i] * analytic[i];
            numericNorm += numeric[i] * numeric[i];
        }

        double relative = Math.Sqrt(difference) / (Math.Sqrt(analyticNorm) + Math.Sqrt(numericNorm));
        Assert.True(analyticNorm > 0, "the gradient is not identically zero");
        Assert.True(relative < MaxRelativeDifference, $"relative difference {relative:E3} over {numeric.Length} parameters");
    }
}
