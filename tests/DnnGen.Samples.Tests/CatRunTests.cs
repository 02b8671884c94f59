using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using CatClassifier;
using DnnGen.Tests.Shared;
using SkiaSharp;
using Spectre.Console;

namespace DnnGen.Samples.Tests;

/// <summary>
/// The cat classifier end to end on the course's data, in-process: the full 5-layer run with the course's printed
/// lines, its pictures and weights, loading them back, predicting pictures, the two-layer model, Ctrl+C, and the live
/// progress view.
/// </summary>
public class CatRunTests
{
    [Fact]
    public void The_main_command_prints_the_course_numbers_draws_both_pictures_and_saves_weights_that_load_and_predict()
    {
        string data = CourseData.FindOrSkip();
        using var folder = new TemporaryFolder();

        RunResult run = Cat.Run(folder.Path, ["--data", data, "--save", "weights.npz", "--output", "pictures"]);

        Assert.Equal("", run.Error);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string[] lines = run.OutputLines;
        Assert.Equal(26 + 3 + 3, lines.Length);
        Assert.StartsWith("Cost after iteration 0: 0.771749", lines[0]);
        Assert.StartsWith("Cost after iteration 100: 0.672053", lines[1]);
        Assert.StartsWith("Cost after iteration 2400: 0.092878", lines[24]);
        Assert.StartsWith("Cost after iteration 2499: 0.088439", lines[25]);
        Assert.Equal("Train accuracy: 0.985645933", lines[26]);
        Assert.Equal("Test accuracy: 0.8", lines[27]);
        Assert.Matches(@"^Time per iteration: \d+\.\d{3} ms \(2500 iterations, m = 209; after a \d+\.\d\d s warm-up that compiles the training code(, and \d+\.\d\d s for dotnet run to finish compiling its own code)?\)$", lines[28]);
        string pictures = folder.File("pictures");
        Assert.Equal($"Cost plot: {Path.Combine(pictures, "cost.png")}", lines[29]);
        Assert.Equal($"Mislabeled test images (10): {Path.Combine(pictures, "mislabeled.png")}", lines[30]);
        Assert.Equal($"Weights: {folder.File("weights.npz")}", lines[31]);
        Assert.Equal((640, 480), Images.SizeOf(Path.Combine(pictures, "cost.png")));
        Assert.Equal((16 + (5 * 208), 40 + (2 * 252)), Images.SizeOf(Path.Combine(pictures, "mislabeled.png")));

        // --load skips training and gives the same accuracies.
        RunResult loaded = Cat.Run(folder.Path, ["--data", data, "--load", "weights.npz", "--output", "again"]);

        Assert.Equal(ExitCodes.Success, loaded.ExitCode);
        Assert.Equal(
            [
                $"Loaded weights from {folder.File("weights.npz")}",
                "Train accuracy: 0.985645933",
                "Test accuracy: 0.8",
                $"Mislabeled test images (10): {Path.Combine(folder.File("again"), "mislabeled.png")}",
            ],
            loaded.OutputLines);
        Assert.False(File.Exists(Path.Combine(folder.File("again"), "cost.png")));

        // The 5-layer weights do not fit the two-layer model, and the message says which model they fit.
        RunResult wrongModel = Cat.Run(folder.Path, ["--data", data, "--model", "two-layer", "--load", "weights.npz"]);

        Assert.Equal(ExitCodes.BadInput, wrongModel.ExitCode);
        Assert.Contains("does not hold the parameters of a network [12288, 7, 1]", wrongModel.Error);
        Assert.EndsWith("They are the weights of the other model: add --model deep.", wrongModel.Error.Trim());

        // predict: test pictures saved as PNG, and the surest cat enlarged to a 320 x 240 JPEG "photo".
        var network = new DeepCatNetwork();
        network.LoadNpz(folder.File("weights.npz"));
        CatDataset dataset = CatDataset.Load(data);
        double[] probabilities = new double[dataset.Test.Count];
        network.Predict(dataset.Test.ScaledPixels(), probabilities);
        int surestCat = Enumerable.Range(0, dataset.Test.Count).Where(i => dataset.Test.Labels.Span[i] == 1).MaxBy(i => probabilities[i]);
        ReadOnlySpan<byte> test = dataset.Test.Pixels.Span;
        for (int i = 0; i < 4; i++)
        {
            Images.Write(folder.File($"test{i}.png"), test.Slice(i * 12288, 12288), 64, 64);
        }

        byte[] photo = Picture.Resize(test.Slice(surestCat * 12288, 12288).ToArray(), 64, 64, 320, 240);
        Images.Write(folder.File("photo.jpg"), photo, 320, 240, SKEncodedImageFormat.Jpeg);

        RunResult predicted = Cat.Run(folder.Path, ["predict", "test0.png", "test1.png", "test2.png", "test3.png", "photo.jpg", "--load", "weights.npz"]);

        Assert.Equal(ExitCodes.Success, predicted.ExitCode);
        double[] photoProbability = new double[1];
        network.Predict(CatImages.Scale<double>(Picture.Load(folder.File("photo.jpg"))), photoProbability);
        Assert.True(photoProbability[0] > 0.5, "The enlarged cat should still be a cat.");
        string[] sentences = predicted.OutputLines;
        Assert.Equal(6, sentences.Length);
        Assert.Equal($"Loaded weights from {folder.File("weights.npz")}", sentences[0]);
        for (int i = 0; i < 4; i++)
        {
            AssertSentence(sentences[i + 1], $"test{i}.png", probabilities[i], "L-layer");
        }

        AssertSentence(sentences[5], "photo.jpg", photoProbability[0], "L-layer");
    }

