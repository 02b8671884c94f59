using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Threading;
using CatClassifier;
using DnnGen.Kernels;

namespace DnnGen.Course.Tests;

/// <summary>
/// Layer 1 trained in the span of the data (<see cref="DataSpan"/>) against the direct path, W1 updated every
/// iteration: the course's 2500-iteration application on the real data, and the rules of reading, writing, diverging
/// and cancelling while a Train runs. They change <see cref="DataSpan.Mode"/>, so they run alone.
/// </summary>
[Collection(nameof(WholeProcessCollection))]
public class DataSpanTrainingTests
{
    private const double Tolerance = 1e-9;

    // The costs and rates a divergence message quotes, such as 4.7886291238785674E+306 or 400.
    private static readonly Regex Numbers = new(@"-?\d+\.\d+(E[+-]\d+)?", RegexOptions.CultureInvariant);

    [Fact]
    public void The_course_application_trains_in_the_span_to_the_direct_paths_numbers()
    {
        string directory = global::DnnGen.Tests.Shared.CourseData.FindOrSkip();
        CatDataset data = CatDataset.Load(directory);
        double[] trainX = data.Train.ScaledPixels();
        double[] trainY = data.Train.LabelsAsDouble();
        double[] testX = data.Test.ScaledPixels();
        double[] testY = data.Test.LabelsAsDouble();
        Assert.True(DataSpan.Pays(CourseCatNetwork.InputSize, CourseCatNetwork.Layer1Size, data.Train.Count, 2500));

        (CourseCatNetwork direct, List<double> directCosts, _) = TrainCat(DataSpanTraining.Never, trainX, trainY);
        (CourseCatNetwork span, List<double> spanCosts, bool wasInSpan) = TrainCat(DataSpanTraining.Automatic, trainX, trainY);
        (CourseCatNetwork again, List<double> againCosts, _) = TrainCat(DataSpanTraining.Automatic, trainX, trainY);

        Assert.True(wasInSpan, "the automatic rule should train the course's application in the span of the data");
        Assert.Equal(2500, spanCosts.Count);
        for (int i = 0; i < directCosts.Count; i++)
        {
            AssertClose(directCosts[i], spanCosts[i], $"the cost of iteration {i}");
        }

        AssertParametersClose(direct, span);
        Assert.Equal(direct.Accuracy(trainX, trainY), span.Accuracy(trainX, trainY));
        Assert.Equal(direct.Accuracy(testX, testY), span.Accuracy(testX, testY));
        Assert.Equal(0.8, span.Accuracy(testX, testY), 1e-12);

        // Deterministic: a second run gives the same bits.
        Assert.Equal(spanCosts, againCosts);
        Assert.Equal(span.Parameters.ToArray(), again.Parameters.ToArray());
        Assert.Equal(span.Gradients.ToArray(), again.Gradients.ToArray());
    }

    [Fact]
    public void An_iteration_in_the_span_allocates_nothing()
    {
        (double[] x, double[] y) = Data();
        var network = new ThreadedNetwork();
        network.InitializeParameters(seed: 3);
        long at10 = 0, at50 = 0;
        WithMode(DataSpanTraining.Always, () => network.Train(x, y, 60, 0.05, record =>
        {
            if (record.Iteration == 10)
            {
                at10 = GC.GetAllocatedBytesForCurrentThread();
            }
            else if (record.Iteration == 50)
            {
                at50 = GC.GetAllocatedBytesForCurrentThread();
            }
        }, TestContext.Current.CancellationToken));
        Assert.True(at10 > 0, "the callback ran at iteration 10");
        Assert.Equal(0, at50 - at10);
    }

    [Fact]
    public void A_float32_network_trains_directly()
    {
        // float32 loses too much in G's long sums (the application's costs drifted 17% from the direct path's): the generator
        // gives a float network no span path at all.
        Assert.Null(typeof(CourseCatNetworkSingle).GetField("_dataSpan", BindingFlags.NonPublic | BindingFlags.Instance));
        Assert.NotNull(typeof(CourseCatNetwork).GetField("_dataSpan", BindingFlags.NonPublic | BindingFlags.Instance));
    }

