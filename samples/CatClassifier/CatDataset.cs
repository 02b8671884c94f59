using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Numerics;
using PureHDF;

namespace CatClassifier;

/// <summary>
/// One split (train or test) of the "cat vs. non-cat" dataset from the course "Neural Networks and Deep Learning":
/// <see cref="Count"/> RGB images of <see cref="Height"/> x <see cref="Width"/> pixels with a 0/1 label each.
/// </summary>
/// <remarks>
/// Pixels are kept as the raw bytes of the file, example-major: image <c>i</c> is
/// <c>Pixels[(i * PixelsPerImage)..((i + 1) * PixelsPerImage)]</c>, laid out in C order (row, column, channel), which is
/// exactly what the course's <c>x.reshape(m, -1)</c> produces. The course's <c>/ 255</c> scaling is available through
/// <see cref="ScaledPixels"/> and <see cref="ScaledPixelsSingle"/>.
/// </remarks>
public sealed class CatImages
{
    /// <summary>Image height in pixels.</summary>
    public const int Height = 64;

    /// <summary>Image width in pixels.</summary>
    public const int Width = 64;

    /// <summary>Colour channels per pixel (R, G, B).</summary>
    public const int Channels = 3;

    /// <summary>Values per flattened image: <see cref="Height"/> * <see cref="Width"/> * <see cref="Channels"/> = 12288.</summary>
    public const int PixelsPerImage = Height * Width * Channels;

    private readonly byte[] _pixels;
    private readonly int[] _labels;

    /// <summary>
    /// Creates a split from raw pixels and labels (useful for tests on synthetic data). Both are copied, so later
    /// changes to the caller's buffers do not leak into this instance.
    /// </summary>
    /// <param name="pixels">Count * <see cref="PixelsPerImage"/> bytes, example-major, each image in C order (row, column, channel).</param>
    /// <param name="labels">One label per image, each 0 (non-cat) or 1 (cat).</param>
    /// <exception cref="ArgumentException">
    /// The pixel count is not <c>labels.Length * PixelsPerImage</c>, or a label is not 0 or 1.
    /// </exception>
    public CatImages(ReadOnlySpan<byte> pixels, ReadOnlySpan<int> labels)
        : this(pixels.ToArray(), labels.ToArray(), validate: true)
    {
    }

    // Takes ownership of the arrays (the loader hands over buffers nobody else holds, so no copy is needed).
    private CatImages(byte[] pixels, int[] labels, bool validate)
    {
        if (validate)
        {
            if ((long)labels.Length * PixelsPerImage != pixels.Length)
            {
                throw new ArgumentException(
                    $"Expected {labels.Length} * {PixelsPerImage} = {(long)labels.Length * PixelsPerImage} pixel values for " +
                    $"{labels.Length} labels, but got {pixels.Length}.",
                    nameof(pixels));
            }

            for (int i = 0; i < labels.Length; i++)
            {
                if (labels[i] is not (0 or 1))
                {
                    throw new ArgumentException($"Label {i} is {labels[i]}; labels must be 0 or 1.", nameof(labels));
                }
            }
        }

        _pixels = pixels;
        _labels = labels;
    }

    /// <summary>Number of images (the course's <c>m</c>).</summary>
    public int Count => _labels.Length;

    /// <summary>Raw pixel bytes: <see cref="Count"/> * <see cref="PixelsPerImage"/> values, example-major, each image in C order.</summary>
    public ReadOnlyMemory<byte> Pixels => _pixels;

    /// <summary>Labels, one per image: 1 for cat, 0 for non-cat.</summary>
    public ReadOnlyMemory<int> Labels => _labels;

    // Created by the loader only after it has validated shapes and labels itself.
    internal static CatImages FromValidated(byte[] pixels, int[] labels) => new(pixels, labels, validate: false);

    /// <summary>
    /// The pixels scaled as the course does (<c>x / 255</c>): a new array, same layout as <see cref="Pixels"/>, with each
    /// value computed as <c>b / 255.0</c>.
    /// </summary>
    public double[] ScaledPixels() => ScaledPixels<double>();

    /// <summary>
    /// The pixels scaled to single precision: each value is <c>b / 255.0</c> computed in double and then rounded to
    /// <see cref="float"/>, so it is the nearest float to the value <see cref="ScaledPixels()"/> returns (and to what NumPy
    /// gives for <c>(x / 255).astype(np.float32)</c>).
    /// </summary>
    public float[] ScaledPixelsSingle() => ScaledPixels<float>();

    /// <summary>The pixels scaled as <see cref="Scale{T}"/> does, in the element type of a network.</summary>
    public T[] ScaledPixels<T>()
        where T : IFloatingPointIeee754<T> => Scale<T>(_pixels);

