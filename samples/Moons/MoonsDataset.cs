using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DnnGen;

namespace Moons;

/// <summary>
/// The Optimization notebook's data, course2_moons.npz: train_X (2, 300) and train_Y (1, 300), made by
/// <c>np.random.seed(3); sklearn.datasets.make_moons(300, noise=.2)</c>. The network takes them example-major: X
/// transposed to (300, 2), one point after the other.
/// </summary>
public sealed class MoonsDataset
{
    /// <summary>The file.</summary>
    public const string FileName = "course2_moons.npz";

    /// <summary>The environment variable that names the data folder when --data is not given.</summary>
    public const string EnvironmentVariable = "DNNGEN_DATA";

    /// <summary>The folder used when neither --data nor $DNNGEN_DATA is given, relative to the current folder.</summary>
    public static readonly string Fallback = Path.Combine("..", "shared", "data");

    private MoonsDataset(double[] x, double[] y)
    {
        X = x;
        Y = y;
    }

    /// <summary>The points, example-major: x1, x2 of point 0, then of point 1, ...</summary>
    public double[] X { get; }

    /// <summary>Their labels, 0 or 1.</summary>
    public double[] Y { get; }

    /// <summary>The number of points, m.</summary>
    public int Count => Y.Length;

    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">An array is missing or has the wrong shape or values; the message names the file and the array.</exception>
    public static MoonsDataset Load(string path)
    {
        IReadOnlyDictionary<string, NumPyArray> arrays = NumPyFile.ReadNpz(path);
        NumPyArray x = Require(arrays, path, "train_X");
        NumPyArray y = Require(arrays, path, "train_Y");
        if (x.Shape[0] != 2)
        {
            throw new InvalidDataException($"'{path}': 'train_X' must have shape (2, m), but its shape is ({string.Join(", ", x.Shape)}).");
        }

        if (y.Shape[0] != 1 || y.Shape[1] != x.Shape[1])
        {
            throw new InvalidDataException($"'{path}': 'train_Y' must have shape (1, {x.Shape[1]}), one label per point of 'train_X', but its shape is ({string.Join(", ", y.Shape)}).");
        }

        if (x.Shape[1] == 0)
        {
            throw new InvalidDataException($"'{path}': 'train_X' holds no points.");
        }

        double[] points = x.Transpose().ToDoubleArray();
        double[] labels = y.ToDoubleArray();
        int notFinite = Array.FindIndex(points, value => !double.IsFinite(value));
        if (notFinite >= 0)
        {
            throw new InvalidDataException($"'{path}': 'train_X' must be finite, but point {notFinite / 2} has {points[notFinite]}.");
        }

        int notLabel = Array.FindIndex(labels, value => value is not (0 or 1));
        if (notLabel >= 0)
        {
            throw new InvalidDataException($"'{path}': 'train_Y' must hold labels 0 or 1, but point {notLabel} has {labels[notLabel]}.");
        }

        return new MoonsDataset(points, labels);
    }

    /// <summary>
    /// The full path of the data file: in the folder <paramref name="argument"/> when --data is given, else in
    /// $DNNGEN_DATA when it is set (and not empty), else in ../shared/data, each relative to the console's current folder.
    /// A folder that was named is never silently replaced by another.
    /// </summary>
    /// <exception cref="FileNotFoundException">The chosen folder does not exist or does not hold the file; the message says where it came from and what to pass.</exception>
    public static string Find(string? argument, MoonsConsole console)
    {
        if (!string.IsNullOrWhiteSpace(argument))
        {
            return Require(console.FullPath(argument), "--data names", $"Pass --data DIR with the folder that holds {FileName}.");
        }

        string? fromEnvironment = console.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Require(
                console.FullPath(fromEnvironment), $"{EnvironmentVariable} names",
                $"Set {EnvironmentVariable} to the folder that holds {FileName}, unset it to use {Fallback}, or pass --data DIR.");
        }

        return Require(
            console.FullPath(Fallback), $"Neither --data nor {EnvironmentVariable} is given, and the default",
            $"Pass --data DIR or set {EnvironmentVariable} to the folder that holds {FileName}.");
    }

    private static string Require(string folder, string origin, string remedy)
    {
        string path = Path.Combine(folder, FileName);
        if (File.Exists(path))
        {
            return path;
        }

        string problem = Directory.Exists(folder) ? $"does not hold {FileName}" : "does not exist";
        throw new FileNotFoundException($"{origin} the folder '{folder}', which {problem}. {remedy}", path);
    }

    private static NumPyArray Require(IReadOnlyDictionary<string, NumPyArray> arrays, string path, string name)
    {
        if (!arrays.TryGetValue(name, out NumPyArray? array))
        {
            throw new InvalidDataException($"'{path}' has no array '{name}' (it has: {string.Join(", ", arrays.Keys.Order(StringComparer.Ordinal))}).");
        }

        if (array.Rank != 2)
        {
            throw new InvalidDataException($"'{path}': '{name}' must have 2 dimensions, but its shape is ({string.Join(", ", array.Shape)}).");
        }

        return array;
    }
}
