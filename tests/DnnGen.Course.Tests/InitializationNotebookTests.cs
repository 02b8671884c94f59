using System.Collections.Generic;
using System.Linq;

namespace DnnGen.Course.Tests;

/// <summary>The course-2 Initialization notebook's model, (2, 10, 5, 1), as the test declares it for itself.</summary>
[Network(2, 10, 5, 1)]
public partial class CirclesNetwork;

/// <summary>The (2, 4, 1) network whose He draws the notebook prints.</summary>
[Network(2, 4, 1)]
public partial class HeDrawsNetwork;

/// <summary>
/// Course 2, week 1, the Initialization notebook end to end on ../shared/data/course2_circles.npz (read with
/// <see cref="NumPyFile"/>): full-batch gradient descent, learning rate 0.01, 15000 iterations, from zeros and from He
/// initialisation after seed 3, with the numbers of ../shared/course/course2-reference.md.
/// </summary>
public class InitializationNotebookTests
{
    private const int Iterations = 15000;
    private const double LearningRate = 0.01;

    /// <summary>The data in DnnGen's example-major layout: the course's (2, m) features transposed to (m, 2).</summary>
    private static (double[] TrainX, double[] TrainY, double[] TestX, double[] TestY) Circles()
    {
        IReadOnlyDictionary<string, NumPyArray> data = NumPyFile.ReadNpz(global::DnnGen.Tests.Shared.Course2Data.FindOrSkip("course2_circles.npz"));
        Assert.Equal([2, 300], data["train_X"].Shape);
        Assert.Equal([1, 300], data["train_Y"].Shape);
        Assert.Equal([2, 100], data["test_X"].Shape);
        Assert.Equal([1, 100], data["test_Y"].Shape);
        return (data["train_X"].Transpose().ToDoubleArray(), data["train_Y"].ToDoubleArray(),
                data["test_X"].Transpose().ToDoubleArray(), data["test_Y"].ToDoubleArray());
    }

    private static void AssertRelative(double expected, double actual, double tolerance = 1e-9)
        => Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void Zeros_never_breaks_symmetry_cost_log_2_and_accuracy_one_half()
    {
        (double[] trainX, double[] trainY, double[] testX, double[] testY) = Circles();
        var network = new CirclesNetwork();
        network.InitializeParameters(seed: 3, Initialization.Zeros);

        IReadOnlyList<TrainingRecord> history = network.Train(trainX, trainY, Iterations, LearningRate, cancellationToken: TestContext.Current.CancellationToken);

        // The notebook prints every 1000 iterations; Train records every 100.
        TrainingRecord[] printed = history.Where(record => record.Iteration % 1000 == 0).ToArray();
        Assert.Equal(15, printed.Length);
        Assert.All(printed, record => AssertRelative(0.6931471805599453, record.Cost));
        Assert.Equal(0.5, network.Accuracy(trainX, trainY));
        Assert.Equal(0.5, network.Accuracy(testX, testY));
    }

    [Fact]
    public void He_trains_to_the_courses_costs_and_accuracies()
    {
        (double[] trainX, double[] trainY, double[] testX, double[] testY) = Circles();
        var network = new CirclesNetwork();
        network.InitializeParameters(seed: 3, Initialization.He);

        IReadOnlyList<TrainingRecord> history = network.Train(trainX, trainY, Iterations, LearningRate, cancellationToken: TestContext.Current.CancellationToken);

        var costs = history.ToDictionary(record => record.Iteration, record => record.Cost);
        AssertRelative(0.8830537463419761, costs[0]);
        AssertRelative(0.6879825919728063, costs[1000]);
        AssertRelative(0.6751286264523371, costs[2000]);
        AssertRelative(0.5304944491717495, costs[5000]);
        AssertRelative(0.15015556280371817, costs[10000]);
        AssertRelative(0.07357895962677362, costs[14000]);
        Assert.Equal(0.9933333333333333, network.Accuracy(trainX, trainY));
        Assert.Equal(0.96, network.Accuracy(testX, testY));
    }

    [Fact]
    public void He_draws_for_2_4_1_are_the_notebooks()
    {
        var network = new HeDrawsNetwork();
        network.InitializeParameters(seed: 3, Initialization.He);

        Assert.Equal(
            [1.7886284734303186, 0.43650985051198943, 0.09649746807200862, -1.8634927033644908,
             -0.27738820251439905, -0.35475897926898675, -0.08274148148245977, -0.6270006768238473],
            network.W1.ToArray());

        // The reference prints W2[0, 0] as -0.03098412442205686, one digit short of NumPy's -0.030984124422056857, which
        // this matches exactly (the shorter decimal is the neighbouring double); the other three are printed in full.
        Assert.Equal([-0.030984124422056857, -0.33744410537169206, -0.9290426766647434, 0.6255224840406426], network.W2.ToArray());
        Assert.Equal(-0.03098412442205686, network.W2[0], 1e-17);
        Assert.All(network.b1.ToArray().Concat(network.b2.ToArray()), value => Assert.Equal(0.0, value));
    }
}
