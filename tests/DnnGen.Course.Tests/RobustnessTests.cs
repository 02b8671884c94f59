using System.Collections.Generic;

namespace DnnGen.Course.Tests;

/// <summary>n[1] &gt; n[0]: Forward checks x itself for NaN rather than Z1, which is the longer of the two here.</summary>
[Network(3, 8, 1)]
public partial class WideFirstLayerNetwork;

/// <summary>70,000 outputs per example: m * OutputSize exceeds int.MaxValue for m above 30,678.</summary>
[Network(1, 2, 70000)]
public partial class ManyOutputsNetwork;

/// <summary>4,003 workspace values per example: 536,000 examples are more than one array can hold.</summary>
[Network(1, 1000, 1)]
public partial class WideWorkspaceNetwork;

/// <summary>
/// Every bad argument is rejected with the argument, the expected and the actual value named; training never carries
/// on with NaN, and when it diverges the parameters are those of the last iteration whose cost was finite.
/// </summary>
public class RobustnessTests
{
    private const int Examples = 50;

    public static TheoryData<string, Action<BehaviourNetwork, double[], double[]>> LabelTakers => new()
    {
        { "TrainStep", (network, x, y) => network.TrainStep(x, y, 0.1) },
        { "Train", (network, x, y) => network.Train(x, y, 5, 0.1, cancellationToken: TestContext.Current.CancellationToken) },
        { "ComputeCost", (network, x, y) => { network.Forward(x); network.ComputeCost(y); } },
        { "Backward", (network, x, y) => { network.Forward(x); network.Backward(x, y); } },
        { "Accuracy", (network, x, y) => network.Accuracy(x, y) },
        { "static ComputeCost", (network, x, y) => BehaviourNetwork.ComputeCost(network.Forward(x), y) },
    };

    [Theory]
    [MemberData(nameof(LabelTakers))]
    public void A_label_that_is_not_0_or_1_is_rejected(string method, Action<BehaviourNetwork, double[], double[]> call)
    {
        (double[] x, double[] y) = Data(Examples);
        y[17] = 0.5;
        var network = Initialised();

        var error = Assert.Throws<ArgumentException>(() => call(network, x, y));

        Assert.Equal("y", error.ParamName);
        Assert.Contains("Expected labels 0 or 1, but y[17] is 0.5", error.Message, StringComparison.Ordinal);
        _ = method;
    }