    /// <summary>
    /// Scales raw pixel bytes as the course does: each value is <c>b / 255.0</c> computed in double, then rounded once
    /// to <typeparamref name="T"/>.
    /// </summary>
    public static T[] Scale<T>(ReadOnlySpan<byte> pixels)
        where T : IFloatingPointIeee754<T>
    {
        var result = new T[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            result[i] = T.CreateTruncating(pixels[i] / 255.0);
        }

        return result;
    }

    /// <summary>The labels as a new array of doubles (0.0 or 1.0).</summary>
    public double[] LabelsAsDouble() => LabelsAs<double>();

    /// <summary>The labels as a new array of floats (0f or 1f).</summary>
    public float[] LabelsAsSingle() => LabelsAs<float>();

    /// <summary>The labels as a new array of 0 and 1 in the element type of a network.</summary>
    public T[] LabelsAs<T>()
        where T : IFloatingPointIeee754<T>
    {
        var result = new T[_labels.Length];
        for (int i = 0; i < _labels.Length; i++)
        {
            result[i] = T.CreateTruncating(_labels[i]);
        }

        return result;
    }
}

/// <summary>
/// The course's cat dataset: the training split, the test split and the class names (index = label).
/// </summary>
/// <param name="Train">The training split (209 images in the course's file).</param>
/// <param name="Test">The test split (50 images in the course's file).</param>
/// <param name="Classes">Class names indexed by label: <c>Classes[0]</c> is "non-cat", <c>Classes[1]</c> is "cat".</param>
public sealed record CatDataset(CatImages Train, CatImages Test, IReadOnlyList<string> Classes)
{
    /// <summary>File name of the training split.</summary>
    public const string TrainFileName = "train_catvnoncat.h5";

    /// <summary>File name of the test split.</summary>
    public const string TestFileName = "test_catvnoncat.h5";

