using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using static DnnGen.Course.Tests.NotebookReference;

namespace DnnGen.Course.Tests;

/// <summary>The Optimization notebook's model (2, 5, 2, 1) with He initialisation, one class per optimizer.</summary>
[Network(2, 5, 2, 1, Initialization = Initialization.He)]
public partial class MoonsGradientDescent;

/// <summary>The Optimization notebook's model with momentum.</summary>
[Network(2, 5, 2, 1, Initialization = Initialization.He, Optimizer = Optimizer.Momentum)]
public partial class MoonsMomentum;

/// <summary>The Optimization notebook's model with Adam.</summary>
[Network(2, 5, 2, 1, Optimizer = Optimizer.Adam, Initialization = Initialization.He)]
public partial class MoonsAdam;

/// <summary>
/// Course 2, week 2, the Optimization notebook through the generated API: <c>model(train_X, train_Y, [2, 5, 2, 1],
/// optimizer)</c> with mini-batches of 64 shuffled from seed 10 + 1 + epoch, learning rate 0.0007 and 5000 epochs, for
/// gradient descent, momentum and Adam, and Adam with schedule_lr_decay; against Reference/optimization_course2.npz,
/// written by the NumPy transcription Reference/optimization_course2.py (every epoch's cost, the state after 2000 and
/// 5000 epochs), and the numbers of ../shared/course/course2-reference.md. Then checkpoint resume: 2000 epochs, the
/// state copied into a new instance (through the training-state members, or a checkpoint file written by SaveNpz and
/// read by LoadNpz), 3000 more, bit for bit the 5000 epochs straight; and 3000 epochs from the notebook's own state.
/// </summary>
/// <remarks>
/// The runs (per optimizer 5000 epochs straight, 2000 epochs and three resumptions of 3000; Adam with decay, 2000)
/// are made once by <see cref="Runs"/> and shared by the tests. The notebook's runs are well-conditioned
/// (Reference/README.md): every epoch's cost and the parameters and state within 1e-9 relative, the accuracies exactly.
/// </remarks>
public class OptimizationNotebookTests(OptimizationNotebookTests.Runs runs) : IClassFixture<OptimizationNotebookTests.Runs>
{
    private const int Epochs = 5000;
    private const int Checkpoint = 2000;
    private const int MiniBatchesPerEpoch = 5; // 300 examples: 4 of 64 and one of 44

    private static readonly TrainingOptions s_notebook = new() { LearningRate = 0.0007, Epochs = Epochs, MiniBatchSize = 64, ShuffleSeed = 10, RecordEvery = 1 };

    /// <summary>model(..., optimizer = "adam", learning_rate = 0.1, num_epochs = 2000, decay = schedule_lr_decay), decay_rate 1, time_interval 1000.</summary>
    private static readonly TrainingOptions s_decay = s_notebook with { LearningRate = 0.1, Epochs = 2000, DecayRate = 1, DecayInterval = 1000 };

    private static IReadOnlyDictionary<string, NumPyArray> Reference { get; } = Read("optimization_course2.npz");

    /// <summary>
    /// One optimizer's runs: 5000 epochs straight; 2000 epochs; new instances given that state (copied through the
    /// training-state members, or saved to and loaded from a checkpoint file) or the notebook's state after 2000
    /// epochs, each trained 3000 more.
    /// </summary>
    public sealed record OptimizerRuns(
        INetwork<double> Straight, IReadOnlyList<TrainingRecord> StraightHistory,
        INetwork<double> AtCheckpoint, IReadOnlyList<TrainingRecord> CheckpointHistory,
        INetwork<double> Resumed, IReadOnlyList<TrainingRecord> ResumedHistory,
        INetwork<double> FromFile, IReadOnlyList<TrainingRecord> FromFileHistory,
        INetwork<double> FromNotebook, IReadOnlyList<TrainingRecord> FromNotebookHistory);

    /// <summary>
    /// The class fixture: the runs, made when a test first asks for them (in the test, so that a missing data file
    /// skips the tests that need it).
    /// </summary>
    public sealed class Runs
    {
        private readonly Lazy<Trained> _trained = new(() => new Trained());

        public Trained Value => _trained.Value;
    }

