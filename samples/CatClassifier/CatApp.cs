using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Threading;
using DnnGen;
using DnnGen.Kernels;

namespace CatClassifier;

/// <summary>The program's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>Bad input: the command line, a missing or corrupt file, an unreadable image, a diverging learning rate.</summary>
    public const int BadInput = 2;

    /// <summary>Stopped by Ctrl+C (or SIGTERM), as shells report 128 + SIGINT.</summary>
    public const int Interrupted = 130;
}

/// <summary>The program: parses the command line and runs it against a <see cref="CatConsole"/>.</summary>
public static class CatProgram
{
    /// <summary>
    /// Runs the program with <paramref name="args"/> and returns its exit code. Problems with the input are reported as
    /// one clear message on <see cref="CatConsole.Error"/> with exit code 2, never as a stack trace.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="console">Where to write, and the environment to read.</param>
    /// <param name="cancellationToken">Cancelled by Ctrl+C: training stops after the current iteration.</param>
    public static int Run(IReadOnlyList<string> args, CatConsole console, CancellationToken cancellationToken = default)
    {
        var app = new CatApp(console, cancellationToken);
        var commandLine = new CatCommandLine(app.Run);
        ParseResult result = commandLine.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                console.Error.WriteLine("Error: " + error.Message);
            }

            console.Error.WriteLine("Run with --help to see the options.");
            return ExitCodes.BadInput;
        }

        return result.Invoke(new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            EnableDefaultExceptionHandler = false,
            // Ctrl+C is handled by the caller's token, so that an interrupted run can still save its weights.
            ProcessTerminationTimeout = null,
        });
    }
}

/// <summary>What the program does once its command line is valid: train or load, evaluate, draw, save, predict.</summary>
public sealed class CatApp(CatConsole console, CancellationToken cancellationToken)
{
    /// <summary>The class names when the dataset is not read (predicting with --load).</summary>
    private static readonly string[] s_defaultClasses = ["non-cat", "cat"];

    /// <summary>Runs <paramref name="options"/>; returns the exit code.</summary>
    public int Run(CatOptions options)
    {
        try
        {
            return options.Precision == Precision.Single ? Run<float>(options) : Run<double>(options);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArithmeticException)
        {
            // Missing or corrupt files, unreadable images, a learning rate that makes training diverge: the messages
            // name the file or the iteration, so they are all a person needs.
            console.Error.WriteLine(e.Message);
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            console.Error.WriteLine("Interrupted.");
            return ExitCodes.Interrupted;
        }
    }

    private int Run<T>(CatOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Pictures are read before anything slow, so a wrong path is reported at once.
        var pictures = options.Images.Select(image => (Name: image, Pixels: Picture.Load(console.FullPath(image)))).ToList();

        // Where the results go is checked before anything slow, so a path that cannot be written fails at once rather
        // than after training.
        if (options.SavePath is not null)
        {
            Destinations.CheckSave(console.FullPath(options.SavePath));
        }

        string outputFolder = console.FullPath(options.OutputDirectory);
        if (!options.Predict)
        {
            Destinations.PrepareOutput(outputFolder);
        }

        bool needsData = !options.Predict || options.LoadPath is null;
        CatDataset? data = needsData ? LoadData(options.DataDirectory) : null;
        cancellationToken.ThrowIfCancellationRequested();

        IBinaryClassifier<T> network = CatModels.Create<T>(options.Model);
        var files = new List<(string What, string Path)>();
        Training? training = null;
        if (options.LoadPath is not null)
        {
            string loadPath = console.FullPath(options.LoadPath);
            Load(network, loadPath, options.Model);
            console.Out.WriteLine($"Loaded weights from {loadPath}");
        }
        else
        {
            training = Train(network, data!, options, files);
            if (training is null)
            {
                PrintFiles(files);
                return ExitCodes.Interrupted;
            }
        }

        if (options.Predict)
        {
            IReadOnlyList<string> classes = data?.Classes ?? s_defaultClasses;
            foreach ((string name, byte[] pixels) in pictures)
            {
                // The course's sentence, with the probability of "cat" that the label is read from.
                (int label, double probability) = Classify(network, pixels);
                console.Out.WriteLine(
                    $"{name}: y = {label} (p = {FormatProbability(probability, label)}), " +
                    $"your {CatModels.SentenceName(options.Model)} model predicts a \"{classes[label]}\" picture.");
            }
        }
        else
        {
            Evaluate(network, data!, options, training, outputFolder, files);
        }

        Save(network, options, files);
        PrintFiles(files);
        return ExitCodes.Success;
    }

