using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using DnnGen;

namespace Digits;

/// <summary>The program's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>Bad input: the command line, a missing or malformed data file, a learning rate that makes training diverge.</summary>
    public const int BadInput = 2;
}

/// <summary>The program: parses the command line and runs the classifier or the regression.</summary>
public static class DigitsProgram
{
    /// <summary>The NumPy seed of the initial weights of both networks.</summary>
    public const uint Seed = 1;

    /// <summary>The cost is printed every this many iterations, and at the last.</summary>
    public const int PrintEvery = 100;

    /// <summary>
    /// Runs the program with <paramref name="args"/> and returns its exit code. A problem with the input is reported
    /// as one line on <see cref="SampleConsole.Error"/> with exit code 2, never as a stack trace.
    /// </summary>
    public static int Run(IReadOnlyList<string> args, SampleConsole console)
    {
        var commandLine = new DigitsCommandLine(options => Run(options, console));
        ParseResult result = commandLine.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                console.Error.WriteLine($"Error: {error.Message} Run with --help to see the options.");
            }

            return ExitCodes.BadInput;
        }

        return result.Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false });
    }

    private static int Run(DigitsOptions options, SampleConsole console)
    {
        try
        {
            return options.Mode == Mode.Diabetes ? RunDiabetes(options, console) : RunDigits(options, console);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArithmeticException)
        {
            // A missing folder or file, a malformed array, a learning rate that makes training diverge: the messages
            // name the option, the file or the iteration, so they are all a person needs.
            console.Error.WriteLine(e.Message);
            return ExitCodes.BadInput;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Accuracy as the cat sample prints it: up to nine decimals, at least one (1.0, 0.983164983).</summary>
    public static string FormatAccuracy(double accuracy) => accuracy.ToString("0.0########", CultureInfo.InvariantCulture);

    private static void PrintCost(SampleConsole console, TrainingRecord record, int iterations)
    {
        if (record.Iteration % PrintEvery == 0 || record.Iteration == iterations - 1)
        {
            console.Out.WriteLine(Invariant($"Cost after iteration {record.Iteration}: {record.Cost:R}"));
        }
    }

    private static int RunDigits(DigitsOptions options, SampleConsole console)
    {
        // Where the pictures go is checked before anything slow.
        string folder = console.FullPath(options.OutputDirectory);
        OutputFolder.Prepare(folder);
        DigitsDataset data = DigitsDataset.Load(DataDirectory.Resolve(options.DataDirectory, DigitsDataset.FileName, console));
        console.Out.WriteLine(Invariant(
            $"Digits: {data.Count} images of 8 x 8 pixels; {data.Train.Count} train and {data.Test.Count} test (np.random.seed({DigitsDataset.SplitSeed}); np.random.permutation({data.Count}))"));

        double[] trainX = data.Train.Scaled();
        double[] testX = data.Test.Scaled();
        var network = new DigitsNetwork();
        network.InitializeParameters(Seed, Initialization.He);
        // The labels are class indices, 0 to 9; the network turns them into one-hot columns itself.
        network.Train(trainX, data.Train.Classes, options.Iterations, options.LearningRate, record => PrintCost(console, record, options.Iterations));

        console.Out.WriteLine($"Train accuracy: {FormatAccuracy(network.Accuracy(trainX, data.Train.Classes))}");
        console.Out.WriteLine($"Test accuracy: {FormatAccuracy(network.Accuracy(testX, data.Test.Classes))}");

        var predicted = new int[data.Test.Count];
        network.PredictClasses(testX, predicted);
        string confusionPath = Path.Combine(folder, "confusion.png");
        DigitsPictures.WriteConfusionMatrix(confusionPath, DigitsPictures.ConfusionMatrix(data.Test.Classes, predicted));
        console.Out.WriteLine($"Confusion matrix: {confusionPath}");
        string misclassifiedPath = Path.Combine(folder, "misclassified.png");
        int misclassified = DigitsPictures.WriteMisclassified(misclassifiedPath, data.Test, predicted);
        console.Out.WriteLine(misclassified > 0
            ? Invariant($"Misclassified test digits ({misclassified}): {misclassifiedPath}")
            : "No test digit is misclassified, so misclassified.png was not written.");
        return ExitCodes.Success;
    }

    private static int RunDiabetes(DigitsOptions options, SampleConsole console)
    {
        DiabetesDataset data = DiabetesDataset.Load(DataDirectory.Resolve(options.DataDirectory, DiabetesDataset.FileName, console));
        console.Out.WriteLine(Invariant(
            $"Diabetes: {data.Count} patients, 10 features; {data.Train.Count} train and {data.Test.Count} test (np.random.seed({DiabetesDataset.SplitSeed}); np.random.permutation({data.Count})); features and target standardised with the training part's mean and standard deviation"));

        var network = new DiabetesNetwork();
        network.InitializeParameters(Seed, Initialization.NormalOverSqrtFanIn);
        network.Train(data.Train.Features, data.Train.Target, options.Iterations, options.LearningRate, record => PrintCost(console, record, options.Iterations));

        // The cost is (1/(2m)) sum (a - y)^2 on the standardised target; the RMSE is in the target's own units. The
        // baseline predicts the training part's mean for every patient: a model that learned nothing does as well.
        double baseline = 0;
        foreach (double value in data.TestTarget)
        {
            baseline += (data.TargetMean - value) * (data.TargetMean - value);
        }

        console.Out.WriteLine(Invariant($"Train RMSE: {Rmse(network, data.Train, data):F2}"));
        console.Out.WriteLine(Invariant(
            $"Test RMSE: {Rmse(network, data.Test, data):F2} (predicting the training mean, {data.TargetMean:F2}, for everyone: {Math.Sqrt(baseline / data.Test.Count):F2})"));
        return ExitCodes.Success;
    }

    /// <summary>The root-mean-square error of the network's predictions for <paramref name="part"/>, in the target's own units.</summary>
    private static double Rmse(DiabetesNetwork network, DiabetesPart part, DiabetesDataset data)
    {
        var predicted = new double[part.Count];
        network.Predict(part.Features, predicted);
        double squares = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            double error = (predicted[i] - part.Target[i]) * data.TargetDeviation;
            squares += error * error;
        }

        return Math.Sqrt(squares / predicted.Length);
    }
}
