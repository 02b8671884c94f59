using System.Collections.Generic;
using System.Linq;
using System.Threading;
using static DnnGen.Course.Tests.NotebookReference;

namespace DnnGen.Course.Tests;

/// <summary>The Gradient Checking notebook's 3-layer case: 4 inputs, relu 5, relu 3, one sigmoid output.</summary>
[Network(4, 5, 3, 1)]
public partial class GradientCheckNotebookNetwork;

/// <summary>A softmax classifier for the gradient check against class indices.</summary>
[Network(3, 5, 4, HiddenActivation = Activation.Tanh, OutputActivation = Activation.Softmax)]
public partial class GradientCheckSoftmax;

/// <summary>A regression (tanh hidden layer, linear output, squared error) for the gradient check.</summary>
[Network(3, 4, 2, HiddenActivation = Activation.Tanh, OutputActivation = Activation.Linear)]
public partial class GradientCheckTanhLinear;

/// <summary>
/// Course 2, week 1, the Gradient Checking notebook through <see cref="GradientChecking"/> and the generated
/// <c>GradientCheck</c>: the notebook's 3-layer case (<c>gradient_check_n_test_case</c>, m = 3) with its correct
/// backward, its deliberately wrong one (dW2 doubled and db1 with 4 / m) and each mistake alone, and with the
/// Regularization notebook's L2 terms (lambd 0.7); against Reference/gradient_check_course2.npz, written by the NumPy
/// transcription Reference/gradient_check_course2.py. Then the check on a softmax and a linear network.
/// </summary>
/// <remarks>
/// Tolerances as Reference/README.md sets them: the cost, A3 and the backward's gradients are exact to round-off
/// (1e-12); gradapprox is a difference quotient whose entries move by up to 2.2e-9 with the cost's summation order
/// (1e-8 absolute); the correct case's difference is tested against the course's 2e-7 threshold, not its digits; the
/// wrong cases' differences are stable (1e-6 relative).
/// </remarks>
public class GradientCheckNotebookTests
{
    private const int Examples = 3;

    private static IReadOnlyDictionary<string, NumPyArray> Reference { get; } = Read("gradient_check_course2.npz");

    /// <summary>x (3, 4) example-major, the test case's (4, 3) transposed.</summary>
    private static double[] X => Reference["X"].ToDoubleArray();

    /// <summary>y = 1, 1, 0.</summary>
    private static double[] Y => Reference["Y"].ToDoubleArray();

    /// <summary>Where dW2 and db1 sit in Parameters: W1 (5, 4) 0..19, b1 20..24, W2 (3, 5) 25..39, b2 40..42, W3 43..45, b3 46.</summary>
    private static readonly Range s_dW2 = 25..40;

    private static readonly Range s_db1 = 20..25;

    /// <summary>W1, b1, ..., b3 (or <c>&lt;prefix&gt;dW1 .. db3</c>) of the reference, in the order of Parameters: dictionary_to_vector's.</summary>
    private static double[] Vector(string prefix) =>
    [
        .. Reference[prefix + "W1"].ToDoubleArray(), .. Reference[prefix + "b1"].ToDoubleArray(),
        .. Reference[prefix + "W2"].ToDoubleArray(), .. Reference[prefix + "b2"].ToDoubleArray(),
        .. Reference[prefix + "W3"].ToDoubleArray(), .. Reference[prefix + "b3"].ToDoubleArray(),
    ];

    /// <summary>The notebook's network with the test case's parameters loaded.</summary>
    private static GradientCheckNotebookNetwork Notebook()
    {
        Assert.Equal([Examples, 4], Reference["X"].Shape);
        Assert.Equal([5, 4], Reference["W1"].Shape);
        Assert.Equal([3, 5], Reference["W2"].Shape);
        Assert.Equal([1, 3], Reference["W3"].Shape);
        var network = new GradientCheckNotebookNetwork();
        double[] parameters = Vector("");
        Assert.Equal(47, parameters.Length);
        parameters.CopyTo(network.Parameters);
        return network;
    }

