using System.Collections.Generic;
using System.Linq;

namespace DnnGen.Course.Tests;

// Networks for the gradient check of the activations and losses beyond the course's relu/sigmoid/BCE. Between them they
// use every activation in a hidden layer and as the output, every loss, the natural pairs (sigmoid + BCE, softmax + CCE,
// linear + squared error, where Backward folds the output's backward into dZ[L] = A[L] - Y) and the unnatural ones
// (squared error on a sigmoid, tanh, relu or leaky relu output, where Backward applies the output's own backward to
// dA[L] = A[L] - Y), straight-line layers (at most 64 weights) and vector-kernel layers (more).

/// <summary>The week-3 shape with tanh: every layer straight-line code, so the network is straight-line only.</summary>
[Network(3, 5, 1, HiddenActivation = Activation.Tanh)]
public partial class CheckTanhSigmoid;

/// <summary>Ten softmax classes after a leaky relu layer of slope 0.2; both layers (340 and 170 weights) are vector kernels.</summary>
[Network(20, 17, 10, HiddenActivation = Activation.LeakyRelu, LeakyReluSlope = 0.2, OutputActivation = Activation.Softmax)]
public partial class CheckLeakySoftmax10;

/// <summary>The same network with the default slope 0.01: what a slope lost on the way would compute.</summary>
[Network(20, 17, 10, HiddenActivation = Activation.LeakyRelu, OutputActivation = Activation.Softmax)]
public partial class CheckLeakySoftmax10DefaultSlope;

/// <summary>A regression: two relu layers, two linear outputs, squared error (the default for a linear output).</summary>
[Network(4, 6, 3, 2, OutputActivation = Activation.Linear)]
public partial class CheckReluLinear;

/// <summary>Sigmoid outputs with an explicit squared error: dZ[L] = (A - Y) A (1 - A) / m, not A - Y.</summary>
[Network(5, 4, 3, Loss = Loss.SquaredError)]
public partial class CheckSigmoidSquaredError;

/// <summary>Tanh outputs with squared error, after a leaky relu layer of slope 0.2.</summary>
[Network(4, 5, 2, HiddenActivation = Activation.LeakyRelu, LeakyReluSlope = 0.2, OutputActivation = Activation.Tanh, Loss = Loss.SquaredError)]
public partial class CheckTanhSquaredError;

/// <summary>Every activation once, layer by layer, into a softmax: leaky relu (0.2), tanh, sigmoid, linear, relu, softmax.</summary>
[Network(6, 7, 6, 5, 5, 4, 3, Activations = new[] { Activation.LeakyRelu, Activation.Tanh, Activation.Sigmoid, Activation.Linear, Activation.Relu, Activation.Softmax }, LeakyReluSlope = 0.2)]
public partial class CheckEveryActivation;

/// <summary>Relu outputs with squared error: a unit whose Z is negative passes no gradient back.</summary>
[Network(3, 4, 3, OutputActivation = Activation.Relu)]
public partial class CheckReluOutput;

/// <summary>Leaky relu outputs (slope 0.2) with squared error.</summary>
[Network(3, 4, 3, OutputActivation = Activation.LeakyRelu, LeakyReluSlope = 0.2)]
public partial class CheckLeakyOutput;

/// <summary>One linear layer: linear regression with three targets, layer 1 being the output.</summary>
[Network(5, 3, OutputActivation = Activation.Linear)]
public partial class CheckLinearRegression;

/// <summary>One softmax layer: multinomial logistic regression, layer 1 being the output.</summary>
[Network(4, 3, OutputActivation = Activation.Softmax)]
public partial class CheckSoftmaxRegression;

/// <summary>A tanh kernel layer (340 weights) into a sigmoid kernel output (136 weights) with squared error.</summary>
[Network(20, 17, 8, HiddenActivation = Activation.Tanh, Loss = Loss.SquaredError)]
public partial class CheckWideSigmoidSquaredError;

/// <summary>Kernel layers (108 and 72 weights) with linear and sigmoid hidden activations into a tanh output.</summary>
[Network(12, 9, 8, 3, Activations = new[] { Activation.Linear, Activation.Sigmoid, Activation.Tanh })]
public partial class CheckWideLinearSigmoidTanh;

/// <summary>Kernel layers with leaky relu (slope 0.2) and relu hidden activations into a linear output.</summary>
[Network(10, 12, 9, 2, Activations = new[] { Activation.LeakyRelu, Activation.Relu, Activation.Linear }, LeakyReluSlope = 0.2)]
public partial class CheckWideLeakyReluLinear;

