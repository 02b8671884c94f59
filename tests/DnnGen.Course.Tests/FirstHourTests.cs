using System.Collections.Generic;
using System.IO;
using System.Threading;
using CatClassifier;

namespace DnnGen.Course.Tests;

/// <summary>A network with a constructor of its own: the generated initialisation must run in it too.</summary>
[Network(4, 3, 1, Initialization = Initialization.ScaledNormal)]
public partial class OwnConstructorNetwork
{
    public OwnConstructorNetwork(string name) => Name = name;

    public string Name { get; }
}

/// <summary>What a new user meets in the first hour: a new network, progress, one-example prediction, and the errors.</summary>
public class FirstHourTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    // ---- A new network is initialised ----

    [Fact]
    public void A_new_network_has_the_parameters_of_InitializeParameters_seed_1_bit_for_bit()
    {
        AssertInitialised(new BehaviourNetwork(), new BehaviourNetwork());
        AssertInitialised(new BehaviourNetworkSingle(), new BehaviourNetworkSingle());
        AssertInitialised(new Deep543(), new Deep543()); // ScaledNormal, the attribute's choice
        AssertInitialised(new FusedPlanar(), new FusedPlanar());
        Assert.Contains(new BehaviourNetwork().W1.ToArray(), w => w != 0);
    }

    [Fact]
    public void A_network_with_its_own_constructor_is_initialised_too()
    {
        var network = new OwnConstructorNetwork("mine");

        Assert.Equal("mine", network.Name);
        AssertInitialised(network, new OwnConstructorNetwork("reference"));
    }

    private static void AssertInitialised<T>(INetwork<T> fresh, INetwork<T> reference)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        // The reference is drawn again explicitly, after its own construction drew it once.
        reference.Parameters.Fill(T.Zero);
        reference.InitializeParameters(new NumPyRandom(1), DefaultInitialization(reference));
        Assert.True(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes((ReadOnlySpan<T>)fresh.Parameters).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes((ReadOnlySpan<T>)reference.Parameters)),
            $"{fresh.GetType().Name}'s parameters are not those of InitializeParameters(seed: 1).");
    }

    private static Initialization DefaultInitialization<T>(INetwork<T> network)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        => network is Deep543 or OwnConstructorNetwork ? Initialization.ScaledNormal : Initialization.NormalOverSqrtFanIn;

    [Fact]
    public void A_new_cat_network_trains_to_the_course_costs_without_InitializeParameters()
    {
        string directory = global::DnnGen.Tests.Shared.CourseData.FindOrSkip();
        CatDataset data = CatDataset.Load(directory);

        var network = new CourseCatNetwork();
        IReadOnlyList<TrainingRecord> history = network.Train(data.Train.ScaledPixels(), data.Train.LabelsAsDouble(), iterations: 101, learningRate: 0.0075, cancellationToken: Token);

        // The course's "Cost after iteration 0: 0.771749" and "Cost after iteration 100: 0.672053".
        Assert.Equal(0.771749, history[0].Cost, 5e-7);
        Assert.Equal(100, history[1].Iteration);
        Assert.Equal(0.672053, history[1].Cost, 5e-7);
    }

    // ---- Progress ----

    private sealed class RecordingProgress : IProgress<TrainingRecord>
    {
        public List<(TrainingRecord Record, int Thread)> Reports { get; } = [];

        public void Report(TrainingRecord value) => Reports.Add((value, Environment.CurrentManagedThreadId));
    }

    [Fact]
    public void Train_reports_every_iteration_to_an_IProgress_on_the_training_thread()
    {
        (double[] x, double[] y) = RuntimeBehaviourTests.Data(20);
        var network = new BehaviourNetwork();
        var progress = new RecordingProgress();

        IReadOnlyList<TrainingRecord> history = network.Train(x, y, 5, 0.05, progress, Token);

        Assert.Equal([0, 1, 2, 3, 4], progress.Reports.ConvertAll(report => report.Record.Iteration));
        Assert.All(progress.Reports, report => Assert.Equal(Environment.CurrentManagedThreadId, report.Thread));
        Assert.Equal(history[^1], progress.Reports[^1].Record);

        // Through the interface too.
        IBinaryClassifier<double> general = new BehaviourNetwork();
        var again = new RecordingProgress();
        general.Train(x, y, 5, 0.05, again, Token);
        Assert.Equal(progress.Reports.ConvertAll(r => r.Record), again.Reports.ConvertAll(r => r.Record));
    }

    [Fact]
    public void A_lambda_a_method_group_null_and_default_all_still_work_as_progress()
    {
        (double[] x, double[] y) = RuntimeBehaviourTests.Data(20);
        var lambda = new List<TrainingRecord>();
        var group = new List<TrainingRecord>();

        new BehaviourNetwork().Train(x, y, 3, 0.05, r => lambda.Add(r), Token);
        new BehaviourNetwork().Train(x, y, 3, 0.05, progress: r => { lambda.Add(r); }, cancellationToken: Token);
        new BehaviourNetwork().Train(x, y, 3, 0.05, group.Add, Token);
        IBinaryClassifier<double> general = new BehaviourNetwork();
        general.Train(x, y, 3, 0.05, progress: r => group.Add(r), cancellationToken: Token);

        // Neither null nor default is ambiguous: they go to the network's own IProgress overload.
        IReadOnlyList<TrainingRecord> withNull = new BehaviourNetwork().Train(x, y, 3, 0.05, null, Token);
        IReadOnlyList<TrainingRecord> withDefault = new BehaviourNetwork().Train(x, y, 3, 0.05, progress: default, cancellationToken: Token);
        IReadOnlyList<TrainingRecord> without = new BehaviourNetwork().Train(x, y, 3, 0.05, cancellationToken: Token);

        Assert.Equal(6, lambda.Count);
        Assert.Equal(6, group.Count);
        Assert.Equal(without, withNull);
        Assert.Equal(without, withDefault);
        Assert.Equal(without[^1], lambda[2]);
        Assert.Throws<ArgumentNullException>(() => new BehaviourNetwork().Train(x, y, 3, 0.05, (Action<TrainingRecord>)null!, Token));
    }

    [Fact]
    public void Train_with_a_huge_iteration_count_does_not_allocate_its_history_up_front()
    {
        (double[] x, double[] y) = RuntimeBehaviourTests.Data(20);
        var network = new BehaviourNetwork();
        network.TrainStep(x, y, 0.05); // sizes the workspace and the snapshot
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var progress = new StopAfter(3, stop);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<OperationCanceledException>(() => network.Train(x, y, int.MaxValue, 0.05, progress, stop.Token));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 256 * 1024, $"Train(int.MaxValue) allocated {allocated} bytes before its first iterations.");
    }

    private sealed class StopAfter(int iterations, CancellationTokenSource source) : IProgress<TrainingRecord>
    {
        public void Report(TrainingRecord value)
        {
            if (value.Iteration + 1 == iterations)
            {
                source.Cancel();
            }
        }
    }

    // ---- One-example Predict ----

    [Fact]
    public void Predict_of_one_example_is_the_batch_Predict_bit_for_bit()
    {
        (double[] x, double[] y) = RuntimeBehaviourTests.Data(30);
        var layered = new BehaviourNetwork();
        layered.Train(x, y, 20, 0.05, cancellationToken: Token);
        AssertOneExampleMatches(layered, x, BehaviourNetwork.InputSize, e => layered.Predict(e));

        var single = new BehaviourNetworkSingle();
        float[] xs = Array.ConvertAll(x, v => (float)v);
        AssertOneExampleMatches(single, xs, BehaviourNetworkSingle.InputSize, e => single.Predict(e));

        var fused = new FusedTwoHidden();
        double[] planar = new double[40 * FusedTwoHidden.InputSize];
        new NumPyRandom(4).FillStandardNormal(planar);
        AssertOneExampleMatches(fused, planar, FusedTwoHidden.InputSize, e => fused.Predict(e));
    }

    private static void AssertOneExampleMatches<T>(INetwork<T> network, T[] x, int inputSize, Func<T[], T> predictOne)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int m = x.Length / inputSize;
        var batch = new T[m];
        network.Predict(x, batch);
        for (int i = 0; i < m; i++)
        {
            T one = predictOne(x.AsSpan(i * inputSize, inputSize).ToArray());
            Assert.True(System.Collections.Generic.EqualityComparer<T>.Default.Equals(one, batch[i]) && BitConverter.DoubleToInt64Bits(double.CreateChecked(one)) == BitConverter.DoubleToInt64Bits(double.CreateChecked(batch[i])), $"example {i}: {one} against the batch's {batch[i]}");
        }
    }

    [Fact]
    public void Predict_of_one_example_allocates_nothing_when_there_is_one_output()
    {
        var layered = new BehaviourNetwork();
        var fused = new FusedPlanar();
        double[] example = new double[BehaviourNetwork.InputSize];
        double[] planar = [0.3, -0.7];
        layered.Predict(example);
        fused.Predict(planar);

        long before = GC.GetAllocatedBytesForCurrentThread();
        double sum = 0;
        for (int i = 0; i < 100; i++)
        {
            sum += layered.Predict(example) + fused.Predict(planar);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sum > 0);
    }

    [Fact]
    public void Predict_of_one_example_with_several_outputs_returns_them_in_a_new_array()
    {
        var network = new FusedTwoOutputs();
        double[] x = [0.5, -1.5, 2.0, 0.25, 0.75, -0.5];
        var batch = new double[4];
        network.Predict(x, batch);

        double[] first = network.Predict(x.AsSpan(0, 3));
        double[] second = network.Predict(x.AsSpan(3, 3));

        Assert.Equal(batch, (double[])[.. first, .. second]);
        Assert.NotSame(first, network.Predict(x.AsSpan(0, 3)));
    }

    [Fact]
    public void Predict_of_one_example_checks_its_length_and_values()
    {
        var network = new FusedPlanar();

        var length = Assert.Throws<ArgumentException>(() => network.Predict(new double[4]));
        Assert.Equal("x", length.ParamName);
        Assert.StartsWith("Expected 2 elements (one example: InputSize values), but the span holds 4.", length.Message, StringComparison.Ordinal);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => network.Predict(ReadOnlySpan<double>.Empty)).ParamName);

        var nan = Assert.Throws<ArgumentException>(() => network.Predict([0.5, double.NaN]));
        Assert.Equal("x", nan.ParamName);
        Assert.StartsWith("Expected finite values, but x[1] (example 0, value 1) is NaN.", nan.Message, StringComparison.Ordinal);

        var layered = Assert.Throws<ArgumentException>(() => new BehaviourNetwork().Predict(new double[BehaviourNetwork.InputSize - 1]));
        Assert.Equal("x", layered.ParamName);
    }

    // ---- Overflow ----

    public static TheoryData<string, Action<IBinaryClassifier<double>, double[], double[]>> OverflowTakers => new()
    {
        { "Forward", (network, x, y) => network.Forward(x) },
        { "Predict", (network, x, y) => network.Predict(x, new double[y.Length]) },
        { "PredictLabels", (network, x, y) => network.PredictLabels(x, new double[y.Length]) },
        { "TrainStep", (network, x, y) => network.TrainStep(x, y, 0.1) },
        { "Train", (network, x, y) => network.Train(x, y, 5, 0.1, cancellationToken: TestContext.Current.CancellationToken) },
    };

    [Theory]
    [MemberData(nameof(OverflowTakers))]
    public void Huge_finite_inputs_are_reported_as_an_overflow_of_layer_1(string method, Action<IBinaryClassifier<double>, double[], double[]> call)
    {
        foreach (IBinaryClassifier<double> network in new IBinaryClassifier<double>[] { new BehaviourNetwork(), new FusedPlanar() })
        {
            // Two inputs of example 2 at -double.MaxValue, and weights of 1 on both in W1's first row: each product is
            // finite, their sum is not. Nothing about the parameters is unusual.
            int n0 = network.LayerSizes[0];
            double[] x = new double[4 * n0];
            new NumPyRandom(2).FillStandardNormal(x);
            x[2 * n0] = -double.MaxValue;
            x[(2 * n0) + 1] = -double.MaxValue;
            network.Parameters[0] = 1;
            network.Parameters[1] = 1;
            double[] y = [1, 0, 1, 0];
            double[] before = network.Parameters.ToArray();

            var error = Assert.Throws<LayerOverflowException>(() => call(network, x, y));

            Assert.Equal("x", error.ParamName);
            Assert.Equal(1, error.Layer);
            Assert.Equal(2, error.Example);
            Assert.StartsWith("Layer 1's pre-activation overflowed: Z1[", error.Message, StringComparison.Ordinal);
            Assert.Contains("of example 2 of x is ", error.Message, StringComparison.Ordinal);
            Assert.Contains("The inputs are too large for Double", error.Message, StringComparison.Ordinal);
            Assert.Contains("Scale them", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Expected finite values", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("learning rate", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, network.Parameters.ToArray());

            // The whole example at -double.MaxValue, with the parameters as they come: whichever layer overflows first,
            // the exception says so and names the example; it never blames the learning rate.
            network.InitializeParameters(new NumPyRandom(1), Initialization.NormalOverSqrtFanIn);
            x.AsSpan(2 * n0, n0).Fill(-double.MaxValue);
            var anyLayer = Assert.Throws<LayerOverflowException>(() => call(network, x, y));
            Assert.Equal(2, anyLayer.Example);
            Assert.Contains($"Layer {anyLayer.Layer}'s pre-activation overflowed", anyLayer.Message, StringComparison.Ordinal);
            _ = method;
        }
    }

    [Fact]
    public void A_huge_weight_loaded_from_a_file_is_reported_as_an_overflow_of_its_layer()
    {
        (double[] x, double[] y) = RuntimeBehaviourTests.Data(10);
        var source = new BehaviourNetwork();
        source.W2[..12].Fill(double.MaxValue); // W2's first row: Z2[0] overflows once A1's values add up to more than 1
        using var file = new MemoryStream();
        source.SaveNpz(file);
        file.Position = 0;
        var network = new BehaviourNetwork();
        network.LoadNpz(file);

        var forward = Assert.Throws<LayerOverflowException>(() => network.Forward(x));
        var predict = Assert.Throws<LayerOverflowException>(() => network.Predict(x, new double[10]));

        Assert.Equal(2, forward.Layer);
        Assert.Equal(forward.Message, predict.Message);
        Assert.StartsWith("Layer 2's pre-activation overflowed: Z2[", forward.Message, StringComparison.Ordinal);
        Assert.Contains("the largest |W2| is 1.7976931348623157E+308", forward.Message, StringComparison.Ordinal);

        // The fused Predict's layers too.
        var fused = new FusedTwoHidden();
        fused.W2[..8].Fill(double.MaxValue);
        double[] planar = [3, 3, -2, 4];
        var fusedError = Assert.Throws<LayerOverflowException>(() => fused.Predict(planar, new double[2]));
        Assert.Equal(Assert.Throws<LayerOverflowException>(() => fused.Forward(planar)).Message, fusedError.Message);
    }

    // ---- TrainStep's rollback across calls ----

    [Fact]
    public void A_diverging_loop_of_TrainStep_ends_with_the_last_parameters_whose_cost_was_finite()
    {
        (double[] x, double[] y) = RuntimeBehaviourTests.Data(50);
        var network = new BehaviourNetwork();
        double lastCost = double.NaN;
        ArithmeticException? error = null;
        for (int step = 0; step < 1000 && error is null; step++)
        {
            try
            {
                lastCost = network.TrainStep(x, y, 1e50);
            }
            catch (ArithmeticException e)
            {
                error = e;
            }
        }

        Assert.NotNull(error);
        Assert.True(double.IsFinite(lastCost), "the first step already diverged; the test needs a later one");

        // The parameters can be used again: their cost is the last finite cost TrainStep returned.
        network.Forward(x);
        Assert.Equal(lastCost, network.ComputeCost(y));
        Assert.Contains(
            $"restored to those before the last TrainStep's update, whose cost was {lastCost.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void TrainStep_never_rolls_back_over_parameters_set_since_the_last_step()
    {
        (double[] x, double[] y) = RuntimeBehaviourTests.Data(50);
        var network = new BehaviourNetwork();
        network.TrainStep(x, y, 0.05);
        network.W1[0] = 1e308;
        network.W1[1] = 1e308;
        double[] mine = network.Parameters.ToArray();

        var error = Assert.Throws<LayerOverflowException>(() => network.TrainStep(x, y, 0.05));

        Assert.Equal(1, error.Layer);
        Assert.Equal(mine, network.Parameters.ToArray());
    }

    // ---- No half-state after a call that throws ----

    [Fact]
    public void A_Backward_that_throws_leaves_no_gradients_for_UpdateParameters()
    {
        (double[] x, double[] y) = RuntimeBehaviourTests.Data(20);
        var network = new BehaviourNetwork();
        network.Forward(x);
        double[] bad = (double[])x.Clone();
        bad[7] = double.NaN;
        double[] before = network.Parameters.ToArray();

        Assert.Throws<ArgumentException>(() => network.Backward(bad, y));
        var refused = Assert.Throws<InvalidOperationException>(() => network.UpdateParameters(0.1));

        Assert.Contains("Call Backward(x, y)", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, network.Parameters.ToArray());

        // A Backward that completes makes them usable again.
        network.Backward(x, y);
        network.UpdateParameters(0.1);
        Assert.NotEqual(before, network.Parameters.ToArray());
    }

    [Fact]
    public void A_Forward_that_throws_leaves_no_caches_for_ComputeCost_or_Backward()
    {
        (double[] x, double[] y) = RuntimeBehaviourTests.Data(20);
        var network = new BehaviourNetwork();
        network.Forward(x);
        double[] bad = (double[])x.Clone();
        bad[45] = double.PositiveInfinity;

        Assert.Throws<ArgumentException>(() => network.Forward(bad));

        Assert.Contains("call Forward(x) first", Assert.Throws<InvalidOperationException>(() => network.ComputeCost(y)).Message, StringComparison.Ordinal);
        Assert.Contains("call Forward(x) first", Assert.Throws<InvalidOperationException>(() => network.Backward(x, y)).Message, StringComparison.Ordinal);
        Assert.True(network.A3.IsEmpty);
    }

    [Fact]
    public void PredictLabels_names_its_labels_argument()
    {
        var network = new BehaviourNetwork();

        var error = Assert.Throws<ArgumentException>(() => network.PredictLabels(new double[2 * BehaviourNetwork.InputSize], new double[3]));

        Assert.Equal("labels", error.ParamName);
        Assert.StartsWith("Expected 2 elements (OutputSize labels for each of the m examples in x), but the span holds 3.", error.Message, StringComparison.Ordinal);
    }
}