    /// <summary>
    /// Reads <c>train_catvnoncat.h5</c> and <c>test_catvnoncat.h5</c> from <paramref name="directory"/>. The files are
    /// only read, never modified or copied.
    /// </summary>
    /// <param name="directory">The directory that holds both files.</param>
    /// <returns>The two splits and the class names.</returns>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="directory"/> is null.</exception>
    /// <exception cref="FileNotFoundException">A file is missing; the message names its full path.</exception>
    /// <exception cref="InvalidDataException">
    /// A file is not valid HDF5, lacks a dataset, has a dataset of the wrong shape or element type, holds a label other
    /// than 0 or 1, or the two files disagree on the class names; the message names the file, the dataset, and what was
    /// expected and found.
    /// </exception>
    /// <exception cref="IOException">A file exists but cannot be read.</exception>
    public static CatDataset Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);

        string trainPath = Path.GetFullPath(Path.Combine(directory, TrainFileName));
        string testPath = Path.GetFullPath(Path.Combine(directory, TestFileName));

        // Check both up front so a missing test file is reported before the (larger) training file is parsed.
        RequireFile(trainPath);
        RequireFile(testPath);

        var (train, trainClasses) = LoadSplit(trainPath, "train_set_x", "train_set_y");
        var (test, testClasses) = LoadSplit(testPath, "test_set_x", "test_set_y");

        // Labels index into the class list, so the two files must agree on it.
        if (!AreEqual(trainClasses, testClasses))
        {
            throw new InvalidDataException(
                $"'{testPath}': dataset '{ClassesDataset}' is [{Describe(testClasses)}], but '{trainPath}' has " +
                $"[{Describe(trainClasses)}]; both files must list the same classes.");
        }

        return new CatDataset(train, test, new ReadOnlyCollection<string>(trainClasses));
    }

    private const string ClassesDataset = "list_classes";

    private static void RequireFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new FileNotFoundException($"Cat dataset file '{path}' is a directory, not a file.", path);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Cat dataset file not found: '{path}'.", path);
        }
    }

    private static (CatImages Images, string[] Classes) LoadSplit(string path, string xName, string yName)
    {
        // The stream is opened here rather than by H5File.OpenRead so that operating-system failures (missing file,
        // no permission) are told apart from format failures, which PureHDF reports as plain System.Exception.
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"Cat dataset file not found: '{path}'.", path, e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new FileNotFoundException($"Cat dataset file not found: '{path}'.", path, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"Cat dataset file '{path}' cannot be opened for reading: {e.Message}", e);
        }

        // H5File.Open takes ownership of the stream (leaveOpen: false) and disposing the file closes it.
        using var file = Guard(
            path,
            $"opening it as HDF5 (expected datasets '{xName}', '{yName}', '{ClassesDataset}')",
            () =>
            {
                try
                {
                    return H5File.Open(stream, leaveOpen: false);
                }
                catch
                {
                    stream.Dispose();
                    throw;
                }
            });

        byte[] pixels = ReadPixels(file, path, xName, out int m);
        int[] labels = ReadLabels(file, path, yName, m);
        string[] classes = ReadClasses(file, path);
        return (CatImages.FromValidated(pixels, labels), classes);
    }

    private static byte[] ReadPixels(IH5Group file, string path, string name, out int count)
    {
        IH5Dataset dataset = OpenDataset(file, path, name);
        ulong[] dims = Dimensions(dataset, path, name);

        // x must be (m, 64, 64, 3) with m >= 1, and m * 12288 must fit in an array.
        if (dims.Length != 4 || dims[0] == 0 || dims[1] != CatImages.Height || dims[2] != CatImages.Width ||
            dims[3] != CatImages.Channels)
        {
            throw new InvalidDataException(
                $"'{path}': dataset '{name}' has shape {Shape(dims)}, expected (m, {CatImages.Height}, " +
                $"{CatImages.Width}, {CatImages.Channels}) with m >= 1.");
        }

        if (dims[0] > (ulong)(Array.MaxLength / CatImages.PixelsPerImage))
        {
            throw new InvalidDataException(
                $"'{path}': dataset '{name}' has shape {Shape(dims)}, too many images to hold in memory (at most " +
                $"{Array.MaxLength / CatImages.PixelsPerImage}).");
        }

        (H5DataTypeClass typeClass, int size, bool signed) = ElementType(dataset, path, name);
        if (typeClass != H5DataTypeClass.FixedPoint || size != 1 || signed)
        {
            throw new InvalidDataException(
                $"'{path}': dataset '{name}' has element type {TypeName(typeClass, size, signed)}, expected uint8.");
        }

        count = (int)dims[0];

        // PureHDF flattens any rank into a 1-D array in C (row-major) order, which is the layout Pixels promises.
        byte[] pixels = Guard(path, $"reading dataset '{name}'", () => dataset.Read<byte[]>());
        if (pixels.Length != count * CatImages.PixelsPerImage)
        {
            throw new InvalidDataException(
                $"'{path}': dataset '{name}' has shape {Shape(dims)} but yielded {pixels.Length} values, expected " +
                $"{count * CatImages.PixelsPerImage}.");
        }

        return pixels;
    }

    private static int[] ReadLabels(IH5Group file, string path, string name, int count)
    {
        IH5Dataset dataset = OpenDataset(file, path, name);
        ulong[] dims = Dimensions(dataset, path, name);
        if (dims.Length != 1 || dims[0] != (ulong)count)
        {
            throw new InvalidDataException(
                $"'{path}': dataset '{name}' has shape {Shape(dims)}, expected ({count},) to match the {count} images.");
        }

        // The course's file stores int64, but any integer type is accepted. PureHDF only reads into a .NET type of the
        // same size as the stored one ("Unable to decode values types of different type size"), so dispatch on it.
        (H5DataTypeClass typeClass, int size, bool signed) = ElementType(dataset, path, name);
        if (typeClass != H5DataTypeClass.FixedPoint || size is not (1 or 2 or 4 or 8))
        {
            throw new InvalidDataException(
                $"'{path}': dataset '{name}' has element type {TypeName(typeClass, size, signed)}, expected an integer " +
                "type (int64 in the course's files).");
        }

        string what = $"reading dataset '{name}'";
        long[] raw = (size, signed) switch
        {
            (1, false) => Widen(Guard(path, what, () => dataset.Read<byte[]>())),
            (1, true) => Widen(Guard(path, what, () => dataset.Read<sbyte[]>())),
            (2, false) => Widen(Guard(path, what, () => dataset.Read<ushort[]>())),
            (2, true) => Widen(Guard(path, what, () => dataset.Read<short[]>())),
            (4, false) => Widen(Guard(path, what, () => dataset.Read<uint[]>())),
            (4, true) => Widen(Guard(path, what, () => dataset.Read<int[]>())),
            // Values above long.MaxValue turn negative here, which the 0/1 check below still rejects.
            (_, false) => Widen(Guard(path, what, () => dataset.Read<ulong[]>())),
            (_, true) => Guard(path, what, () => dataset.Read<long[]>()),
        };

        if (raw.Length != count)
        {
            throw new InvalidDataException(
                $"'{path}': dataset '{name}' has shape {Shape(dims)} but yielded {raw.Length} values, expected {count}.");
        }

        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            long value = raw[i];
            if (value is not (0 or 1))
            {
                string shown = !signed && value < 0
                    ? unchecked((ulong)value).ToString(CultureInfo.InvariantCulture)
                    : value.ToString(CultureInfo.InvariantCulture);
                throw new InvalidDataException(
                    $"'{path}': dataset '{name}' has value {shown} at index {i}, expected 0 (non-cat) or 1 (cat).");
            }

            labels[i] = (int)value;
        }

        return labels;
    }

    private static string[] ReadClasses(IH5Group file, string path)
    {
        const string name = ClassesDataset;
        IH5Dataset dataset = OpenDataset(file, path, name);
        ulong[] dims = Dimensions(dataset, path, name);

        // Labels are 0/1 and index into this list, so it must hold exactly two names.
        if (dims.Length != 1 || dims[0] != 2)
        {
            throw new InvalidDataException($"'{path}': dataset '{name}' has shape {Shape(dims)}, expected (2,).");
        }

        (H5DataTypeClass typeClass, int size, bool signed) = ElementType(dataset, path, name);
        if (typeClass is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength))
        {
            throw new InvalidDataException(
                $"'{path}': dataset '{name}' has element type {TypeName(typeClass, size, signed)}, expected strings.");
        }

        // The file holds fixed-length, null-padded byte strings (NumPy "S7": b'non-cat', b'cat'). PureHDF 2.2 already
        // drops the padding; trimming again keeps the result right for null-terminated or space-padded variants too.
        string[]? raw = Guard(path, $"reading dataset '{name}'", () => dataset.Read<string[]>());
        if (raw is null || raw.Length != 2)
        {
            throw new InvalidDataException(
                $"'{path}': dataset '{name}' yielded {raw?.Length ?? 0} strings, expected 2.");
        }

        var classes = new string[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            classes[i] = (raw[i] ?? string.Empty).TrimEnd('\0', ' ');
        }

        return classes;
    }

    private static IH5Dataset OpenDataset(IH5Group file, string path, string name)
    {
        bool exists = Guard(path, $"looking up dataset '{name}'", () => file.LinkExists(name));
        if (!exists)
        {
            throw new InvalidDataException($"'{path}' does not contain the dataset '{name}'.");
        }

        return Guard(path, $"opening dataset '{name}'", () => file.Dataset(name));
    }

    private static ulong[] Dimensions(IH5Dataset dataset, string path, string name) =>
        Guard(path, $"reading the shape of dataset '{name}'", () => dataset.Space.Dimensions);

    private static (H5DataTypeClass Class, int Size, bool Signed) ElementType(IH5Dataset dataset, string path, string name) =>
        Guard(
            path,
            $"reading the element type of dataset '{name}'",
            () =>
            {
                IH5DataType type = dataset.Type;
                bool signed = type.Class == H5DataTypeClass.FixedPoint && type.FixedPoint.IsSigned;
                return (type.Class, type.Size, signed);
            });

    /// <summary>
    /// Runs a PureHDF call and translates its failures. PureHDF signals malformed files, missing links and type mismatches
    /// with plain <see cref="Exception"/> (e.g. "The file is not a valid HDF 5 file.", "Could not find part of the path
    /// 'x'."), and a truncated file can surface as <see cref="EndOfStreamException"/>; all of those become
    /// <see cref="InvalidDataException"/> naming the file and what was being read. Other I/O errors stay
    /// <see cref="IOException"/>s.
    /// </summary>
    private static T Guard<T>(string path, string what, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"'{path}' ended early while {what}; the file is truncated or corrupt.", e);
        }
        catch (IOException e)
        {
            throw new IOException($"'{path}' could not be read while {what}: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"'{path}' could not be read while {what}: {e.Message}", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}' is not a valid cat dataset file: failed while {what}: {e.Message}", e);
        }
    }

    private static long[] Widen<TInt>(TInt[] values)
        where TInt : struct, System.Numerics.IBinaryInteger<TInt>
    {
        var result = new long[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = long.CreateTruncating(values[i]);
        }

        return result;
    }

    private static string Shape(ulong[] dims) =>
        dims.Length == 1 ? $"({dims[0]},)" : $"({string.Join(", ", dims)})";

    private static string TypeName(H5DataTypeClass typeClass, int size, bool signed) =>
        typeClass == H5DataTypeClass.FixedPoint
            ? $"{(signed ? "int" : "uint")}{size * 8}"
            : $"{typeClass} of {size} bytes";

    private static string Describe(string[] names) => string.Join(", ", Array.ConvertAll(names, n => $"'{n}'"));

    private static bool AreEqual(string[] a, string[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
