using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using DnnGen.Samples;
using SkiaSharp;

namespace Digits;

/// <summary>The classifier's two pictures: the confusion matrix and the misclassified test digits.</summary>
public static class DigitsPictures
{
    /// <summary>The side of one cell of the confusion matrix, in pixels.</summary>
    public const int MatrixCell = 48;

    /// <summary>The confusion matrix's margins: left (class labels and axis title), top (title), right, bottom (class labels and axis title).</summary>
    private const int MatrixLeft = 90, MatrixTop = 70, MatrixRight = 24, MatrixBottom = 76;

    /// <summary>The confusion matrix picture's width.</summary>
    public const int MatrixWidth = MatrixLeft + (DigitsDataset.ClassCount * MatrixCell) + MatrixRight;

    /// <summary>The confusion matrix picture's height.</summary>
    public const int MatrixHeight = MatrixTop + (DigitsDataset.ClassCount * MatrixCell) + MatrixBottom;

    /// <summary>Pixels per image pixel in the grid of misclassified digits (8 x 8 images are shown 80 x 80).</summary>
    public const int Zoom = 10;

    /// <summary>Digits per row of the grid.</summary>
    public const int Columns = 8;

    /// <summary>One digit's cell: the image and the space around it.</summary>
    public const int GridCell = (DigitsDataset.Side * Zoom) + GridMargin;

    private const int GridMargin = 24;
    private const int CaptionHeight = 40;
    private const int TitleHeight = 44;

    /// <summary>The width of the grid picture of <paramref name="count"/> digits.</summary>
    public static int GridWidth(int count) => GridMargin + (Math.Min(Columns, count) * GridCell);

    /// <summary>The height of the grid picture of <paramref name="count"/> digits.</summary>
    public static int GridHeight(int count) => TitleHeight + ((count + Columns - 1) / Columns * (CaptionHeight + GridCell));

    /// <summary>
    /// counts[true, predicted]: how many test images of each class were given each class. The diagonal counts the
    /// right answers.
    /// </summary>
    public static int[,] ConfusionMatrix(ReadOnlySpan<int> classes, ReadOnlySpan<int> predicted)
    {
        if (classes.Length != predicted.Length)
        {
            throw new ArgumentException($"There are {classes.Length} classes but {predicted.Length} predictions; they must be as many.", nameof(predicted));
        }

        var counts = new int[DigitsDataset.ClassCount, DigitsDataset.ClassCount];
        for (int i = 0; i < classes.Length; i++)
        {
            counts[classes[i], predicted[i]]++;
        }

        return counts;
    }

    /// <summary>
    /// Draws the confusion matrix: one row per true class, one column per predicted class, each cell showing its
    /// count and shaded by the fraction of its row (its true class) that it holds, so the diagonal reads as the
    /// per-class accuracy.
    /// </summary>
    public static void WriteConfusionMatrix(string path, int[,] counts)
    {
        int classes = DigitsDataset.ClassCount;
        int total = 0, right = 0;
        for (int t = 0; t < classes; t++)
        {
            for (int p = 0; p < classes; p++)
            {
                total += counts[t, p];
                right += t == p ? counts[t, p] : 0;
            }
        }

        using var surface = SKSurface.Create(new SKImageInfo(MatrixWidth, MatrixHeight, SKColorType.Rgba8888, SKAlphaType.Premul));
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var titleFont = new SKFont(Fonts.Typeface, 19);
        using var labelFont = new SKFont(Fonts.Typeface, 16);
        using var countFont = new SKFont(Fonts.Typeface, 15);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var white = new SKPaint { Color = SKColors.White, IsAntialias = true };
        using var grid = new SKPaint { Color = new SKColor(200, 200, 200), IsStroke = true, StrokeWidth = 1 };
        using var fill = new SKPaint { IsAntialias = false };

        canvas.DrawText(
            string.Create(CultureInfo.InvariantCulture, $"Confusion matrix: {right} of {total} test digits right"),
            MatrixWidth / 2f, 32, SKTextAlign.Center, titleFont, ink);
        for (int t = 0; t < classes; t++)
        {
            int rowTotal = 0;
            for (int p = 0; p < classes; p++)
            {
                rowTotal += counts[t, p];
            }

            for (int p = 0; p < classes; p++)
            {
                var cell = SKRect.Create(MatrixLeft + (p * MatrixCell), MatrixTop + (t * MatrixCell), MatrixCell, MatrixCell);
                double share = rowTotal == 0 ? 0 : counts[t, p] / (double)rowTotal;
                // White to dark blue (#08306b) by the share of the row.
                fill.Color = new SKColor(Blend(255, 8, share), Blend(255, 48, share), Blend(255, 107, share));
                canvas.DrawRect(cell, fill);
                canvas.DrawRect(cell, grid);
                if (counts[t, p] > 0)
                {
                    canvas.DrawText(
                        counts[t, p].ToString(CultureInfo.InvariantCulture), cell.MidX, cell.MidY + 5, SKTextAlign.Center, countFont, share > 0.5 ? white : ink);
                }
            }

            string digit = t.ToString(CultureInfo.InvariantCulture);
            canvas.DrawText(digit, MatrixLeft - 12, MatrixTop + (t * MatrixCell) + (MatrixCell / 2f) + 6, SKTextAlign.Right, labelFont, ink);
            canvas.DrawText(digit, MatrixLeft + (t * MatrixCell) + (MatrixCell / 2f), MatrixTop + (classes * MatrixCell) + 24, SKTextAlign.Center, labelFont, ink);
        }

        canvas.DrawText("predicted class", MatrixLeft + (classes * MatrixCell / 2f), MatrixHeight - 18, SKTextAlign.Center, labelFont, ink);
        canvas.Save();
        canvas.RotateDegrees(-90, 30, MatrixTop + (classes * MatrixCell / 2f));
        canvas.DrawText("true class", 30, MatrixTop + (classes * MatrixCell / 2f) + 6, SKTextAlign.Center, labelFont, ink);
        canvas.Restore();
        Save(surface, path);
    }