    /// <summary>The moons and every run of the tests, made once, in parallel.</summary>
    public sealed class Trained
    {
        public Trained()
        {
            (X, Y) = Moons();
            string[] optimizers = ["gd", "momentum", "adam"];
            Task<OptimizerRuns>[] training = optimizers.Select(name => Task.Run(() => Train(name))).ToArray();
            Task<(MoonsAdam, IReadOnlyList<TrainingRecord>)> decay = Task.Run(() =>
            {
                var network = (MoonsAdam)Initialized("adam");
                return (network, network.Train(X, Y, s_decay));
            });
            Task.WaitAll([.. training, decay]);
            Optimizers = optimizers.Zip(training, (name, task) => (name, task.Result)).ToDictionary(pair => pair.name, pair => pair.Result);
            (Decay, DecayHistory) = decay.Result;
        }

        /// <summary>The moons, example-major: X (300, 2), Y (300, 1).</summary>
        public double[] X { get; }

        public double[] Y { get; }

        public IReadOnlyDictionary<string, OptimizerRuns> Optimizers { get; }

        /// <summary>Adam with schedule_lr_decay after its 2000 epochs.</summary>
        public MoonsAdam Decay { get; }

        public IReadOnlyList<TrainingRecord> DecayHistory { get; }

        private OptimizerRuns Train(string optimizer)
        {
            INetwork<double> straight = Initialized(optimizer);
            IReadOnlyList<TrainingRecord> straightHistory = straight.Train(X, Y, s_notebook);

            INetwork<double> atCheckpoint = Initialized(optimizer);
            IReadOnlyList<TrainingRecord> checkpointHistory = atCheckpoint.Train(X, Y, s_notebook with { Epochs = Checkpoint });

            // A new instance, never initialised: everything Train's resume needs is the public training state.
            INetwork<double> resumed = New(optimizer);
            atCheckpoint.Parameters.CopyTo(resumed.Parameters);
            atCheckpoint.Velocity.CopyTo(resumed.Velocity);
            atCheckpoint.SquaredGradientAverage.CopyTo(resumed.SquaredGradientAverage);
            resumed.CompletedEpochs = atCheckpoint.CompletedEpochs;
            resumed.UpdateCount = atCheckpoint.UpdateCount;
            IReadOnlyList<TrainingRecord> resumedHistory = resumed.Train(X, Y, s_notebook with { Epochs = Epochs - Checkpoint });

            // A checkpoint: SaveNpz with the training state to a file, LoadNpz into a new instance.
            INetwork<double> fromFile = New(optimizer);
            string path = Path.Combine(Path.GetTempPath(), $"dnngen-{optimizer}-epoch2000-{Guid.NewGuid():N}.npz");
            try
            {
                atCheckpoint.SaveNpz(path, includeTrainingState: true);
                fromFile.LoadNpz(path);
            }
            finally
            {
                File.Delete(path);
            }

            IReadOnlyList<TrainingRecord> fromFileHistory = fromFile.Train(X, Y, s_notebook with { Epochs = Epochs - Checkpoint });

            // The notebook's own state after 2000 epochs: parameters, v, s, t = 10000, and the next epoch 2000.
            INetwork<double> fromNotebook = New(optimizer);
            Arrays(optimizer + "_epoch2000_").CopyTo(fromNotebook.Parameters);
            if (optimizer != "gd")
            {
                Arrays(optimizer + "_epoch2000_v_d").CopyTo(fromNotebook.Velocity);
            }

            if (optimizer == "adam")
            {
                Arrays(optimizer + "_epoch2000_s_d").CopyTo(fromNotebook.SquaredGradientAverage);
            }

            fromNotebook.CompletedEpochs = Checkpoint;
            fromNotebook.UpdateCount = Checkpoint * MiniBatchesPerEpoch;
            IReadOnlyList<TrainingRecord> fromNotebookHistory = fromNotebook.Train(X, Y, s_notebook with { Epochs = Epochs - Checkpoint });

            return new OptimizerRuns(
                straight, straightHistory, atCheckpoint, checkpointHistory, resumed, resumedHistory,
                fromFile, fromFileHistory, fromNotebook, fromNotebookHistory);
        }

        private static INetwork<double> Initialized(string optimizer)
        {
            INetwork<double> network = New(optimizer);
            network.InitializeParameters(new NumPyRandom(3), Initialization.He);
            return network;
        }
    }

