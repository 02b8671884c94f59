using System.CommandLine;
using CatClassifier;

namespace DnnGen.Samples.Tests;

/// <summary>The cat classifier's command line: defaults, every option, the predict command, and what it refuses.</summary>
public class CatCommandLineTests
{
    private static CatOptions Parse(params string[] args)
    {
        var commandLine = new CatCommandLine(_ => 0);
        ParseResult result = commandLine.Parse(args);
        Assert.Empty(result.Errors);
        return commandLine.ToOptions(result);
    }

    private static string[] Errors(params string[] args) =>
        new CatCommandLine(_ => 0).Parse(args).Errors.Select(error => error.Message).ToArray();

    [Fact]
    public void Without_options_it_trains_the_course_model_as_the_course_does()
    {
        CatOptions options = Parse();

        Assert.Equal(new CatOptions(), options);
        Assert.Equal(CatModel.Deep, options.Model);
        Assert.Equal(2500, options.Iterations);
        Assert.Equal(0.0075, options.LearningRate);
        Assert.Equal(Precision.Double, options.Precision);
        Assert.Equal(1u, options.Seed);
        Assert.Null(options.DataDirectory);
        Assert.Null(options.SavePath);
        Assert.Null(options.LoadPath);
        Assert.Equal(".", options.OutputDirectory);
        Assert.False(options.Predict);
        Assert.Empty(options.Images);
    }

    [Fact]
    public void Every_option_is_read()
    {
        CatOptions options = Parse(
            "--model", "two-layer", "--iterations", "300", "--learning-rate", "0.01", "--precision", "single",
            "--seed", "4294967295", "--data", "d", "--save", "s.npz", "--load", "l.npz", "--output", "o");

        Assert.Equal(
            new CatOptions
            {
                Model = CatModel.TwoLayer,
                Iterations = 300,
                LearningRate = 0.01,
                Precision = Precision.Single,
                Seed = uint.MaxValue,
                DataDirectory = "d",
                SavePath = "s.npz",
                LoadPath = "l.npz",
                OutputDirectory = "o",
            },
            options);
    }

    [Fact]
    public void Predict_takes_images_and_the_options_before_or_after_it()
    {
        CatOptions before = Parse("--load", "w.npz", "predict", "a.jpg", "b.png");
        CatOptions after = Parse("predict", "a.jpg", "--model", "two-layer", "b.png", "--load", "w.npz");

        Assert.True(before.Predict);
        Assert.Equal(["a.jpg", "b.png"], before.Images);
        Assert.Equal("w.npz", before.LoadPath);
        Assert.Equal(["a.jpg", "b.png"], after.Images);
        Assert.Equal(CatModel.TwoLayer, after.Model);
        Assert.Equal("w.npz", after.LoadPath);
    }

    [Theory]
    [InlineData(new[] { "--iterations", "-5" }, "--iterations must be at least 1, not -5.")]
    [InlineData(new[] { "--iterations", "0" }, "--iterations must be at least 1, not 0.")]
    [InlineData(new[] { "--iterations", "many" }, "--iterations must be a whole number, not 'many'.")]
    [InlineData(new[] { "--iterations", "2.5" }, "--iterations must be a whole number, not '2.5'.")]
    [InlineData(new[] { "--learning-rate", "fast" }, "--learning-rate must be a number, not 'fast'.")]
    [InlineData(new[] { "--learning-rate", "Infinity" }, "--learning-rate must be a finite number greater than 0, not Infinity.")]
    [InlineData(new[] { "--learning-rate", "-0.1" }, "--learning-rate must be a finite number greater than 0, not -0.1.")]
    [InlineData(new[] { "--learning-rate", "NaN" }, "--learning-rate must be a finite number greater than 0, not NaN.")]
    [InlineData(new[] { "--model", "wide" }, "wide")]
    [InlineData(new[] { "--precision", "half" }, "half")]
    [InlineData(new[] { "--seed", "-1" }, "-1")]
    [InlineData(new[] { "--save", "" }, "--save needs a path.")]
    [InlineData(new[] { "--colour" }, "--colour")]
    [InlineData(new[] { "predict" }, "Required argument missing for command: 'predict'.")]
    public void Refuses_bad_values_with_a_message_that_names_them(string[] args, string expected)
    {
        string[] errors = Errors(args);

        Assert.NotEmpty(errors);
        Assert.Contains(errors, error => error.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_command_line_is_exit_code_2_with_the_error_and_no_stack_trace()
    {
        using var folder = new TemporaryFolder();

        RunResult result = Cat.Run(folder.Path, ["--iterations", "-5"]);

        result.AssertRejected("Error: --iterations must be at least 1, not -5.", "Run with --help to see the options.");
    }

    [Fact]
    public void Help_lists_the_options_and_the_predict_command()
    {
        using var folder = new TemporaryFolder();

        RunResult result = Cat.Run(folder.Path, ["--help"]);

        Assert.Equal(0, result.ExitCode);
        foreach (string word in new[] { "--model", "--iterations", "--learning-rate", "--precision", "--seed", "--data", "--save", "--load", "--output", "predict" })
        {
            Assert.Contains(word, result.Output);
        }
    }
}