/// <summary>Leaky relu (0.2) into tanh outputs, both layers kernels (90 and 72 weights): the tanh backward on dA[L] in a kernel layer.</summary>
[Network(10, 9, 8, HiddenActivation = Activation.LeakyRelu, LeakyReluSlope = 0.2, OutputActivation = Activation.Tanh)]
public partial class CheckWideTanhOutput;

/// <summary>Sigmoid hidden units into a linear kernel output (72 weights).</summary>
[Network(10, 9, 8, HiddenActivation = Activation.Sigmoid, OutputActivation = Activation.Linear)]
public partial class CheckWideLinearOutput;

/// <summary>Tanh hidden units into a relu kernel output (72 weights) with squared error.</summary>
[Network(10, 9, 8, HiddenActivation = Activation.Tanh, OutputActivation = Activation.Relu)]
public partial class CheckWideReluOutput;

/// <summary>Relu hidden units into a leaky relu kernel output (72 weights, slope 0.2) with squared error.</summary>
[Network(10, 9, 8, OutputActivation = Activation.LeakyRelu, LeakyReluSlope = 0.2)]
public partial class CheckWideLeakyOutput;

/// <summary>One softmax kernel layer (100 weights): layer 1 is the output, its input x.</summary>
[Network(20, 5, OutputActivation = Activation.Softmax)]
public partial class CheckWideSoftmaxRegression;

/// <summary>One sigmoid layer with squared error, straight-line: the unnatural output backward in layer 1, whose input is x.</summary>
[Network(6, 4, Loss = Loss.SquaredError)]
public partial class CheckSigmoidSquaredErrorOneLayer;

/// <summary>One sigmoid kernel layer (80 weights) with squared error.</summary>
[Network(20, 4, Loss = Loss.SquaredError)]
public partial class CheckWideSigmoidSquaredErrorOneLayer;

/// <summary>One tanh layer with squared error.</summary>
[Network(5, 3, OutputActivation = Activation.Tanh)]
public partial class CheckTanhOneLayer;

/// <summary>
/// Backpropagation against centred finite differences of the cost, (J(theta + eps) - J(theta - eps)) / (2 eps), for
/// every single parameter, for every activation and loss; the course's criterion ||a - n|| / (||a|| + ||n||) &lt; 1e-7,
/// and each entry on its own within 1e-6 relative, plus the rounding error of the difference quotient itself (a few
/// units in the last place of J, divided by 2 eps), which is all that the entries near zero can be checked to.
/// </summary>
public class ActivationGradientCheckTests
{
    private const double Epsilon = 1e-6;
    private const double MaxRelativeDifference = 1e-7;
    private const double MaxEntryRelativeDifference = 1e-6;
    private const double CostUlps = 8;
    private const int Examples = 7;

    /// <summary>The labels a loss accepts.</summary>
    private enum Targets
    {
        /// <summary>0 or 1 for every output: binary cross-entropy.</summary>
        Binary,

        /// <summary>One 1 per example, zeros elsewhere: categorical cross-entropy.</summary>
        OneHot,

        /// <summary>Any finite values, here N(0.3, 1): squared error.</summary>
        Real,
    }

    [Fact]
    public void Tanh_hidden_sigmoid_output_binary_cross_entropy_straight_line_only()
        => Check(new CheckTanhSigmoid(), Targets.Binary, _ => []);

    [Fact]
    public void Leaky_relu_into_ten_softmax_classes_through_the_vector_kernels()
        => Check(new CheckLeakySoftmax10(), Targets.OneHot, n => [n.Z1.ToArray()]);

    [Fact]
    public void Relu_hidden_linear_output_squared_error()
        => Check(new CheckReluLinear(), Targets.Real, n => [n.Z1.ToArray(), n.Z2.ToArray()]);

    [Fact]
    public void Sigmoid_output_with_squared_error()
        => Check(new CheckSigmoidSquaredError(), Targets.Real, n => [n.Z1.ToArray()]);

    [Fact]
    public void Tanh_output_with_squared_error_after_leaky_relu()
        => Check(new CheckTanhSquaredError(), Targets.Real, n => [n.Z1.ToArray()]);

    [Fact]
    public void Every_activation_in_one_network_into_softmax()
        => Check(new CheckEveryActivation(), Targets.OneHot, n => [n.Z1.ToArray(), n.Z5.ToArray()]);