    private static double[] Gradients(INetwork<double> network, double l2 = 0)
    {
        var gradients = new double[network.Parameters.Length];
        GradientChecking.Gradients<double>(network, X, Y, gradients, l2);
        return gradients;
    }

    private static double[] Approximation(INetwork<double> network, double l2 = 0)
    {
        var approximation = new double[network.Parameters.Length];
        GradientChecking.Approximate<double>(network, X, Y, approximation, l2: l2);
        return approximation;
    }

    [Fact]
    public void The_one_dimensional_check_is_the_notebooks()
    {
        // J(theta) = theta x, x = 2, theta = 4: grad = x, gradapprox = (J(theta + eps) - J(theta - eps)) / (2 eps).
        const double x = 2, theta = 4, epsilon = 1e-7;
        double approximation = (((theta + epsilon) * x) - ((theta - epsilon) * x)) / (2 * epsilon);

        double difference = GradientChecking.Difference([x], [approximation]);

        Assert.Equal(Reference.Scalar("difference_1d"), difference);
        Assert.Equal(2.919335883291695e-10, difference);
    }

    [Fact]
    public void The_networks_cost_and_A3_are_the_notebooks()
    {
        GradientCheckNotebookNetwork network = Notebook();

        double[] a3 = network.Forward(X).ToArray();
        double cost = network.ComputeCost(Y);

        AssertMaxNormRelative(Reference["A3"].ToDoubleArray(), a3, 1e-12, "A3");
        AssertRelative(Reference.Scalar("cost"), cost, 1e-12, "the cost");
    }

    [Fact]
    public void The_networks_gradients_are_the_corrected_backwards_and_gradapprox_approximates_them()
    {
        GradientCheckNotebookNetwork network = Notebook();
        double[] before = network.Parameters.ToArray();

        double[] gradients = Gradients(network);
        double[] approximation = Approximation(network);

        AssertMaxNormRelative(Vector("correct_d"), gradients, 1e-12, "the gradients");
        // A few units in the last place of J (2.4) over 2 eps: the centred differences of the network's cost are
        // within 3.8e-9 of the exact gradients (NumPy's softplus cost gives the same).
        CourseMatrices.AssertClose(Vector("correct_d"), approximation, 2e-8, "gradapprox against the backward's gradients");
        // Every perturbed parameter is put back to its bits.
        Assert.Equal(before.Select(BitConverter.DoubleToInt64Bits), network.Parameters.ToArray().Select(BitConverter.DoubleToInt64Bits));
    }

    [Theory]
    [InlineData("correct", 0)]
    [InlineData("l2", 0.7)]
    public void The_notebooks_gradapprox_is_the_centred_differences_of_its_literal_cost(string variant, double lambda)
    {
        // The notebook's gradapprox differs from the network's by up to 3.5e-7 (entry 1 of W1): its cost
        // -log(1 - A3) loses 1e-13 relative where A3 = 0.99887 (example 3, y = 0) rounds, and 2 eps = 2e-7 magnifies it.
        // The network's cost (ComputeCost, from Z3: softplus(z) - y z) does not, so its differences are 100 times
        // closer to the backward's gradients (above). The course's literal compute_cost, the generated static
        // ComputeCost(al, y), over the network's Forward gives the notebook's gradapprox back.
        GradientCheckNotebookNetwork network = Notebook();
        double[] notebook = Reference[variant + "_gradapprox"].ToDoubleArray();
        Span<double> theta = network.Parameters;
        var literal = new double[theta.Length];
        for (int i = 0; i < theta.Length; i++)
        {
            double original = theta[i];
            theta[i] = original + 1e-7;
            double plus = LiteralCost(network, lambda);
            theta[i] = original - 1e-7;
            double minus = LiteralCost(network, lambda);
            theta[i] = original;
            literal[i] = (plus - minus) / (2 * 1e-7);
        }

        CourseMatrices.AssertClose(notebook, literal, 1e-8, variant + ": the notebook's gradapprox by its literal cost");
        CourseMatrices.AssertClose(notebook, Approximation(network, lambda), 5e-7, variant + ": the notebook's gradapprox by the network's cost");
        Assert.Equal(Reference["correct_gradapprox"].ToDoubleArray(), Reference["buggy_gradapprox"].ToDoubleArray()); // the forward's only
    }

