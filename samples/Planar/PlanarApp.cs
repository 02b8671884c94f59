using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using DnnGen;
using DnnGen.Samples;

namespace Planar;

/// <summary>Trains <see cref="PlanarNetwork"/> on the flower and draws its decision boundary.</summary>
public static class PlanarApp
{
    /// <summary>Gradient-descent iterations, as the course's nn_model.</summary>
    public const int Iterations = 10000;

    /// <summary>The learning rate of the course's update_parameters.</summary>
    public const double LearningRate = 1.2;

    /// <summary>The seed initialize_parameters sets before drawing W = randn * 0.01.</summary>
    public const uint Seed = 2;

    /// <summary>The name of the picture.</summary>
    public const string PictureName = "planar.png";

    /// <summary>
    /// Runs the sample: <c>Planar [--output DIR]</c>. Prints the notebook's lines, the cost every 1000 iterations
    /// (<c>"Cost after iteration %i: %f"</c>) and the accuracy (<c>'Accuracy: %d' % accuracy + '%'</c>), then where
    /// planar.png went; returns the exit code (2 for a bad command line).
    /// </summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string folder = ".";
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == "--output" && i + 1 < args.Count)
            {
                folder = args[++i];
            }
            else
            {
                error.WriteLine($"Unknown argument '{args[i]}'. Usage: Planar [--output DIR]");
                return 2;
            }
        }

        (double[] x, double[] y) = FlowerDataset.Generate();
        var network = new PlanarNetwork();
        // The attribute's Initialization.ScaledNormal: np.random.seed(2), then W1 = randn(4, 2) * 0.01, W2 = randn(1, 4) * 0.01.
        network.InitializeParameters(Seed);
        network.Train(x, y, Iterations, LearningRate, record =>
        {
            if (record.Iteration % 1000 == 0)
            {
                // Python's %f: six decimals.
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Cost after iteration {record.Iteration}: {record.Cost:F6}"));
            }
        });

        output.WriteLine(AccuracyLine(network.Accuracy(x, y)));
        Directory.CreateDirectory(folder);
        string path = Path.GetFullPath(Path.Combine(folder, PictureName));
        DrawDecisionBoundary(network, x, y, path);
        output.WriteLine($"Decision boundary: {path}");
        return 0;
    }

    /// <summary>
    /// The notebook's accuracy line, <c>'Accuracy: %d' % accuracy + '%'</c>: the percentage truncated toward zero, as
    /// Python's %d does to a float (90.75 prints "Accuracy: 90%").
    /// </summary>
    public static string AccuracyLine(double accuracy)
        => string.Create(CultureInfo.InvariantCulture, $"Accuracy: {Math.Truncate(accuracy * 100)}%");

    /// <summary>
    /// The course's plot_decision_boundary: the plane coloured by the predicted class, with the points on top in the
    /// colour of their true class.
    /// </summary>
    public static void DrawDecisionBoundary(PlanarNetwork network, double[] x, double[] y, string path)
    {
        const int Cells = 300;
        double[] xs = Enumerable.Range(0, x.Length / 2).Select(i => x[2 * i]).ToArray();
        double[] ys = Enumerable.Range(0, x.Length / 2).Select(i => x[(2 * i) + 1]).ToArray();
        double left = xs.Min() - 1, right = xs.Max() + 1, bottom = ys.Min() - 1, top = ys.Max() + 1;

        // One prediction per cell centre, row 0 at the top as the heatmap draws it.
        var grid = new double[Cells * Cells * 2];
        for (int row = 0; row < Cells; row++)
        {
            for (int column = 0; column < Cells; column++)
            {
                int cell = (row * Cells) + column;
                grid[2 * cell] = left + ((column + 0.5) * (right - left) / Cells);
                grid[(2 * cell) + 1] = top - ((row + 0.5) * (top - bottom) / Cells);
            }
        }

        var labels = new double[Cells * Cells];
        network.PredictLabels(grid, labels);
        var intensities = new double[Cells, Cells];
        for (int row = 0; row < Cells; row++)
        {
            for (int column = 0; column < Cells; column++)
            {
                intensities[row, column] = labels[(row * Cells) + column];
            }
        }

        var red = ScottPlot.Color.FromHex("#b2182b");
        var blue = ScottPlot.Color.FromHex("#2166ac");
        var plot = new ScottPlot.Plot();
        Fonts.Apply(plot);
        var regions = plot.Add.Heatmap(intensities);
        regions.Extent = new ScottPlot.CoordinateRect(left, right, bottom, top);
        regions.Colormap = new ScottPlot.Colormaps.Custom([ScottPlot.Color.FromHex("#f4a582"), ScottPlot.Color.FromHex("#92c5de")], false);
        for (int label = 0; label < 2; label++)
        {
            int[] members = Enumerable.Range(0, y.Length).Where(i => y[i] == label).ToArray();
            var points = plot.Add.Markers(members.Select(i => xs[i]).ToArray(), members.Select(i => ys[i]).ToArray(), ScottPlot.MarkerShape.FilledCircle, 6, label == 0 ? red : blue);
            points.LegendText = label == 0 ? "class 0 (red)" : "class 1 (blue)";
        }

        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Decision boundary of [{string.Join(", ", network.LayerSizes.ToArray())}]"));
        plot.XLabel("x1");
        plot.YLabel("x2");
        plot.Axes.SetLimits(left, right, bottom, top);
        plot.ShowLegend();
        plot.SavePng(path, 640, 560);
    }
}
