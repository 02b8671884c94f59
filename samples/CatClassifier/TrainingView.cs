using System;
using System.Globalization;
using System.IO;
using DnnGen;
using Spectre.Console;

namespace CatClassifier;

/// <summary>
/// How training shows itself: the course's "Cost after iteration" lines always, and on a terminal a live progress bar
/// with the current cost under them.
/// </summary>
public abstract class TrainingView
{
    /// <summary>The view for <paramref name="console"/>: live on a terminal, plain lines otherwise.</summary>
    public static TrainingView For(CatConsole console) =>
        console.Terminal is { } terminal ? new Live(terminal) : new Plain(console.Out);

    /// <summary>
    /// Runs <paramref name="train"/>, which reports every iteration through the callback it is given, with the line to
    /// print for that iteration or null.
    /// </summary>
    public abstract void Run(int iterations, Action<Action<TrainingRecord, string?>> train);

    private sealed class Plain(TextWriter output) : TrainingView
    {
        public override void Run(int iterations, Action<Action<TrainingRecord, string?>> train) =>
            train((_, line) =>
            {
                if (line is not null)
                {
                    output.WriteLine(line);
                }
            });
    }

    private sealed class Live(IAnsiConsole terminal) : TrainingView
    {
        public override void Run(int iterations, Action<Action<TrainingRecord, string?>> train) =>
            terminal.Progress()
                .AutoClear(false)
                .Columns(
                    new TaskDescriptionColumn { Alignment = Justify.Left },
                    new ProgressBarColumn(),
                    new PercentageColumn(),
                    new ElapsedTimeColumn(),
                    new RemainingTimeColumn(),
                    new SpinnerColumn())
                .Start(context =>
                {
                    ProgressTask task = context.AddTask("Training", maxValue: iterations);
                    train((record, line) =>
                    {
                        task.Value = record.Iteration + 1;
                        task.Description = string.Create(
                            CultureInfo.InvariantCulture, $"iteration {record.Iteration + 1}/{iterations}, cost {record.Cost:F6}");
                        if (line is not null)
                        {
                            // Written through the live display, so the line lands above the bar.
                            terminal.WriteLine(line);
                        }
                    });
                });
    }
}
