using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Threading;
using DnnGen.Kernels;

namespace DnnGen.Course.Tests;

/// <summary>A relu network with a sigmoid output, trained by gradient descent: the loop the manual replays check.</summary>
[Network(2, 5, 2, 1)]
public partial class LoopGradientDescent;

/// <summary>The same network with momentum.</summary>
[Network(2, 5, 2, 1, Optimizer = Optimizer.Momentum)]
public partial class LoopMomentum;

/// <summary>The same network with Adam.</summary>
[Network(2, 5, 2, 1, Optimizer = Optimizer.Adam)]
public partial class LoopAdam;

/// <summary>The same network with Adam, in float.</summary>
[Network(2, 5, 2, 1, Optimizer = Optimizer.Adam, Precision = Precision.Single)]
public partial class LoopAdamSingle;

/// <summary>A softmax classifier with Adam, for class indices.</summary>
[Network(4, 8, 3, OutputActivation = Activation.Softmax, Optimizer = Optimizer.Adam)]
public partial class LoopSoftmax;

/// <summary>A regression (linear output, squared error) with Adam.</summary>
[Network(3, 6, 2, OutputActivation = Activation.Linear, Optimizer = Optimizer.Adam)]
public partial class LoopRegression;

/// <summary>The regression with momentum, whose large learning rates diverge geometrically.</summary>
[Network(3, 6, 2, OutputActivation = Activation.Linear, Optimizer = Optimizer.Momentum)]
public partial class LoopRegressionMomentum;

/// <summary>The regression with plain gradient descent, whose update writes the rollback's copy in its own pass.</summary>
[Network(3, 6, 2, OutputActivation = Activation.Linear)]
public partial class LoopRegressionGradientDescent;

/// <summary>The regression with Adam, in float.</summary>
[Network(3, 6, 2, OutputActivation = Activation.Linear, Optimizer = Optimizer.Adam, Precision = Precision.Single)]
public partial class LoopRegressionSingle;

