namespace DnnGen.Course.Tests;

/// <summary>A network with a kernel layer and straight-line layers, for behaviour that does not depend on the data.</summary>
[Network(40, 12, 6, 1)]
public partial class BehaviourNetwork;

/// <summary>A float network of the same shape, trained beside the double one.</summary>
[Network(40, 12, 6, 1, Precision = Precision.Single)]
public partial class BehaviourNetworkSingle;

/// <summary>300 hidden units: Predict's per-call buffers are rented rather than on the stack.</summary>
[Network(30, 300, 1)]
public partial class WidePredictNetwork;

/// <summary>What the generated members promise beyond the course's numbers: no allocation, thread-safe inference, clear errors.</summary>
public class RuntimeBehaviourTests
{
    private const int Examples = 50;

    [Fact]
    public void A_training_iteration_allocates_nothing_once_the_workspace_exists()
    {
        (double[] x, double[] y) = Data(Examples);
        var network = new BehaviourNetwork();
        network.InitializeParameters(seed: 3);
        network.TrainStep(x, y, 0.05); // sizes the workspace

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            network.TrainStep(x, y, 0.05);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Predict_from_eight_threads_matches_a_single_thread()
    {
        (double[] x, double[] y) = Data(Examples);
        AssertInferenceIsThreadSafe(new BehaviourNetwork(), x, y);
    }

    [Fact]
    public void Predict_of_a_float_network_from_eight_threads_matches_a_single_thread()
    {
        (double[] x, double[] y) = Data(Examples);
        AssertInferenceIsThreadSafe(new BehaviourNetworkSingle(), Array.ConvertAll(x, v => (float)v), Array.ConvertAll(y, v => (float)v));
    }

    [Fact]
    public void Predict_with_rented_buffers_from_eight_threads_matches_a_single_thread()
    {
        // 200 examples in chunks of 64, with buffers of 2 x 64 x 300 doubles: too large for the stack, so each call rents.
        var random = new NumPyRandom(5);
        var x = new double[200 * WidePredictNetwork.InputSize];
        random.FillStandardNormal(x);
        var y = new double[200];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = x[i * WidePredictNetwork.InputSize] > 0 ? 1 : 0;
        }

        AssertInferenceIsThreadSafe(new WidePredictNetwork(), x, y);
    }

    [Fact]
    public void Fused_Predict_of_a_straight_line_network_from_eight_threads_matches_a_single_thread()
    {
        // (2, 8, 8, 1): every layer is straight-line code, so Predict is the fused loop with its parameters in locals.
        var random = new NumPyRandom(6);
        var x = new double[300 * FusedTwoHidden.InputSize];
        random.FillStandardNormal(x);
        var y = new double[300];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0;
        }