    /// <summary>forward_propagation_n's cost, 1/m sum(-log(A3) Y - log(1 - A3) (1 - Y)), with the L2 term (1/m)(lambd/2) sum ||W[l]||^2 as the script adds it.</summary>
    private static double LiteralCost(GradientCheckNotebookNetwork network, double lambda)
    {
        double cost = GradientCheckNotebookNetwork.ComputeCost(network.Forward(X), Y);
        double squares = network.W1.ToArray().Sum(w => w * w) + network.W2.ToArray().Sum(w => w * w) + network.W3.ToArray().Sum(w => w * w);
        return cost + (1.0 / Examples * (lambda / 2) * squares);
    }

    [Fact]
    public void A_correct_backward_passes_the_check()
    {
        GradientCheckNotebookNetwork network = Notebook();

        double difference = network.GradientCheck(X, Y);

        // The notebook's 1.1862e-07 comes mostly from its cost's rounding (see below); the network's cost gives about
        // 1.1e-09. The threshold only.
        Assert.InRange(difference, double.Epsilon, GradientChecking.Threshold);
        Assert.Equal(GradientChecking.Check<double>(network, X, Y), difference);
        Assert.Equal(GradientChecking.Difference(Gradients(network), Approximation(network)), difference);
    }

    [Theory]
    [InlineData("buggy")]
    [InlineData("dW2_doubled")]
    [InlineData("db1_times4")]
    public void The_notebooks_wrong_gradients_fail_the_check_against_the_networks_approximation(string variant)
    {
        GradientCheckNotebookNetwork network = Notebook();
        double[] wrong = Vector(variant + "_d");

        double difference = GradientChecking.Difference(wrong, Approximation(network));

        Assert.True(difference > GradientChecking.Threshold, FormattableString.Invariant($"{variant}: difference {difference:R}"));
        AssertRelative(Reference.Scalar(variant + "_difference"), difference, 1e-6, variant + ": the difference");
    }

    [Theory]
    [InlineData("buggy", 0.2851)]
    [InlineData("dW2_doubled", 0.17344196870663495)]
    [InlineData("db1_times4", 0.2544229714735623)]
    public void A_network_whose_backward_makes_the_notebooks_mistakes_is_flagged(string variant, double expected)
    {
        // The generated network behind a Backward that makes the notebook's mistakes: dW2 doubled, db1 with 4 / m.
        var corrupted = new CorruptedBackward(Notebook(), gradients =>
        {
            if (variant != "db1_times4")
            {
                foreach (ref double g in gradients[s_dW2])
                {
                    g *= 2;
                }
            }

            if (variant != "dW2_doubled")
            {
                foreach (ref double g in gradients[s_db1])
                {
                    g *= 4;
                }
            }
        });

        double difference = GradientChecking.Check<double>(corrupted, X, Y);

        AssertMaxNormRelative(Vector(variant + "_d"), Gradients(corrupted), 1e-12, variant + ": the corrupted gradients");
        Assert.True(difference > GradientChecking.Threshold, FormattableString.Invariant($"{variant}: difference {difference:R}"));
        AssertRelative(Reference.Scalar(variant + "_difference"), difference, 1e-6, variant + ": the difference");
        AssertRelative(expected, difference, variant == "buggy" ? 1e-3 : 1e-6, variant + ": course2's difference");
    }

