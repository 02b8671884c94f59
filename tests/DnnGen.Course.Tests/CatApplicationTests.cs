using System.Collections.Generic;
using CatClassifier;

namespace DnnGen.Course.Tests;

/// <summary>The course's 4-layer cat network, [12288, 20, 7, 5, 1], as the test declares it for itself.</summary>
[Network(12288, 20, 7, 5, 1)]
public partial class CourseCatNetwork;

/// <summary>
/// The application notebook end to end: seed 1, W[l] = randn / sqrt(n[l-1]), learning rate 0.0075, 2500 full-batch
/// iterations in double on the real data from ../shared/data, with the numbers the course prints.
/// </summary>
public class CatApplicationTests
{
    [Fact]
    public void Trains_to_the_course_costs_and_accuracies()
    {
        string directory = global::DnnGen.Tests.Shared.CourseData.FindOrSkip();
        CatDataset data = CatDataset.Load(directory);
        double[] trainX = data.Train.ScaledPixels();
        double[] trainY = data.Train.LabelsAsDouble();

        var network = new CourseCatNetwork();
        network.InitializeParameters(seed: 1, Initialization.NormalOverSqrtFanIn);
        IReadOnlyList<TrainingRecord> history = network.Train(trainX, trainY, iterations: 2500, learningRate: 0.0075, cancellationToken: TestContext.Current.CancellationToken);

        // The course prints costs with 6 decimals.
        Assert.Equal(26, history.Count);
        Assert.Equal(new TrainingRecord(0, history[0].Cost), history[0]);
        Assert.Equal(0.771749, history[0].Cost, 5e-7);
        Assert.Equal(100, history[1].Iteration);
        Assert.Equal(0.672053, history[1].Cost, 5e-7);
        Assert.Equal(2400, history[24].Iteration);
        Assert.Equal(0.092878, history[24].Cost, 5e-7);
        Assert.Equal(2499, history[25].Iteration);

        Assert.Equal(206.0 / 209, network.Accuracy(trainX, trainY), 1e-12);
        Assert.Equal(0.8, network.Accuracy(data.Test.ScaledPixels(), data.Test.LabelsAsDouble()), 1e-12);
    }
}