        AssertInferenceIsThreadSafe(new FusedTwoHidden(), x, y);
    }

    /// <summary>
    /// Trains briefly, then runs Predict, PredictLabels and Accuracy on eight threads at once, released together by a
    /// barrier, 100 times each, and compares every result with the single-threaded one bit for bit.
    /// </summary>
    private static void AssertInferenceIsThreadSafe<T>(IBinaryClassifier<T> network, T[] x, T[] y)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        network.InitializeParameters(new NumPyRandom(3), Initialization.NormalOverSqrtFanIn);
        network.Train(x, y, 50, 0.05, cancellationToken: TestContext.Current.CancellationToken);
        var expected = new T[y.Length];
        var expectedLabels = new T[y.Length];
        network.Predict(x, expected);
        network.PredictLabels(x, expectedLabels);
        double expectedAccuracy = network.Accuracy(x, y);

        const int Threads = 8;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var start = new System.Threading.Barrier(Threads);
        var threads = new System.Threading.Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int thread = t;
            threads[t] = new System.Threading.Thread(() =>
            {
                var probabilities = new T[y.Length];
                var labels = new T[y.Length];
                start.SignalAndWait();
                for (int repeat = 0; repeat < 100; repeat++)
                {
                    network.Predict(x, probabilities);
                    network.PredictLabels(x, labels);
                    double accuracy = network.Accuracy(x, y);
                    if (!probabilities.AsSpan().SequenceEqual(expected) || !labels.AsSpan().SequenceEqual(expectedLabels) || accuracy != expectedAccuracy)
                    {
                        failures.Add($"thread {thread}, repeat {repeat}");
                        return;
                    }
                }
            });
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void Training_is_deterministic_and_float_follows_double()
    {
        (double[] x, double[] y) = Data(Examples);
        var first = new BehaviourNetwork();
        var second = new BehaviourNetwork();
        var single = new BehaviourNetworkSingle();
        first.InitializeParameters(seed: 3);
        second.InitializeParameters(seed: 3);
        single.InitializeParameters(seed: 3);

        var token = TestContext.Current.CancellationToken;
        var costs = first.Train(x, y, 300, 0.05, cancellationToken: token);
        var again = second.Train(x, y, 300, 0.05, cancellationToken: token);
        var singleCosts = single.Train(Array.ConvertAll(x, v => (float)v), Array.ConvertAll(y, v => (float)v), 300, 0.05, cancellationToken: token);

        Assert.Equal(costs, again);
        Assert.True(costs[^1].Cost < costs[0].Cost * 0.9, $"the cost fell from {costs[0].Cost} to {costs[^1].Cost}");
        for (int i = 0; i < costs.Count; i++)
        {
            Assert.Equal(costs[i].Cost, singleCosts[i].Cost, 1e-4);
        }
    }

    [Fact]
    public void Bad_shapes_and_values_are_rejected_with_the_argument_named()
    {
        var network = new BehaviourNetwork();
        var x = new double[2 * BehaviourNetwork.InputSize];

        var notAMultiple = Assert.Throws<ArgumentException>(() => network.Forward(new double[BehaviourNetwork.InputSize + 1]));
        Assert.Equal("x", notAMultiple.ParamName);
        Assert.Contains("positive multiple of 40", notAMultiple.Message);
        Assert.Contains("holds 41", notAMultiple.Message);

        var wrongLabels = Assert.Throws<ArgumentException>(() => network.TrainStep(x, new double[3], 0.1));
        Assert.Equal("y", wrongLabels.ParamName);
        Assert.Contains("Expected 2 elements", wrongLabels.Message);

        var rate = Assert.Throws<ArgumentOutOfRangeException>(() => network.TrainStep(x, new double[2], 0));
        Assert.Equal("learningRate", rate.ParamName);

        var iterations = Assert.Throws<ArgumentOutOfRangeException>(() => network.Train(x, new double[2], -1, 0.1, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("iterations", iterations.ParamName);

        Assert.Throws<InvalidOperationException>(() => network.Backward(x, new double[2]));

        var weights = Assert.Throws<ArgumentException>(() => BehaviourNetwork.Layer3LinearForward(new double[6], new double[5], new double[1], new double[1]));
        Assert.Equal("w", weights.ParamName);
        Assert.Contains("W3 (1, 6)", weights.Message);
    }

    [Fact]
    public void A_diverging_run_stops_with_the_iteration_named()
    {
        (double[] x, double[] y) = Data(Examples);
        var network = new BehaviourNetwork();
        network.InitializeParameters(seed: 3);

        var error = Assert.Throws<ArithmeticException>(() => network.Train(x, y, 100, 1e300, cancellationToken: TestContext.Current.CancellationToken));

        Assert.StartsWith("Iteration ", error.Message);
        Assert.Contains("smaller learning rate", error.Message);
    }

    internal static (double[] X, double[] Y) Data(int examples)
    {
        var random = new NumPyRandom(11);
        var x = new double[examples * BehaviourNetwork.InputSize];
        random.FillStandardNormal(x);
        var y = new double[examples];
        for (int i = 0; i < examples; i++)
        {
            // A learnable rule: the label is the sign of the sum of the first three inputs.
            y[i] = x[i * BehaviourNetwork.InputSize] + x[i * BehaviourNetwork.InputSize + 1] + x[i * BehaviourNetwork.InputSize + 2] > 0 ? 1 : 0;
        }

        return (x, y);
    }
}
