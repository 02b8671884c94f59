using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Linq;
using System.Numerics;
using DnnGen;

namespace CatClassifier;

/// <summary>What one run of the program is asked to do, after the command line is parsed and checked.</summary>
public sealed record CatOptions
{
    /// <summary>The course's number of iterations.</summary>
    public const int DefaultIterations = 2500;

    /// <summary>The course's learning rate.</summary>
    public const double DefaultLearningRate = 0.0075;

    /// <summary>The course's seed.</summary>
    public const uint DefaultSeed = 1;

    /// <summary>Which model to train or load.</summary>
    public CatModel Model { get; init; } = CatModel.Deep;

    /// <summary>Gradient-descent iterations, at least 1.</summary>
    public int Iterations { get; init; } = DefaultIterations;

    /// <summary>The learning rate, finite and greater than zero.</summary>
    public double LearningRate { get; init; } = DefaultLearningRate;

    /// <summary>The element type the network computes in.</summary>
    public Precision Precision { get; init; } = Precision.Double;

    /// <summary>The NumPy seed of the initial weights.</summary>
    public uint Seed { get; init; } = DefaultSeed;

    /// <summary>The <c>--data</c> folder, as given; null to use $DNNGEN_DATA or ../shared/data.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Where to save the weights after training (<c>--save</c>), or null.</summary>
    public string? SavePath { get; init; }

    /// <summary>Where to load weights from instead of training (<c>--load</c>), or null.</summary>
    public string? LoadPath { get; init; }

    /// <summary>The folder cost.png and mislabeled.png go to.</summary>
    public string OutputDirectory { get; init; } = ".";

    /// <summary>The images to classify (the <c>predict</c> command); empty for the main command.</summary>
    public IReadOnlyList<string> Images { get; init; } = [];

    /// <summary>True for the <c>predict</c> command.</summary>
    public bool Predict { get; init; }
}

/// <summary>
/// The command line, built with System.CommandLine: the main command trains (or loads) and evaluates the model, and
/// <c>predict IMAGE...</c> classifies pictures. Every option is accepted by both.
/// </summary>
public sealed class CatCommandLine
{
    private readonly Option<string> _model = Shared(
        "--model", "The course's model: 'deep' is [12288, 20, 7, 5, 1], 'two-layer' is [12288, 7, 1]", null, "deep");

    private readonly Option<int> _iterations = Shared(
        "--iterations", "Gradient-descent iterations, 1 to 2147483647 (not with --load)", "N", CatOptions.DefaultIterations);

    private readonly Option<double> _learningRate = Shared(
        "--learning-rate", "The learning rate alpha, finite and above 0 (not with --load)", "X", CatOptions.DefaultLearningRate);

    private readonly Option<string> _precision = Shared("--precision", "Compute in float64 (as the course) or float32", null, "double");

    private readonly Option<uint> _seed = Shared(
        "--seed", "The NumPy seed of the initial weights, 0 to 4294967295 (not with --load)", "N", CatOptions.DefaultSeed);

    private readonly Option<string?> _data = Shared<string?>(
        "--data",
        "The folder with train_catvnoncat.h5 and test_catvnoncat.h5 (not with predict --load) [default: $DNNGEN_DATA, else ../shared/data]",
        "DIR");

    private readonly Option<string?> _save = Shared<string?>(
        "--save",
        "Save the weights to this .npz file after training, also when interrupted; its folder must exist",
        "FILE.npz");

    private readonly Option<string?> _load = Shared<string?>("--load", "Load the weights from this .npz file instead of training", "FILE.npz");

    private readonly Option<string> _output = Shared(
        "--output", "The folder for cost.png and mislabeled.png, made if missing (not with predict)", "DIR", ".");

    private readonly Argument<string[]> _images = new("IMAGE")
    {
        Description = "JPEG or PNG pictures to classify",
        Arity = ArgumentArity.OneOrMore,
    };

    private readonly Command _predict;