    /// <summary>
    /// The course's sentence ("y = 1, your L-layer model predicts a "cat" picture.") after the picture's name, with the
    /// probability of "cat" after the label: to two decimals or more, never reading as the other label.
    /// </summary>
    private static void AssertSentence(string line, string image, double probability, string model)
    {
        int label = probability > 0.5 ? 1 : 0;
        Match match = Regex.Match(line, $"^{Regex.Escape(image)}: y = (?<y>[01]) \\(p = (?<p>[01]\\.[0-9]{{2,17}})\\), your {Regex.Escape(model)} model predicts a \"(?<class>cat|non-cat)\" picture\\.$");
        Assert.True(match.Success, $"Not the course's sentence with a probability: {line}");
        Assert.Equal(label, int.Parse(match.Groups["y"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(label == 1 ? "cat" : "non-cat", match.Groups["class"].Value);
        double printed = double.Parse(match.Groups["p"].Value, CultureInfo.InvariantCulture);
        Assert.Equal(probability, printed, 0.005);
        Assert.Equal(label == 1, printed > 0.5);
    }

    [Theory]
    [InlineData("deep", "L-layer")]
    [InlineData("two-layer", "2-layer")]
    public void Predict_prints_the_probability_of_cat_in_the_course_sentence(string model, string sentenceName)
    {
        // Initialised, untrained weights are enough to check what is printed: no dataset is needed.
        using var folder = new TemporaryFolder();
        INetwork<double> network = CatModels.Create<double>(model == "deep" ? CatModel.Deep : CatModel.TwoLayer);
        network.InitializeParameters(new NumPyRandom(3), CatModels.InitializationOf(model == "deep" ? CatModel.Deep : CatModel.TwoLayer));
        network.SaveNpz(folder.File("weights.npz"));
        var pictures = new[] { ("dark.png", Images.Uniform(64, 64, 10, 20, 30)), ("light.png", Images.Uniform(64, 64, 240, 230, 200)) };
        var probabilities = new List<double>();
        foreach ((string name, byte[] rgb) in pictures)
        {
            Images.Write(folder.File(name), rgb, 64, 64);
            double[] probability = new double[1];
            network.Predict(CatImages.Scale<double>(rgb), probability);
            probabilities.Add(probability[0]);
        }

        RunResult predicted = Cat.Run(folder.Path, ["predict", "dark.png", "light.png", "--model", model, "--load", "weights.npz"]);

        Assert.Equal("", predicted.Error);
        Assert.Equal(ExitCodes.Success, predicted.ExitCode);
        string[] lines = predicted.OutputLines;
        Assert.Equal(3, lines.Length);
        Assert.Equal($"Loaded weights from {folder.File("weights.npz")}", lines[0]);
        AssertSentence(lines[1], "dark.png", probabilities[0], sentenceName);
        AssertSentence(lines[2], "light.png", probabilities[1], sentenceName);
    }

    [Theory]
    [InlineData(0.93, 1, "0.93")]
    [InlineData(0.925, 1, "0.93")]
    [InlineData(0.07, 0, "0.07")]
    [InlineData(0.4996, 0, "0.50")]
    [InlineData(0.5004, 1, "0.5004")]
    [InlineData(0.50000012, 1, "0.5000001")]
    [InlineData(0.9999, 1, "1.00")]
    [InlineData(0.0, 0, "0.00")]
    public void The_probability_has_two_decimals_and_more_only_where_two_would_read_as_the_other_label(double probability, int label, string expected)
    {
        Assert.Equal(expected, CatApp.FormatProbability(probability, label));
    }

    [Fact]
    public void The_two_layer_model_prints_the_course_numbers()
    {
        // Reference: the course's two_layer_model in NumPy 1.24 on the same data (float64, 2500 iterations).
        string data = CourseData.FindOrSkip();
        using var folder = new TemporaryFolder();

        RunResult run = Cat.Run(folder.Path, ["--model", "two-layer", "--data", data, "--output", "."]);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string[] lines = run.OutputLines;
        Assert.Equal(0.6930497356599886, Cost(lines[0], 0), 1e-13);
        Assert.Equal(0.6464320953428847, Cost(lines[1], 100), 1e-12);
        Assert.Equal(0.04855478562877027, Cost(lines[24], 2400), 1e-10);
        Assert.Equal(0.04421498215868945, Cost(lines[25], 2499), 1e-10);
        Assert.Equal("Train accuracy: 1.0", lines[26]);
        Assert.Equal("Test accuracy: 0.72", lines[27]);
        Assert.Contains($"Mislabeled test images (14): {folder.File("mislabeled.png")}", lines);
    }

    private static double Cost(string line, int iteration)
    {
        string prefix = $"Cost after iteration {iteration}: ";
        Assert.StartsWith(prefix, line);
        return double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Ctrl_C_stops_training_after_the_current_iteration_and_still_saves_the_weights()
    {
        string data = CourseData.FindOrSkip();
        using var folder = new TemporaryFolder();
        using var cancellation = new CancellationTokenSource();
        var output = new CancellingWriter("Cost after iteration 100:", cancellation);

        RunResult run = Cat.Run(folder.Path, ["--data", data, "--save", "interrupted.npz"], cancellation.Token, output);

        Assert.Equal(ExitCodes.Interrupted, run.ExitCode);
        Assert.Equal("Interrupted after 101 of 2500 iterations.", run.Error.Trim());
        Assert.Equal(3, run.OutputLines.Length);
        Assert.Equal($"Weights: {folder.File("interrupted.npz")}", run.OutputLines[2]);
        var saved = new DeepCatNetwork();
        saved.LoadNpz(folder.File("interrupted.npz"));
        var expected = new DeepCatNetwork();
        expected.InitializeParameters(seed: 1);
        CatDataset dataset = CatDataset.Load(data);
        expected.Train(dataset.Train.ScaledPixels(), dataset.Train.LabelsAsDouble(), iterations: 101, learningRate: 0.0075, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(expected.Parameters.SequenceEqual(saved.Parameters), "The saved weights are not those after 101 iterations.");
    }

    [Fact]
    public void On_a_terminal_training_shows_a_live_progress_bar_and_still_prints_the_lines_in_single_precision()
    {
        string data = CourseData.FindOrSkip();
        using var folder = new TemporaryFolder();
        var screen = new StringWriter();
        var console = new CatConsole
        {
            Out = screen,
            Error = new StringWriter(),
            Terminal = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.Yes,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.Yes,
                Out = new AnsiConsoleOutput(screen),
            }),
            GetEnvironmentVariable = _ => null,
            CurrentDirectory = folder.Path,
        };

        int exitCode = CatProgram.Run(["--data", data, "--iterations", "150", "--precision", "single"], console, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Success, exitCode);
        string shown = screen.ToString();
        Assert.Contains("Cost after iteration 0: 0.771749", shown);
        Assert.Contains("Cost after iteration 100: 0.672053", shown);
        Assert.Contains("Cost after iteration 149: ", shown);
        Assert.Contains("iteration 150/150, cost 0.6", shown);
        Assert.Contains("100%", shown);
        Assert.Contains("Train accuracy: ", shown);
    }

    /// <summary>Passes lines through and cancels a token when one starts with a given text, as Ctrl+C would then.</summary>
    private sealed class CancellingWriter(string trigger, CancellationTokenSource cancellation) : StringWriter
    {
        private readonly StringBuilder _line = new();

        public override void Write(char value)
        {
            base.Write(value);
            if (value == '\n')
            {
                if (_line.ToString().StartsWith(trigger, StringComparison.Ordinal))
                {
                    cancellation.Cancel();
                }

                _line.Clear();
            }
            else
            {
                _line.Append(value);
            }
        }

        public override void Write(string? value)
        {
            foreach (char c in value ?? string.Empty)
            {
                Write(c);
            }
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            Write(Environment.NewLine);
        }
    }
}
