using System.Collections.Generic;
using System.Globalization;
using System.IO;
using DnnGen.Tests.Shared;
using Moons;

namespace DnnGen.Samples.Tests;

/// <summary>
/// The Moons sample end to end, in-process: course 2's Optimization notebook, the (2, 5, 2, 1) model with gradient
/// descent, momentum and Adam, printing the notebook's lines with the numbers of ../shared/course/course2-reference.md,
/// and the picture of the three decision boundaries; the decay mode; and bad input as one line with exit code 2.
/// </summary>
public class MoonsTests
{
    private static readonly byte[] s_pngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The costs at epochs 0, 1000, ..., 4000 and the accuracy of each optimizer, from course2-reference.md.</summary>
    private static readonly (string Title, double[] Costs, double Accuracy)[] s_notebook =
    [
        ( "Model with Gradient Descent optimization (learning rate 0.0007)", [0.7024046849828726, 0.66810064295887, 0.6352875703390978, 0.600491198436302, 0.5733672256957693], 0.7166666666666667),
        ( "Model with Momentum optimization (learning rate 0.0007)", [0.7024127305373173, 0.6681667772046954, 0.6353882166761965, 0.6005907762003798, 0.5734441760375261], 0.7166666666666667),
        ( "Model with Adam optimization (learning rate 0.0007)", [0.7021655222604549, 0.16784505282581158, 0.14131619792956462, 0.1387878350098587, 0.13606616153974382], 0.9433333333333334),
    ];

    private static string DataFolder() => Path.GetDirectoryName(Course2Data.FindOrSkip(MoonsDataset.FileName))!;

