using System;
using System.Collections.Generic;
using System.IO;
using DnnGen;

namespace Digits;

/// <summary>One part (train or test) of the digits: the raw pixels and the classes, example-major.</summary>
public sealed class DigitsPart
{
    internal DigitsPart(double[] pixels, int[] classes)
    {
        Pixels = pixels;
        Classes = classes;
    }

    /// <summary>The images, <see cref="DigitsDataset.PixelsPerImage"/> values 0 to 16 each, row by row.</summary>
    public double[] Pixels { get; }

    /// <summary>The digit each image shows, 0 to 9.</summary>
    public int[] Classes { get; }

    /// <summary>The number of images.</summary>
    public int Count => Classes.Length;

    /// <summary>The network's input: every pixel divided by 16, so inputs lie in [0, 1].</summary>
    public double[] Scaled() => Array.ConvertAll(Pixels, value => value / DigitsDataset.MaximumPixel);
}

/// <summary>
/// scikit-learn's handwritten digits (digits.npz: images (1797, 64), values 0 to 16; target (1797,), 0 to 9), split
/// once and for all: NumPy's <c>np.random.seed(0); p = np.random.permutation(1797)</c>, the images p[:1500] train
/// and p[1500:] (297) test. The file's own order groups writers, so its last images are harder than the rest; the
/// permutation mixes them.
/// </summary>
public sealed class DigitsDataset
{
    /// <summary>The file.</summary>
    public const string FileName = "digits.npz";

    /// <summary>8 x 8 pixels.</summary>
    public const int Side = 8;

    /// <summary>Pixels per image.</summary>
    public const int PixelsPerImage = Side * Side;

    /// <summary>The darkest pixel's value.</summary>
    public const double MaximumPixel = 16;

    /// <summary>The digits 0 to 9.</summary>
    public const int ClassCount = 10;

    /// <summary>The seed of the permutation that splits the images.</summary>
    public const uint SplitSeed = 0;

    /// <summary>How many of the permuted images train; the rest test.</summary>
    public const int TrainCount = 1500;

    private DigitsDataset(int count, DigitsPart train, DigitsPart test)
    {
        Count = count;
        Train = train;
        Test = test;
    }

    /// <summary>All the images in the file.</summary>
    public int Count { get; }

    /// <summary>The permuted images' first <see cref="TrainCount"/>.</summary>
    public DigitsPart Train { get; }

    /// <summary>The rest.</summary>
    public DigitsPart Test { get; }

    /// <summary>Reads and splits the file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">An array is missing or has the wrong shape or values; the message names it.</exception>
    public static DigitsDataset Load(string path)
    {
        IReadOnlyDictionary<string, NumPyArray> arrays = NumPyFile.ReadNpz(path);
        NumPyArray images = Data.Require(arrays, path, "images", 2);
        NumPyArray target = Data.Require(arrays, path, "target", 1);
        int count = images.Shape[0];
        if (images.Shape[1] != PixelsPerImage)
        {
            throw new InvalidDataException($"'{path}': 'images' must have {PixelsPerImage} columns (8 x 8 pixels), but it has {images.Shape[1]}.");
        }

        Data.RequireRows(path, "target", target, count, "images");
        if (count <= TrainCount)
        {
            throw new InvalidDataException($"'{path}' holds {count} images; the split needs more than {TrainCount} (the first {TrainCount} train).");
        }

        double[] pixels = images.ToDoubleArray();
        for (int i = 0; i < pixels.Length; i++)
        {
            if (!(pixels[i] >= 0 && pixels[i] <= MaximumPixel))
            {
                throw new InvalidDataException($"'{path}': image {i / PixelsPerImage} has the pixel value {pixels[i]}; pixels must lie in 0 to {MaximumPixel}.");
            }
        }

        int[] classes = target.ToInt32Array();
        for (int i = 0; i < classes.Length; i++)
        {
            if ((uint)classes[i] >= ClassCount)
            {
                throw new InvalidDataException($"'{path}': image {i} has the class {classes[i]}; classes must lie in 0 to {ClassCount - 1}.");
            }
        }

        int[] order = new NumPyRandom(SplitSeed).Permutation(count);
        return new DigitsDataset(count, Part(pixels, classes, order[..TrainCount]), Part(pixels, classes, order[TrainCount..]));
    }