    /// <summary>
    /// Draws every test digit whose predicted class differs from its true class, in a grid of <see cref="Columns"/>
    /// per row, ink dark on white as scikit-learn shows them, each captioned with the prediction and the true class.
    /// </summary>
    /// <returns>How many digits were misclassified (and drawn); with none, no file is written.</returns>
    public static int WriteMisclassified(string path, DigitsPart test, ReadOnlySpan<int> predicted)
    {
        var wrong = new List<int>();
        for (int i = 0; i < test.Count; i++)
        {
            if (predicted[i] != test.Classes[i])
            {
                wrong.Add(i);
            }
        }

        if (wrong.Count == 0)
        {
            return 0;
        }

        int width = GridWidth(wrong.Count), height = GridHeight(wrong.Count);
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var titleFont = new SKFont(Fonts.Typeface, 19);
        using var captionFont = new SKFont(Fonts.Typeface, 14);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var frame = new SKPaint { Color = new SKColor(200, 200, 200), IsStroke = true, StrokeWidth = 1 };
        using var pixel = new SKPaint { IsAntialias = false };
        canvas.DrawText(
            string.Create(CultureInfo.InvariantCulture, $"Misclassified test digits: {wrong.Count} of {test.Count}"),
            width / 2f, 30, SKTextAlign.Center, titleFont, ink);

        const int Image = DigitsDataset.Side * Zoom;
        for (int n = 0; n < wrong.Count; n++)
        {
            int index = wrong[n];
            float left = GridMargin + (n % Columns * GridCell);
            float top = TitleHeight + (n / Columns * (CaptionHeight + GridCell));
            float center = left + (Image / 2f);
            canvas.DrawText(string.Create(CultureInfo.InvariantCulture, $"predicted {predicted[index]}"), center, top + 15, SKTextAlign.Center, captionFont, ink);
            canvas.DrawText(string.Create(CultureInfo.InvariantCulture, $"true {test.Classes[index]}"), center, top + 33, SKTextAlign.Center, captionFont, ink);
            float imageTop = top + CaptionHeight;
            for (int row = 0; row < DigitsDataset.Side; row++)
            {
                for (int column = 0; column < DigitsDataset.Side; column++)
                {
                    double value = test.Pixels[(index * DigitsDataset.PixelsPerImage) + (row * DigitsDataset.Side) + column];
                    byte grey = (byte)Math.Round(255 * (1 - (value / DigitsDataset.MaximumPixel)));
                    pixel.Color = new SKColor(grey, grey, grey);
                    canvas.DrawRect(SKRect.Create(left + (column * Zoom), imageTop + (row * Zoom), Zoom, Zoom), pixel);
                }
            }

            canvas.DrawRect(SKRect.Create(left, imageTop, Image, Image), frame);
        }

        Save(surface, path);
        return wrong.Count;
    }

    private static byte Blend(int from, int to, double share) => (byte)Math.Round(from + ((to - from) * share));

    /// <summary>
    /// Encodes the surface as PNG into a temporary file beside <paramref name="path"/> and moves it over
    /// <paramref name="path"/>, so a reader never sees half a picture and a failure leaves any earlier picture whole.
    /// </summary>
    private static void Save(SKSurface surface, string path)
    {
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
        finally
        {
            File.Delete(temporary);
        }
    }
}