    [Fact]
    public void A_NaN_label_is_rejected()
    {
        (double[] x, double[] y) = Data(Examples);
        y[3] = double.NaN;

        var error = Assert.Throws<ArgumentException>(() => Initialised().TrainStep(x, y, 0.1));

        Assert.Equal("y", error.ParamName);
        Assert.Contains("y[3] is NaN", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<BehaviourNetwork, double[], double[]>> InputTakers => new()
    {
        { "Forward", (network, x, y) => network.Forward(x) },
        { "TrainStep", (network, x, y) => network.TrainStep(x, y, 0.1) },
        { "Train", (network, x, y) => network.Train(x, y, 5, 0.1, cancellationToken: TestContext.Current.CancellationToken) },
        { "Predict", (network, x, y) => network.Predict(x, new double[y.Length]) },
        { "PredictLabels", (network, x, y) => network.PredictLabels(x, new double[y.Length]) },
        { "Accuracy", (network, x, y) => network.Accuracy(x, y) },
    };

    [Theory]
    [MemberData(nameof(InputTakers))]
    public void NaN_or_infinity_in_the_inputs_is_rejected_with_its_position(string method, Action<BehaviourNetwork, double[], double[]> call)
    {
        // Example 70 of 100: in Predict's second chunk of 64, so the reported index must be relative to all of x.
        (double[] x, double[] y) = Data(100);
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            double[] copy = (double[])x.Clone();
            int index = 70 * BehaviourNetwork.InputSize + 5;
            copy[index] = bad;

            var error = Assert.Throws<ArgumentException>(() => call(Initialised(), copy, y));

            Assert.Equal("x", error.ParamName);
            string shown = bad.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains($"Expected finite values, but x[{index}] (example 70, value 5) is {shown}", error.Message, StringComparison.Ordinal);
        }

        _ = method;
    }

    [Fact]
    public void Backward_rejects_inputs_other_than_the_checked_ones_of_Forward_when_they_hold_NaN()
    {
        (double[] x, double[] y) = Data(Examples);
        var network = Initialised();
        network.Forward(x);
        x[41] = double.NaN;

        var error = Assert.Throws<ArgumentException>(() => network.Backward(x, y));

        Assert.Equal("x", error.ParamName);
        Assert.Contains("x[41] (example 1, value 1) is NaN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inputs_are_checked_directly_when_the_first_layer_is_wider_than_the_input()
    {
        var network = new WideFirstLayerNetwork();
        network.InitializeParameters(seed: 2);
        var x = new double[] { 1, 2, 3, 4, double.PositiveInfinity, 6 };

        var forward = Assert.Throws<ArgumentException>(() => network.Forward(x));
        var predict = Assert.Throws<ArgumentException>(() => network.Predict(x, new double[2]));

        Assert.Contains("x[4] (example 1, value 1) is Infinity", forward.Message, StringComparison.Ordinal);
        Assert.Contains("x[4] (example 1, value 1) is Infinity", predict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NaN_parameters_are_not_blamed_on_the_inputs_and_stop_training()
    {
        (double[] x, double[] y) = Data(Examples);
        var network = Initialised();
        network.W1[0] = double.NaN;

        // Z1 is not finite, but x is: Forward names the parameter, not x, and so does every method that runs it.
        foreach (Action call in new Action[] { () => network.Forward(x), () => network.TrainStep(x, y, 0.1), () => network.Predict(x, new double[y.Length]) })
        {
            var error = Assert.Throws<InvalidOperationException>(call);
            Assert.StartsWith("Parameter W1[0, 0] is NaN: the parameters must be finite.", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_learning_rate_that_is_not_finite_and_positive_is_rejected(double rate)
    {
        (double[] x, double[] y) = Data(Examples);
        var network = Initialised();

        foreach (Action call in new Action[] { () => network.TrainStep(x, y, rate), () => network.Train(x, y, 3, rate, cancellationToken: TestContext.Current.CancellationToken), () => network.UpdateParameters(rate) })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.Equal("learningRate", error.ParamName);
            Assert.Equal(rate, error.ActualValue);
            Assert.Contains("Expected a finite value greater than zero", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_float_network_rejects_a_learning_rate_that_float_cannot_hold()
    {
        var network = new BehaviourNetworkSingle();
        network.InitializeParameters(seed: 3);

        foreach (double rate in new[] { 1e300, 1e-60 })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => network.UpdateParameters(rate));
            Assert.Equal("learningRate", error.ParamName);
            Assert.Equal(rate, error.ActualValue);
            Assert.Contains("Single", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void An_iteration_count_below_one_is_rejected(int iterations)
    {
        (double[] x, double[] y) = Data(Examples);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Initialised().Train(x, y, iterations, 0.1, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("iterations", error.ParamName);
        Assert.Equal(iterations, error.ActualValue);
        Assert.Contains("Expected at least 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_counts_are_computed_without_overflow()
    {
        var network = new ManyOutputsNetwork();
        network.InitializeParameters(seed: 1);
        var x = new double[40000];

        var error = Assert.Throws<ArgumentException>(() => network.TrainStep(x, new double[5], 0.1));

        Assert.Equal("y", error.ParamName);
        Assert.Contains("Expected 2800000000 elements", error.Message, StringComparison.Ordinal);
        Assert.Contains("holds 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_too_large_for_the_workspace_is_rejected_before_anything_is_allocated()
    {
        var network = new WideWorkspaceNetwork();
        network.InitializeParameters(seed: 1);
        var x = new double[600_000];

        var error = Assert.Throws<ArgumentException>(() => network.Forward(x));

        Assert.Equal("x", error.ParamName);
        Assert.Contains("Expected at most 536468 examples at a time: training on 600000 examples needs a workspace of 2401800000 values (4003 per example)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cost_stays_finite_when_the_output_saturates()
    {
        (double[] x, double[] y) = Data(Examples);
        var network = Initialised();
        network.b3[0] = 1000; // AL rounds to exactly 1 for every example, so log(1 - AL) = log(0) for the 0 labels.

        ReadOnlySpan<double> al = network.Forward(x);
        double cost = network.ComputeCost(y);

        Assert.Equal(1.0, al[0]);
        Assert.False(double.IsFinite(BehaviourNetwork.ComputeCost(al, y))); // the course's literal formula: 0 * log(0) is NaN
        Assert.True(double.IsFinite(cost));
        Assert.InRange(cost, 100, 1001); // about 1000 for every example labelled 0
    }

    [Fact]
    public void Diverging_at_iteration_1_restores_the_initial_parameters()
    {
        (double[] x, double[] y) = Data(Examples);
        var network = Initialised();
        double[] initial = network.Parameters.ToArray();

        var error = Assert.Throws<ArithmeticException>(() => network.Train(x, y, 100, 1e300, cancellationToken: TestContext.Current.CancellationToken));

        // 1e300 times a gradient makes weights so large that iteration 1's forward pass overflows.
        Assert.StartsWith("Iteration 1: the forward pass overflowed in layer ", error.Message, StringComparison.Ordinal);
        Assert.IsType<LayerOverflowException>(error.InnerException);
        Assert.Contains("The parameters are restored to those of iteration 0, whose cost was ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Try a smaller learning rate than 1E+300.", error.Message, StringComparison.Ordinal);
        Assert.Equal(initial, network.Parameters.ToArray());
    }

    [Fact]
    public void Diverging_later_leaves_the_parameters_of_the_last_iteration_whose_cost_was_finite()
    {
        (double[] x, double[] y) = Data(Examples);
        var network = Initialised();
        var records = new List<TrainingRecord>();

        // Large enough to blow up, small enough to take more than one iteration: iteration 1's cost is about 1.6e146.
        var error = Assert.Throws<ArithmeticException>(() => network.Train(x, y, 1000, 1e50, records.Add, TestContext.Current.CancellationToken));

        int lastFinite = records[^1].Iteration;
        Assert.True(lastFinite >= 1, $"diverged at iteration {lastFinite + 1}; the test needs a later one");
        Assert.StartsWith($"Iteration {lastFinite + 1}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"restored to those of iteration {lastFinite}, whose cost was ", error.Message, StringComparison.Ordinal);

        // Those are the parameters after lastFinite updates, whose cost is the one recorded for that iteration.
        var reference = Initialised();
        reference.Train(x, y, lastFinite, 1e50, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(reference.Parameters.ToArray(), network.Parameters.ToArray());
        network.Forward(x);
        Assert.Equal(records[^1].Cost, network.ComputeCost(y));
        Assert.True(Divergence.AllFinite<double>(network.Parameters));
    }

    [Fact]
    public void An_update_that_overflows_is_undone()
    {
        (double[] x, double[] y) = Data(Examples);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] *= 1e6; // the largest gradient is about 1.2e5: times 1e305 it overflows, while the cost stays finite
        }

        var network = Initialised();
        double[] before = network.Parameters.ToArray();

        var error = Assert.Throws<ArithmeticException>(() => network.TrainStep(x, y, 1e305));

        Assert.StartsWith("The update made a parameter NaN or infinite, so training diverged. The parameters are restored to those before this step", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, network.Parameters.ToArray());
    }

    private static BehaviourNetwork Initialised()
    {
        var network = new BehaviourNetwork();
        network.InitializeParameters(seed: 3);
        return network;
    }

    private static (double[] X, double[] Y) Data(int examples) => RuntimeBehaviourTests.Data(examples);
}
