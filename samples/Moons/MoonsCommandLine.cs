using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Moons;

/// <summary>What one run is asked to do, after the command line is parsed and checked.</summary>
public sealed record MoonsOptions
{
    /// <summary>The notebook's epochs for the three optimizers.</summary>
    public const int OptimizerEpochs = 5000;

    /// <summary>The epochs of the learning-rate decay section.</summary>
    public const int DecayEpochs = 2000;

    /// <summary>The picture's name when --output is not given.</summary>
    public const string DefaultPicture = "moons.png";

    /// <summary>The picture's name in --decay mode when --output is not given.</summary>
    public const string DefaultDecayPicture = "moons-decay.png";

    /// <summary>True for the decay section's Adam with learning-rate decay; false for the three optimizers.</summary>
    public bool Decay { get; init; }

    /// <summary>Epochs per model, at least 1.</summary>
    public int Epochs { get; init; } = OptimizerEpochs;

    /// <summary>The <c>--data</c> folder as given, or null to use $DNNGEN_DATA or ../shared/data.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>The PNG file to write, as given (relative to the current folder).</summary>
    public string Output { get; init; } = DefaultPicture;
}

/// <summary>
/// The command line: <c>Moons [--data DIR] [--output FILE.png] [--epochs N] [--decay]</c>. Without --decay it trains the
/// three optimizers for 5000 epochs each; with it, Adam with learning-rate decay for 2000.
/// </summary>
public sealed class MoonsCommandLine
{
    private readonly Option<string?> _data = new("--data")
    {
        Description = $"The folder with {MoonsDataset.FileName} [default: ${MoonsDataset.EnvironmentVariable}, else ../shared/data]",
        HelpName = "DIR",
    };

    private readonly Option<string?> _output = new("--output")
    {
        Description = $"The PNG file for the decision boundaries and the cost curves, written atomically; its folder must exist [default: {MoonsOptions.DefaultPicture}, with --decay {MoonsOptions.DefaultDecayPicture}]",
        HelpName = "FILE",
    };

    private readonly Option<int?> _epochs = new("--epochs")
    {
        Description = $"Epochs per model, 1 to 2147483647 [default: {MoonsOptions.OptimizerEpochs}, with --decay {MoonsOptions.DecayEpochs}]",
        HelpName = "N",
        CustomParser = ParseEpochs,
    };

    private readonly Option<bool> _decay = new("--decay")
    {
        Description = "Train the decay section's model instead: Adam, learning rate 0.1 divided by 1 + floor(epoch / 1000)",
    };

    /// <summary>Builds the command; <paramref name="run"/> is what it does once the line is valid.</summary>
    public MoonsCommandLine(Func<MoonsOptions, int> run)
    {
        _data.Validators.Add(RequirePath);
        _output.Validators.Add(RequirePath);
        Root = new RootCommand(
            "Course 2's Optimization notebook: trains the (2, 5, 2, 1) ReLU network on the moons (course2_moons.npz) with " +
            "mini-batches of 64 and gradient descent, momentum and Adam, prints the costs and accuracies as the notebook does, " +
            "and draws the three decision boundaries and cost curves in one PNG.")
        {
            _data, _output, _epochs, _decay,
        };
        Root.SetAction(result =>
        {
            bool decay = result.GetValue(_decay);
            return run(new MoonsOptions
            {
                Decay = decay,
                Epochs = result.GetValue(_epochs) ?? (decay ? MoonsOptions.DecayEpochs : MoonsOptions.OptimizerEpochs),
                DataDirectory = result.GetValue(_data),
                Output = result.GetValue(_output) ?? (decay ? MoonsOptions.DefaultDecayPicture : MoonsOptions.DefaultPicture),
            });
        });
    }

    /// <summary>The root command.</summary>
    public RootCommand Root { get; }

    /// <summary>Parses <paramref name="args"/>; check <see cref="ParseResult.Errors"/> before invoking.</summary>
    public ParseResult Parse(IReadOnlyList<string> args) => Root.Parse(args);

    private static void RequirePath(OptionResult result)
    {
        if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string?>()))
        {
            result.AddError($"{result.Option.Name} needs a path.");
        }
    }

    private static int? ParseEpochs(ArgumentResult result)
    {
        string text = result.Tokens[^1].Value;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            result.AddError($"--epochs must be a whole number, not '{text}'.");
            return null;
        }

        if (value < 1 || value > int.MaxValue)
        {
            result.AddError(string.Create(CultureInfo.InvariantCulture, $"--epochs must be between 1 and {int.MaxValue}, not {value}."));
            return null;
        }

        return (int)value;
    }
}