    /// <summary>Builds the commands; <paramref name="run"/> is what both of them do once the line is valid.</summary>
    public CatCommandLine(Func<CatOptions, int> run)
    {
        _model.AcceptOnlyFromAmong("deep", "two-layer");
        _precision.AcceptOnlyFromAmong("double", "single");
        _iterations.CustomParser = result => (int)ParseWholeNumber(result, 1, int.MaxValue, value => value < 1 ? "at least 1" : Invariant($"at most {int.MaxValue}"));
        _seed.CustomParser = result => (uint)ParseWholeNumber(result, uint.MinValue, uint.MaxValue, _ => Invariant($"between {uint.MinValue} and {uint.MaxValue}"));
        _learningRate.CustomParser = result => ParseNumber(result, "a number", (string text, out double value) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value), value => value > 0 && double.IsFinite(value), "a finite number greater than 0");
        foreach (Option<string?> path in new[] { _data, _save, _load })
        {
            path.Validators.Add(result =>
            {
                if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string?>()))
                {
                    result.AddError($"{result.Option.Name} needs a path.");
                }
            });
        }

        _predict = new Command("predict", "Classify your own pictures as cat or non-cat, with the weights of --load or after training")
        {
            _images,
        };
        _predict.SetAction(result => run(ToOptions(result)));

        Root = new RootCommand(
            "Trains the course's cat classifier (\"Neural Networks and Deep Learning\", week 4) on the cat dataset and " +
            "prints the costs and accuracies the course's notebook prints.")
        {
            _model, _iterations, _learningRate, _precision, _seed, _data, _save, _load, _output, _predict,
        };
        Root.SetAction(result => run(ToOptions(result)));
        // A command's validators run when it is the one invoked, so both commands get the check.
        Root.Validators.Add(RefuseIneffectiveOptions);
        _predict.Validators.Add(RefuseIneffectiveOptions);
    }

    private delegate bool TryParse<T>(string text, out T value);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>An option that the main command and predict both accept, with a default when one is given.</summary>
    private static Option<T> Shared<T>(string name, string description, string? helpName, T defaultValue = default!)
    {
        var option = new Option<T>(name) { Description = description, HelpName = helpName, Recursive = true };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }

        return option;
    }

    /// <summary>Parses an option's value in the invariant culture and checks its range, with messages that say both.</summary>
    private static T ParseNumber<T>(ArgumentResult result, string kind, TryParse<T> tryParse, Func<T, bool> isValid, string range)
        where T : IFormattable => ParseNumber(result, kind, tryParse, isValid, _ => range);

    /// <summary>As <see cref="ParseNumber{T}(ArgumentResult, string, TryParse{T}, Func{T, bool}, string)"/>, with a range that depends on the value.</summary>
    private static T ParseNumber<T>(ArgumentResult result, string kind, TryParse<T> tryParse, Func<T, bool> isValid, Func<T, string> range)
        where T : IFormattable
    {
        string name = ((OptionResult)result.Parent!).Option.Name;
        string text = result.Tokens[^1].Value;
        if (!tryParse(text, out T value))
        {
            result.AddError($"{name} must be {kind}, not '{text}'.");
        }
        else if (!isValid(value))
        {
            result.AddError($"{name} must be {range(value)}, not {value.ToString(null, CultureInfo.InvariantCulture)}.");
        }

        return value;
    }

    /// <summary>
    /// Parses a whole number of any size in the invariant culture and checks it lies in [<paramref name="min"/>,
    /// <paramref name="max"/>], with the messages of <see cref="ParseNumber{T}(ArgumentResult, string, TryParse{T}, Func{T, bool}, Func{T, string})"/>; <paramref name="range"/> says what was
    /// expected of a value outside. On an error the value returned is <paramref name="min"/> (it is not used).
    /// </summary>
    private static BigInteger ParseWholeNumber(ArgumentResult result, BigInteger min, BigInteger max, Func<BigInteger, string> range)
    {
        BigInteger value = ParseNumber(result, "a whole number", (string text, out BigInteger parsed) =>
            BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out parsed), value => value >= min && value <= max, range);
        return value >= min && value <= max ? value : min;
    }

    /// <summary>
    /// Refuses options given on the command line that would have no effect, naming both options: what training reads
    /// when the weights are loaded, the pictures' folder for predict, and the dataset for predict with loaded weights.
    /// Defaults never count, only what was typed, before or after <c>predict</c>.
    /// </summary>
    private void RefuseIneffectiveOptions(CommandResult command)
    {
        bool Given(Option option) => command.GetResult(option) is { Implicit: false };
        bool predict = command.Command == _predict;
        if (Given(_load))
        {
            foreach (Option trainingOnly in new Option[] { _iterations, _learningRate, _seed }.Where(Given))
            {
                command.AddError($"{trainingOnly.Name} has no effect with {_load.Name}: the weights are loaded, not trained.");
            }

            if (predict && Given(_data))
            {
                command.AddError($"{_data.Name} has no effect with predict {_load.Name}: the dataset is not read when the weights are loaded.");
            }
        }

        if (predict && Given(_output))
        {
            command.AddError($"{_output.Name} has no effect with predict: predict writes no pictures.");
        }
    }

    /// <summary>The root command, with <c>predict</c> below it.</summary>
    public RootCommand Root { get; }

    /// <summary>Parses <paramref name="args"/>; check <see cref="ParseResult.Errors"/> before <see cref="ToOptions"/>.</summary>
    public ParseResult Parse(IReadOnlyList<string> args) => Root.Parse(args);

    /// <summary>The options of a parse without errors.</summary>
    public CatOptions ToOptions(ParseResult result) => new()
    {
        Model = result.GetValue(_model) == "two-layer" ? CatModel.TwoLayer : CatModel.Deep,
        Iterations = result.GetValue(_iterations),
        LearningRate = result.GetValue(_learningRate),
        Precision = result.GetValue(_precision) == "single" ? Precision.Single : Precision.Double,
        Seed = result.GetValue(_seed),
        DataDirectory = result.GetValue(_data),
        SavePath = result.GetValue(_save),
        LoadPath = result.GetValue(_load),
        OutputDirectory = result.GetValue(_output) ?? ".",
        Predict = result.CommandResult.Command == _predict,
        Images = result.CommandResult.Command == _predict ? result.GetValue(_images) ?? [] : [],
    };
}
