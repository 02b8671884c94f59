using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using DnnGen;
using DnnGen.Samples;
using SkiaSharp;

namespace Moons;

/// <summary>
/// The notebook's pictures in one PNG: each model's <c>plot_decision_boundary</c> side by side (the plane coloured by
/// the predicted class, the points in the colour of their true class, the notebook's axes [-1.5, 2.5] x [-1, 1.5]),
/// and below them the cost curves of all the models (the cost every 100 epochs, as the notebook plots it).
/// </summary>
public static class MoonsPicture
{
    /// <summary>The width of one decision-boundary panel.</summary>
    public const int PanelWidth = 480;

    /// <summary>The height of the decision-boundary panels.</summary>
    public const int PanelHeight = 420;

    /// <summary>The height of the cost curves below them.</summary>
    public const int CostHeight = 320;

    /// <summary>The notebook's <c>axes.set_xlim([-1.5, 2.5])</c>.</summary>
    public static readonly (double Min, double Max) XLimits = (-1.5, 2.5);

    /// <summary>The notebook's <c>axes.set_ylim([-1, 1.5])</c>.</summary>
    public static readonly (double Min, double Max) YLimits = (-1, 1.5);

    /// <summary>plot_decision_boundary's grid step h = 0.01: 400 x 250 cells over the notebook's axes.</summary>
    private const double Step = 0.01;

    /// <summary>The picture's width for <paramref name="models"/> models.</summary>
    public static int Width(int models) => models * PanelWidth;

    /// <summary>The picture's height.</summary>
    public static int Height => PanelHeight + CostHeight;

    /// <summary>
    /// Checks that the picture can be written to <paramref name="path"/> (a full path) before anything slow: it is not
    /// a folder, its folder exists, and a file can be created there (one is created and deleted).
    /// </summary>
    /// <exception cref="IOException">It cannot; the message names --output, the path and why.</exception>
    public static void CheckDestination(string path)
    {
        if (Directory.Exists(path))
        {
            throw new IOException($"--output must name a file, but '{path}' is a folder.");
        }

        string folder = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(folder))
        {
            throw new IOException(File.Exists(folder)
                ? $"--output cannot write '{path}': '{folder}' is a file, not a folder."
                : $"--output cannot write '{path}': the folder '{folder}' does not exist; create it first.");
        }

        try
        {
            string probe = Path.Combine(folder, $".moons-write-check-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string reason = e is UnauthorizedAccessException ? "permission denied" : e.Message.TrimEnd('.');
            throw new IOException($"--output cannot write '{path}': the folder '{folder}' cannot be written ({reason}).", e);
        }
    }

