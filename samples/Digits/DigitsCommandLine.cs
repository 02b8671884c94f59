using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Digits;

/// <summary>Which model a run trains.</summary>
public enum Mode
{
    /// <summary>The softmax classifier of the digits.</summary>
    Digits,

    /// <summary>The regression on the diabetes data.</summary>
    Diabetes,
}

/// <summary>What one run is asked to do, after the command line is parsed and checked.</summary>
public sealed record DigitsOptions
{
    /// <summary>The classifier's iterations.</summary>
    public const int DigitsIterations = 1000;

    /// <summary>The classifier's learning rate.</summary>
    public const double DigitsLearningRate = 0.5;

    /// <summary>The regression's iterations.</summary>
    public const int DiabetesIterations = 1000;

    /// <summary>The regression's learning rate.</summary>
    public const double DiabetesLearningRate = 0.05;

    /// <summary>The model.</summary>
    public Mode Mode { get; init; } = Mode.Digits;

    /// <summary>Full-batch gradient-descent iterations, at least 1.</summary>
    public int Iterations { get; init; } = DigitsIterations;

    /// <summary>The learning rate, finite and above 0.</summary>
    public double LearningRate { get; init; } = DigitsLearningRate;

    /// <summary>The <c>--data</c> folder as given, or null to use $DNNGEN_DATA or ../shared/data.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>The folder for the classifier's pictures.</summary>
    public string OutputDirectory { get; init; } = ".";
}

/// <summary>
/// The command line: the root command trains the digits classifier; <c>diabetes</c> trains the regression. Each has
/// its own defaults for <c>--iterations</c> and <c>--learning-rate</c>; only the classifier draws pictures, so only it
/// takes <c>--output</c>.
/// </summary>
public sealed class DigitsCommandLine
{
    private readonly Option<string?> _data = DataOption();
    private readonly Option<string?> _diabetesData = DataOption();
    private readonly Option<string> _output = new("--output")
    {
        Description = "The folder for confusion.png and misclassified.png, made if missing",
        HelpName = "DIR",
        DefaultValueFactory = _ => ".",
    };

    private readonly Option<int> _iterations = IterationsOption(DigitsOptions.DigitsIterations);
    private readonly Option<int> _diabetesIterations = IterationsOption(DigitsOptions.DiabetesIterations);
    private readonly Option<double> _learningRate = LearningRateOption(DigitsOptions.DigitsLearningRate);
    private readonly Option<double> _diabetesLearningRate = LearningRateOption(DigitsOptions.DiabetesLearningRate);
    private readonly Command _diabetes;

    /// <summary>Builds the commands; <paramref name="run"/> is what either does once the line is valid.</summary>
    public DigitsCommandLine(Func<DigitsOptions, int> run)
    {
        _output.Validators.Add(RequirePath);
        _diabetes = new Command(
            "diabetes",
            "Train the regression [10, 16, 1] with a linear output on diabetes.npz and print the test RMSE beside the RMSE of predicting the mean")
        {
            _diabetesData, _diabetesIterations, _diabetesLearningRate,
        };
        _diabetes.SetAction(result => run(new DigitsOptions
        {
            Mode = Mode.Diabetes,
            Iterations = result.GetValue(_diabetesIterations),
            LearningRate = result.GetValue(_diabetesLearningRate),
            DataDirectory = result.GetValue(_diabetesData),
        }));

        Root = new RootCommand(
            "Trains the softmax classifier [64, 32, 10] on scikit-learn's 8 x 8 handwritten digits (digits.npz), prints the " +
            "cost and the train and test accuracy, and draws the confusion matrix and the misclassified test digits.")
        {
            _data, _output, _iterations, _learningRate, _diabetes,
        };
        Root.SetAction(result => run(new DigitsOptions
        {
            Mode = Mode.Digits,
            Iterations = result.GetValue(_iterations),
            LearningRate = result.GetValue(_learningRate),
            DataDirectory = result.GetValue(_data),
            OutputDirectory = result.GetValue(_output) ?? ".",
        }));
    }

    /// <summary>The root command, with <c>diabetes</c> below it.</summary>
    public RootCommand Root { get; }

    /// <summary>Parses <paramref name="args"/>; check <see cref="ParseResult.Errors"/> before invoking.</summary>
    public ParseResult Parse(IReadOnlyList<string> args) => Root.Parse(args);

    private static Option<string?> DataOption()
    {
        var option = new Option<string?>("--data")
        {
            Description = "The folder with digits.npz and diabetes.npz [default: $DNNGEN_DATA, else ../shared/data]",
            HelpName = "DIR",
        };
        option.Validators.Add(RequirePath);
        return option;
    }

    private static void RequirePath(OptionResult result)
    {
        if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string?>()))
        {
            result.AddError($"{result.Option.Name} needs a path.");
        }
    }

    private static Option<int> IterationsOption(int defaultValue) => new("--iterations")
    {
        Description = "Full-batch gradient-descent iterations, 1 to 2147483647",
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = result.Tokens[^1].Value;
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            {
                result.AddError($"--iterations must be a whole number, not '{text}'.");
                return 1;
            }

            if (value < 1 || value > int.MaxValue)
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"--iterations must be between 1 and {int.MaxValue}, not {value}."));
                return 1;
            }

            return (int)value;
        },
    };

    private static Option<double> LearningRateOption(double defaultValue) => new("--learning-rate")
    {
        Description = "The learning rate alpha, finite and above 0",
        HelpName = "X",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = result.Tokens[^1].Value;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                result.AddError($"--learning-rate must be a number, not '{text}'.");
            }
            else if (!(value > 0 && double.IsFinite(value)))
            {
                result.AddError($"--learning-rate must be a finite number greater than 0, not {value.ToString(CultureInfo.InvariantCulture)}.");
            }

            return value;
        },
    };
}