    private Trained Run => runs.Value;

    private static INetwork<double> New(string optimizer) => optimizer switch
    {
        "gd" => new MoonsGradientDescent(),
        "momentum" => new MoonsMomentum(),
        _ => new MoonsAdam(),
    };

    /// <summary>The moons, example-major: X (300, 2), Y (300, 1).</summary>
    private static (double[] X, double[] Y) Moons()
    {
        IReadOnlyDictionary<string, NumPyArray> data = NumPyFile.ReadNpz(global::DnnGen.Tests.Shared.Course2Data.FindOrSkip("course2_moons.npz"));
        Assert.Equal([2, 300], data["train_X"].Shape);
        double[] x = data["train_X"].Transpose().ToDoubleArray();
        double[] y = data["train_Y"].ToDoubleArray();
        AssertRelative(Reference.Scalar("train_x_sum"), x.Sum(), 1e-12, "sum of train_X");
        Assert.Equal(Reference.Scalar("train_y_sum"), y.Sum());
        return (x, y);
    }

    /// <summary>
    /// W1, b1, ..., b3 of the reference with the given prefix, in the layout of Parameters; with a prefix ending in
    /// <c>v_d</c> or <c>s_d</c>, the optimizer's state v_dW1, v_db1, ... in the same layout.
    /// </summary>
    private static double[] Arrays(string prefix) =>
    [
        .. Reference[prefix + "W1"].ToDoubleArray(), .. Reference[prefix + "b1"].ToDoubleArray(),
        .. Reference[prefix + "W2"].ToDoubleArray(), .. Reference[prefix + "b2"].ToDoubleArray(),
        .. Reference[prefix + "W3"].ToDoubleArray(), .. Reference[prefix + "b3"].ToDoubleArray(),
    ];

    private static double[] Costs(IEnumerable<TrainingRecord> history) => history.Select(record => record.Cost).ToArray();