    [Fact]
    public void Relu_output_with_squared_error()
        => Check(new CheckReluOutput(), Targets.Real, n => [n.Z1.ToArray(), n.Z2.ToArray()]);

    [Fact]
    public void Leaky_relu_output_with_squared_error()
        => Check(new CheckLeakyOutput(), Targets.Real, n => [n.Z1.ToArray(), n.Z2.ToArray()]);

    [Fact]
    public void One_linear_layer()
        => Check(new CheckLinearRegression(), Targets.Real, _ => []);

    [Fact]
    public void One_softmax_layer()
        => Check(new CheckSoftmaxRegression(), Targets.OneHot, _ => []);

    [Fact]
    public void Tanh_kernel_layer_into_sigmoid_kernel_output_with_squared_error()
        => Check(new CheckWideSigmoidSquaredError(), Targets.Real, _ => []);

    [Fact]
    public void Linear_and_sigmoid_kernel_layers_into_tanh_output()
        => Check(new CheckWideLinearSigmoidTanh(), Targets.Real, _ => []);

    [Fact]
    public void Leaky_relu_and_relu_kernel_layers_into_linear_output()
        => Check(new CheckWideLeakyReluLinear(), Targets.Real, n => [n.Z1.ToArray(), n.Z2.ToArray()]);

    [Fact]
    public void Tanh_kernel_output_after_leaky_relu_kernel_layer()
        => Check(new CheckWideTanhOutput(), Targets.Real, n => [n.Z1.ToArray()]);

    [Fact]
    public void Linear_kernel_output_after_sigmoid()
        => Check(new CheckWideLinearOutput(), Targets.Real, _ => []);

    [Fact]
    public void Relu_kernel_output_after_tanh()
        => Check(new CheckWideReluOutput(), Targets.Real, n => [n.Z2.ToArray()]);

    [Fact]
    public void Leaky_relu_kernel_output_after_relu()
        => Check(new CheckWideLeakyOutput(), Targets.Real, n => [n.Z1.ToArray(), n.Z2.ToArray()]);

    [Fact]
    public void One_softmax_kernel_layer()
        => Check(new CheckWideSoftmaxRegression(), Targets.OneHot, _ => []);

    [Fact]
    public void One_sigmoid_layer_with_squared_error()
        => Check(new CheckSigmoidSquaredErrorOneLayer(), Targets.Real, _ => []);

    [Fact]
    public void One_sigmoid_kernel_layer_with_squared_error()
        => Check(new CheckWideSigmoidSquaredErrorOneLayer(), Targets.Real, _ => []);

    [Fact]
    public void One_tanh_layer()
        => Check(new CheckTanhOneLayer(), Targets.Real, _ => []);

    [Fact]
    public void The_check_fails_on_a_gradient_wrong_by_one_part_in_ten_thousand()
    {
        var network = new CheckLeakySoftmax10();
        (double[] analytic, double[] numeric) = Gradients(network, Targets.OneHot);
        Assert.True(RelativeDifference(analytic, numeric) < MaxRelativeDifference, "the unperturbed gradients pass");

        // The largest entry, 1e-4 relatively too large: the kind of error a wrong constant in one unit would make.
        int largest = 0;
        for (int i = 1; i < analytic.Length; i++)
        {
            largest = Math.Abs(analytic[i]) > Math.Abs(analytic[largest]) ? i : largest;
        }

        analytic[largest] *= 1 + 1e-4;
        double perturbed = RelativeDifference(analytic, numeric);
        Assert.True(perturbed > MaxRelativeDifference, $"perturbed entry {largest}: relative difference {perturbed:E3}");
    }

    [Fact]
    public void The_check_tells_the_leaky_relu_slopes_apart()
    {
        // The numeric gradient of the slope-0.2 network against the analytic one of the same parameters with the default
        // slope 0.01: a slope that the generator lost or replaced would fail the check by this much.
        var network = new CheckLeakySoftmax10();
        var wrongSlope = new CheckLeakySoftmax10DefaultSlope();
        (double[] x, double[] y) = Prepare(network, Targets.OneHot);
        network.Parameters.CopyTo(wrongSlope.Parameters);

        wrongSlope.Forward(x);
        wrongSlope.Backward(x, y);
        double difference = RelativeDifference(wrongSlope.Gradients.ToArray(), Numeric(network, x, y));

        Assert.True(difference > 100 * MaxRelativeDifference, $"relative difference {difference:E3}");
    }