    [Theory]
    [InlineData(1.0)] // one entry doubled
    [InlineData(1e-4)] // one entry off by 0.01 %
    public void Corrupting_any_single_gradient_of_any_layer_is_flagged(double relativeError)
    {
        GradientCheckNotebookNetwork network = Notebook();
        double[] approximation = Approximation(network);
        double[] gradients = Gradients(network);
        Assert.True(GradientChecking.Difference(gradients, approximation) <= GradientChecking.Threshold);

        // W1, b1, W2, b2, W3, b3: the largest gradient of each block, made wrong alone.
        Range[] blocks = [0..20, 20..25, 25..40, 40..43, 43..46, 46..47];
        foreach (Range block in blocks)
        {
            (int offset, int length) = block.GetOffsetAndLength(gradients.Length);
            int largest = Enumerable.Range(offset, length).MaxBy(i => Math.Abs(gradients[i]));
            double[] wrong = (double[])gradients.Clone();
            wrong[largest] *= 1 + relativeError;

            double difference = GradientChecking.Difference(wrong, approximation);

            Assert.True(difference > GradientChecking.Threshold, FormattableString.Invariant($"gradient {largest} off by {relativeError:R}: difference {difference:R}"));
        }
    }

    [Fact]
    public void With_L2_the_gradients_are_the_notebooks_and_pass_the_check()
    {
        GradientCheckNotebookNetwork network = Notebook();
        double lambda = Reference.Scalar("l2_lambd");
        Assert.Equal(0.7, lambda);

        double[] gradients = Gradients(network, lambda);
        double[] approximation = Approximation(network, lambda);
        double difference = network.GradientCheck(X, Y, l2: lambda);

        AssertMaxNormRelative(Vector("l2_d"), gradients, 1e-12, "the gradients with L2");
        CourseMatrices.AssertClose(Vector("l2_d"), approximation, 2e-8, "gradapprox with L2 against the backward's gradients");
        Assert.InRange(difference, double.Epsilon, GradientChecking.Threshold);
        // Without the L2 terms in the gradients, the check with L2 fails.
        Assert.True(GradientChecking.Difference(Gradients(network), approximation) > GradientChecking.Threshold);
    }

    [Fact]
    public void Train_with_L2_reports_the_regularised_cost_and_steps_along_the_L2_gradients()
    {
        GradientCheckNotebookNetwork network = Notebook();
        double[] before = network.Parameters.ToArray();
        const double rate = 0.5;

        IReadOnlyList<TrainingRecord> history = network.Train(X, Y, new TrainingOptions { LearningRate = rate, Epochs = 1, L2 = 0.7 }, cancellationToken: TestContext.Current.CancellationToken);

        AssertRelative(Reference.Scalar("l2_cost"), Assert.Single(history).Cost, 1e-12, "the cost with L2");
        double[] l2Gradients = Vector("l2_d");
        AssertMaxNormRelative(before.Zip(l2Gradients, (theta, g) => theta - (rate * g)).ToArray(), network.Parameters.ToArray(), 1e-12, "theta - rate (grad + (lambd / m) W)");
    }

    [Fact]
    public void A_softmax_network_passes_the_check_against_class_indices_and_one_hot_labels()
    {
        var network = new GradientCheckSoftmax();
        var random = new NumPyRandom(5);
        double[] x = Randomized(network, random, examples: 6);
        int[] classes = [0, 3, 1, 2, 3, 1];
        double[] oneHot = classes.SelectMany(c => Enumerable.Range(0, 4).Select(k => k == c ? 1.0 : 0.0)).ToArray();

        double difference = network.GradientCheck(x, classes);

        Assert.InRange(difference, 0, GradientChecking.Threshold);
        Assert.Equal(network.GradientCheck(x, oneHot), difference);
        Assert.InRange(network.GradientCheck(x, classes, l2: 0.7), 0, GradientChecking.Threshold);
        Assert.True(difference > 0, "a difference of exactly 0 would mean nothing was compared");
    }

