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
        CatOptions trained = Parse(
            "--model", "two-layer", "--iterations", "300", "--learning-rate", "0.01", "--precision", "single",
            "--seed", "4294967295", "--data", "d", "--save", "s.npz", "--output", "o");
        CatOptions loaded = Parse("--load", "l.npz", "--model", "two-layer", "--precision", "single", "--data", "d", "--save", "s.npz", "--output", "o");

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
                OutputDirectory = "o",
            },
            trained);
        Assert.Equal(
            new CatOptions
            {
                Model = CatModel.TwoLayer,
                Precision = Precision.Single,
                DataDirectory = "d",
                SavePath = "s.npz",
                LoadPath = "l.npz",
                OutputDirectory = "o",
            },
            loaded);
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
    [InlineData(new[] { "--iterations", "99999999999" }, "--iterations must be at most 2147483647, not 99999999999.")]
    [InlineData(new[] { "--seed", "-1" }, "--seed must be between 0 and 4294967295, not -1.")]
    [InlineData(new[] { "--seed", "4294967296" }, "--seed must be between 0 and 4294967295, not 4294967296.")]
    [InlineData(new[] { "--seed", "one" }, "--seed must be a whole number, not 'one'.")]
    [InlineData(new[] { "--seed", "1.5" }, "--seed must be a whole number, not '1.5'.")]
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
    public void A_negative_seed_reads_as_every_other_option_and_run_says_only_that()
    {
        using var folder = new TemporaryFolder();

        RunResult result = Cat.Run(folder.Path, ["--seed", "-1"]);

        result.AssertRejected("Error: --seed must be between 0 and 4294967295, not -1.", "Run with --help to see the options.");
    }

    /// <summary>Options that training reads have no effect when the weights are loaded; given explicitly, they are refused.</summary>
    [Theory]
    [InlineData(new[] { "--load", "w.npz", "--iterations", "100" }, "--iterations has no effect with --load: the weights are loaded, not trained.")]
    [InlineData(new[] { "--learning-rate", "0.01", "--load", "w.npz" }, "--learning-rate has no effect with --load: the weights are loaded, not trained.")]
    [InlineData(new[] { "--load", "w.npz", "--seed", "3" }, "--seed has no effect with --load: the weights are loaded, not trained.")]
    [InlineData(new[] { "--load", "w.npz", "--iterations", "2500" }, "--iterations has no effect with --load: the weights are loaded, not trained.")]
    [InlineData(new[] { "predict", "a.jpg", "--load", "w.npz", "--iterations", "100" }, "--iterations has no effect with --load: the weights are loaded, not trained.")]
    [InlineData(new[] { "--seed", "3", "predict", "a.jpg", "--load", "w.npz" }, "--seed has no effect with --load: the weights are loaded, not trained.")]
    [InlineData(new[] { "predict", "a.jpg", "--output", "pictures" }, "--output has no effect with predict: predict writes no pictures.")]
    [InlineData(new[] { "predict", "a.jpg", "--load", "w.npz", "--data", "d" }, "--data has no effect with predict --load: the dataset is not read when the weights are loaded.")]
    public void Options_that_would_be_ignored_are_refused_with_both_names(string[] args, string expected)
    {
        Assert.Equal([expected], Errors(args));
    }

    [Fact]
    public void Two_ignored_options_get_one_message_each()
    {
        Assert.Equal(
            ["--iterations has no effect with --load: the weights are loaded, not trained.", "--seed has no effect with --load: the weights are loaded, not trained."],
            Errors("--load", "w.npz", "--seed", "2", "--iterations", "10"));
    }

    [Fact]
    public void Defaults_do_not_count_as_given()
    {
        Assert.Empty(Errors("--load", "w.npz"));
        Assert.Empty(Errors("predict", "a.jpg", "--load", "w.npz"));
        Assert.Empty(Errors("--load", "w.npz", "--model", "two-layer", "--precision", "single", "--data", "d", "--output", "o", "--save", "s.npz"));
        Assert.Empty(Errors("predict", "a.jpg", "--iterations", "10", "--seed", "2", "--learning-rate", "0.1", "--data", "d"));
    }

    [Fact]
    public void Load_with_iterations_is_exit_code_2_before_anything_is_read()
    {
        using var folder = new TemporaryFolder();

        RunResult result = Cat.Run(folder.Path, ["--load", "absent.npz", "--iterations", "100"]);

        result.AssertRejected(
            "Error: --iterations has no effect with --load: the weights are loaded, not trained.", "Run with --help to see the options.");
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

        // The ranges and what --load leaves out are said where a person looks for them.
        Assert.Contains("0 to 4294967295", result.Output);
        Assert.Contains("not with --load", result.Output);
    }
}
