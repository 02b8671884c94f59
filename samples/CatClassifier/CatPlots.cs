using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using DnnGen;
using DnnGen.Samples;
using SkiaSharp;

namespace CatClassifier;

/// <summary>The course's two pictures: the learning curve and the mislabeled test images.</summary>
public static class CatPlots
{
    /// <summary>Pixels per image pixel in the mislabeled grid (64 x 64 images are shown 192 x 192).</summary>
    private const int Zoom = 3;

    private const int Columns = 5;

    /// <summary>
    /// The course's plot_costs: the cost every 100 iterations against iterations (per hundreds), titled with the
    /// learning rate as the course writes it ("Learning rate =0.0075").
    /// </summary>
    public static void WriteCostPlot(string path, IReadOnlyList<TrainingRecord> history, double learningRate)
    {
        // The course appends the cost when i % 100 == 0 (its "or i == num_iterations" never holds), so the last printed
        // cost is not plotted.
        TrainingRecord[] points = history.Where(record => record.Iteration % 100 == 0).ToArray();
        var plot = new ScottPlot.Plot();
        Fonts.Apply(plot);
        plot.Add.ScatterLine(points.Select(record => record.Iteration / 100.0).ToArray(), points.Select(record => record.Cost).ToArray());
        plot.Title("Learning rate =" + learningRate.ToString(CultureInfo.InvariantCulture));
        plot.XLabel("iterations (per hundreds)");
        plot.YLabel("cost");
        plot.SavePng(path, 640, 480);
    }

    /// <summary>
    /// The course's print_mislabeled_images: every image whose prediction differs from its label, in a grid, each
    /// captioned "Prediction: cat" over "Class: non-cat".
    /// </summary>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="images">The split the predictions are for.</param>
    /// <param name="predictions">One predicted label (0 or 1) per image.</param>
    /// <param name="classes">Class names by label.</param>
    /// <returns>How many images were mislabeled (and drawn); with none, no file is written.</returns>
    public static int WriteMislabeledImages(string path, CatImages images, IReadOnlyList<int> predictions, IReadOnlyList<string> classes)
    {
        ReadOnlySpan<int> labels = images.Labels.Span;
        var wrong = new List<int>();
        for (int i = 0; i < images.Count; i++)
        {
            if (predictions[i] != labels[i])
            {
                wrong.Add(i);
            }
        }

        if (wrong.Count == 0)
        {
            return 0;
        }

        const int Cell = CatImages.Width * Zoom;
        const int Margin = 16;
        const int CaptionHeight = 44;
        const int TitleHeight = 40;
        int columns = Math.Min(Columns, wrong.Count);
        int rows = (wrong.Count + columns - 1) / columns;
        int width = Margin + (columns * (Cell + Margin));
        int height = TitleHeight + (rows * (CaptionHeight + Cell + Margin));

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var titleFont = new SKFont(Fonts.Typeface, 20);
        using var captionFont = new SKFont(Fonts.Typeface, 15);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(
            string.Create(CultureInfo.InvariantCulture, $"Mislabeled test images: {wrong.Count} of {images.Count}"),
            width / 2f, 28, SKTextAlign.Center, titleFont, ink);

        for (int n = 0; n < wrong.Count; n++)
        {
            int index = wrong[n];
            float left = Margin + (n % columns * (Cell + Margin));
            float top = TitleHeight + (n / columns * (CaptionHeight + Cell + Margin));
            float center = left + (Cell / 2f);
            canvas.DrawText("Prediction: " + classes[predictions[index]], center, top + 16, SKTextAlign.Center, captionFont, ink);
            canvas.DrawText("Class: " + classes[labels[index]], center, top + 36, SKTextAlign.Center, captionFont, ink);
            using SKImage image = ToImage(images.Pixels.Span.Slice(index * CatImages.PixelsPerImage, CatImages.PixelsPerImage));
            // Nearest-neighbour zoom, as the course's imshow(..., interpolation='nearest').
            canvas.DrawImage(image, SKRect.Create(left, top + CaptionHeight, Cell, Cell), new SKSamplingOptions(SKFilterMode.Nearest));
        }

        using SKImage snapshot = surface.Snapshot();
        using SKData png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        using FileStream file = File.Create(path);
        png.SaveTo(file);
        return wrong.Count;
    }

    /// <summary>A 64 x 64 RGB image in C order as an opaque Skia image.</summary>
    private static SKImage ToImage(ReadOnlySpan<byte> rgb)
    {
        var rgba = new byte[CatImages.Width * CatImages.Height * 4];
        for (int i = 0, j = 0; j < rgba.Length; i += 3, j += 4)
        {
            rgba[j] = rgb[i];
            rgba[j + 1] = rgb[i + 1];
            rgba[j + 2] = rgb[i + 2];
            rgba[j + 3] = 255;
        }

        var info = new SKImageInfo(CatImages.Width, CatImages.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        return SKImage.FromPixelCopy(info, rgba);
    }
}