/// <summary>
/// <c>Train(x, y, TrainingOptions)</c> through generated networks, on small synthetic data from <see cref="NumPyRandom"/>
/// (the notebook numbers are OptimizationNotebookTests' and RegularizationNotebookTests'): validation before anything
/// changes, the history and progress, cancellation, full batches against the course-1 Train, every epoch against a
/// manual replay with Forward / ComputeCost / Backward and the optimizer kernels on the same shuffled batches, dropout's
/// seeds, divergence and its rollback, class indices, float and regression networks, L2, and the training state.
/// </summary>
public class TrainingLoopTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    // ---- Validation: nothing changes before the options are known good ----

    public static TheoryData<string, TrainingOptions> BadOptions => new()
    {
        { "options.LearningRate", new TrainingOptions { Epochs = 3 } },
        { "options.LearningRate", new TrainingOptions { LearningRate = -0.1, Epochs = 3 } },
        { "options.Epochs", new TrainingOptions { LearningRate = 0.1 } },
        { "options.MiniBatchSize", new TrainingOptions { LearningRate = 0.1, Epochs = 3, MiniBatchSize = -1 } },
        { "options.Beta1", new TrainingOptions { LearningRate = 0.1, Epochs = 3, Beta1 = 1 } },
        { "options.KeepProbability", new TrainingOptions { LearningRate = 0.1, Epochs = 3, KeepProbability = 0 } },
        { "options.RecordEvery", new TrainingOptions { LearningRate = 0.1, Epochs = 3, RecordEvery = 0 } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void A_bad_option_is_named_and_leaves_the_network_as_it_was(string parameter, TrainingOptions options)
    {
        (double[] x, double[] y) = Circles(60, 1);
        var network = new LoopAdam();
        network.Train(x, y, new TrainingOptions { LearningRate = 0.01, Epochs = 2, MiniBatchSize = 16 }, cancellationToken: Token);
        State before = State.Of(network);
        Assert.NotEqual(0, before.UpdateCount); // the state is not just zeros

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => network.Train(x, y, options, cancellationToken: Token));

        Assert.Equal(parameter, exception.ParamName);
        before.AssertEqual(State.Of(network));
    }

    [Fact]
    public void Examples_and_labels_of_the_wrong_length_name_x_and_y_and_change_nothing()
    {
        (double[] x, double[] y) = Circles(60, 1);
        var network = new LoopMomentum();
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 2, MiniBatchSize = 16 };
        network.Train(x, y, options, cancellationToken: Token);
        State before = State.Of(network);

        Assert.Equal("x", Assert.Throws<ArgumentException>(() => network.Train(x.AsSpan(1), y, options, cancellationToken: Token)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => network.Train(ReadOnlySpan<double>.Empty, y, options, cancellationToken: Token)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => network.Train(x, y.AsSpan(1), options, cancellationToken: Token)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => network.Train(x.AsSpan(2), y, options, cancellationToken: Token)).ParamName);
        double[] notALabel = (double[])y.Clone();
        notALabel[7] = 0.5;
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => network.Train(x, notALabel, options, cancellationToken: Token)).ParamName);
        before.AssertEqual(State.Of(network));
    }

    [Fact]
    public void Null_options_are_named()
    {
        (double[] x, double[] y) = Circles(20, 1);
        var network = new LoopAdam();

        var exception = Assert.Throws<ArgumentNullException>(() => network.Train(x, y, null!, cancellationToken: Token));

        Assert.Equal("options", exception.ParamName);
        Assert.Equal(0, network.CompletedEpochs);
    }

    [Fact]
    public void A_softmax_networks_class_indices_out_of_range_are_named_classes()
    {
        (double[] x, int[] classes) = Classes(30, 2);
        var network = new LoopSoftmax();
        State before = State.Of(network);
        classes[4] = 3;

        var exception = Assert.Throws<ArgumentException>(
            () => network.Train(x, classes, new TrainingOptions { LearningRate = 0.01, Epochs = 2 }, cancellationToken: Token));

        Assert.Equal("classes", exception.ParamName);
        before.AssertEqual(State.Of(network));
    }

    [Fact]
    public void A_float_network_names_a_learning_rate_or_epsilon_that_float_cannot_hold()
    {
        (double[] xDouble, double[] yDouble) = Circles(20, 1);
        float[] x = Array.ConvertAll(xDouble, v => (float)v);
        float[] y = Array.ConvertAll(yDouble, v => (float)v);
        var network = new LoopAdamSingle();
        State before = State.Of(network);

        var tiny = Assert.Throws<ArgumentOutOfRangeException>(
            () => network.Train(x, y, new TrainingOptions { LearningRate = 1e-50, Epochs = 1 }, cancellationToken: Token));
        var huge = Assert.Throws<ArgumentOutOfRangeException>(
            () => network.Train(x, y, new TrainingOptions { LearningRate = 1e39, Epochs = 1 }, cancellationToken: Token));
        var epsilon = Assert.Throws<ArgumentOutOfRangeException>(
            () => network.Train(x, y, new TrainingOptions { LearningRate = 0.01, Epochs = 1, Epsilon = 1e-50 }, cancellationToken: Token));

        Assert.Equal("options.LearningRate", tiny.ParamName);
        Assert.Contains("Single", tiny.Message, StringComparison.Ordinal);
        Assert.Equal("options.LearningRate", huge.ParamName);
        Assert.Equal("options.Epsilon", epsilon.ParamName);
        before.AssertEqual(State.Of(network));

        // The same rate is fine in double.
        var doubleNetwork = new LoopAdam();
        doubleNetwork.Train(xDouble, yDouble, new TrainingOptions { LearningRate = 1e-50, Epochs = 1 }, cancellationToken: Token);
        Assert.Equal(1, doubleNetwork.CompletedEpochs);
    }

    [Theory]
    [InlineData("options.Beta")]
    [InlineData("options.Beta1")]
    [InlineData("options.Beta2")]
    [InlineData("options.KeepProbability")]
    public void A_float_network_names_a_beta_that_float_rounds_to_1_or_a_keep_probability_it_rounds_to_0(string parameter)
    {
        (double[] xDouble, double[] yDouble) = Circles(40, 1);
        float[] x = Array.ConvertAll(xDouble, v => (float)v);
        float[] y = Array.ConvertAll(yDouble, v => (float)v);
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 2, MiniBatchSize = 16 };
        var network = new LoopAdamSingle();
        network.Train(x, y, options, cancellationToken: Token);
        State before = State.Of(network);
        TrainingOptions bad = parameter switch
        {
            "options.Beta" => options with { Beta = 0.99999999 },
            "options.Beta1" => options with { Beta1 = 0.99999999 },
            "options.Beta2" => options with { Beta2 = 0.99999999 },
            _ => options with { KeepProbability = 1e-50 },
        };
        bad.Validate(); // valid in double

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => network.Train(x, y, bad, cancellationToken: Token));

        Assert.Equal(parameter, exception.ParamName);
        Assert.Contains("Single", exception.Message, StringComparison.Ordinal);
        before.AssertEqual(State.Of(network));
        new LoopAdam().Train(xDouble, yDouble, bad, cancellationToken: Token); // and fine in double
    }

    [Fact]
    public void A_decay_that_takes_the_learning_rate_to_0_in_the_element_type_is_named_before_training()
    {
        (double[] xDouble, double[] yDouble) = Circles(40, 1);
        float[] x = Array.ConvertAll(xDouble, v => (float)v);
        float[] y = Array.ConvertAll(yDouble, v => (float)v);
        var single = new LoopAdamSingle();
        var momentum = new LoopMomentum();
        State singleBefore = State.Of(single);
        State momentumBefore = State.Of(momentum);

        // 1e-44 / 11 is below float's least subnormal; double.Epsilon / 2 rounds to 0 in double.
        var inFloat = Assert.Throws<ArgumentOutOfRangeException>(
            () => single.Train(x, y, new TrainingOptions { LearningRate = 1e-44, Epochs = 4, DecayRate = 10 }, cancellationToken: Token));
        var inDouble = Assert.Throws<ArgumentOutOfRangeException>(
            () => momentum.Train(xDouble, yDouble, new TrainingOptions { LearningRate = double.Epsilon, Epochs = 4, DecayRate = 1 }, cancellationToken: Token));

        Assert.Equal("options.DecayRate", inFloat.ParamName);
        Assert.Contains("epoch 3", inFloat.Message, StringComparison.Ordinal);
        Assert.Equal("options.DecayRate", inDouble.ParamName);
        singleBefore.AssertEqual(State.Of(single));
        momentumBefore.AssertEqual(State.Of(momentum));
        // Two epochs of the double schedule keep a rate: epoch 1 runs at lr(0) = double.Epsilon.
        momentum.Train(xDouble, yDouble, new TrainingOptions { LearningRate = double.Epsilon, Epochs = 2, DecayRate = 1 }, cancellationToken: Token);
        Assert.Equal(2, momentum.CompletedEpochs);
    }

    [Fact]
    public void Epochs_numbered_beyond_int_MaxValue_name_the_epochs_and_change_nothing()
    {
        (double[] x, double[] y) = Circles(20, 1);
        var network = new LoopAdam { CompletedEpochs = int.MaxValue - 1 };
        State before = State.Of(network);

        var exception = Assert.Throws<ArgumentOutOfRangeException>(
            () => network.Train(x, y, new TrainingOptions { LearningRate = 0.01, Epochs = 2 }, cancellationToken: Token));

        Assert.Equal("options.Epochs", exception.ParamName);
        Assert.Contains((int.MaxValue - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), exception.Message, StringComparison.Ordinal);
        before.AssertEqual(State.Of(network));

        // One more epoch still has a number: the last, int.MaxValue - 1.
        network.Train(x, y, new TrainingOptions { LearningRate = 0.01, Epochs = 1 }, cancellationToken: Token);
        Assert.Equal(int.MaxValue, network.CompletedEpochs);
        Assert.Equal("options.Epochs", Assert.Throws<ArgumentOutOfRangeException>(
            () => network.Train(x, y, new TrainingOptions { LearningRate = 0.01, Epochs = 1 }, cancellationToken: Token)).ParamName);
    }

    [Fact]
    public void The_largest_seeds_with_the_largest_epoch_numbers_shuffle_and_drop_with_seeds_beyond_int()
    {
        // ShuffleSeed + 1 + epoch and DropoutSeed + epoch reach 2^32 - 2 and 2^32 - 3: NumPy seeds beyond int, still uints.
        (double[] x, double[] y) = Circles(40, 1);
        var options = new TrainingOptions { LearningRate = 0.05, Epochs = 2, MiniBatchSize = 16, ShuffleSeed = int.MaxValue, RecordEvery = 1 };
        var network = new LoopGradientDescent { CompletedEpochs = int.MaxValue - 2 };
        var replay = new LoopGradientDescent();
        var loop = new ManualLoop(replay) { Epoch = int.MaxValue - 2 };

        IReadOnlyList<TrainingRecord> history = network.Train(x, y, options, cancellationToken: Token);
        loop.Run(x, y, options, 2);

        Assert.Equal([int.MaxValue - 2, int.MaxValue - 1], history.Select(record => record.Iteration));
        Assert.Equal(loop.Costs, history.Select(record => record.Cost));
        AssertBits(replay.Parameters, network.Parameters);

        var dropped = new LoopAdam { CompletedEpochs = int.MaxValue - 2 };
        dropped.Train(x, y, options with { KeepProbability = 0.8, DropoutSeed = int.MaxValue }, cancellationToken: Token);
        Assert.Equal(int.MaxValue, dropped.CompletedEpochs);
    }

    // ---- The history, progress and cancellation ----

    [Fact]
    public void The_history_keeps_every_RecordEvery_th_epoch_and_the_last_and_progress_sees_every_epoch()
    {
        (double[] x, double[] y) = Circles(50, 3);
        var network = new LoopAdam();
        var progress = new Recorder();
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 8, MiniBatchSize = 16, RecordEvery = 3 };

        IReadOnlyList<TrainingRecord> history = network.Train(x, y, options, progress, Token);

        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], progress.Records.Select(record => record.Iteration));
        Assert.Equal([0, 3, 6, 7], history.Select(record => record.Iteration));
        Assert.Equal(progress.Records.Where(record => record.Iteration is 0 or 3 or 6 or 7), history);
        Assert.Equal(8, network.CompletedEpochs);
        Assert.Equal(8 * 4L, network.UpdateCount); // 16, 16, 16, 2

        // A second call numbers on from CompletedEpochs: epochs 8 .. 12, of which 9 and 12 (the last) are kept.
        var more = new Recorder();
        IReadOnlyList<TrainingRecord> next = network.Train(x, y, options with { Epochs = 5 }, more, Token);

        Assert.Equal([8, 9, 10, 11, 12], more.Records.Select(record => record.Iteration));
        Assert.Equal([9, 12], next.Select(record => record.Iteration));
        Assert.Equal(more.Records.Where(record => record.Iteration is 9 or 12), next);

        // ... and is the same training as one call of 13 epochs.
        var straight = new LoopAdam();
        var all = new Recorder();
        straight.Train(x, y, options with { Epochs = 13, RecordEvery = 1 }, all, Token);
        Assert.Equal(all.Records, progress.Records.Concat(more.Records));
        State.Of(straight).AssertEqual(State.Of(network));
    }

    [Fact]
    public void RecordEvery_1_keeps_every_epoch_and_a_large_RecordEvery_the_first_and_the_last()
    {
        (double[] x, double[] y) = Circles(30, 3);
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 5 };

        Assert.Equal([0, 1, 2, 3, 4], new LoopMomentum().Train(x, y, options with { RecordEvery = 1 }, cancellationToken: Token).Select(record => record.Iteration));
        Assert.Equal([0, 4], new LoopMomentum().Train(x, y, options, cancellationToken: Token).Select(record => record.Iteration));
        Assert.Equal([0], new LoopMomentum().Train(x, y, options with { Epochs = 1 }, cancellationToken: Token).Select(record => record.Iteration));
    }

    [Fact]
    public void Cancellation_stops_before_the_next_epoch_with_the_completed_epochs_kept()
    {
        (double[] x, double[] y) = Circles(50, 3);
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 10, MiniBatchSize = 16 };
        var network = new LoopAdam();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var seen = new List<int>();

        Assert.ThrowsAny<OperationCanceledException>(() => network.Train(x, y, options, record =>
        {
            seen.Add(record.Iteration);
            if (record.Iteration == 2)
            {
                cancellation.Cancel();
            }
        }, cancellation.Token));

        Assert.Equal([0, 1, 2], seen);
        Assert.Equal(3, network.CompletedEpochs);
        Assert.Equal(3 * 4L, network.UpdateCount);
        var three = new LoopAdam();
        three.Train(x, y, options with { Epochs = 3 }, cancellationToken: Token);
        State.Of(three).AssertEqual(State.Of(network));
    }

    [Fact]
    public void A_token_cancelled_before_the_call_changes_nothing()
    {
        (double[] x, double[] y) = Circles(30, 3);
        var network = new LoopAdam();
        State before = State.Of(network);

        Assert.ThrowsAny<OperationCanceledException>(
            () => network.Train(x, y, new TrainingOptions { LearningRate = 0.01, Epochs = 3 }, cancellationToken: new CancellationToken(canceled: true)));

        before.AssertEqual(State.Of(network));
    }

    // ---- Full batches, one shuffled batch and mini-batches against the loops they are ----

    [Fact]
    public void Full_batch_gradient_descent_is_the_course_1_Train_bit_for_bit()
    {
        (double[] x, double[] y) = Circles(80, 4);
        var course1 = new LoopGradientDescent();
        var course2 = new LoopGradientDescent();
        var everyIteration = new Recorder();
        var everyEpoch = new Recorder();

        IReadOnlyList<TrainingRecord> iterations = course1.Train(x, y, 250, 0.3, everyIteration, Token);
        IReadOnlyList<TrainingRecord> epochs = course2.Train(x, y, new TrainingOptions { LearningRate = 0.3, Epochs = 250 }, everyEpoch, Token);

        Assert.Equal([0, 100, 200, 249], epochs.Select(record => record.Iteration));
        Assert.Equal(iterations, epochs);
        Assert.Equal(everyIteration.Records, everyEpoch.Records);
        AssertBits(course1.Parameters, course2.Parameters);
        Assert.Equal(250, course2.CompletedEpochs);
        Assert.Equal(250L, course2.UpdateCount);
        Assert.True(epochs[^1].Cost < epochs[0].Cost);
    }

    [Fact]
    public void Full_batch_gradient_descent_in_float_on_a_softmax_is_the_course_1_Train_bit_for_bit()
    {
        (double[] xDouble, int[] classes) = Classes(60, 5);
        float[] x = Array.ConvertAll(xDouble, v => (float)v);
        var course1 = new KindsSoftmaxSingle();
        var course2 = new KindsSoftmaxSingle();

        IReadOnlyList<TrainingRecord> iterations = course1.Train(x, classes, 120, 0.5, cancellationToken: Token);
        IReadOnlyList<TrainingRecord> epochs = course2.Train(x, classes, new TrainingOptions { LearningRate = 0.5, Epochs = 120 }, cancellationToken: Token);

        Assert.Equal(iterations, epochs);
        AssertBits(course1.Parameters, course2.Parameters);
    }

    [Theory]
    [InlineData(32)] // 4 batches: 32, 32, 32 and 4
    [InlineData(25)] // 4 full batches
    [InlineData(100)] // one shuffled batch of m
    [InlineData(1000)] // one shuffled batch too
    [InlineData(1)] // stochastic gradient descent
    public void Every_epochs_cost_and_the_parameters_are_a_manual_loop_over_the_shuffled_mini_batches(int batchSize)
    {
        (double[] x, double[] y) = Circles(100, 6);
        var options = new TrainingOptions { LearningRate = 0.2, Epochs = 6, MiniBatchSize = batchSize, ShuffleSeed = 10, DecayRate = 0.5, DecayInterval = 2, RecordEvery = 1 };
        var network = new LoopGradientDescent();
        var replay = new LoopGradientDescent();
        var loop = new ManualLoop(replay);

        IReadOnlyList<TrainingRecord> history = network.Train(x, y, options, cancellationToken: Token);
        loop.Run(x, y, options, options.Epochs);

        Assert.Equal(loop.Costs, history.Select(record => record.Cost));
        AssertBits(replay.Parameters, network.Parameters);
        Assert.Equal(loop.Updates, network.UpdateCount);
        Assert.Equal(6L * ((100 + batchSize - 1) / batchSize), network.UpdateCount);
    }

    [Fact]
    public void A_mini_batch_size_of_m_or_more_is_one_shuffled_batch()
    {
        (double[] x, double[] y) = Circles(100, 6);
        var options = new TrainingOptions { LearningRate = 0.2, Epochs = 4, ShuffleSeed = 3, RecordEvery = 1 };
        var m = new LoopAdam();
        var more = new LoopAdam();

        IReadOnlyList<TrainingRecord> atM = m.Train(x, y, options with { MiniBatchSize = 100 }, cancellationToken: Token);
        IReadOnlyList<TrainingRecord> beyond = more.Train(x, y, options with { MiniBatchSize = int.MaxValue }, cancellationToken: Token);

        Assert.Equal(atM, beyond);
        State.Of(m).AssertEqual(State.Of(more));
        Assert.Equal(4L, m.UpdateCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    public void Momentum_and_Adam_are_the_course_updates_with_t_counting_every_update(int batchSize)
    {
        (double[] x, double[] y) = Circles(70, 7);
        var options = new TrainingOptions { LearningRate = 0.05, Epochs = 5, MiniBatchSize = batchSize, ShuffleSeed = 2, Beta = 0.8, Beta1 = 0.85, Beta2 = 0.99, Epsilon = 1e-7, RecordEvery = 1 };

        foreach ((INetwork<double> network, INetwork<double> replay) in new (INetwork<double>, INetwork<double>)[] { (new LoopMomentum(), new LoopMomentum()), (new LoopAdam(), new LoopAdam()) })
        {
            var loop = new ManualLoop(replay);
            IReadOnlyList<TrainingRecord> history = network.Train(x, y, options, cancellationToken: Token);
            loop.Run(x, y, options, options.Epochs);

            Assert.Equal(loop.Costs, history.Select(record => record.Cost));
            AssertBits(replay.Parameters, network.Parameters);
            AssertBits<double>(loop.V, network.Velocity);
            AssertBits<double>(network.Optimizer == Optimizer.Adam ? loop.S : [], network.SquaredGradientAverage);
            Assert.Equal(loop.Updates, network.UpdateCount);
        }
    }

    // ---- Dropout ----

    [Fact]
    public void Fresh_masks_differ_from_the_repeated_ones_after_epoch_0_which_both_draw_from_DropoutSeed()
    {
        (double[] x, double[] y) = Circles(60, 8);
        var options = new TrainingOptions { LearningRate = 0.1, Epochs = 4, KeepProbability = 0.7, DropoutSeed = 5, RecordEvery = 1 };

        IReadOnlyList<TrainingRecord> fresh = new LoopGradientDescent().Train(x, y, options, cancellationToken: Token);
        IReadOnlyList<TrainingRecord> repeated = new LoopGradientDescent().Train(x, y, options with { RepeatDropoutMasks = true }, cancellationToken: Token);
        IReadOnlyList<TrainingRecord> none = new LoopGradientDescent().Train(x, y, options with { KeepProbability = 1 }, cancellationToken: Token);

        Assert.Equal(fresh[0], repeated[0]); // epoch 0: seed DropoutSeed + 0 either way
        Assert.NotEqual(none[0].Cost, fresh[0].Cost); // and units were dropped
        for (int epoch = 1; epoch < 4; epoch++)
        {
            Assert.NotEqual(fresh[epoch].Cost, repeated[epoch].Cost);
        }

        // Repeated masks: every forward pass re-seeds, so a second call of the same epochs draws the same masks again.
        var twice = new LoopGradientDescent();
        twice.Train(x, y, options with { RepeatDropoutMasks = true, Epochs = 2 }, cancellationToken: Token);
        IReadOnlyList<TrainingRecord> rest = twice.Train(x, y, options with { RepeatDropoutMasks = true, Epochs = 2 }, cancellationToken: Token);
        Assert.Equal(repeated.Skip(2), rest);
    }

    [Fact]
    public void The_same_dropout_options_give_the_same_bits_and_another_seed_other_ones()
    {
        (double[] x, double[] y) = Circles(60, 8);
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 5, MiniBatchSize = 16, KeepProbability = 0.8, DropoutSeed = 3, RecordEvery = 1 };
        var first = new LoopAdam();
        var second = new LoopAdam();
        var other = new LoopAdam();

        IReadOnlyList<TrainingRecord> a = first.Train(x, y, options, cancellationToken: Token);
        IReadOnlyList<TrainingRecord> b = second.Train(x, y, options, cancellationToken: Token);
        IReadOnlyList<TrainingRecord> c = other.Train(x, y, options with { DropoutSeed = 4 }, cancellationToken: Token);

        Assert.Equal(a, b);
        State.Of(first).AssertEqual(State.Of(second));
        Assert.NotEqual(a[0].Cost, c[0].Cost);
    }

    [Fact]
    public void Dropout_continues_its_seeds_across_calls()
    {
        (double[] x, double[] y) = Circles(60, 8);
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 6, MiniBatchSize = 16, KeepProbability = 0.8, RecordEvery = 1 };
        var straight = new LoopAdam();
        var split = new LoopAdam();

        IReadOnlyList<TrainingRecord> all = straight.Train(x, y, options, cancellationToken: Token);
        IReadOnlyList<TrainingRecord> start = split.Train(x, y, options with { Epochs = 2 }, cancellationToken: Token);
        IReadOnlyList<TrainingRecord> end = split.Train(x, y, options with { Epochs = 4 }, cancellationToken: Token);

        Assert.Equal(all, start.Concat(end));
        State.Of(straight).AssertEqual(State.Of(split));
    }

    [Fact]
    public void A_keep_probability_of_1_is_no_dropout_exactly()
    {
        (double[] x, double[] y) = Circles(60, 8);
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 4, MiniBatchSize = 16, RecordEvery = 1 };
        var plain = new LoopAdam();
        var keepAll = new LoopAdam();

        IReadOnlyList<TrainingRecord> a = plain.Train(x, y, options, cancellationToken: Token);
        IReadOnlyList<TrainingRecord> b = keepAll.Train(x, y, options with { KeepProbability = 1, DropoutSeed = 9, RepeatDropoutMasks = true }, cancellationToken: Token);

        Assert.Equal(a, b);
        State.Of(plain).AssertEqual(State.Of(keepAll));
    }

    [Fact]
    public void After_training_with_dropout_Forward_and_Predict_drop_nothing()
    {
        (double[] x, double[] y) = Circles(60, 8);
        var network = new LoopAdam();
        network.Train(x, y, new TrainingOptions { LearningRate = 0.01, Epochs = 3, MiniBatchSize = 16, KeepProbability = 0.5 }, cancellationToken: Token);
        var copy = new LoopAdam();
        network.Parameters.CopyTo(copy.Parameters);

        double[] forward = network.Forward(x).ToArray();
        var predicted = new double[60];
        network.Predict(x, predicted);

        AssertBits<double>(copy.Forward(x), forward); // a network never trained with dropout
        AssertBits<double>(forward, predicted);
        AssertBits<double>(forward, network.Forward(x));
    }

    // ---- Divergence ----

    [Fact]
    public void Divergence_restores_the_parameters_and_velocity_before_the_last_update_whose_cost_was_finite()
    {
        // Momentum at learning rate 5 on the regression grows geometrically until a forward pass overflows or a cost is
        // infinite, some epochs in.
        (double[] x, double[] y) = Regression(100, 5);
        var options = new TrainingOptions { LearningRate = 5, Epochs = 200, MiniBatchSize = 16, ShuffleSeed = 3 };
        var network = new LoopRegressionMomentum();
        network.InitializeParameters(new NumPyRandom(2), Initialization.He);
        var seen = new Recorder();

        var exception = Assert.Throws<ArithmeticException>(() => network.Train(x, y, options, seen, Token));

        (int epoch, int batch) = RestoredUpdate(exception.Message);
        Assert.Contains("Epoch ", exception.Message, StringComparison.Ordinal);
        Assert.Contains("mini-batch", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Try a smaller learning rate than 5", exception.Message, StringComparison.Ordinal);
        Assert.True(epoch >= 1, exception.Message); // not at the start: there is something to restore
        Assert.Equal(epoch, network.CompletedEpochs);
        Assert.Equal(epoch * 7L + batch, network.UpdateCount);
        Assert.True(seen.Records.Count >= epoch);

        // The same training replayed in another network up to, not including, that update.
        var replay = new LoopRegressionMomentum();
        replay.InitializeParameters(new NumPyRandom(2), Initialization.He);
        var loop = new ManualLoop(replay);
        loop.Run(x, y, options, options.Epochs, stopBefore: (epoch, batch));
        Assert.Equal(seen.Records.Take(epoch).Select(record => record.Cost), loop.Costs);
        AssertBits(replay.Parameters, network.Parameters);
        AssertBits<double>(loop.V, network.Velocity);
        Assert.True(Divergence.AllFinite<double>(network.Parameters));
    }

    [Fact]
    public void An_infinite_mini_batch_cost_restores_Adams_moments_and_counts_before_the_last_update()
    {
        // Two epochs on clean data, then one example so large that its squared error is infinite: the second call goes
        // well until that example's mini-batch of epoch 2.
        (double[] clean, double[] y) = Regression(100, 5);
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 2, MiniBatchSize = 10, ShuffleSeed = 4 };
        int[] epoch2 = Permutation(100, options.ShuffleSeed + 1 + 2);
        int huge = epoch2[(10 * 4) + 3]; // in epoch 2's mini-batch 4
        double[] x = (double[])clean.Clone();
        x[huge * 3] = 1e200;
        var network = new LoopRegression();
        network.Train(clean, y, options, cancellationToken: Token);

        var exception = Assert.Throws<ArithmeticException>(() => network.Train(x, y, options, cancellationToken: Token));

        Assert.StartsWith("Epoch 2, mini-batch 4 of 10 (from 0): the cost is Infinity", exception.Message, StringComparison.Ordinal);
        Assert.Equal((2, 3), RestoredUpdate(exception.Message));
        Assert.Equal(2, network.CompletedEpochs);
        Assert.Equal((2 * 10L) + 3, network.UpdateCount);

        var replay = new LoopRegression();
        var loop = new ManualLoop(replay);
        loop.Run(clean, y, options, 2);
        loop.Run(x, y, options, 2, stopBefore: (2, 3));
        AssertBits(replay.Parameters, network.Parameters);
        AssertBits<double>(loop.V, network.Velocity);
        AssertBits<double>(loop.S, network.SquaredGradientAverage);
        Assert.Equal(loop.Updates, network.UpdateCount);
    }

    [Fact]
    public void An_update_that_makes_Adams_second_moment_infinite_is_undone()
    {
        // An example of 1e100: its cost is finite (about 1e200), its gradients about 1e200, their squares infinite.
        (double[] x, double[] y) = Regression(100, 5);
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 3, MiniBatchSize = 10, ShuffleSeed = 4 };
        int[] epoch0 = Permutation(100, options.ShuffleSeed + 1);
        int huge = epoch0[10 * 6 + 2]; // in epoch 0's mini-batch 6
        x[huge * 3] = 1e100;
        var network = new LoopRegression();

        var exception = Assert.Throws<ArithmeticException>(() => network.Train(x, y, options, cancellationToken: Token));

        Assert.StartsWith("Epoch 0, mini-batch 6 of 10 (from 0): the update made a parameter or the optimizer's state NaN or infinite", exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, network.CompletedEpochs);
        Assert.Equal(6L, network.UpdateCount);
        var replay = new LoopRegression();
        var loop = new ManualLoop(replay);
        loop.Run(x, y, options, options.Epochs, stopBefore: (0, 6));
        AssertBits(replay.Parameters, network.Parameters);
        AssertBits<double>(loop.V, network.Velocity);
        AssertBits<double>(loop.S, network.SquaredGradientAverage);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public void A_first_mini_batch_whose_cost_is_infinite_leaves_the_network_unchanged(int batchSize)
    {
        (double[] x, double[] y) = Regression(100, 5);
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 2, MiniBatchSize = batchSize, ShuffleSeed = 4 };
        var network = new LoopRegression();
        network.Train(x, y, options, cancellationToken: Token); // epochs 0 and 1: state to keep
        State before = State.Of(network);
        // An example in epoch 2's first mini-batch (with full batches, in the batch) with an infinite squared error.
        int huge = batchSize == 0 ? 42 : Permutation(100, options.ShuffleSeed + 1 + 2)[3];
        x[huge * 3 + 1] = -1e200;

        var exception = Assert.Throws<ArithmeticException>(() => network.Train(x, y, options, cancellationToken: Token));

        string where = batchSize == 0 ? "Epoch 2: the cost is Infinity" : "Epoch 2, mini-batch 0 of 10 (from 0): the cost is Infinity";
        Assert.StartsWith(where, exception.Message, StringComparison.Ordinal);
        Assert.Contains("unchanged", exception.Message, StringComparison.Ordinal);
        Assert.Equal(batchSize != 0, exception.Message.Contains("mini-batch", StringComparison.Ordinal));
        before.AssertEqual(State.Of(network));
    }

    [Theory]
    [InlineData(Optimizer.Momentum)]
    [InlineData(Optimizer.GradientDescent)]
    public void A_first_update_that_is_not_finite_leaves_the_network_unchanged(Optimizer optimizer)
    {
        // Targets of about 1e10 give gradients (and momentum's v) of about 1e10, which a rate of 1e300 turns into infinite steps.
        (double[] x, double[] y) = Regression(40, 9);
        double[] far = Array.ConvertAll(y, v => v * 1e10);
        INetwork<double> network = optimizer == Optimizer.Momentum ? new LoopRegressionMomentum() : new LoopRegressionGradientDescent();
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 1, MiniBatchSize = 8 };
        network.Train(x, y, options, cancellationToken: Token);
        State before = State.Of(network);

        var exception = Assert.Throws<ArithmeticException>(
            () => network.Train(x, far, options with { LearningRate = 1e300 }, cancellationToken: Token));

        Assert.StartsWith("Epoch 1, mini-batch 0 of 5 (from 0): the update made a parameter or the optimizer's state NaN or infinite", exception.Message, StringComparison.Ordinal);
        Assert.Contains("restored to those before this update", exception.Message, StringComparison.Ordinal);
        before.AssertEqual(State.Of(network));
    }

    [Fact]
    public void A_NaN_in_x_is_named_at_its_place_in_x_before_anything_changes()
    {
        (double[] x, double[] y) = Regression(100, 5);
        x[3 * 57 + 1] = double.NaN;
        var network = new LoopRegression();
        State before = State.Of(network);

        var exception = Assert.Throws<ArgumentException>(
            () => network.Train(x, y, new TrainingOptions { LearningRate = 0.01, Epochs = 3, MiniBatchSize = 16, ShuffleSeed = 3 }, cancellationToken: Token));

        Assert.Equal("x", exception.ParamName);
        Assert.Contains("x[172] (example 57", exception.Message, StringComparison.Ordinal);
        before.AssertEqual(State.Of(network));
    }

    [Fact]
    public void After_the_first_call_Train_allocates_only_the_history_it_returns()
    {
        // The first call grows the network's own buffers (the workspace, the dropout blocks, the rollback copy, the
        // shuffled order, the gathered mini-batch, the generators), which later calls reuse: then 2 or 60 epochs of 4
        // mini-batches each, with dropout and L2, allocate the returned list and nothing else; so do fewer examples.
        (double[] x, double[] y) = Regression(100, 9);
        var network = new LoopRegression();
        var options = new TrainingOptions { LearningRate = 0.001, Epochs = 2, MiniBatchSize = 32, ShuffleSeed = 4, KeepProbability = 0.8, L2 = 0.1, RecordEvery = 1 };
        network.Train(x, y, options, cancellationToken: Token);

        void AssertAllocatesOnlyItsHistory(int examples, int epochs)
        {
            TrainingOptions these = options with { Epochs = epochs };
            long before = GC.GetAllocatedBytesForCurrentThread();
            IReadOnlyList<TrainingRecord> history = network.Train(x.AsSpan(0, examples * 3), y.AsSpan(0, examples * 2), these, cancellationToken: Token);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            // The List<TrainingRecord> (object header, method table, array reference, count, version: 32 bytes) and its
            // array (24 bytes of header and length, then the records).
            var list = Assert.IsType<List<TrainingRecord>>(history);
            long historyBytes = 32 + 24 + ((long)list.Capacity * Unsafe.SizeOf<TrainingRecord>());
            Assert.Equal(epochs, history.Count);
            Assert.True(allocated <= historyBytes, $"Train({examples} examples, {epochs} epochs) allocated {allocated} bytes; its history takes {historyBytes}.");
        }

        AssertAllocatesOnlyItsHistory(100, 2);
        AssertAllocatesOnlyItsHistory(100, 60);
        AssertAllocatesOnlyItsHistory(70, 3);
    }

    // ---- Class indices, lambdas, float and regression networks, L2 ----

    [Fact]
    public void Class_indices_train_to_the_bits_of_one_hot_labels()
    {
        (double[] x, int[] classes) = Classes(90, 10);
        double[] oneHot = OneHot(classes, 3);
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 6, MiniBatchSize = 32, ShuffleSeed = 1, L2 = 0.1, KeepProbability = 0.9, RecordEvery = 1 };
        var byIndex = new LoopSoftmax();
        var byRow = new LoopSoftmax();

        IReadOnlyList<TrainingRecord> a = byIndex.Train(x, classes, options, cancellationToken: Token);
        IReadOnlyList<TrainingRecord> b = byRow.Train(x, oneHot, options, cancellationToken: Token);

        Assert.Equal(b, a);
        State.Of(byRow).AssertEqual(State.Of(byIndex));
        Assert.True(a[^1].Cost < a[0].Cost);
    }

    [Fact]
    public void The_lambda_overloads_report_every_epoch_as_IProgress_does()
    {
        (double[] x, int[] classes) = Classes(90, 10);
        double[] oneHot = OneHot(classes, 3);
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 4, MiniBatchSize = 32, RecordEvery = 2 };
        var byProgress = new Recorder();
        var byLambda = new List<TrainingRecord>();
        var byClassLambda = new List<TrainingRecord>();

        IReadOnlyList<TrainingRecord> expected = new LoopSoftmax().Train(x, oneHot, options, byProgress, Token);
        IReadOnlyList<TrainingRecord> lambda = new LoopSoftmax().Train(x, oneHot, options, record => byLambda.Add(record), Token);
        IReadOnlyList<TrainingRecord> classLambda = new LoopSoftmax().Train(x, classes, options, record => byClassLambda.Add(record), Token);

        Assert.Equal(4, byProgress.Records.Count);
        Assert.Equal(byProgress.Records, byLambda);
        Assert.Equal(byProgress.Records, byClassLambda);
        Assert.Equal(expected, lambda);
        Assert.Equal(expected, classLambda);
        Assert.Equal([0, 2, 3], expected.Select(record => record.Iteration));
        Assert.Equal("progress", Assert.Throws<ArgumentNullException>(() => new LoopSoftmax().Train(x, oneHot, options, (Action<TrainingRecord>)null!, Token)).ParamName);
    }

    [Fact]
    public void A_regression_and_float_networks_learn_with_Adam_and_mini_batches()
    {
        (double[] x, double[] y) = Regression(200, 11);
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 60, MiniBatchSize = 32, ShuffleSeed = 5, RecordEvery = 1 };

        IReadOnlyList<TrainingRecord> regression = new LoopRegression().Train(x, y, options, cancellationToken: Token);
        IReadOnlyList<TrainingRecord> single = new LoopRegressionSingle().Train(
            Array.ConvertAll(x, v => (float)v), Array.ConvertAll(y, v => (float)v), options, cancellationToken: Token);
        (double[] xc, double[] yc) = Circles(200, 12);
        IReadOnlyList<TrainingRecord> classifier = new LoopAdamSingle().Train(
            Array.ConvertAll(xc, v => (float)v), Array.ConvertAll(yc, v => (float)v), options with { LearningRate = 0.02 }, cancellationToken: Token);

        Assert.True(regression[^1].Cost < 0.5 * regression[0].Cost, $"{regression[0].Cost} -> {regression[^1].Cost}");
        Assert.True(single[^1].Cost < 0.5 * single[0].Cost, $"{single[0].Cost} -> {single[^1].Cost}");
        Assert.True(classifier[^1].Cost < 0.8 * classifier[0].Cost, $"{classifier[0].Cost} -> {classifier[^1].Cost}");
        // float and double see the same data and the same shuffles: their costs agree to float's precision.
        Assert.Equal(regression[0].Cost, single[0].Cost, 1e-4);
    }

    [Fact]
    public void The_L2_gradient_passes_the_gradient_check_and_Train_applies_it_on_each_mini_batch()
    {
        (double[] x, double[] y) = Circles(40, 13);
        var network = new LoopGradientDescent();
        network.InitializeParameters(new NumPyRandom(4), Initialization.He);

        Assert.True(GradientChecking.Check(network, x, y, l2: 0.5) < 2e-7);
        Assert.True(network.GradientCheck(x, y, l2: 0.5) < 2e-7);

        var options = new TrainingOptions { LearningRate = 0.1, Epochs = 3, MiniBatchSize = 16, ShuffleSeed = 6, L2 = 0.5, RecordEvery = 1 };
        var replay = new LoopGradientDescent();
        network.Parameters.CopyTo(replay.Parameters);
        var loop = new ManualLoop(replay);

        IReadOnlyList<TrainingRecord> history = network.Train(x, y, options, cancellationToken: Token);
        loop.Run(x, y, options, options.Epochs);

        AssertBits(replay.Parameters, network.Parameters);
        Assert.Equal(loop.Costs, history.Select(record => record.Cost));
        // The penalty is in the cost: the epoch costs are above those of the same parameters without it.
        Assert.True(history[0].Cost > new LoopGradientDescent().Train(x, y, options with { L2 = 0, Epochs = 1 }, cancellationToken: Token)[0].Cost);
    }

    [Fact]
    public void The_L2_cost_is_the_courses_penalty_added_to_the_cross_entropy()
    {
        (double[] x, double[] y) = Circles(40, 13);
        var network = new LoopGradientDescent();
        network.Forward(x);
        double crossEntropy = network.ComputeCost(y);
        double squares = 0;
        foreach ((int offset, int count) in WeightSlices(network.LayerSizes))
        {
            foreach (double w in network.Parameters.Slice(offset, count))
            {
                squares += w * w;
            }
        }

        double cost = network.Train(x, y, new TrainingOptions { LearningRate = 0.1, Epochs = 1, L2 = 0.7 }, cancellationToken: Token)[0].Cost;

        Assert.Equal(crossEntropy + (0.7 / (2 * 40) * squares), cost, 1e-14);
    }

    // ---- The training state ----

    [Fact]
    public void ResetTrainingState_and_InitializeParameters_zero_the_moments_and_the_counts()
    {
        (double[] x, double[] y) = Circles(40, 14);
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 3, MiniBatchSize = 16, RecordEvery = 1 };
        var network = new LoopAdam();
        IReadOnlyList<TrainingRecord> first = network.Train(x, y, options, cancellationToken: Token);
        Assert.Contains(network.Velocity.ToArray(), v => v != 0);
        Assert.Contains(network.SquaredGradientAverage.ToArray(), s => s != 0);
        double[] trained = network.Parameters.ToArray();

        network.ResetTrainingState();

        Assert.All(network.Velocity.ToArray(), v => Assert.Equal(0, v));
        Assert.All(network.SquaredGradientAverage.ToArray(), s => Assert.Equal(0, s));
        Assert.Equal(0, network.CompletedEpochs);
        Assert.Equal(0, network.UpdateCount);
        AssertBits<double>(trained, network.Parameters); // the parameters stay

        network.Train(x, y, options, cancellationToken: Token);
        network.InitializeParameters(seed: 1);

        Assert.All(network.Velocity.ToArray(), v => Assert.Equal(0, v));
        Assert.All(network.SquaredGradientAverage.ToArray(), s => Assert.Equal(0, s));
        Assert.Equal((0, 0L), (network.CompletedEpochs, network.UpdateCount));
        // A new network starts from InitializeParameters(seed: 1): training again is the first training.
        Assert.Equal(first, network.Train(x, y, options, cancellationToken: Token));
    }

    [Fact]
    public void The_counts_reject_negative_values_and_set_where_training_goes_on()
    {
        (double[] x, double[] y) = Circles(40, 14);
        var network = new LoopAdam();

        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => network.CompletedEpochs = -1).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => network.UpdateCount = -1).ParamName);
        Assert.Equal((0, 0L), (network.CompletedEpochs, network.UpdateCount));

        network.CompletedEpochs = 200;
        network.UpdateCount = 5;
        IReadOnlyList<TrainingRecord> history = network.Train(x, y, new TrainingOptions { LearningRate = 0.01, Epochs = 3, MiniBatchSize = 16 }, cancellationToken: Token);

        Assert.Equal([200, 202], history.Select(record => record.Iteration)); // 200 is a multiple of RecordEvery = 100
        Assert.Equal((203, 5 + (3 * 3L)), (network.CompletedEpochs, network.UpdateCount));
    }

    [Fact]
    public void Gradient_descent_has_no_optimizer_state_and_momentum_no_second_moment()
    {
        Assert.Equal(Optimizer.GradientDescent, new LoopGradientDescent().Optimizer);
        Assert.Equal(0, new LoopGradientDescent().Velocity.Length);
        Assert.Equal(0, new LoopGradientDescent().SquaredGradientAverage.Length);
        Assert.Equal(Optimizer.Momentum, new LoopMomentum().Optimizer);
        Assert.Equal(LoopMomentum.ParameterCount, new LoopMomentum().Velocity.Length);
        Assert.Equal(0, new LoopMomentum().SquaredGradientAverage.Length);
        Assert.Equal(Optimizer.Adam, new LoopAdam().Optimizer);
        Assert.Equal(LoopAdam.ParameterCount, new LoopAdam().SquaredGradientAverage.Length);
    }

    // ---- Helpers ----

    /// <summary>m points of N(0, 1)^2 and whether each lies inside the circle of radius 1.1.</summary>
    internal static (double[] X, double[] Y) Circles(int m, uint seed)
    {
        var random = new NumPyRandom(seed);
        var x = new double[m * 2];
        random.FillStandardNormal(x);
        var y = new double[m];
        for (int i = 0; i < m; i++)
        {
            y[i] = (x[2 * i] * x[2 * i]) + (x[(2 * i) + 1] * x[(2 * i) + 1]) < 1.21 ? 1 : 0;
        }

        return (x, y);
    }

    /// <summary>m points of N(0, 1)^4 in three classes cut by two planes.</summary>
    internal static (double[] X, int[] Classes) Classes(int m, uint seed)
    {
        var random = new NumPyRandom(seed);
        var x = new double[m * 4];
        random.FillStandardNormal(x);
        var classes = new int[m];
        for (int i = 0; i < m; i++)
        {
            classes[i] = (x[4 * i] > 0 ? 1 : 0) + (x[(4 * i) + 1] + x[(4 * i) + 2] > 0 ? 1 : 0);
        }

        return (x, classes);
    }

    /// <summary>m points of N(0, 1)^3 and two smooth targets of them.</summary>
    internal static (double[] X, double[] Y) Regression(int m, uint seed)
    {
        var random = new NumPyRandom(seed);
        var x = new double[m * 3];
        random.FillStandardNormal(x);
        var y = new double[m * 2];
        for (int i = 0; i < m; i++)
        {
            y[2 * i] = x[3 * i] + (0.5 * x[(3 * i) + 1] * x[(3 * i) + 1]);
            y[(2 * i) + 1] = Math.Sin(x[(3 * i) + 2]);
        }

        return (x, y);
    }

    private static double[] OneHot(int[] classes, int count)
    {
        var y = new double[classes.Length * count];
        for (int i = 0; i < classes.Length; i++)
        {
            y[(i * count) + classes[i]] = 1;
        }

        return y;
    }

    /// <summary>np.random.seed(seed); np.random.permutation(m), as an epoch shuffles.</summary>
    private static int[] Permutation(int m, long seed)
    {
        var permutation = new int[m];
        MiniBatches.Shuffle(new NumPyRandom(0), checked((uint)seed), permutation);
        return permutation;
    }

    /// <summary>The epoch and mini-batch of the update a divergence message says it undid.</summary>
    private static (int Epoch, int Batch) RestoredUpdate(string message)
    {
        Match before = Regex.Match(message, @"restored to those before the update of epoch (\d+), mini-batch (\d+) of");
        if (before.Success)
        {
            return (int.Parse(before.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(before.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        Match update = Regex.Match(message, @"^Epoch (\d+), mini-batch (\d+) of \d+ \(from 0\): the update made");
        Assert.True(update.Success, message);
        return (int.Parse(update.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(update.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Each W[l]'s offset and length in the parameters' layout W1, b1, W2, b2, ...</summary>
    internal static List<(int Offset, int Count)> WeightSlices(ReadOnlySpan<int> sizes)
    {
        var slices = new List<(int, int)>();
        int offset = 0;
        for (int l = 1; l < sizes.Length; l++)
        {
            slices.Add((offset, sizes[l] * sizes[l - 1]));
            offset += (sizes[l] * sizes[l - 1]) + sizes[l];
        }

        return slices;
    }

    internal static void AssertBits<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual)
        where T : unmanaged
        => Assert.Equal(MemoryMarshal.AsBytes(expected).ToArray(), MemoryMarshal.AsBytes(actual).ToArray());

    /// <summary>Reports on the calling thread, unlike System.Progress.</summary>
    private sealed class Recorder : IProgress<TrainingRecord>
    {
        public List<TrainingRecord> Records { get; } = [];

        public void Report(TrainingRecord value) => Records.Add(value);
    }

    /// <summary>Everything Train(x, y, options) changes, as bytes.</summary>
    private sealed record State(byte[] Parameters, byte[] Velocity, byte[] Squares, int CompletedEpochs, long UpdateCount)
    {
        public static State Of<T>(INetwork<T> network)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
            => new(
                MemoryMarshal.AsBytes((ReadOnlySpan<T>)network.Parameters).ToArray(),
                MemoryMarshal.AsBytes((ReadOnlySpan<T>)network.Velocity).ToArray(),
                MemoryMarshal.AsBytes((ReadOnlySpan<T>)network.SquaredGradientAverage).ToArray(),
                network.CompletedEpochs,
                network.UpdateCount);

        public void AssertEqual(State actual)
        {
            Assert.Equal(Parameters, actual.Parameters);
            Assert.Equal(Velocity, actual.Velocity);
            Assert.Equal(Squares, actual.Squares);
            Assert.Equal(CompletedEpochs, actual.CompletedEpochs);
            Assert.Equal(UpdateCount, actual.UpdateCount);
        }
    }

    /// <summary>
    /// Course 2's model loop written out with the network's public steps: per epoch the course's shuffle
    /// (np.random.seed(ShuffleSeed + 1 + e), permutation), the mini-batches gathered in its order, then Forward,
    /// ComputeCost (+ the L2 term), Backward (+ (lambd / m) W, through GradientChecking.Gradients) and the optimizer's
    /// update, the epoch's cost the batches' cost times size summed over m. No dropout.
    /// </summary>
    private sealed class ManualLoop(INetwork<double> network)
    {
        public List<double> Costs { get; } = [];

        public double[] V { get; } = network.Optimizer == Optimizer.GradientDescent ? [] : new double[network.Parameters.Length];

        public double[] S { get; } = network.Optimizer == Optimizer.Adam ? new double[network.Parameters.Length] : [];

        public long Updates { get; private set; }

        public int Epoch { get; set; }

        public void Run(double[] x, double[] y, TrainingOptions options, int epochs, (int Epoch, int Batch)? stopBefore = null)
        {
            int nx = network.LayerSizes[0];
            int ny = network.LayerSizes[^1];
            int m = x.Length / nx;
            var permutation = new int[m];
            var shuffler = new NumPyRandom(0);
            var gradients = new double[network.Parameters.Length];
            for (long e = Epoch; e < (long)Epoch + epochs; e++)
            {
                int epoch = (int)e;
                double rate = options.LearningRateAt(epoch);
                bool shuffles = options.MiniBatchSize != 0;
                int size = shuffles ? Math.Min(options.MiniBatchSize, m) : m;
                if (shuffles)
                {
                    MiniBatches.Shuffle(shuffler, checked((uint)(options.ShuffleSeed + 1L + epoch)), permutation);
                }

                double total = 0;
                for (int start = 0, batch = 0; start < m; start += size, batch++)
                {
                    if (stopBefore == (epoch, batch))
                    {
                        Epoch = epoch;
                        return;
                    }

                    int n = Math.Min(size, m - start);
                    double[] bx = x;
                    double[] by = y;
                    if (shuffles)
                    {
                        bx = new double[n * nx];
                        by = new double[n * ny];
                        MiniBatches.Gather<double>(x, nx, permutation.AsSpan(start, n), bx);
                        MiniBatches.Gather<double>(y, ny, permutation.AsSpan(start, n), by);
                    }

                    network.Forward(bx);
                    double cost = network.ComputeCost(by);
                    if (options.L2 != 0)
                    {
                        double squares = 0;
                        foreach ((int offset, int count) in WeightSlices(network.LayerSizes))
                        {
                            squares += Regularization.L2Penalty<double>(network.Parameters.Slice(offset, count));
                        }

                        cost += Regularization.L2Cost(squares, options.L2, n);
                        GradientChecking.Gradients(network, bx, by, gradients, options.L2);
                    }
                    else
                    {
                        network.Backward(bx, by);
                        network.Gradients.CopyTo(gradients);
                    }

                    Updates++;
                    switch (network.Optimizer)
                    {
                        case Optimizer.GradientDescent:
                            Dense.GradientDescent<double>(network.Parameters, gradients, rate);
                            break;
                        case Optimizer.Momentum:
                            Optimizers.Momentum<double>(network.Parameters, V, gradients, rate, options.Beta);
                            break;
                        default:
                            Optimizers.Adam<double>(network.Parameters, V, S, gradients, rate, options.Beta1, options.Beta2, options.Epsilon, Updates);
                            break;
                    }

                    total += shuffles ? cost * n : cost;
                }

                Costs.Add(shuffles ? total / m : total);
            }

            Epoch += epochs;
        }
    }
}

/// <summary>Wide enough that Dense shares the products of layer 1 with the worker threads (64 x 784 x 256 multiply-adds a mini-batch).</summary>
[Network(784, 256, 10, OutputActivation = Activation.Softmax, Optimizer = Optimizer.Adam)]
public partial class LoopWide;

/// <summary>Train(x, y, options) on several threads gives the bits of one thread (it changes Dense.MaxDegreeOfParallelism, so it runs alone).</summary>
[Collection(nameof(WholeProcessCollection))]
public class TrainingLoopThreadTests
{
    [Fact]
    public void Mini_batch_Adam_with_dropout_gives_the_same_bits_on_one_thread_and_on_several()
    {
        var random = new NumPyRandom(21);
        var x = new double[300 * 784];
        random.FillStandardNormal(x);
        var classes = new int[300];
        for (int i = 0; i < classes.Length; i++)
        {
            classes[i] = (int)(random.NextUInt32() % 10);
        }

        var options = new TrainingOptions { LearningRate = 0.001, Epochs = 2, MiniBatchSize = 64, ShuffleSeed = 7, KeepProbability = 0.9, L2 = 0.1, RecordEvery = 1 };
        Assert.True(64L * 784 * 256 >= Dense.ParallelWorkThreshold);
        int saved = Dense.MaxDegreeOfParallelism;
        try
        {
            Dense.MaxDegreeOfParallelism = 1;
            (IReadOnlyList<TrainingRecord> oneThread, byte[] oneThreadState) = Train(x, classes, options);
            Dense.MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount);
            (IReadOnlyList<TrainingRecord> threaded, byte[] threadedState) = Train(x, classes, options);
            (IReadOnlyList<TrainingRecord> again, byte[] againState) = Train(x, classes, options);

            Assert.Equal(oneThread, threaded);
            Assert.Equal(oneThreadState, threadedState);
            Assert.Equal(threaded, again);
            Assert.Equal(threadedState, againState);
        }
        finally
        {
            Dense.MaxDegreeOfParallelism = saved;
        }
    }

    private static (IReadOnlyList<TrainingRecord> History, byte[] State) Train(double[] x, int[] classes, TrainingOptions options)
    {
        var network = new LoopWide();
        network.InitializeParameters(seed: 2);
        IReadOnlyList<TrainingRecord> history = network.Train(x, classes, options, cancellationToken: TestContext.Current.CancellationToken);
        return (history, [
            .. MemoryMarshal.AsBytes((ReadOnlySpan<double>)network.Parameters).ToArray(),
            .. MemoryMarshal.AsBytes((ReadOnlySpan<double>)network.Velocity).ToArray(),
            .. MemoryMarshal.AsBytes((ReadOnlySpan<double>)network.SquaredGradientAverage).ToArray(),
        ]);
    }
}
