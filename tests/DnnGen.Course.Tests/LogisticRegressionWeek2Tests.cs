using System.Collections.Generic;
using System.Linq;
using CatClassifier;
using static DnnGen.Course.Tests.NotebookReference;

namespace DnnGen.Course.Tests;

/// <summary>
/// The course's week-2 model, logistic regression on the cat pixels: one sigmoid unit over 12288 inputs, every weight
/// and the bias starting at zero (initialize_with_zeros).
/// </summary>
[Network(12288, 1, Initialization = Initialization.Zeros)]
public partial class LogisticRegressionWeek2Network;

/// <summary>
/// The week-2 notebook "Logistic Regression with a Neural Network mindset" through the generated API, as the course
/// runs it: the cat images flattened in C order and divided by 255, zero parameters, 2000 iterations of gradient
/// descent at learning rate 0.005, the cost recorded every 100; against Reference/logistic_regression_week2.npz, written
/// by the NumPy transcription Reference/logistic_regression_week2.py. The problem is convex and well conditioned, so
/// summation order barely matters and every number is tested tightly.
/// </summary>
public class LogisticRegressionWeek2Tests
{
    private const int Iterations = 2000;
    private const double LearningRate = 0.005;

    [Fact]
    public void Trains_to_the_notebooks_costs_parameters_and_accuracies()
    {
        IReadOnlyDictionary<string, NumPyArray> reference = Read("logistic_regression_week2.npz");
        CatDataset data = CatDataset.Load(global::DnnGen.Tests.Shared.CourseData.FindOrSkip());
        // train_set_x_orig.reshape(m, -1).T / 255: example-major, the flattened rows are DnnGen's rows.
        double[] trainX = data.Train.ScaledPixels();
        double[] trainY = data.Train.LabelsAsDouble();
        double[] testX = data.Test.ScaledPixels();
        double[] testY = data.Test.LabelsAsDouble();
        Assert.Equal(209 * 12288, trainX.Length);
        Assert.Equal(50 * 12288, testX.Length);
        // NumPy's pairwise sums of the (12288, m) arrays against a compensated sum; a plain running sum of the 2.6
        // million values drifts by 2.6e-12 relative; the exact sums are 6.7e-16 and 1.1e-16 from NumPy's.
        AssertRelative(reference.Scalar("train_x_sum"), CompensatedSum(trainX), 1e-14, "sum of the train inputs");
        AssertRelative(reference.Scalar("test_x_sum"), CompensatedSum(testX), 1e-14, "sum of the test inputs");

        var network = new LogisticRegressionWeek2Network();
        // The attribute's Initialization.Zeros: w = 0 and b = 0, whatever the seed; nothing is drawn.
        network.InitializeParameters(seed: 1);
        Assert.All(network.Parameters.ToArray(), value => Assert.Equal(0.0, value));

        IReadOnlyList<TrainingRecord> history = network.Train(trainX, trainY, Iterations, LearningRate, cancellationToken: TestContext.Current.CancellationToken);

        // optimize() records the cost every 100 iterations (0 .. 1900); Train also records the last, 1999.
        double[] costIterations = reference["cost_iterations"].ToDoubleArray();
        double[] costs = reference["costs"].ToDoubleArray();
        Assert.Equal(21, history.Count);
        Assert.Equal(costIterations, history.Take(20).Select(record => (double)record.Iteration));
        Assert.Equal(Iterations - 1, history[20].Iteration);
        // Every weight is 0 at first, so A = 1/2 and the first cost is log 2 (NumPy's mean lands on it exactly,
        // DnnGen's sum of 209 terms 1.7e-15 above).
        Assert.Equal(Math.Log(2), costs[0]);
        AssertRelative(Math.Log(2), history[0].Cost, 1e-14, "cost after iteration 0");
        for (int k = 0; k < costs.Length; k++)
        {
            // Measured: 2.0e-15 relative at most.
            AssertRelative(costs[k], history[k].Cost, 1e-12, $"cost after iteration {history[k].Iteration}");
        }

        Assert.Equal("0.140872", history[19].Cost.ToString("F6", System.Globalization.CultureInfo.InvariantCulture));

        // w (12288 weights, stored transposed as DnnGen's W1 (1, 12288)) and b; measured 2.4e-15 and 2.4e-15 relative.
        double[] parameters = network.Parameters.ToArray();
        Assert.Equal(12289, parameters.Length);
        Assert.Equal([1, 12288], reference["W1"].Shape);
        AssertMaxNormRelative(reference["W1"].ToDoubleArray(), parameters[..12288], 1e-12, "w");
        AssertRelative(reference.Scalar("b1"), parameters[12288], 1e-12, "b");
        AssertRelative(-0.015906243999692964, parameters[12288], 1e-12, "b");

        // predict(): A > 0.5; the nearest example is at |A - 0.5| = 0.013 (train) and 0.018 (test), so exactly.
        var trainPredictions = new double[209];
        network.PredictLabels(trainX, trainPredictions);
        var testPredictions = new double[50];
        network.PredictLabels(testX, testPredictions);
        Assert.Equal(reference["train_predictions"].ToDoubleArray(), trainPredictions);
        Assert.Equal(reference["test_predictions"].ToDoubleArray(), testPredictions);

        // "train accuracy: 99.04306220095694 %", "test accuracy: 70.0 %": 100 - mean(|Yhat - Y|) * 100.
        Assert.Equal(99.04306220095694, reference.Scalar("train_accuracy_percent"));
        Assert.Equal(70.0, reference.Scalar("test_accuracy_percent"));
        Assert.Equal(99.04306220095694, NotebookAccuracyPercent(trainY, trainPredictions));
        Assert.Equal(70.0, NotebookAccuracyPercent(testY, testPredictions));
        Assert.Equal(99.04306220095694, network.Accuracy(trainX, trainY) * 100);
        Assert.Equal(70.0, network.Accuracy(testX, testY) * 100);
        Assert.Equal(207.0 / 209, network.Accuracy(trainX, trainY));
        Assert.Equal(35.0 / 50, network.Accuracy(testX, testY));
    }

    /// <summary>Neumaier's compensated sum: within a few units in the last place of the exact sum.</summary>
    private static double CompensatedSum(double[] values)
    {
        double sum = 0, compensation = 0;
        foreach (double value in values)
        {
            double next = sum + value;
            compensation += Math.Abs(sum) >= Math.Abs(value) ? (sum - next) + value : (value - next) + sum;
            sum = next;
        }

        return sum + compensation;
    }

    /// <summary>The notebook's accuracy: 100 - np.mean(np.abs(Y_prediction - Y)) * 100.</summary>
    private static double NotebookAccuracyPercent(double[] y, double[] predictions)
    {
        double sum = 0;
        for (int i = 0; i < y.Length; i++)
        {
            sum += Math.Abs(predictions[i] - y[i]);
        }

        return 100 - (sum / y.Length * 100);
    }
}
