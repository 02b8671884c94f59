using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Threading;
using DnnGen.Kernels;

namespace DnnGen.Runtime.Tests;

/// <summary>Three layers on 600 inputs with gradient descent: Train(x, y, options) may train layer 1 in the span of the data.</summary>
[Network(600, 6, 3, 1)]
public partial class SpanGradientDescentNetwork;

/// <summary>The same with momentum: W1 and v_dW1 both in the span.</summary>
[Network(600, 6, 3, 1, Optimizer = Optimizer.Momentum)]
public partial class SpanMomentumNetwork;

/// <summary>Logistic regression on 520 inputs with momentum: layer 1 is the output layer, nothing after b1.</summary>
[Network(520, 1, Optimizer = Optimizer.Momentum)]
public partial class SpanMomentumLogistic;

/// <summary>Adam: never in the span (its square root of the second moments is elementwise).</summary>
[Network(600, 6, 1, Optimizer = Optimizer.Adam)]
public partial class SpanAdamNetwork;

/// <summary>The tests that change <see cref="DataSpan.Mode"/>, a process-wide static: they run alone.</summary>
[CollectionDefinition(nameof(DataSpanModeCollection), DisableParallelization = true)]
public sealed class DataSpanModeCollection;

/// <summary>
/// Train(x, y, TrainingOptions) with layer 1 in the span of the data against the direct path
/// (<see cref="DataSpanTraining.Never"/>), on synthetic data with m = 40 examples of 600 inputs: costs of every
/// epoch, parameters, gradients, velocity and counts within 1e-9 relative, for gradient descent and momentum, with
/// and without L2 and learning-rate decay; which options take the span; divergence, cancellation, progress callbacks
/// that read and write, and allocation.
/// </summary>
[Collection(nameof(DataSpanModeCollection))]
public class DataSpanOptionsTests
{
    private const double Tolerance = 1e-9;
    private const int M = 40;