    /// <summary>
    /// Draws the models' decision boundaries side by side and their cost curves below, and writes the PNG to
    /// <paramref name="path"/> through a temporary file in the same folder that is then renamed over it: a reader never
    /// sees half a picture, and a failure leaves an earlier picture whole.
    /// </summary>
    public static void Write(string path, MoonsDataset data, IReadOnlyList<TrainedModel> models)
    {
        ArgumentOutOfRangeException.ThrowIfZero(models.Count);
        int width = Width(models.Count);
        using var surface = SKSurface.Create(new SKImageInfo(width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.White);
        for (int i = 0; i < models.Count; i++)
        {
            ScottPlot.Plot boundary = DecisionBoundary(models[i], data);
            DrawPanel(surface.Canvas, boundary, i * PanelWidth, 0, PanelWidth, PanelHeight);
        }

        ScottPlot.Plot costs = CostCurves(models);
        DrawPanel(surface.Canvas, costs, 0, PanelHeight, width, CostHeight);

        using SKImage snapshot = surface.Snapshot();
        using SKData png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        string temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (FileStream file = new(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                png.SaveTo(file);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The message names the file the person asked for, not the temporary one.
            string reason = e is UnauthorizedAccessException ? "permission denied" : e.Message.TrimEnd('.');
            throw new IOException($"--output cannot write '{path}' ({reason}).", e);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Renders <paramref name="plot"/> on a surface of its own and draws it at (<paramref name="left"/>,
    /// <paramref name="top"/>): ScottPlot clears the whole canvas it renders on, so panels cannot share one.
    /// </summary>
    private static void DrawPanel(SKCanvas canvas, ScottPlot.Plot plot, int left, int top, int width, int height)
    {
        using var panel = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        plot.Render(panel.Canvas, width, height);
        using SKImage image = panel.Snapshot();
        canvas.DrawImage(image, left, top);
    }

    /// <summary>One model's plot_decision_boundary, titled as the notebook titles it, with its accuracy.</summary>
    private static ScottPlot.Plot DecisionBoundary(TrainedModel model, MoonsDataset data)
    {
        int columns = (int)Math.Round((XLimits.Max - XLimits.Min) / Step);
        int rows = (int)Math.Round((YLimits.Max - YLimits.Min) / Step);

        // One prediction per cell centre, row 0 at the top as the heatmap draws it.
        var grid = new double[rows * columns * 2];
        for (int row = 0; row < rows; row++)
        {
            for (int column = 0; column < columns; column++)
            {
                int cell = (row * columns) + column;
                grid[2 * cell] = XLimits.Min + ((column + 0.5) * Step);
                grid[(2 * cell) + 1] = YLimits.Max - ((row + 0.5) * Step);
            }
        }

        var labels = new double[rows * columns];
        model.Network.PredictLabels(grid, labels);
        var intensities = new double[rows, columns];
        for (int row = 0; row < rows; row++)
        {
            for (int column = 0; column < columns; column++)
            {
                intensities[row, column] = labels[(row * columns) + column];
            }
        }

        var red = ScottPlot.Color.FromHex("#b2182b");
        var blue = ScottPlot.Color.FromHex("#2166ac");
        var plot = new ScottPlot.Plot();
        Fonts.Apply(plot);
        var regions = plot.Add.Heatmap(intensities);
        regions.Extent = new ScottPlot.CoordinateRect(XLimits.Min, XLimits.Max, YLimits.Min, YLimits.Max);
        regions.Colormap = new ScottPlot.Colormaps.Custom([ScottPlot.Color.FromHex("#f4a582"), ScottPlot.Color.FromHex("#92c5de")], false);
        double[] xs = Enumerable.Range(0, data.Count).Select(i => data.X[2 * i]).ToArray();
        double[] ys = Enumerable.Range(0, data.Count).Select(i => data.X[(2 * i) + 1]).ToArray();
        for (int label = 0; label < 2; label++)
        {
            int[] members = Enumerable.Range(0, data.Count).Where(i => data.Y[i] == label).ToArray();
            plot.Add.Markers(members.Select(i => xs[i]).ToArray(), members.Select(i => ys[i]).ToArray(), ScottPlot.MarkerShape.FilledCircle, 5, label == 0 ? red : blue);
        }

        plot.Title(model.Model.Title, size: 15);
        plot.XLabel(string.Create(CultureInfo.InvariantCulture, $"x1 (training accuracy {model.Accuracy:0.####})"));
        plot.YLabel("x2");
        plot.Axes.SetLimits(XLimits.Min, XLimits.Max, YLimits.Min, YLimits.Max);
        return plot;
    }

    /// <summary>The models' costs every 100 epochs against the epoch, as the notebook's <c>plt.plot(costs)</c>, on one axis.</summary>
    private static ScottPlot.Plot CostCurves(IReadOnlyList<TrainedModel> models)
    {
        var plot = new ScottPlot.Plot();
        Fonts.Apply(plot);
        for (int i = 0; i < models.Count; i++)
        {
            TrainedModel model = models[i];
            // The notebook appends the cost when i % 100 == 0; Train also records the last epoch, which it leaves out.
            TrainingRecord[] points = model.History.Where(record => record.Iteration % 100 == 0).ToArray();
            var line = plot.Add.ScatterLine(points.Select(record => (double)record.Iteration).ToArray(), points.Select(record => record.Cost).ToArray());
            line.LineWidth = 2;
            line.LegendText = model.Model.Legend;
            // Gradient descent and momentum nearly coincide at this learning rate: every other curve is dashed, so
            // that the one drawn first still shows through.
            if (i % 2 == 1)
            {
                line.LinePattern = ScottPlot.LinePattern.Dashed;
            }
        }

        plot.Title("Cost per epoch (every 100 epochs)", size: 15);
        plot.XLabel("epoch");
        plot.YLabel("cost");
        plot.ShowLegend(ScottPlot.Alignment.MiddleRight);
        return plot;
    }
}
