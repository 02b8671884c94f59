using System;

namespace DnnGen.Course.Tests;

/// <summary>
/// Moves between the course's layout, where activations are (features, m) with one example per column, and
/// DnnGen's example-major layout (m, features), and draws inputs as the course's recipes do.
/// </summary>
internal static class CourseMatrices
{
    /// <summary>np.random.randn(rows, cols) as a row-major array, from <paramref name="random"/>.</summary>
    public static double[] Randn(NumPyRandom random, int rows, int cols)
    {
        var values = new double[rows * cols];
        random.FillStandardNormal(values);
        return values;
    }

    /// <summary>The transpose of a row-major (rows, cols) matrix, as a row-major (cols, rows) matrix.</summary>
    public static double[] Transpose(ReadOnlySpan<double> matrix, int rows, int cols)
    {
        var transposed = new double[matrix.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                transposed[c * rows + r] = matrix[r * cols + c];
            }
        }

        return transposed;
    }

    /// <summary>Asserts every element is within <paramref name="tolerance"/> of the course's printed value.</summary>
    public static void AssertClose(double[] expected, ReadOnlySpan<double> actual, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance:R})");
        }
    }
}
