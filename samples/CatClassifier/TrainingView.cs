using System;
using System.Diagnostics;
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
        // The display costs CPU that training, which keeps both cores of a small machine busy, would otherwise use: each
        // redraw lays out and writes every column. Redrawn four times a second (Spectre's default is ten), without the
        // animated spinner, and the task updated at most as often as it is drawn (and at every printed line and at the
        // end), the view took 0.15-0.3 s less CPU over a 14 s run (2000 updates) than with the defaults and an update
        // per iteration; most of what is left is compiling Spectre's layout code once.
        private static readonly TimeSpan RefreshRate = TimeSpan.FromMilliseconds(250);

        public override void Run(int iterations, Action<Action<TrainingRecord, string?>> train) =>
            new Progress(terminal) { RefreshRate = RefreshRate }
                .AutoClear(false)
                .Columns(
                    new TaskDescriptionColumn { Alignment = Justify.Left },
                    new ProgressBarColumn(),
                    new PercentageColumn(),
                    new ElapsedTimeColumn(),
                    new RemainingTimeColumn())
                .Start(context =>
                {
                    ProgressTask task = context.AddTask("Training", maxValue: iterations);
                    long lastShown = 0;
                    train((record, line) =>
                    {
                        long now = Stopwatch.GetTimestamp();
                        if (line is not null || record.Iteration == iterations - 1 || Stopwatch.GetElapsedTime(lastShown, now) >= RefreshRate)
                        {
                            lastShown = now;
                            task.Value = record.Iteration + 1;
                            task.Description = string.Create(
                                CultureInfo.InvariantCulture, $"iteration {record.Iteration + 1}/{iterations}, cost {record.Cost:F6}");
                        }

                        if (line is not null)
                        {
                            // Written through the live display, so the line lands above the bar.
                            terminal.WriteLine(line);
                        }
                    });
                });
    }
}
