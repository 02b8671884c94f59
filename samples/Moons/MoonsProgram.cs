using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using DnnGen;

namespace Moons;

/// <summary>The program's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>Bad input: the command line, a missing or malformed data file, an output that cannot be written.</summary>
    public const int BadInput = 2;
}

/// <summary>One of the notebook's models: its title, its network and how it is trained.</summary>
/// <param name="Title">The title the notebook gives its decision boundary ("Model with Adam optimization").</param>
/// <param name="Legend">Its short name, for the cost curves.</param>
/// <param name="Create">Makes the network; a new one holds the attribute's initialisation with seed 1, so Run draws seed 3.</param>
/// <param name="Options">The training options.</param>
public sealed record MoonsModel(string Title, string Legend, Func<IBinaryClassifier<double>> Create, TrainingOptions Options);

/// <summary>A trained model: the network, the costs Train recorded and the training accuracy.</summary>
public sealed record TrainedModel(MoonsModel Model, IBinaryClassifier<double> Network, IReadOnlyList<TrainingRecord> History, double Accuracy);

/// <summary>
/// The program: course 2's Optimization notebook. <c>model(train_X, train_Y, [2, 5, 2, 1], optimizer)</c> with
/// mini-batches of 64, learning rate 0.0007 and 5000 epochs, for "gd", "momentum" and "adam", each followed by
/// <c>predict</c> and <c>plot_decision_boundary</c>; with --decay, the decay section's Adam with
/// <c>schedule_lr_decay</c> (learning rate 0.1, decay_rate 1, time_interval 1000, 2000 epochs).
/// </summary>
public static class MoonsProgram
{
    /// <summary>The seed of <c>initialize_parameters</c>: np.random.seed(3), then He weights.</summary>
    public const uint Seed = 3;

    /// <summary>The cost is printed every this many epochs, as the notebook's <c>if print_cost and i % 1000 == 0</c>.</summary>
    public const int PrintEvery = 1000;

    /// <summary>The notebook's mini-batch size.</summary>
    public const int MiniBatchSize = 64;

    /// <summary>The notebook's <c>seed = 10</c>, incremented before each epoch's shuffle: epoch e shuffles with seed 11 + e.</summary>
    public const int ShuffleSeed = 10;

    /// <summary>The notebook's learning rate for the three optimizers.</summary>
    public const double LearningRate = 0.0007;

    /// <summary>The decay section's initial learning rate.</summary>
    public const double DecayLearningRate = 0.1;

    /// <summary>The decay section's decay_rate.</summary>
    public const double DecayRate = 1;

    /// <summary>The decay section's time_interval: the rate drops every this many epochs.</summary>
    public const int DecayInterval = 1000;

    /// <summary>The models a run trains, in order.</summary>
    public static IReadOnlyList<MoonsModel> Models(MoonsOptions options)
    {
        var notebook = new TrainingOptions
        {
            LearningRate = LearningRate,
            Epochs = options.Epochs,
            MiniBatchSize = MiniBatchSize,
            ShuffleSeed = ShuffleSeed,
        };
        if (options.Decay)
        {
            return
            [
                new MoonsModel(
                    "Model with Adam optimization and learning rate decay", "Adam with decay", () => new AdamModel(),
                    notebook with { LearningRate = DecayLearningRate, DecayRate = DecayRate, DecayInterval = DecayInterval }),
            ];
        }

        return
        [
            new MoonsModel("Model with Gradient Descent optimization", "Gradient descent", () => new GradientDescentModel(), notebook),
            new MoonsModel("Model with Momentum optimization", "Momentum", () => new MomentumModel(), notebook),
            new MoonsModel("Model with Adam optimization", "Adam", () => new AdamModel(), notebook),
        ];
    }

    /// <summary>
    /// Runs the program with <paramref name="args"/> and returns its exit code. A problem with the input is reported
    /// as one line on <see cref="MoonsConsole.Error"/> with exit code 2, never as a stack trace.
    /// </summary>
    public static int Run(IReadOnlyList<string> args, MoonsConsole console)
    {
        var commandLine = new MoonsCommandLine(options => Run(options, console));
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

    /// <summary>Python's <c>str</c> of a float, as the notebook prints the accuracy: the shortest round trip, with ".0" for a whole number.</summary>
    public static string PythonFloat(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static int Run(MoonsOptions options, MoonsConsole console)
    {
        try
        {
            // Where the picture goes is checked before anything slow.
            string picture = console.FullPath(options.Output);
            MoonsPicture.CheckDestination(picture);
            MoonsDataset data = MoonsDataset.Load(MoonsDataset.Find(options.DataDirectory, console));
            IReadOnlyList<MoonsModel> models = Models(options);
            TrainingOptions first = models[0].Options;
            console.Out.WriteLine(Invariant(
                $"Moons: {data.Count} points ({MoonsDataset.FileName}); layers (2, 5, 2, 1), He initialisation after np.random.seed({Seed}); mini-batches of {first.MiniBatchSize}, epoch e shuffled with np.random.seed({first.ShuffleSeed} + 1 + e); {options.Epochs} epochs"));

            var trained = new List<TrainedModel>(models.Count);
            foreach (MoonsModel model in models)
            {
                trained.Add(Train(model, data, console));
            }

            MoonsPicture.Write(picture, data, trained);
            console.Out.WriteLine($"Decision boundaries: {picture}");
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArithmeticException)
        {
            // A missing folder or file, a malformed array, an output that cannot be written, training that diverged:
            // the messages name the option, the file or the epoch, so they are all a person needs.
            console.Error.WriteLine(e.Message);
            return ExitCodes.BadInput;
        }
    }

    /// <summary>
    /// Trains one model as the notebook's <c>model(...)</c> and <c>predict(...)</c> do, printing their lines: the cost
    /// every 1000 epochs (<c>"Cost after epoch %i: %f"</c>), with decay the rate set after that epoch
    /// (<c>"learning rate after epoch %i: %f"</c>), and <c>"Accuracy: " + str(mean(p == y))</c>.
    /// </summary>
    public static TrainedModel Train(MoonsModel model, MoonsDataset data, MoonsConsole console)
    {
        TrainingOptions options = model.Options;
        string rate = options.DecayRate == 0
            ? Invariant($"learning rate {options.LearningRate:R}")
            : Invariant($"learning rate {options.LearningRate:R}, after epoch e {options.LearningRate:R} / (1 + {options.DecayRate:R} * floor(e / {options.DecayInterval}))");
        console.Out.WriteLine($"{model.Title} ({rate})");
        IBinaryClassifier<double> network = model.Create();
        network.InitializeParameters(new NumPyRandom(Seed), Initialization.He);
        bool decays = options.DecayRate != 0;
        IReadOnlyList<TrainingRecord> history = network.Train(data.X, data.Y, options, record =>
        {
            if (record.Iteration % PrintEvery == 0)
            {
                // Python's %f: six decimals.
                console.Out.WriteLine(Invariant($"Cost after epoch {record.Iteration}: {record.Cost:F6}"));
                if (decays)
                {
                    // The notebook sets the rate after the epoch: the one epoch e + 1 runs at.
                    console.Out.WriteLine(Invariant($"learning rate after epoch {record.Iteration}: {options.LearningRateAt(record.Iteration + 1):F6}"));
                }
            }
        });

        double accuracy = network.Accuracy(data.X, data.Y);
        console.Out.WriteLine("Accuracy: " + PythonFloat(accuracy));
        return new TrainedModel(model, network, history, accuracy);
    }
}