    private static RunResult Run(string folder, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = new MoonsConsole
        {
            Out = output,
            Error = error,
            GetEnvironmentVariable = name => environment is not null && environment.TryGetValue(name, out string? value) ? value : null,
            CurrentDirectory = folder,
        };
        int exitCode = MoonsProgram.Run(args, console);
        return new RunResult(exitCode, output.ToString(), error.ToString());
    }

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A real PNG of the given size: the signature, then what SkiaSharp decodes.</summary>
    private static void AssertPicture(string path, int width, int height)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(s_pngSignature, bytes[..8]);
        // Three plots of 400 x 250 coloured cells and 300 points each, and the cost curves: tens of kilobytes, not a blank page.
        Assert.InRange(bytes.Length, 10_000, 2_000_000);
        Assert.Equal((width, height), Images.SizeOf(path));
    }

    [Fact]
    public void The_three_optimizers_print_the_notebooks_costs_and_accuracies_and_the_decision_boundaries_are_drawn()
    {
        using var folder = new TemporaryFolder();

        RunResult run = Run(folder.Path, ["--data", DataFolder(), "--output", "optimizers.png"]);

        Assert.Equal("", run.Error);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string[] lines = run.OutputLines;
        // The set-up line, then per model its title, five costs and the accuracy, then the picture.
        Assert.Equal(1 + (3 * 7) + 1, lines.Length);
        Assert.Equal(
            "Moons: 300 points (course2_moons.npz); layers (2, 5, 2, 1), He initialisation after np.random.seed(3); mini-batches of 64, epoch e shuffled with np.random.seed(10 + 1 + e); 5000 epochs",
            lines[0]);
        int model = 0;
        foreach ((string title, double[] costs, double accuracy) in s_notebook)
        {
            string[] block = lines[(1 + (7 * model))..(8 + (7 * model))];
            Assert.Equal(title, block[0]);
            for (int k = 0; k < 5; k++)
            {
                // "Cost after epoch %i: %f", as the notebook prints it.
                Assert.Equal(Line($"Cost after epoch {1000 * k}: {costs[k]:F6}"), block[1 + k]);
            }

            // "Accuracy: " + str(np.mean(p[0, :] == y[0, :])): Python's shortest round trip of the double.
            Assert.Equal("Accuracy: " + accuracy.ToString("R", CultureInfo.InvariantCulture), block[6]);
            model++;
        }

        string picture = folder.File("optimizers.png");
        Assert.Equal($"Decision boundaries: {picture}", lines[^1]);
        AssertPicture(picture, MoonsPicture.Width(3), MoonsPicture.Height);
        Assert.Equal(3 * MoonsPicture.PanelWidth, MoonsPicture.Width(3));
        // Nothing but the picture is left behind: no temporary file, no write check.
        Assert.Equal(["optimizers.png"], Directory.GetFileSystemEntries(folder.Path).Select(entry => Path.GetFileName(entry)).ToArray());
    }

    [Fact]
    public void Decay_trains_Adam_with_the_decay_sections_schedule_and_prints_its_rates_as_the_notebook()
    {
        // The decay section's run in the NumPy transcription of the notebook (Course tests' Reference folder).
        IReadOnlyDictionary<string, NumPyArray> reference = NumPyFile.ReadNpz(Path.Combine(
            RepositoryPaths.Root, "tests", "DnnGen.Course.Tests", "Reference", "optimization_course2.npz"));
        double[] costs = reference["adam_decay_costs"].ToDoubleArray();
        double[] rates = reference["adam_decay_learning_rates"].ToDoubleArray();
        double accuracy = reference["adam_decay_train_accuracy"].ToDoubleArray()[0];
        Assert.Equal(2000, costs.Length);
        Assert.Equal(0.9366666666666666, accuracy);
        using var folder = new TemporaryFolder();

        RunResult run = Run(folder.Path, ["--decay", "--data", DataFolder()]);

        Assert.Equal("", run.Error);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string[] lines = run.OutputLines;
        Assert.Equal(
            [
                "Moons: 300 points (course2_moons.npz); layers (2, 5, 2, 1), He initialisation after np.random.seed(3); mini-batches of 64, epoch e shuffled with np.random.seed(10 + 1 + e); 2000 epochs",
                "Model with Adam optimization and learning rate decay (learning rate 0.1, after epoch e 0.1 / (1 + 1 * floor(e / 1000)))",
                Line($"Cost after epoch 0: {costs[0]:F6}"),
                // The rate the notebook sets after the epoch, which the next one runs at: 0.1, then 0.05 from epoch 1001.
                Line($"learning rate after epoch 0: {rates[1]:F6}"),
                Line($"Cost after epoch 1000: {costs[1000]:F6}"),
                Line($"learning rate after epoch 1000: {rates[1001]:F6}"),
                "Accuracy: 0.9366666666666666",
                $"Decision boundaries: {folder.File(MoonsOptions.DefaultDecayPicture)}",
            ],
            lines);
        Assert.Equal("learning rate after epoch 1000: 0.050000", lines[5]);
        // One model: one panel above its cost curve, in the default file of the current folder.
        AssertPicture(folder.File(MoonsOptions.DefaultDecayPicture), MoonsPicture.PanelWidth, MoonsPicture.Height);
    }

    [Fact]
    public void Epochs_shortens_the_run_and_an_existing_picture_is_replaced_whole()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File(MoonsOptions.DefaultPicture), "an older picture");

        RunResult run = Run(folder.Path, ["--epochs", "3"], new Dictionary<string, string> { [MoonsDataset.EnvironmentVariable] = DataFolder() });

        Assert.Equal("", run.Error);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string[] lines = run.OutputLines;
        // Epoch 0 is the only one that prints; its cost does not depend on how many follow.
        Assert.Equal(1 + (3 * 3) + 1, lines.Length);
        Assert.EndsWith("; 3 epochs", lines[0]);
        Assert.Equal(Line($"Cost after epoch 0: {0.7024046849828726:F6}"), lines[2]);
        Assert.Equal(Line($"Cost after epoch 0: {0.7021655222604549:F6}"), lines[8]);
        Assert.StartsWith("Accuracy: 0.", lines[3]);
        AssertPicture(folder.File(MoonsOptions.DefaultPicture), MoonsPicture.Width(3), MoonsPicture.Height);
        Assert.Single(Directory.GetFileSystemEntries(folder.Path));
    }

    [Theory]
    [InlineData(new[] { "--epochs", "0" }, "Error: --epochs must be between 1 and 2147483647, not 0. Run with --help to see the options.")]
    [InlineData(new[] { "--epochs", "many" }, "Error: --epochs must be a whole number, not 'many'. Run with --help to see the options.")]
    [InlineData(new[] { "--output", " " }, "Error: --output needs a path. Run with --help to see the options.")]
    [InlineData(new[] { "--colour" }, "Error: Unrecognized command or argument '--colour'. Run with --help to see the options.")]
    public void A_bad_command_line_is_one_line_and_exit_code_2(string[] args, string error)
    {
        using var folder = new TemporaryFolder();

        Run(folder.Path, args).AssertRejected(error);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void An_output_that_cannot_be_written_is_refused_before_the_data_is_read()
    {
        using var folder = new TemporaryFolder();
        Directory.CreateDirectory(folder.File("pictures"));
        // No data anywhere: the destination is checked first, so its message is the one reported.
        var noData = new Dictionary<string, string> { [MoonsDataset.EnvironmentVariable] = folder.File("no-data") };

        Run(folder.Path, ["--output", "missing/m.png"], noData).AssertRejected(
            $"--output cannot write '{folder.File("missing/m.png")}': the folder '{folder.File("missing")}' does not exist; create it first.");
        Run(folder.Path, ["--output", "pictures"], noData).AssertRejected(
            $"--output must name a file, but '{folder.File("pictures")}' is a folder.");
        Assert.Equal(["pictures"], Directory.GetFileSystemEntries(folder.Path).Select(entry => Path.GetFileName(entry)).ToArray());
        Assert.Empty(Directory.GetFileSystemEntries(folder.File("pictures")));
    }

    [Fact]
    public void A_data_folder_without_the_moons_is_named_with_where_it_came_from()
    {
        using var folder = new TemporaryFolder();

        Run(folder.Path, ["--data", folder.Path]).AssertRejected(
            $"--data names the folder '{folder.Path}', which does not hold course2_moons.npz. Pass --data DIR with the folder that holds course2_moons.npz.");
        Run(folder.Path, [], new Dictionary<string, string> { [MoonsDataset.EnvironmentVariable] = "nowhere" }).AssertRejected(
            $"DNNGEN_DATA names the folder '{folder.File("nowhere")}', which does not exist. Set DNNGEN_DATA to the folder that holds course2_moons.npz, unset it to use {MoonsDataset.Fallback}, or pass --data DIR.");
    }

    [Fact]
    public void A_moons_file_with_the_wrong_shapes_is_refused_with_the_array_named()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File(MoonsDataset.FileName);
        NpzWriter.Write(path, ("train_X", [2, 3], [0, 1, 2, 3, 4, 5]), ("train_Y", [1, 2], [0, 1]));

        Run(folder.Path, ["--data", folder.Path, "--output", "m.png"]).AssertRejected(
            $"'{path}': 'train_Y' must have shape (1, 3), one label per point of 'train_X', but its shape is (1, 2).");
        NpzWriter.Write(path, ("train_X", [2, 2], [0, 1, 2, 3]), ("train_Y", [1, 2], [0, 0.5]));
        Run(folder.Path, ["--data", folder.Path, "--output", "m.png"]).AssertRejected(
            $"'{path}': 'train_Y' must hold labels 0 or 1, but point 1 has 0.5.");
        Assert.False(File.Exists(folder.File("m.png")));
    }

    [Theory]
    [InlineData(0.7166666666666667, "0.7166666666666667")]
    [InlineData(0.94, "0.94")]
    [InlineData(1.0, "1.0")]
    [InlineData(0.0, "0.0")]
    public void Accuracy_is_printed_as_Pythons_str_of_a_float(double value, string text)
        => Assert.Equal(text, MoonsProgram.PythonFloat(value));
}