    private static DigitsPart Part(double[] pixels, int[] classes, int[] indices)
    {
        var partPixels = new double[indices.Length * PixelsPerImage];
        var partClasses = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            pixels.AsSpan(indices[i] * PixelsPerImage, PixelsPerImage).CopyTo(partPixels.AsSpan(i * PixelsPerImage));
            partClasses[i] = classes[indices[i]];
        }

        return new DigitsPart(partPixels, partClasses);
    }
}

/// <summary>One part of the diabetes data, standardised with the training part's means and standard deviations.</summary>
public sealed class DiabetesPart
{
    internal DiabetesPart(double[] features, double[] target)
    {
        Features = features;
        Target = target;
    }

    /// <summary>The standardised features, <see cref="DiabetesDataset.FeatureCount"/> per patient.</summary>
    public double[] Features { get; }

    /// <summary>The standardised target (disease progression a year later).</summary>
    public double[] Target { get; }

    /// <summary>The number of patients.</summary>
    public int Count => Target.Length;
}

/// <summary>
/// scikit-learn's diabetes data (diabetes.npz: data (442, 10) unscaled, target (442,), a measure of disease progression
/// one year on), split as the digits are: <c>np.random.seed(0); p = np.random.permutation(442)</c>, p[:342] train and
/// p[342:] (100) test. Every feature and the target are standardised, (v - mean) / std, with the mean and the
/// population standard deviation (NumPy's <c>std</c>, ddof 0) of the training part only, so the test part tells
/// nothing to the model.
/// </summary>
public sealed class DiabetesDataset
{
    /// <summary>The file.</summary>
    public const string FileName = "diabetes.npz";

    /// <summary>Age, sex, body mass index, blood pressure and six blood serum measurements.</summary>
    public const int FeatureCount = 10;

    /// <summary>The seed of the permutation that splits the patients.</summary>
    public const uint SplitSeed = 0;

    /// <summary>How many of the permuted patients train; the rest test.</summary>
    public const int TrainCount = 342;

    private DiabetesDataset(int count, DiabetesPart train, DiabetesPart test, double targetMean, double targetDeviation, double[] testTarget)
    {
        Count = count;
        Train = train;
        Test = test;
        TargetMean = targetMean;
        TargetDeviation = targetDeviation;
        TestTarget = testTarget;
    }

    /// <summary>All the patients in the file.</summary>
    public int Count { get; }

    /// <summary>The permuted patients' first <see cref="TrainCount"/>.</summary>
    public DiabetesPart Train { get; }

    /// <summary>The rest.</summary>
    public DiabetesPart Test { get; }

    /// <summary>The training part's mean target, in the file's units.</summary>
    public double TargetMean { get; }

    /// <summary>The training part's target standard deviation, in the file's units.</summary>
    public double TargetDeviation { get; }

    /// <summary>The test part's target in the file's units.</summary>
    public double[] TestTarget { get; }

    /// <summary>A standardised target value back in the file's units.</summary>
    public double Unscale(double standardised) => (standardised * TargetDeviation) + TargetMean;