    private static long[] Bits(IEnumerable<double> values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();

    /// <summary>The optimizer's v and s as the reference stores them under <paramref name="prefix"/> (<c>adam_epoch2000_</c>), against the network's.</summary>
    private static void AssertState(string optimizer, string prefix, INetwork<double> network, string what)
    {
        if (optimizer == "gd")
        {
            Assert.Equal(0, network.Velocity.Length);
        }
        else
        {
            AssertMaxNormRelative(Arrays(prefix + "v_d"), network.Velocity.ToArray(), 1e-9, what + ": v");
        }

        if (optimizer == "adam")
        {
            AssertMaxNormRelative(Arrays(prefix + "s_d"), network.SquaredGradientAverage.ToArray(), 1e-9, what + ": s");
        }
        else
        {
            Assert.Equal(0, network.SquaredGradientAverage.Length);
        }
    }

    [Theory]
    [InlineData("gd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    public void He_with_seed_3_draws_the_notebooks_initial_parameters_bit_for_bit(string optimizer)
    {
        INetwork<double> network = New(optimizer);

        network.InitializeParameters(new NumPyRandom(3), Initialization.He);

        Assert.Equal(Arrays(optimizer + "_").Length, network.Parameters.Length);
        string[] names = ["W1", "b1", "W2", "b2", "W3", "b3"];
        Assert.Equal(names.SelectMany(name => Reference[optimizer + "_" + name + "_initial"].ToDoubleArray()), network.Parameters.ToArray());
    }

    [Theory]
    [InlineData("gd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    public void Every_epochs_cost_the_final_parameters_and_the_accuracy_are_the_notebooks(string optimizer)
    {
        OptimizerRuns run = Run.Optimizers[optimizer];
        INetwork<double> network = run.Straight;

        Assert.Equal(Enumerable.Range(0, Epochs), run.StraightHistory.Select(record => record.Iteration));
        AssertMaxNormRelative(Reference[optimizer + "_costs"].ToDoubleArray(), Costs(run.StraightHistory), 1e-9, "every epoch's cost");
        AssertMaxNormRelative(Arrays(optimizer + "_"), network.Parameters.ToArray(), 1e-9, "the parameters after 5000 epochs");
        AssertState(optimizer, optimizer + "_", network, "the state after 5000 epochs");
        Assert.Equal(Epochs, network.CompletedEpochs);
        Assert.Equal(Epochs * MiniBatchesPerEpoch, network.UpdateCount);
        if (optimizer == "adam")
        {
            Assert.Equal(Reference.Scalar("adam_t"), network.UpdateCount);
        }

        Assert.Equal(Reference.Scalar(optimizer + "_train_accuracy"), ((IBinaryClassifier<double>)network).Accuracy(Run.X, Run.Y));
        var labels = new double[300];
        ((IBinaryClassifier<double>)network).PredictLabels(Run.X, labels);
        Assert.Equal(Reference[optimizer + "_train_predictions"].ToDoubleArray(), labels);
    }

    [Theory]
    [InlineData("gd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    public void The_state_after_2000_epochs_is_the_notebooks(string optimizer)
    {
        OptimizerRuns run = Run.Optimizers[optimizer];
        INetwork<double> network = run.AtCheckpoint;

        Assert.Equal(Enumerable.Range(0, Checkpoint), run.CheckpointHistory.Select(record => record.Iteration));
        AssertMaxNormRelative(Reference[optimizer + "_costs"].ToDoubleArray()[..Checkpoint], Costs(run.CheckpointHistory), 1e-9, "every epoch's cost up to 2000");
        AssertMaxNormRelative(Arrays(optimizer + "_epoch2000_"), network.Parameters.ToArray(), 1e-9, "the parameters after 2000 epochs");
        AssertState(optimizer, optimizer + "_epoch2000_", network, "the state after 2000 epochs");
        Assert.Equal(Checkpoint, network.CompletedEpochs);
        Assert.Equal(Checkpoint * MiniBatchesPerEpoch, network.UpdateCount);
        if (optimizer == "adam")
        {
            Assert.Equal(Reference.Scalar("adam_epoch2000_t"), network.UpdateCount);
        }
    }

    [Theory]
    [InlineData("gd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    public void Resuming_in_a_new_instance_from_the_training_state_gives_the_bits_of_5000_epochs_straight(string optimizer)
    {
        OptimizerRuns run = Run.Optimizers[optimizer];

        // Epochs numbered on from CompletedEpochs: 2000 .. 4999, with the shuffles, rates and (Adam) t of those epochs.
        Assert.Equal(Enumerable.Range(Checkpoint, Epochs - Checkpoint), run.ResumedHistory.Select(record => record.Iteration));
        Assert.Equal(Bits(Costs(run.StraightHistory.Skip(Checkpoint))), Bits(Costs(run.ResumedHistory)));
        Assert.Equal(Bits(Costs(run.StraightHistory.Take(Checkpoint))), Bits(Costs(run.CheckpointHistory)));
        Assert.Equal(Bits(run.Straight.Parameters.ToArray()), Bits(run.Resumed.Parameters.ToArray()));
        Assert.Equal(Bits(run.Straight.Velocity.ToArray()), Bits(run.Resumed.Velocity.ToArray()));
        Assert.Equal(Bits(run.Straight.SquaredGradientAverage.ToArray()), Bits(run.Resumed.SquaredGradientAverage.ToArray()));
        Assert.Equal(Epochs, run.Resumed.CompletedEpochs);
        Assert.Equal(run.Straight.UpdateCount, run.Resumed.UpdateCount);
    }

    [Theory]
    [InlineData("gd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    public void Resuming_from_a_checkpoint_file_gives_the_bits_of_5000_epochs_straight(string optimizer)
    {
        OptimizerRuns run = Run.Optimizers[optimizer];

        Assert.Equal(Enumerable.Range(Checkpoint, Epochs - Checkpoint), run.FromFileHistory.Select(record => record.Iteration));
        Assert.Equal(Bits(Costs(run.StraightHistory.Skip(Checkpoint))), Bits(Costs(run.FromFileHistory)));
        Assert.Equal(Bits(run.Straight.Parameters.ToArray()), Bits(run.FromFile.Parameters.ToArray()));
        Assert.Equal(Bits(run.Straight.Velocity.ToArray()), Bits(run.FromFile.Velocity.ToArray()));
        Assert.Equal(Bits(run.Straight.SquaredGradientAverage.ToArray()), Bits(run.FromFile.SquaredGradientAverage.ToArray()));
        Assert.Equal(Epochs, run.FromFile.CompletedEpochs);
        Assert.Equal(run.Straight.UpdateCount, run.FromFile.UpdateCount);
    }

    [Theory]
    [InlineData("gd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    public void Resuming_from_the_notebooks_state_after_2000_epochs_continues_the_notebooks_run(string optimizer)
    {
        OptimizerRuns run = Run.Optimizers[optimizer];

        // Epoch 2000 shuffles with seed 2011 and Adam's next t is 10001, as the notebook's loop goes on.
        Assert.Equal(Enumerable.Range(Checkpoint, Epochs - Checkpoint), run.FromNotebookHistory.Select(record => record.Iteration));
        AssertMaxNormRelative(Reference[optimizer + "_costs"].ToDoubleArray()[Checkpoint..], Costs(run.FromNotebookHistory), 1e-9, "every epoch's cost from 2000 on");
        AssertMaxNormRelative(Arrays(optimizer + "_"), run.FromNotebook.Parameters.ToArray(), 1e-9, "the parameters after 5000 epochs");
        AssertState(optimizer, optimizer + "_", run.FromNotebook, "the state after 5000 epochs");
        Assert.Equal(Epochs * MiniBatchesPerEpoch, run.FromNotebook.UpdateCount);
    }

    [Fact]
    public void Adam_with_schedule_lr_decay_is_the_notebooks_run_epoch_by_epoch()
    {
        MoonsAdam network = Run.Decay;
        IReadOnlyList<TrainingRecord> history = Run.DecayHistory;

        Assert.Equal(Enumerable.Range(0, 2000), history.Select(record => record.Iteration));
        AssertMaxNormRelative(Reference["adam_decay_costs"].ToDoubleArray(), Costs(history), 1e-9, "every epoch's cost with decay");
        AssertRelative(0.6698653869218953, history[0].Cost, 1e-9, "the cost at epoch 0");
        AssertRelative(0.14837044453167336, history[1000].Cost, 1e-9, "the cost at epoch 1000");
        AssertRelative(0.1437778677314083, history[1999].Cost, 1e-9, "the cost at epoch 1999");
        AssertMaxNormRelative(Arrays("adam_decay_"), network.Parameters.ToArray(), 1e-9, "the parameters after 2000 epochs with decay");
        AssertState("adam", "adam_decay_", network, "the state after 2000 epochs with decay");
        Assert.Equal(Reference.Scalar("adam_decay_t"), network.UpdateCount);
        Assert.Equal(2000, network.CompletedEpochs);
        Assert.Equal(Reference.Scalar("adam_decay_train_accuracy"), network.Accuracy(Run.X, Run.Y));
        Assert.Equal(0.9366666666666666, network.Accuracy(Run.X, Run.Y));
        var labels = new double[300];
        network.PredictLabels(Run.X, labels);
        Assert.Equal(Reference["adam_decay_train_predictions"].ToDoubleArray(), labels);
    }

    [Fact]
    public void LearningRateAt_is_the_rate_each_epoch_of_the_decay_run_ran_at()
    {
        double[] rates = Reference["adam_decay_learning_rates"].ToDoubleArray();

        Assert.Equal(2000, rates.Length);
        Assert.Equal(rates, Enumerable.Range(0, rates.Length).Select(s_decay.LearningRateAt));
        Assert.Equal(0.1, s_decay.LearningRateAt(1000));
        Assert.Equal(0.05, s_decay.LearningRateAt(1001));
    }

    [Fact]
    public void The_shuffles_of_the_first_and_last_epoch_are_the_notebooks()
    {
        var random = new NumPyRandom(0);
        var permutation = new int[300];

        // Epoch e: np.random.seed(10 + 1 + e); np.random.permutation(300).
        global::DnnGen.Kernels.MiniBatches.Shuffle(random, 11, permutation);
        Assert.Equal(Reference["permutation_epoch0"].ToDoubleArray(), permutation.Select(i => (double)i));
        global::DnnGen.Kernels.MiniBatches.Shuffle(random, 5010, permutation);
        Assert.Equal(Reference["permutation_epoch4999"].ToDoubleArray(), permutation.Select(i => (double)i));
    }
}