    [Fact]
    public void The_literal_softmax_backward_of_dA_equals_the_folded_delta()
    {
        // Backward folds the softmax backward into dZ2 = A2 - Y; Layer2Backward applies it literally to dA2 = -Y / A2, the
        // cross-entropy's gradient (its 1/m applied with dW2 and db2): the same gradients in exact arithmetic.
        var network = new CheckLeakySoftmax10();
        (double[] x, double[] y) = Prepare(network, Targets.OneHot);
        network.Forward(x);
        network.Backward(x, y);
        double[] a2 = network.A2.ToArray();
        double[] dA2 = new double[a2.Length];
        for (int i = 0; i < dA2.Length; i++)
        {
            dA2[i] = -y[i] / a2[i];
        }

        var dZ2 = new double[a2.Length];
        var dW2 = new double[network.dW2.Length];
        var db2 = new double[network.db2.Length];
        var dA1 = new double[network.A1.Length];
        CheckLeakySoftmax10.Layer2Backward(dA2, a2, network.A1, network.W2, dZ2, dW2, db2, dA1);

        AssertClose(network.dW2, dW2, "dW2");
        AssertClose(network.db2, db2, "db2");
        double[] folded = new double[a2.Length];
        for (int i = 0; i < folded.Length; i++)
        {
            folded[i] = a2[i] - y[i];
        }

        AssertClose(folded, dZ2, "dZ2");
    }

    [Fact]
    public void The_literal_sigmoid_backward_of_dA_equals_the_folded_delta()
    {
        // The same for the course's pair: dA2 = -(Y / A2 - (1 - Y) / (1 - A2)) through Layer2Backward's sigmoid backward.
        var network = new CheckTanhSigmoid();
        (double[] x, double[] y) = Prepare(network, Targets.Binary);
        network.Forward(x);
        network.Backward(x, y);
        double[] a2 = network.A2.ToArray();
        double[] dA2 = new double[a2.Length];
        for (int i = 0; i < dA2.Length; i++)
        {
            dA2[i] = -(y[i] / a2[i] - (1 - y[i]) / (1 - a2[i]));
        }

        var dZ2 = new double[a2.Length];
        var dW2 = new double[network.dW2.Length];
        var db2 = new double[network.db2.Length];
        var dA1 = new double[network.A1.Length];
        CheckTanhSigmoid.Layer2Backward(dA2, network.Z2, network.A1, network.W2, dZ2, dW2, db2, dA1);

        AssertClose(network.dW2, dW2, "dW2");
        AssertClose(network.db2, db2, "db2");
    }

