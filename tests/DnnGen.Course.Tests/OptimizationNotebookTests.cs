using System.Collections.Generic;
using System.Linq;
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
/// 5000 epochs), and the numbers of ../shared/course/course2-reference.md.
/// </summary>
public class OptimizationNotebookTests
{
    private const int Epochs = 5000;

    private static readonly TrainingOptions s_notebook = new() { LearningRate = 0.0007, Epochs = Epochs, MiniBatchSize = 64, ShuffleSeed = 10, RecordEvery = 1 };

    private static IReadOnlyDictionary<string, NumPyArray> Reference { get; } = Read("optimization_course2.npz");

    /// <summary>The moons, example-major: X (300, 2), Y (300, 1).</summary>
    private static (double[] X, double[] Y) Moons()
    {
        IReadOnlyDictionary<string, NumPyArray> data = NumPyFile.ReadNpz(global::DnnGen.Tests.Shared.Course2Data.FindOrSkip("course2_moons.npz"));
        Assert.Equal([2, 300], data["train_X"].Shape);
        double[] x = data["train_X"].Transpose().ToDoubleArray();
        double[] y = data["train_Y"].ToDoubleArray();
        AssertRelative(Reference.Scalar("train_x_sum"), x.Sum(), 1e-12, "sum of train_X");
        return (x, y);
    }

    /// <summary>W1, b1, ..., b3 of the reference with the given prefix, in the layout of Parameters.</summary>
    private static double[] Arrays(string prefix) =>
    [
        .. Reference[prefix + "W1"].ToDoubleArray(), .. Reference[prefix + "b1"].ToDoubleArray(),
        .. Reference[prefix + "W2"].ToDoubleArray(), .. Reference[prefix + "b2"].ToDoubleArray(),
        .. Reference[prefix + "W3"].ToDoubleArray(), .. Reference[prefix + "b3"].ToDoubleArray(),
    ];

    private static double[] Costs(IReadOnlyList<TrainingRecord> history) => history.Select(record => record.Cost).ToArray();

    [Theory]
    [InlineData("gd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    public void Every_epochs_cost_the_final_parameters_and_the_accuracy_are_the_notebooks(string optimizer)
    {
        (double[] x, double[] y) = Moons();
        INetwork<double> network = optimizer switch
        {
            "gd" => new MoonsGradientDescent(),
            "momentum" => new MoonsMomentum(),
            _ => new MoonsAdam(),
        };
        network.InitializeParameters(new NumPyRandom(3), Initialization.He);
        Assert.Equal(Arrays(optimizer + "_").Length, network.Parameters.Length);
        AssertMaxNormRelative(
            [.. Reference[optimizer + "_W1_initial"].ToDoubleArray(), .. Reference[optimizer + "_b1_initial"].ToDoubleArray()],
            network.Parameters[..15].ToArray(), 0, "initial W1, b1");

        IReadOnlyList<TrainingRecord> history = network.Train(x, y, s_notebook, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, Epochs), history.Select(record => record.Iteration));
        AssertMaxNormRelative(Reference[optimizer + "_costs"].ToDoubleArray(), Costs(history), 1e-9, "every epoch's cost");
        AssertMaxNormRelative(Arrays(optimizer + "_"), network.Parameters.ToArray(), 1e-9, "the parameters after 5000 epochs");
        Assert.Equal(Epochs, network.CompletedEpochs);
        Assert.Equal(Epochs * 5L, network.UpdateCount);
        Assert.Equal(Reference.Scalar(optimizer + "_train_accuracy"), ((IBinaryClassifier<double>)network).Accuracy(x, y));
    }
}
