using System.Collections.Generic;
using System.IO;
using Digits;
using DnnGen.Tests.Shared;

namespace DnnGen.Samples.Tests;

/// <summary>
/// The Digits sample end to end, in-process: the softmax classifier reaches the accuracy the README promises and draws
/// its two pictures, the regression beats predicting the mean, and bad input is one line on standard error with exit
/// code 2.
/// </summary>
public class DigitsTests
{
    /// <summary>The test accuracy the README documents as the floor ("about 0.97").</summary>
    private const double TestAccuracyFloor = 0.97;

    [Fact]
    public void The_classifier_reaches_the_documented_test_accuracy_and_draws_the_confusion_matrix_and_the_misclassified_digits()
    {
        string data = Path.GetDirectoryName(Course2Data.FindOrSkip(DigitsDataset.FileName))!;
        using var folder = new TemporaryFolder();

        RunResult run = DigitsApp.Run(folder.Path, ["--data", data, "--output", "pictures"]);

        Assert.Equal("", run.Error);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string[] lines = run.OutputLines;
        // The split line, the cost at 0, 100, ..., 900 and 999, two accuracies, two pictures.
        Assert.Equal(1 + 11 + 2 + 2, lines.Length);
        Assert.Equal("Digits: 1797 images of 8 x 8 pixels; 1500 train and 297 test (np.random.seed(0); np.random.permutation(1797))", lines[0]);
        double[] costs = lines[1..12].Select((line, i) => DigitsApp.Number(line, $"Cost after iteration {(i == 10 ? 999 : i * 100)}: ")).ToArray();
        // An untrained softmax over 10 classes costs about ln 10 = 2.30; He-initialised weights start a little above.
        Assert.InRange(costs[0], 2.0, 3.5);
        for (int i = 1; i < costs.Length; i++)
        {
            Assert.True(costs[i] < costs[i - 1], $"The cost should fall: {lines[i]} then {lines[1 + i]}");
        }

        Assert.InRange(costs[^1], 0, 0.1);
        double train = DigitsApp.Number(lines[12], "Train accuracy: ");
        double test = DigitsApp.Number(lines[13], "Test accuracy: ");
        Assert.InRange(train, 0.99, 1.0);
        Assert.InRange(test, TestAccuracyFloor, 1.0);

        string pictures = folder.File("pictures");
        Assert.Equal($"Confusion matrix: {Path.Combine(pictures, "confusion.png")}", lines[14]);
        Assert.Equal((DigitsPictures.MatrixWidth, DigitsPictures.MatrixHeight), Images.SizeOf(Path.Combine(pictures, "confusion.png")));
        int misclassified = (int)Math.Round((1 - test) * 297);
        Assert.True(misclassified > 0, "The sample is documented to get a few test digits wrong.");
        Assert.Equal($"Misclassified test digits ({misclassified}): {Path.Combine(pictures, "misclassified.png")}", lines[15]);
        Assert.Equal(
            (DigitsPictures.GridWidth(misclassified), DigitsPictures.GridHeight(misclassified)),
            Images.SizeOf(Path.Combine(pictures, "misclassified.png")));
        // Nothing but the two pictures is left behind: no temporary files, no write check.
        Assert.Equal(["confusion.png", "misclassified.png"], Directory.GetFiles(pictures).Select(file => Path.GetFileName(file)).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void The_regression_prints_its_cost_and_a_test_RMSE_well_below_that_of_predicting_the_mean()
    {
        string data = Path.GetDirectoryName(Course2Data.FindOrSkip(DiabetesDataset.FileName))!;
        using var folder = new TemporaryFolder();

        RunResult run = DigitsApp.Run(folder.Path, ["diabetes", "--data", data]);

        Assert.Equal("", run.Error);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string[] lines = run.OutputLines;
        Assert.Equal(1 + 11 + 2, lines.Length);
        Assert.StartsWith("Diabetes: 442 patients, 10 features; 342 train and 100 test (np.random.seed(0); np.random.permutation(442))", lines[0]);
        // Standardised targets have variance 1, so a network that predicts about 0 costs about 1/2 at first.
        Assert.InRange(DigitsApp.Number(lines[1], "Cost after iteration 0: "), 0.2, 1.5);
        double last = DigitsApp.Number(lines[11], "Cost after iteration 999: ");
        Assert.True(last < DigitsApp.Number(lines[1], "Cost after iteration 0: "), "The cost should fall.");
        Assert.InRange(last, 0, 0.35);

        double trainRmse = DigitsApp.Number(lines[12], "Train RMSE: ");
        Assert.InRange(trainRmse, 1, 65);
        string testLine = lines[13];
        double testRmse = DigitsApp.Number(testLine, "Test RMSE: ");
        double baseline = double.Parse(testLine[(testLine.LastIndexOf(": ", StringComparison.Ordinal) + 2)..^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Matches(@"^Test RMSE: \d+\.\d\d \(predicting the training mean, \d+\.\d\d, for everyone: \d+\.\d\d\)$", testLine);
        Assert.True(testRmse < 0.75 * baseline, $"The network ({testRmse}) should beat predicting the mean ({baseline}) clearly.");
    }

    [Fact]
    public void The_split_is_NumPys_permutation_and_the_regression_is_standardised_with_the_training_part_only()
    {
        string path = Course2Data.FindOrSkip(DiabetesDataset.FileName);

        DiabetesDataset data = DiabetesDataset.Load(path);

        Assert.Equal((342, 100), (data.Train.Count, data.Test.Count));
        for (int column = 0; column < DiabetesDataset.FeatureCount; column++)
        {
            (double mean, double deviation) = DiabetesDataset.MeanAndDeviation(data.Train.Features, column, DiabetesDataset.FeatureCount);
            Assert.Equal(0, mean, 1e-12);
            Assert.Equal(1, deviation, 1e-12);
            // The test part is scaled with the training part's numbers, so its own are near but not exactly 0 and 1.
            (double testMean, _) = DiabetesDataset.MeanAndDeviation(data.Test.Features, column, DiabetesDataset.FeatureCount);
            Assert.NotEqual(0, testMean, 1e-9);
        }

        Assert.Equal(0, DiabetesDataset.MeanAndDeviation(data.Train.Target, 0, 1).Mean, 1e-12);
        Assert.Equal(data.TestTarget[0], data.Unscale(data.Test.Target[0]), 1e-9);

        // The test part is the file's rows p[342:] of np.random.seed(0); p = np.random.permutation(442).
        int[] order = new NumPyRandom(0).Permutation(442);
        double[] target = NumPyFile.ReadNpz(path)["target"].ToDoubleArray();
        Assert.Equal(order[342..].Select(i => target[i]).ToArray(), data.TestTarget);
    }

    [Fact]
    public void The_digits_split_keeps_every_image_once_and_its_class_with_it()
    {
        string path = Course2Data.FindOrSkip(DigitsDataset.FileName);
        IReadOnlyDictionary<string, NumPyArray> file = NumPyFile.ReadNpz(path);
        double[] images = file["images"].ToDoubleArray();
        int[] classes = file["target"].ToInt32Array();

        DigitsDataset data = DigitsDataset.Load(path);

        int[] order = new NumPyRandom(DigitsDataset.SplitSeed).Permutation(1797);
        Assert.Equal(order[..1500].Select(i => classes[i]).ToArray(), data.Train.Classes);
        Assert.Equal(order[1500..].Select(i => classes[i]).ToArray(), data.Test.Classes);
        Assert.Equal(images.AsSpan(order[1500] * 64, 64).ToArray(), data.Test.Pixels.AsSpan(0, 64).ToArray());
        Assert.Equal(1.0, data.Train.Scaled().Max());
        Assert.Equal(0.0, data.Train.Scaled().Min());
        // Every class is in both parts.
        Assert.Equal(10, data.Test.Classes.Distinct().Count());
    }

    /// <summary>The split's permutation is NumPy's: the values it prints for np.random.seed(s); np.random.permutation(10).</summary>
    [Theory]
    [InlineData(0u, new[] { 2, 8, 4, 9, 1, 6, 7, 3, 0, 5 })]
    [InlineData(42u, new[] { 8, 1, 5, 0, 7, 2, 9, 4, 3, 6 })]
    public void The_permutation_is_NumPys(uint seed, int[] expected)
    {
        Assert.Equal(expected, new NumPyRandom(seed).Permutation(10));
    }

    [Fact]
    public void The_confusion_matrix_counts_true_classes_by_row_and_predictions_by_column()
    {
        int[,] counts = DigitsPictures.ConfusionMatrix([3, 3, 8, 0], [3, 5, 8, 0]);

        Assert.Equal(1, counts[3, 3]);
        Assert.Equal(1, counts[3, 5]);
        Assert.Equal(0, counts[5, 3]);
        Assert.Equal(1, counts[8, 8]);
        Assert.Equal(4, counts.Cast<int>().Sum());
        Assert.Throws<ArgumentException>(() => DigitsPictures.ConfusionMatrix([1, 2], [1]));
    }
}