    /// <summary>Within 1e-13 relative to the largest magnitude: the two routes differ only in rounding.</summary>
    private static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double difference = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            difference = Math.Max(difference, Math.Abs(expected[i] - actual[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }

        Assert.True(scale > 0, $"{what} is not all zeros");
        Assert.True(difference <= 1e-13 * scale, $"{what}: {difference / scale:E3} relative");
    }

    private static void Check<TNetwork>(TNetwork network, Targets targets, Func<TNetwork, double[][]> kinked)
        where TNetwork : INetwork<double>
    {
        (double[] x, double[] y) = Prepare(network, targets);

        // Relu and leaky relu have a kink at 0, where a finite difference across it measures neither side: no Z of theirs
        // may lie within reach of a perturbation. Units on both sides of 0 make both branches count.
        network.Forward(x);
        foreach (double[] z in kinked(network))
        {
            Assert.Contains(z, value => value > 0);
            Assert.Contains(z, value => value < 0);
            double nearest = z.Min(Math.Abs);
            Assert.True(nearest > 1e-4, $"a relu unit's Z is {nearest:E3} from the kink");
        }

        network.Backward(x, y);
        double[] analytic = network.Gradients.ToArray();
        double[] numeric = Numeric(network, x, y);

        double cost = network.ComputeCost(y);
        double largest = analytic.Max(Math.Abs);
        double relative = RelativeDifference(analytic, numeric);
        // J(theta + eps) and J(theta - eps) each carry a rounding error of a few units in the last place of J.
        double rounding = CostUlps * (Math.BitIncrement(Math.Abs(cost)) - Math.Abs(cost)) / (2 * Epsilon);
        double worstEntry = 0;
        int worst = 0;
        for (int i = 0; i < analytic.Length; i++)
        {
            double allowed = MaxEntryRelativeDifference * (Math.Abs(analytic[i]) + Math.Abs(numeric[i])) + rounding;
            double ratio = Math.Abs(analytic[i] - numeric[i]) / allowed;
            if (ratio > worstEntry)
            {
                worstEntry = ratio;
                worst = i;
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{network.GetType().Name}: {analytic.Length} parameters, cost {cost:R}, ||a - n|| / (||a|| + ||n||) = {relative:E3}, "
            + $"max |a - n| / max |a| = {analytic.Zip(numeric, (a, n) => Math.Abs(a - n)).Max() / largest:E3}, worst entry at {worstEntry:F3} of its bound");

        Assert.True(largest > 0, "the gradient is not identically zero");
        Assert.True(relative < MaxRelativeDifference, $"relative difference {relative:E3} over {analytic.Length} parameters");
        Assert.True(
            worstEntry <= 1,
            $"entry {worst}: analytic {analytic[worst]:R}, numeric {numeric[worst]:R}, beyond {MaxEntryRelativeDifference:E0} relative + {rounding:E3}");
    }

    private static (double[] Analytic, double[] Numeric) Gradients(INetwork<double> network, Targets targets)
    {
        (double[] x, double[] y) = Prepare(network, targets);
        network.Forward(x);
        network.Backward(x, y);
        return (network.Gradients.ToArray(), Numeric(network, x, y));
    }

    /// <summary>
    /// Parameters W ~ N(0, 1) / sqrt(n[l-1]) and biases 0.5 N(0, 1), so that no bias is zero and relu units fall on both
    /// sides of 0; inputs N(0, 1); labels as the loss wants them. All from one seeded stream.
    /// </summary>
    private static (double[] X, double[] Y) Prepare(INetwork<double> network, Targets targets)
    {
        int inputSize = network.LayerSizes[0];
        int outputSize = network.LayerSizes[^1];
        var random = new NumPyRandom(11);
        network.InitializeParameters(random, Initialization.NormalOverSqrtFanIn);
        int offset = 0;
        for (int l = 1; l < network.LayerSizes.Length; l++)
        {
            offset += network.LayerSizes[l] * network.LayerSizes[l - 1];
            for (int j = 0; j < network.LayerSizes[l]; j++)
            {
                network.Parameters[offset + j] = 0.5 * random.NextGaussian();
            }

            offset += network.LayerSizes[l];
        }

        Assert.Equal(network.Parameters.Length, offset);
        var x = new double[Examples * inputSize];
        random.FillStandardNormal(x);
        var y = new double[Examples * outputSize];
        for (int i = 0; i < Examples; i++)
        {
            Span<double> row = y.AsSpan(i * outputSize, outputSize);
            switch (targets)
            {
                case Targets.Binary:
                    for (int j = 0; j < outputSize; j++)
                    {
                        row[j] = random.NextDouble() < 0.5 ? 0 : 1;
                    }

                    break;
                case Targets.OneHot:
                    row[(int)(random.NextDouble() * outputSize)] = 1;
                    break;
                default:
                    for (int j = 0; j < outputSize; j++)
                    {
                        row[j] = 0.3 + random.NextGaussian();
                    }

                    break;
            }
        }

        return (x, y);
    }

    /// <summary>Centred differences of the cost for every parameter; the parameters are left as they were.</summary>
    private static double[] Numeric(INetwork<double> network, double[] x, double[] y)
    {
        var numeric = new double[network.Parameters.Length];
        for (int i = 0; i < numeric.Length; i++)
        {
            double saved = network.Parameters[i];
            network.Parameters[i] = saved + Epsilon;
            network.Forward(x);
            double plus = network.ComputeCost(y);
            network.Parameters[i] = saved - Epsilon;
            network.Forward(x);
            double minus = network.ComputeCost(y);
            network.Parameters[i] = saved;
            numeric[i] = (plus - minus) / (2 * Epsilon);
        }

        return numeric;
    }

    /// <summary>The course's gradient_check_n criterion: ||a - n|| / (||a|| + ||n||).</summary>
    private static double RelativeDifference(IReadOnlyList<double> analytic, IReadOnlyList<double> numeric)
    {
        double difference = 0, analyticNorm = 0, numericNorm = 0;
        for (int i = 0; i < analytic.Count; i++)
        {
            difference += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
            analyticNorm += analytic[i] * analytic[i];
            numericNorm += numeric[i] * numeric[i];
        }

        return Math.Sqrt(difference) / (Math.Sqrt(analyticNorm) + Math.Sqrt(numericNorm));
    }
}