    [Fact]
    public void A_tanh_network_with_a_linear_output_passes_the_check()
    {
        var network = new GradientCheckTanhLinear();
        var random = new NumPyRandom(6);
        double[] x = Randomized(network, random, examples: 5);
        double[] y = CourseMatrices.Randn(random, 5, 2);

        double difference = network.GradientCheck(x, y);

        Assert.InRange(difference, 0, GradientChecking.Threshold);
        Assert.True(difference > 0, "a difference of exactly 0 would mean nothing was compared");
        Assert.InRange(network.GradientCheck(x, y, l2: 0.7), 0, GradientChecking.Threshold);

        // And the same network with its W1 gradients halved fails it.
        var corrupted = new CorruptedBackward(network, gradients =>
        {
            foreach (ref double g in gradients[..12])
            {
                g /= 2;
            }
        });
        Assert.True(GradientChecking.Check<double>(corrupted, x, y) > GradientChecking.Threshold);
    }

    /// <summary>W = randn / sqrt(n[l-1]), biases 0.1 randn (not zero, so that their gradients are checked too), then x randn (m, n0).</summary>
    private static double[] Randomized(INetwork<double> network, NumPyRandom random, int examples)
    {
        network.InitializeParameters(random, Initialization.NormalOverSqrtFanIn);
        Span<double> parameters = network.Parameters;
        int offset = 0;
        for (int l = 1; l < network.LayerSizes.Length; l++)
        {
            offset += network.LayerSizes[l] * network.LayerSizes[l - 1];
            for (int j = 0; j < network.LayerSizes[l]; j++)
            {
                parameters[offset + j] = 0.1 * random.NextGaussian();
            }

            offset += network.LayerSizes[l];
        }

        return CourseMatrices.Randn(random, examples, network.LayerSizes[0]);
    }

    /// <summary>A network whose Backward is the inner one's followed by <paramref name="corrupt"/> on the gradients; the rest is the inner network's.</summary>
    private sealed class CorruptedBackward(INetwork<double> inner, CorruptedBackward.Corruption corrupt) : INetwork<double>
    {
        public delegate void Corruption(Span<double> gradients);

        public ReadOnlySpan<int> LayerSizes => inner.LayerSizes;

        public ReadOnlySpan<Activation> Activations => inner.Activations;

        public Loss Loss => inner.Loss;

        public double LeakyReluSlope => inner.LeakyReluSlope;

        public Span<double> Parameters => inner.Parameters;

        public Span<double> Gradients => inner.Gradients;

        public Optimizer Optimizer => inner.Optimizer;

        public Span<double> Velocity => inner.Velocity;

        public Span<double> SquaredGradientAverage => inner.SquaredGradientAverage;

        public int CompletedEpochs { get => inner.CompletedEpochs; set => inner.CompletedEpochs = value; }

        public long UpdateCount { get => inner.UpdateCount; set => inner.UpdateCount = value; }

        public void Backward(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
        {
            inner.Backward(x, y);
            corrupt(inner.Gradients);
        }

        public void InitializeParameters(NumPyRandom random, Initialization initialization) => inner.InitializeParameters(random, initialization);

        public ReadOnlySpan<double> Forward(ReadOnlySpan<double> x) => inner.Forward(x);

        public double ComputeCost(ReadOnlySpan<double> y) => inner.ComputeCost(y);

        public void UpdateParameters(double learningRate) => inner.UpdateParameters(learningRate);

        public double TrainStep(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double learningRate) => throw new NotSupportedException();

        public IReadOnlyList<TrainingRecord> Train(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int iterations, double learningRate, IProgress<TrainingRecord>? progress = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public IReadOnlyList<TrainingRecord> Train(ReadOnlySpan<double> x, ReadOnlySpan<double> y, TrainingOptions options, IProgress<TrainingRecord>? progress = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public double GradientCheck(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double epsilon = 1e-7, double l2 = 0)
            => GradientChecking.Check(this, x, y, epsilon, l2);

        public void ResetTrainingState() => inner.ResetTrainingState();

        public void Predict(ReadOnlySpan<double> x, Span<double> outputs) => inner.Predict(x, outputs);
    }
}