    [Fact]
    public void Parameters_read_and_written_from_the_progress_callback_are_those_of_the_direct_path()
    {
        (double[] x, double[] y) = Data();
        (double[] directSeen, double[] directEnd) = TrainWithCallback(DataSpanTraining.Never, x, y);
        (double[] spanSeen, double[] spanEnd) = TrainWithCallback(DataSpanTraining.Always, x, y);

        Assert.Equal(directSeen.Length, spanSeen.Length);
        for (int i = 0; i < directSeen.Length; i++)
        {
            AssertClose(directSeen[i], spanSeen[i], $"value {i} the callback saw");
        }

        AssertClose(directEnd, spanEnd, "the parameters at the end");
    }

    [Fact]
    public void A_diverging_training_restores_the_last_finite_parameters_as_the_direct_path_does()
    {
        (double[] x, double[] y) = Data();
        (string directMessage, double[] directParameters) = Diverge(DataSpanTraining.Never, x, y);
        (string spanMessage, double[] spanParameters) = Diverge(DataSpanTraining.Always, x, y);

        // The same message, the iteration and the rollback in words; its costs agree to rounding.
        Assert.Equal(Numbers.Replace(directMessage, "#"), Numbers.Replace(spanMessage, "#"));
        double[] directNumbers = Numbers.Matches(directMessage).Select(match => double.Parse(match.Value, CultureInfo.InvariantCulture)).ToArray();
        double[] spanNumbers = Numbers.Matches(spanMessage).Select(match => double.Parse(match.Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.NotEmpty(directNumbers);
        for (int i = 0; i < directNumbers.Length; i++)
        {
            AssertClose(directNumbers[i], spanNumbers[i], $"number {i} of the message {spanMessage}");
        }

        AssertClose(directParameters, spanParameters, "the parameters restored");
    }

    [Fact]
    public void A_cancelled_training_leaves_the_parameters_of_its_last_iteration()
    {
        (double[] x, double[] y) = Data();
        double[] direct = Cancel(DataSpanTraining.Never, x, y);
        double[] span = Cancel(DataSpanTraining.Always, x, y);
        AssertClose(direct, span, "the parameters after 40 iterations");
    }

    [Fact]
    public void The_mode_rejects_a_value_outside_the_enum()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => DataSpan.Mode = (DataSpanTraining)7);
        Assert.Equal("value", exception.ParamName);
        Assert.Equal(DataSpanTraining.Automatic, DataSpan.Mode);
    }

    private static (CourseCatNetwork Network, List<double> Costs, bool WasInSpan) TrainCat(DataSpanTraining mode, double[] x, double[] y)
    {
        var network = new CourseCatNetwork();
        network.InitializeParameters(seed: 1, Initialization.NormalOverSqrtFanIn);
        var costs = new List<double>();
        bool wasInSpan = false;
        WithMode(mode, () => network.Train(x, y, 2500, 0.0075, record =>
        {
            costs.Add(record.Cost);
            wasInSpan |= InSpan(network);
        }, TestContext.Current.CancellationToken));
        return (network, costs, wasInSpan);
    }

