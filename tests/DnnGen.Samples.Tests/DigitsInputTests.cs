using System.Collections.Generic;
using System.IO;
using Digits;

namespace DnnGen.Samples.Tests;

/// <summary>
/// The Digits sample's refusals: every bad command line, missing data folder, malformed data file or unusable
/// output folder is one line on standard error, nothing on standard output, and exit code 2. None needs the real data.
/// </summary>
public class DigitsInputTests
{
    [Theory]
    [InlineData(new[] { "--iterations", "0" }, "Error: --iterations must be between 1 and 2147483647, not 0.")]
    [InlineData(new[] { "--iterations", "many" }, "Error: --iterations must be a whole number, not 'many'.")]
    [InlineData(new[] { "--learning-rate", "-1" }, "Error: --learning-rate must be a finite number greater than 0, not -1.")]
    [InlineData(new[] { "--learning-rate", "fast" }, "Error: --learning-rate must be a number, not 'fast'.")]
    [InlineData(new[] { "diabetes", "--iterations", "3000000000" }, "Error: --iterations must be between 1 and 2147483647, not 3000000000.")]
    [InlineData(new[] { "--data", " " }, "Error: --data needs a path.")]
    [InlineData(new[] { "--colour" }, "Error: Unrecognized command or argument '--colour'.")]
    public void A_bad_option_is_one_line_and_exit_code_2(string[] args, string message)
    {
        using var folder = new TemporaryFolder();

        RunResult run = DigitsApp.Run(folder.Path, args);

        run.AssertRejected($"{message} Run with --help to see the options.");
    }

    [Fact]
    public void The_regression_draws_no_pictures_so_it_refuses_output()
    {
        using var folder = new TemporaryFolder();

        RunResult run = DigitsApp.Run(folder.Path, ["diabetes", "--output", "pictures"]);

        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.StartsWith("Error: Unrecognized command or argument '--output'.", run.Error);
        Assert.False(Directory.Exists(folder.File("pictures")));
    }

    [Theory]
    [InlineData(new string[0], DigitsDataset.FileName)]
    [InlineData(new[] { "diabetes" }, DiabetesDataset.FileName)]
    public void A_missing_data_folder_named_by_data_is_reported_with_the_option(string[] command, string fileName)
    {
        using var folder = new TemporaryFolder();

        RunResult run = DigitsApp.Run(folder.Path, [.. command, "--data", "nowhere"]);

        run.AssertRejected($"--data names the folder '{folder.File("nowhere")}', which does not exist. Pass --data DIR with the folder that holds {fileName}.");
    }

    [Fact]
    public void A_data_folder_without_the_file_says_so()
    {
        using var folder = new TemporaryFolder();
        Directory.CreateDirectory(folder.File("empty"));

        RunResult run = DigitsApp.Run(folder.Path, ["--data", "empty"]);

        run.AssertRejected($"--data names the folder '{folder.File("empty")}', which does not hold digits.npz. Pass --data DIR with the folder that holds digits.npz.");
    }

    [Fact]
    public void A_missing_folder_from_the_environment_names_the_variable_and_is_not_replaced_by_the_default()
    {
        using var folder = new TemporaryFolder();
        var environment = new Dictionary<string, string> { [DataDirectory.EnvironmentVariable] = "elsewhere" };

        RunResult run = DigitsApp.Run(folder.Path, ["diabetes"], environment);

        run.AssertRejected(
            $"DNNGEN_DATA names the folder '{folder.File("elsewhere")}', which does not exist. " +
            $"Set DNNGEN_DATA to the folder that holds diabetes.npz, unset it to use {Path.Combine("..", "shared", "data")}, or pass --data DIR.");
    }

    [Fact]
    public void Without_data_or_the_variable_the_default_folder_is_named_with_both_remedies()
    {
        using var folder = new TemporaryFolder();
        string current = Directory.CreateDirectory(folder.File("work")).FullName;

        RunResult run = DigitsApp.Run(current, []);

        run.AssertRejected(
            $"Neither --data nor DNNGEN_DATA is given, and the default the folder '{Path.GetFullPath(Path.Combine(current, "..", "shared", "data"))}', which does not exist. " +
            "Pass --data DIR or set DNNGEN_DATA to the folder that holds digits.npz.");
    }