    /// <summary>Loads weights; when they are the other model's, the error says which --model fits them.</summary>
    private static void Load<T>(IBinaryClassifier<T> network, string path, CatModel model)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        try
        {
            network.LoadNpz(path);
        }
        catch (InvalidDataException e)
        {
            CatModel other = model == CatModel.Deep ? CatModel.TwoLayer : CatModel.Deep;
            if (!Fits<T>(other, path))
            {
                throw;
            }

            throw new InvalidDataException($"{e.Message} They are the weights of the other model: add --model {CatModels.OptionName(other)}.", e);
        }
    }

    private static bool Fits<T>(CatModel model, string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        try
        {
            CatModels.Create<T>(model).LoadNpz(path);
            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private CatDataset LoadData(string? argument) => CatDataset.Load(DataDirectory.Resolve(argument, console));

    /// <summary>The costs the course prints, and how long training took.</summary>
    private sealed record Training(IReadOnlyList<TrainingRecord> History, TimeSpan Elapsed, TimeSpan WarmUp, TimeSpan Settle, int Iterations, int Examples);

    /// <summary>Initialises and trains as the course does; null when Ctrl+C stopped it.</summary>
    private Training? Train<T>(IBinaryClassifier<T> network, CatDataset data, CatOptions options, List<(string What, string Path)> files)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = data.Train.ScaledPixels<T>();
        T[] y = data.Train.LabelsAs<T>();
        void Initialize() => network.InitializeParameters(new NumPyRandom(options.Seed), CatModels.InitializationOf(options.Model));
        Initialize();

        var history = new List<TrainingRecord>();
        int completed = 0;
        var clock = new Stopwatch();
        var warmUp = new Stopwatch();
        TimeSpan settle = TimeSpan.Zero;
        try
        {
            // A short run before the clock starts, its result thrown away and the parameters drawn again: the JIT
            // compiles the training code here (about 0.2 s, 90 methods, with tiered compilation off: see the .csproj),
            // not inside the timed loop, so the printed time per iteration is training's own, as a benchmark measures
            // it. The warm-up's length is printed beside it.
            warmUp.Start();
            // Its callback formats a cost line as the timed run's does, so that the formatting is compiled here too.
            network.Train(x, y, WarmUpIterations(network.LayerSizes, data.Train.Count, options.Iterations), options.LearningRate, record => _ = CostLine(record), cancellationToken);
            Initialize();
            warmUp.Stop();

            // Launched by dotnet run (the main job's command), the clock also waits for dotnet run to finish compiling
            // its own code on the other core, for at most two seconds: see DotnetRunParent. The wait is printed too.
            settle = DotnetRunParent.WaitUntilIdle(TimeSpan.FromSeconds(2), cancellationToken);

            TrainingView.For(console).Run(options.Iterations, report =>
            {
                // Timed from here, once the progress display has been set up: that is not training.
                clock.Start();
                network.Train(x, y, options.Iterations, options.LearningRate, record =>
                {
                    completed = record.Iteration + 1;
                    string? line = null;
                    if (record.Iteration % 100 == 0 || record.Iteration == options.Iterations - 1)
                    {
                        history.Add(record);
                        line = CostLine(record);
                    }

                    report(record, line);
                }, cancellationToken);
                clock.Stop();
            });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Error.WriteLine(string.Create(
                CultureInfo.InvariantCulture, $"Interrupted after {completed} of {options.Iterations} iterations."));
            if (completed > 0)
            {
                Save(network, options, files);
            }

            return null;
        }

        return new Training(history, clock.Elapsed, warmUp.Elapsed, settle, options.Iterations, data.Train.Count);
    }

    /// <summary>
    /// The time-per-iteration line's account of the wait for <c>dotnet run</c> (<see cref="DotnetRunParent"/>), or
    /// nothing when there was none: launched any other way, the line is as before.
    /// </summary>
    private static string SettleText(TimeSpan settle) =>
        settle > TimeSpan.Zero ? string.Create(CultureInfo.InvariantCulture, $", and {settle.TotalSeconds:F2} s for dotnet run to finish compiling its own code") : "";

    /// <summary>The course's line for a recorded cost: "Cost after iteration 100: 0.6720534400822912".</summary>
    private static string CostLine(TrainingRecord record) =>
        string.Create(CultureInfo.InvariantCulture, $"Cost after iteration {record.Iteration}: {record.Cost:R}");

    /// <summary>
    /// The fewest iterations whose Train takes the path that a Train of <paramref name="iterations"/> takes, so that the
    /// warm-up compiles the code the timed run will use: with layer 1 in the span of the data where that pays
    /// (<see cref="DataSpan.Pays"/>: from 7 iterations in the deep model's shapes on the course's 209 pictures, from 17 in
    /// the two-layer model's), else one.
    /// </summary>
    private static int WarmUpIterations(ReadOnlySpan<int> sizes, int examples, int iterations)
    {
        if (!DataSpan.Pays(sizes[0], sizes[1], examples, iterations))
        {
            return 1;
        }

        int warmUp = 1;
        while (!DataSpan.Pays(sizes[0], sizes[1], examples, warmUp))
        {
            warmUp++;
        }

        return warmUp;
    }

    private void Evaluate<T>(IBinaryClassifier<T> network, CatDataset data, CatOptions options, Training? training, string folder, List<(string What, string Path)> files)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Nine decimals, as the course's 0.985645933, and at least one, as Python prints 1.0.
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Train accuracy: {network.Accuracy(data.Train.ScaledPixels<T>(), data.Train.LabelsAs<T>()):0.0########}"));
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test accuracy: {network.Accuracy(data.Test.ScaledPixels<T>(), data.Test.LabelsAs<T>()):0.0########}"));
        if (training is not null)
        {
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Time per iteration: {training.Elapsed.TotalMilliseconds / training.Iterations:F3} ms ({training.Iterations} iterations, m = {training.Examples}; after a {training.WarmUp.TotalSeconds:F2} s warm-up that compiles the training code{SettleText(training.Settle)})"));
        }

        if (training is not null)
        {
            string costPath = Path.Combine(folder, "cost.png");
            CatPlots.WriteCostPlot(costPath, training.History, options.LearningRate);
            files.Add(("Cost plot", costPath));
        }

        string mislabeledPath = Path.Combine(folder, "mislabeled.png");
        int[] predictions = PredictLabels(network, data.Test.Pixels.Span);
        int mislabeled = CatPlots.WriteMislabeledImages(mislabeledPath, data.Test, predictions, data.Classes);
        if (mislabeled > 0)
        {
            files.Add(($"Mislabeled test images ({mislabeled})", mislabeledPath));
        }
        else
        {
            console.Out.WriteLine("No test image is mislabeled, so mislabeled.png was not written.");
        }
    }

    private static int[] PredictLabels<T>(IBinaryClassifier<T> network, ReadOnlySpan<byte> pixels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = CatImages.Scale<T>(pixels);
        var labels = new T[x.Length / CatImages.PixelsPerImage];
        network.PredictLabels(x, labels);
        return Array.ConvertAll(labels, label => int.CreateTruncating(label));
    }

    /// <summary>
    /// The label of one picture and the probability of "cat" it is read from (label 1 when p &gt; 0.5, as the course's
    /// predict).
    /// </summary>
    private static (int Label, double Probability) Classify<T>(IBinaryClassifier<T> network, ReadOnlySpan<byte> pixels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = CatImages.Scale<T>(pixels);
        var probability = new T[1];
        network.Predict(x, probability);
        return (PredictLabels(network, pixels)[0], double.CreateTruncating(probability[0]));
    }

    /// <summary>
    /// A probability to two decimals, as 0.93; with more only when two would read as the other label (0.5004 for a
    /// cat would print 0.50, which is not above 0.5).
    /// </summary>
    public static string FormatProbability(double probability, int label)
    {
        string text = probability.ToString("0.00", CultureInfo.InvariantCulture);
        for (int decimals = 3; label == 1 && decimals <= 17 && double.Parse(text, CultureInfo.InvariantCulture) <= 0.5; decimals++)
        {
            text = probability.ToString("0." + new string('0', decimals), CultureInfo.InvariantCulture);
        }

        return text;
    }

    private void Save<T>(IBinaryClassifier<T> network, CatOptions options, List<(string What, string Path)> files)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (options.SavePath is null)
        {
            return;
        }

        string savePath = console.FullPath(options.SavePath);
        SaveWeights(network, savePath);
        files.Add(("Weights", savePath));
    }

    /// <summary>
    /// Saves the weights to <paramref name="path"/> (a full path) atomically. The destination was checked before
    /// training; should writing still fail (a full disk, a folder changed meanwhile), the error names --save and the
    /// destination, not the temporary file the weights are first written to.
    /// </summary>
    /// <exception cref="IOException">The weights could not be written.</exception>
    public static void SaveWeights<T>(IBinaryClassifier<T> network, string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        try
        {
            network.SaveNpz(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--save could not write '{path}': {Destinations.Reason(e)}.", e);
        }
    }

    private void PrintFiles(List<(string What, string Path)> files)
    {
        foreach ((string what, string path) in files)
        {
            console.Out.WriteLine($"{what}: {path}");
        }
    }
}
