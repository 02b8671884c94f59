using System.Collections.Generic;
using System.IO;

namespace DnnGen.Course.Tests;

/// <summary>
/// The notebooks' numbers computed by the NumPy transcriptions in Reference/ (planar_week3.py,
/// logistic_regression_week2.py; see Reference/README.md), read from the committed .npz files, and the comparisons
/// the notebook tests make against them.
/// </summary>
internal static class NotebookReference
{
    /// <summary>Every array of Reference/<paramref name="fileName"/>, by name.</summary>
    public static IReadOnlyDictionary<string, NumPyArray> Read(string fileName)
        => NumPyFile.ReadNpz(Path.Combine(global::DnnGen.Tests.Shared.RepositoryPaths.Root, "tests", "DnnGen.Course.Tests", "Reference", fileName));

    /// <summary>The one value of a scalar entry (stored with shape (1,)).</summary>
    public static double Scalar(this IReadOnlyDictionary<string, NumPyArray> arrays, string name)
    {
        double[] values = arrays[name].ToDoubleArray();
        Assert.Single(values);
        return values[0];
    }

    /// <summary>|actual - expected| / |expected|, 0 when both are equal (also when both are 0).</summary>
    public static double Relative(double expected, double actual)
        => actual == expected ? 0 : Math.Abs(actual - expected) / Math.Abs(expected);

    /// <summary>
    /// The largest difference of two arrays relative to the largest magnitude of <paramref name="expected"/> (max-norm),
    /// the measure Reference/README.md uses; fails if the lengths differ.
    /// </summary>
    public static double MaxNormRelative(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double largest = 0, difference = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(expected[i]));
            difference = Math.Max(difference, Math.Abs(actual[i] - expected[i]));
        }

        return difference == 0 ? 0 : difference / largest;
    }

    /// <summary>Fails unless <paramref name="actual"/> is within <paramref name="tolerance"/> of <paramref name="expected"/>, relative.</summary>
    public static void AssertRelative(double expected, double actual, double tolerance, string what)
        => Assert.True(Relative(expected, actual) <= tolerance,
            FormattableString.Invariant($"{what}: expected {expected:R}, got {actual:R}, relative difference {Relative(expected, actual):E2} above {tolerance:E0}"));

    /// <summary>Fails unless the arrays agree within <paramref name="tolerance"/> in <see cref="MaxNormRelative"/>.</summary>
    public static void AssertMaxNormRelative(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance, string what)
    {
        double relative = MaxNormRelative(expected, actual);
        Assert.True(relative <= tolerance, FormattableString.Invariant($"{what}: relative difference {relative:E2} above {tolerance:E0}"));
    }
}