    // Reads the weights, the gradients and an accuracy every 10 iterations, and writes a weight of W1 at iteration 15.
    private static (double[] Seen, double[] End) TrainWithCallback(DataSpanTraining mode, double[] x, double[] y)
    {
        var network = new ThreadedNetwork();
        network.InitializeParameters(seed: 3);
        var seen = new List<double>();
        WithMode(mode, () => network.Train(x, y, 60, 0.05, record =>
        {
            if (record.Iteration % 10 == 9)
            {
                seen.AddRange(network.W1.Slice(0, 64).ToArray());
                seen.AddRange(network.dW1.Slice(100, 64).ToArray());
                seen.Add(network.Predict(x.AsSpan(0, ThreadedNetwork.InputSize)));
                seen.Add(network.Accuracy(x, y));
                Assert.Equal(mode != DataSpanTraining.Never, InSpan(network));
            }

            if (record.Iteration == 15)
            {
                network.W1[5] += 0.25;
                network.Parameters[7] -= 0.125;
            }
        }, TestContext.Current.CancellationToken));
        Assert.False(InSpan(network));
        return (seen.ToArray(), [.. network.Parameters.ToArray(), .. network.Gradients.ToArray()]);
    }

    private static (string Message, double[] Parameters) Diverge(DataSpanTraining mode, double[] x, double[] y)
    {
        var network = new ThreadedNetwork();
        network.InitializeParameters(seed: 3);
        var exception = Assert.ThrowsAny<ArithmeticException>(() => WithMode(mode, () => network.Train(x, y, 400, 400.0, cancellationToken: TestContext.Current.CancellationToken)));
        return (exception.Message, network.Parameters.ToArray());
    }

    private static double[] Cancel(DataSpanTraining mode, double[] x, double[] y)
    {
        var network = new ThreadedNetwork();
        network.InitializeParameters(seed: 3);
        using var cancellation = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => WithMode(mode, () => network.Train(x, y, 100, 0.05, record =>
        {
            if (record.Iteration == 39)
            {
                cancellation.Cancel();
            }
        }, cancellation.Token)));
        return [.. network.Parameters.ToArray(), .. network.Gradients.ToArray()];
    }

    private static void WithMode(DataSpanTraining mode, Action action)
    {
        DataSpanTraining saved = DataSpan.Mode;
        try
        {
            DataSpan.Mode = mode;
            action();
        }
        finally
        {
            DataSpan.Mode = saved;
        }
    }

    // Whether the network's Train is running in the span of the data now: the generated field's DataSpanTrainer says so.
    private static bool InSpan(object network)
    {
        object? trainer = network.GetType().GetField("_dataSpan", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(network);
        return trainer is DataSpanTrainer<double> { Active: true };
    }

    private static void AssertParametersClose(CourseCatNetwork direct, CourseCatNetwork span)
    {
        AssertClose(direct.W1.ToArray(), span.W1.ToArray(), "W1");
        AssertClose(direct.b1.ToArray(), span.b1.ToArray(), "b1");
        AssertClose(direct.W2.ToArray(), span.W2.ToArray(), "W2");
        AssertClose(direct.W4.ToArray(), span.W4.ToArray(), "W4");
        AssertClose(direct.Parameters.ToArray(), span.Parameters.ToArray(), "the parameters");
        AssertClose(direct.Gradients.ToArray(), span.Gradients.ToArray(), "the gradients");
    }

    // Relative to the array's largest magnitude: an element near zero is compared at the scale of its neighbours.
    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0, worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        }

        Assert.True(worst <= Tolerance * scale, $"{what}: largest difference {worst:R} at a scale of {scale:R}, {worst / scale:R} relative");
    }

    private static void AssertClose(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Abs(expected), $"{what}: {actual:R}, expected {expected:R}");

    // 32 examples of ThreadedNetwork's 2048 inputs, labelled by the sign of a sum of inputs: learnable, and m < n[0] / 2.
    private static (double[] X, double[] Y) Data()
    {
        var random = new NumPyRandom(21);
        var x = new double[32 * ThreadedNetwork.InputSize];
        random.FillStandardNormal(x);
        var y = new double[32];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = x[i * ThreadedNetwork.InputSize] + x[(i * ThreadedNetwork.InputSize) + 1] > 0 ? 1 : 0;
        }

        return (x, y);
    }
}

/// <summary>The course's cat network in float32.</summary>
[Network(12288, 20, 7, 5, 1, Precision = Precision.Single)]
public partial class CourseCatNetworkSingle;