    // The costs and rates a divergence message quotes, such as 4.7886291238785674E+306 or 400.
    private static readonly Regex Numbers = new(@"-?\d+(\.\d+)?(E[+-]\d+)?", RegexOptions.CultureInvariant);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string, double, double, int> Cases()
    {
        var cases = new TheoryData<string, double, double, int>();
        foreach (string network in new[] { "GradientDescent", "Momentum", "Logistic" })
        {
            cases.Add(network, 0, 0, 0);
            cases.Add(network, 0.7, 0, 0);
            cases.Add(network, 0, 0.3, 0);
            cases.Add(network, 0.7, 0.3, 0);
        }

        // A mini-batch of at least m is one batch of all m (shuffled in the direct path: the same gradient).
        cases.Add("GradientDescent", 0.7, 0.3, M);
        cases.Add("Momentum", 0.7, 0.3, M + 7);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Train_with_options_in_the_span_gives_the_direct_paths_numbers(string kind, double l2, double decay, int miniBatch)
    {
        (double[] x, double[] y) = Data(kind == "Logistic" ? 520 : 600);
        var options = new TrainingOptions { LearningRate = 0.05, Epochs = 30, L2 = l2, DecayRate = decay, DecayInterval = 4, MiniBatchSize = miniBatch, RecordEvery = 1 };

        // Two calls: the second starts from the first's parameters and (under momentum) its velocity, not zero.
        Run direct = Train(kind, DataSpanTraining.Never, x, y, options, options with { Epochs = 35 });
        Run span = Train(kind, DataSpanTraining.Automatic, x, y, options, options with { Epochs = 35 });

        Assert.False(direct.InSpan);
        Assert.True(span.InSpan, "the automatic rule should train 30 full-batch epochs of 40 examples of 600 inputs in the span");
        Assert.Equal(direct.Costs.Count, span.Costs.Count);
        Assert.Equal(65, span.Costs.Count);
        for (int i = 0; i < direct.Costs.Count; i++)
        {
            AssertClose(direct.Costs[i], span.Costs[i], $"the cost of epoch {i}");
        }

        direct.State.AssertClose(span.State);
        Assert.Equal(65, span.State.CompletedEpochs);
        Assert.Equal(65, span.State.UpdateCount);
    }

    [Fact]
    public void The_span_is_taken_only_when_the_rule_says_it_pays()
    {
        (double[] x, double[] y) = Data(600);

        // 30 epochs pay for G and the explicit products; 3 do not.
        Assert.True(DataSpan.Pays(600, 6, M, 30));
        Assert.False(DataSpan.Pays(600, 6, M, 3));
        var options = new TrainingOptions { LearningRate = 0.05, Epochs = 3, Beta = 0.8 };
        Assert.False(Train("Momentum", DataSpanTraining.Automatic, x, y, options).InSpan);
        Assert.True(Train("Momentum", DataSpanTraining.Always, x, y, options).InSpan);
        Assert.False(Train("Momentum", DataSpanTraining.Never, x, y, options with { Epochs = 30 }).InSpan);
    }

    [Fact]
    public void Adam_mini_batches_and_dropout_train_directly_whatever_the_mode()
    {
        (double[] x, double[] y) = Data(600);
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 4 };
        Assert.False(Train("Adam", DataSpanTraining.Always, x, y, options).InSpan);
        Assert.False(Train("GradientDescent", DataSpanTraining.Always, x, y, options with { MiniBatchSize = 16 }).InSpan);
        Assert.False(Train("Momentum", DataSpanTraining.Always, x, y, options with { MiniBatchSize = M - 1 }).InSpan);
        Assert.False(Train("GradientDescent", DataSpanTraining.Always, x, y, options with { KeepProbability = 0.8 }).InSpan);
        Assert.False(Train("Momentum", DataSpanTraining.Always, x, y, options with { KeepProbability = 0.8 }).InSpan);

        // The trainer of an Adam network has no use for Train(x, y, options): the generator gives it no velocity there.
        Assert.Null(typeof(SpanAdamNetwork).GetMethod("ApplyOptimizerInSpan", BindingFlags.NonPublic | BindingFlags.Instance));
        Assert.NotNull(typeof(SpanMomentumNetwork).GetMethod("ApplyOptimizerInSpan", BindingFlags.NonPublic | BindingFlags.Instance));
    }