    /// <summary>Reads, splits and standardises the file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">An array is missing, has the wrong shape, a value that is not finite, or a constant column.</exception>
    public static DiabetesDataset Load(string path)
    {
        IReadOnlyDictionary<string, NumPyArray> arrays = NumPyFile.ReadNpz(path);
        NumPyArray data = Data.Require(arrays, path, "data", 2);
        NumPyArray target = Data.Require(arrays, path, "target", 1);
        int count = data.Shape[0];
        if (data.Shape[1] != FeatureCount)
        {
            throw new InvalidDataException($"'{path}': 'data' must have {FeatureCount} columns (features), but it has {data.Shape[1]}.");
        }

        Data.RequireRows(path, "target", target, count, "data");
        if (count <= TrainCount + 1)
        {
            throw new InvalidDataException($"'{path}' holds {count} patients; the split needs more than {TrainCount + 1} (the first {TrainCount} train).");
        }

        double[] features = data.ToDoubleArray();
        double[] values = target.ToDoubleArray();
        Data.RequireFinite(path, "data", features);
        Data.RequireFinite(path, "target", values);

        int[] order = new NumPyRandom(SplitSeed).Permutation(count);
        double[] trainFeatures = Rows(features, order[..TrainCount], FeatureCount);
        double[] testFeatures = Rows(features, order[TrainCount..], FeatureCount);
        double[] trainTarget = Rows(values, order[..TrainCount], 1);
        double[] testTarget = Rows(values, order[TrainCount..], 1);

        for (int column = 0; column < FeatureCount; column++)
        {
            (double mean, double deviation) = MeanAndDeviation(trainFeatures, column, FeatureCount);
            if (deviation == 0)
            {
                throw new InvalidDataException($"'{path}': feature {column} of 'data' has one value in the whole training part, so it cannot be standardised.");
            }

            Standardise(trainFeatures, column, FeatureCount, mean, deviation);
            Standardise(testFeatures, column, FeatureCount, mean, deviation);
        }

        (double targetMean, double targetDeviation) = MeanAndDeviation(trainTarget, 0, 1);
        if (targetDeviation == 0)
        {
            throw new InvalidDataException($"'{path}': 'target' has one value in the whole training part, so there is nothing to learn.");
        }

        double[] standardisedTest = (double[])testTarget.Clone();
        Standardise(trainTarget, 0, 1, targetMean, targetDeviation);
        Standardise(standardisedTest, 0, 1, targetMean, targetDeviation);
        return new DiabetesDataset(
            count, new DiabetesPart(trainFeatures, trainTarget), new DiabetesPart(testFeatures, standardisedTest), targetMean, targetDeviation, testTarget);
    }

    private static double[] Rows(double[] values, int[] indices, int width)
    {
        var rows = new double[indices.Length * width];
        for (int i = 0; i < indices.Length; i++)
        {
            values.AsSpan(indices[i] * width, width).CopyTo(rows.AsSpan(i * width));
        }

        return rows;
    }

    /// <summary>The mean and population standard deviation of one column of a row-major matrix.</summary>
    public static (double Mean, double Deviation) MeanAndDeviation(ReadOnlySpan<double> values, int column, int width)
    {
        int rows = values.Length / width;
        double sum = 0;
        for (int i = 0; i < rows; i++)
        {
            sum += values[(i * width) + column];
        }

        double mean = sum / rows;
        double squares = 0;
        for (int i = 0; i < rows; i++)
        {
            double d = values[(i * width) + column] - mean;
            squares += d * d;
        }

        return (mean, Math.Sqrt(squares / rows));
    }

    private static void Standardise(double[] values, int column, int width, double mean, double deviation)
    {
        for (int i = column; i < values.Length; i += width)
        {
            values[i] = (values[i] - mean) / deviation;
        }
    }
}

/// <summary>The checks both datasets make of their arrays, with messages that name the file, the array and the problem.</summary>
internal static class Data
{
    public static NumPyArray Require(IReadOnlyDictionary<string, NumPyArray> arrays, string path, string name, int rank)
    {
        if (!arrays.TryGetValue(name, out NumPyArray? array))
        {
            throw new InvalidDataException($"'{path}' has no array '{name}' (it has: {string.Join(", ", arrays.Keys)}).");
        }

        if (array.Rank != rank)
        {
            throw new InvalidDataException($"'{path}': '{name}' must have {rank} dimension{(rank == 1 ? "" : "s")}, but its shape is ({string.Join(", ", array.Shape)}).");
        }

        return array;
    }

    public static void RequireRows(string path, string name, NumPyArray array, int count, string other)
    {
        if (array.Shape[0] != count)
        {
            throw new InvalidDataException($"'{path}': '{name}' has {array.Shape[0]} values, but '{other}' has {count} rows; they must be equal.");
        }
    }

    public static void RequireFinite(string path, string name, double[] values)
    {
        int bad = Array.FindIndex(values, value => !double.IsFinite(value));
        if (bad >= 0)
        {
            throw new InvalidDataException($"'{path}': '{name}' holds {values[bad]} at flat index {bad}; every value must be finite.");
        }
    }
}