    [Fact]
    public void An_output_that_is_a_file_is_refused_before_the_data_is_read()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("taken"), "");

        // The data folder does not exist either: the output is checked first, before anything slow.
        RunResult run = DigitsApp.Run(folder.Path, ["--output", "taken", "--data", "nowhere"]);

        run.AssertRejected($"--output must be a folder, but '{folder.File("taken")}' is a file.");
    }

    [Fact]
    public void An_output_folder_that_cannot_be_written_is_refused_before_the_data_is_read()
    {
        using var unwritable = new UnwritableFolder();
        using var folder = new TemporaryFolder();

        RunResult run = DigitsApp.Run(folder.Path, ["--output", unwritable.Path, "--data", "nowhere"]);

        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.StartsWith($"--output cannot write to the folder '{unwritable.Path}' (", run.Error);
        Assert.Single(run.Error.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("images", new[] { 3, 63 }, "'images' must have 64 columns (8 x 8 pixels), but it has 63.")]
    [InlineData("images", new[] { 192 }, "'images' must have 2 dimensions, but its shape is (192).")]
    public void Digits_images_of_the_wrong_shape_are_named(string name, int[] shape, string problem)
    {
        using var folder = new TemporaryFolder();
        NpzWriter.Write(folder.File("digits.npz"), (name, shape, new double[shape.Aggregate(1, (a, b) => a * b)]), ("target", [3], [0, 1, 2]));

        RunResult run = DigitsApp.Run(folder.Path, ["--data", folder.Path]);

        run.AssertRejected($"'{folder.File("digits.npz")}': {problem}");
    }

    [Fact]
    public void A_class_outside_0_to_9_is_named_with_its_image()
    {
        using var folder = new TemporaryFolder();
        NpzWriter.Write(folder.File("digits.npz"), ("images", [1501, 64], new double[1501 * 64]), ("target", [1501], [.. new double[1500], 10]));

        RunResult run = DigitsApp.Run(folder.Path, ["--data", folder.Path]);

        run.AssertRejected($"'{folder.File("digits.npz")}': image 1500 has the class 10; classes must lie in 0 to 9.");
    }

    [Fact]
    public void A_pixel_outside_0_to_16_is_named_with_its_image()
    {
        using var folder = new TemporaryFolder();
        double[] pixels = new double[1501 * 64];
        pixels[(2 * 64) + 5] = 255;
        NpzWriter.Write(folder.File("digits.npz"), ("images", [1501, 64], pixels), ("target", [1501], new double[1501]));

        RunResult run = DigitsApp.Run(folder.Path, ["--data", folder.Path]);

        run.AssertRejected($"'{folder.File("digits.npz")}': image 2 has the pixel value 255; pixels must lie in 0 to 16.");
    }

    [Fact]
    public void Too_few_digits_for_the_split_are_refused()
    {
        using var folder = new TemporaryFolder();
        NpzWriter.Write(folder.File("digits.npz"), ("images", [10, 64], new double[640]), ("target", [10], new double[10]));

        RunResult run = DigitsApp.Run(folder.Path, ["--data", folder.Path]);

        run.AssertRejected($"'{folder.File("digits.npz")}' holds 10 images; the split needs more than 1500 (the first 1500 train).");
    }

    [Fact]
    public void A_diabetes_file_without_its_target_lists_what_it_has()
    {
        using var folder = new TemporaryFolder();
        NpzWriter.Write(folder.File("diabetes.npz"), ("data", [2, 10], new double[20]), ("labels", [2], new double[2]));

        RunResult run = DigitsApp.Run(folder.Path, ["diabetes", "--data", folder.Path]);

        run.AssertRejected($"'{folder.File("diabetes.npz")}' has no array 'target' (it has: data, labels).");
    }

    [Fact]
    public void A_constant_diabetes_feature_cannot_be_standardised()
    {
        using var folder = new TemporaryFolder();
        var random = new NumPyRandom(5);
        double[] features = new double[400 * 10];
        random.FillStandardNormal(features);
        for (int i = 0; i < 400; i++)
        {
            features[(i * 10) + 4] = 7;
        }

        double[] target = new double[400];
        random.FillStandardNormal(target);
        NpzWriter.Write(folder.File("diabetes.npz"), ("data", [400, 10], features), ("target", [400], target));

        RunResult run = DigitsApp.Run(folder.Path, ["diabetes", "--data", folder.Path]);

        run.AssertRejected($"'{folder.File("diabetes.npz")}': feature 4 of 'data' has one value in the whole training part, so it cannot be standardised.");
    }

    [Fact]
    public void Help_lists_both_commands_and_exits_0()
    {
        using var folder = new TemporaryFolder();

        RunResult run = DigitsApp.Run(folder.Path, ["--help"]);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("diabetes", run.Output);
        Assert.Contains("--learning-rate", run.Output);
        Assert.Contains("--output", run.Output);
    }
}