    [Theory]
    // (Without L2 the relu networks' units die at such rates, and the cost stays finite.)
    [InlineData("GradientDescent", 0.5)]
    [InlineData("Momentum", 0.5)]
    [InlineData("Momentum", 0.05)]
    [InlineData("Logistic", 0.5)]
    public void A_diverging_training_in_the_span_restores_what_the_direct_path_restores(string kind, double l2)
    {
        (double[] x, double[] y) = Data(kind == "Logistic" ? 520 : 600);
        var first = new TrainingOptions { LearningRate = 0.05, Epochs = 5, L2 = l2 };
        var diverging = first with { LearningRate = 1e8, Epochs = 200 };
        (string directMessage, State direct) = Diverge(kind, DataSpanTraining.Never, x, y, first, diverging);
        (string spanMessage, State span) = Diverge(kind, DataSpanTraining.Always, x, y, first, diverging);

        // The same message, the epoch and the rollback in words; its costs agree to rounding.
        Assert.Equal(Numbers.Replace(directMessage, "#"), Numbers.Replace(spanMessage, "#"));
        double[] directNumbers = Numbers.Matches(directMessage).Select(match => double.Parse(match.Value, CultureInfo.InvariantCulture)).ToArray();
        double[] spanNumbers = Numbers.Matches(spanMessage).Select(match => double.Parse(match.Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.NotEmpty(directNumbers);
        for (int i = 0; i < directNumbers.Length; i++)
        {
            AssertClose(directNumbers[i], spanNumbers[i], $"number {i} of the message {spanMessage}");
        }

        direct.AssertClose(span);
    }

    [Fact]
    public void An_update_that_is_not_finite_in_the_span_is_undone_as_the_direct_path_undoes_it()
    {
        (double[] x, double[] y) = Data(600);
        // lambd / m (W1) overflows times the rate in the first update of the second call, whose cost is finite; in the span
        // that is W1's scalar c, C being zero then.
        var first = new TrainingOptions { LearningRate = 0.05, Epochs = 5, Beta = 0.5 };
        var diverging = first with { LearningRate = 1e10, L2 = 1e305, Epochs = 3 };
        (string directMessage, State direct) = Diverge("Momentum", DataSpanTraining.Never, x, y, first, diverging);
        (string spanMessage, State span) = Diverge("Momentum", DataSpanTraining.Always, x, y, first, diverging);

        Assert.Contains("the update made a parameter or the optimizer's state NaN or infinite", directMessage, StringComparison.Ordinal);
        Assert.Equal(Numbers.Replace(directMessage, "#"), Numbers.Replace(spanMessage, "#"));
        direct.AssertClose(span);
    }

    [Theory]
    [InlineData("GradientDescent")]
    [InlineData("Momentum")]
    public void A_cancelled_training_in_the_span_leaves_the_state_of_its_last_epoch(string kind)
    {
        (double[] x, double[] y) = Data(600);
        var options = new TrainingOptions { LearningRate = 0.05, Epochs = 100, L2 = 0.3, Beta = 0.7 };
        State Cancel(DataSpanTraining mode)
        {
            INetwork<double> network = New(kind);
            using var cancellation = new CancellationTokenSource();
            Assert.Throws<OperationCanceledException>(() => WithMode(mode, () => network.Train(x, y, options, record =>
            {
                if (record.Iteration == 17)
                {
                    cancellation.Cancel();
                }
            }, cancellation.Token)));
            Assert.False(InSpan(network));
            return State.Of(network);
        }

        State direct = Cancel(DataSpanTraining.Never);
        State span = Cancel(DataSpanTraining.Always);
        Assert.Equal(18, span.CompletedEpochs);
        direct.AssertClose(span);
    }

    [Theory]
    [InlineData("GradientDescent")]
    [InlineData("Momentum")]
    public void The_state_read_and_written_from_the_progress_callback_is_that_of_the_direct_path(string kind)
    {
        (double[] x, double[] y) = Data(600);
        var options = new TrainingOptions { LearningRate = 0.05, Epochs = 40, L2 = 0.4, DecayRate = 0.2, Beta = 0.8, RecordEvery = 1 };
        (double[] directSeen, State direct) = TrainWithCallback(kind, DataSpanTraining.Never, x, y, options);
        (double[] spanSeen, State span) = TrainWithCallback(kind, DataSpanTraining.Always, x, y, options);

        AssertClose(directSeen, spanSeen, "the values the callback saw");
        direct.AssertClose(span);
    }

    [Theory]
    [InlineData("GradientDescent")]
    [InlineData("Momentum")]
    public void An_epoch_in_the_span_allocates_nothing(string kind)
    {
        (double[] x, double[] y) = Data(600);
        INetwork<double> network = New(kind);
        var options = new TrainingOptions { LearningRate = 0.05, Epochs = 60, L2 = 0.4, DecayRate = 0.2, RecordEvery = 1 };
        long at10 = 0, at50 = 0;
        bool inSpan = false;
        WithMode(DataSpanTraining.Always, () => network.Train(x, y, options, record =>
        {
            if (record.Iteration == 10)
            {
                inSpan = InSpan(network);
                at10 = GC.GetAllocatedBytesForCurrentThread();
            }
            else if (record.Iteration == 50)
            {
                at50 = GC.GetAllocatedBytesForCurrentThread();
            }
        }, Token));
        Assert.True(inSpan);
        Assert.True(at10 > 0, "the callback ran at epoch 10");
        Assert.Equal(0, at50 - at10);
    }

    private static (double[] Seen, State End) TrainWithCallback(string kind, DataSpanTraining mode, double[] x, double[] y, TrainingOptions options)
    {
        INetwork<double> network = New(kind);
        var seen = new List<double>();
        WithMode(mode, () => network.Train(x, y, options, record =>
        {
            if (record.Iteration % 10 == 9)
            {
                seen.AddRange(network.Parameters.Slice(0, 64).ToArray());
                seen.AddRange(network.Gradients.Slice(100, 64).ToArray());
                seen.AddRange(network.Velocity.Length == 0 ? [] : network.Velocity.Slice(200, 64).ToArray());
                seen.Add(((IBinaryClassifier<double>)network).Accuracy(x, y));
                Assert.Equal(mode != DataSpanTraining.Never, InSpan(network));
            }

            if (record.Iteration == 15)
            {
                network.Parameters[5] += 0.25;
                if (network.Velocity.Length != 0)
                {
                    network.Velocity[9] -= 0.5;
                }
            }

            if (record.Iteration == 25)
            {
                // The velocity alone, read and written, and the gradients alone.
                if (network.Velocity.Length != 0)
                {
                    network.Velocity[3] += 0.125;
                }

                seen.Add(network.Gradients[7]);
            }
        }, Token));
        Assert.False(InSpan(network));
        return (seen.ToArray(), State.Of(network));
    }

    private static (string Message, State State) Diverge(string kind, DataSpanTraining mode, double[] x, double[] y, TrainingOptions first, TrainingOptions diverging)
    {
        INetwork<double> network = New(kind);
        WithMode(mode, () => network.Train(x, y, first, cancellationToken: Token));
        var exception = Assert.ThrowsAny<ArithmeticException>(() => WithMode(mode, () => network.Train(x, y, diverging, cancellationToken: Token)));
        return (exception.Message, State.Of(network));
    }

    private static Run Train(string kind, DataSpanTraining mode, double[] x, double[] y, params TrainingOptions[] calls)
    {
        INetwork<double> network = New(kind);
        var costs = new List<double>();
        bool inSpan = false;
        foreach (TrainingOptions options in calls)
        {
            WithMode(mode, () => network.Train(x, y, options, record =>
            {
                costs.Add(record.Cost);
                inSpan |= InSpan(network);
            }, Token));
            Assert.False(InSpan(network));
        }

        return new Run(costs, State.Of(network), inSpan);
    }

    private static INetwork<double> New(string kind)
    {
        INetwork<double> network = kind switch
        {
            "GradientDescent" => new SpanGradientDescentNetwork(),
            "Momentum" => new SpanMomentumNetwork(),
            "Logistic" => new SpanMomentumLogistic(),
            "Adam" => new SpanAdamNetwork(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        network.InitializeParameters(new NumPyRandom(3), Initialization.NormalOverSqrtFanIn);
        return network;
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
        object? trainer = network.GetType().GetField("_dataSpan", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(network);
        return trainer is DataSpanTrainer<double> { Active: true };
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

    // M examples of n inputs, labelled by the sign of a sum of inputs: learnable, and m < n[0] / 2.
    private static (double[] X, double[] Y) Data(int inputs)
    {
        var random = new NumPyRandom(21);
        var x = new double[M * inputs];
        random.FillStandardNormal(x);
        var y = new double[M];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = x[i * inputs] + x[(i * inputs) + 1] - x[(i * inputs) + 2] > 0 ? 1 : 0;
        }

        return (x, y);
    }

    private sealed record Run(List<double> Costs, State State, bool InSpan);

    private sealed record State(double[] Parameters, double[] Gradients, double[] Velocity, int CompletedEpochs, long UpdateCount)
    {
        public static State Of(INetwork<double> network)
            => new(network.Parameters.ToArray(), network.Gradients.ToArray(), network.Velocity.ToArray(), network.CompletedEpochs, network.UpdateCount);

        public void AssertClose(State actual)
        {
            DataSpanOptionsTests.AssertClose(Parameters, actual.Parameters, "the parameters");
            DataSpanOptionsTests.AssertClose(Gradients, actual.Gradients, "the gradients");
            DataSpanOptionsTests.AssertClose(Velocity, actual.Velocity, "the velocity");
            Assert.Equal(CompletedEpochs, actual.CompletedEpochs);
            Assert.Equal(UpdateCount, actual.UpdateCount);
        }
    }
}
