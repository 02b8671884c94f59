using System;
using System.Globalization;

namespace DnnGen;

/// <summary>
/// Argument checks shared by the runtime library and the generated networks. Every failure names the argument,
/// the expected value and the actual value, so a shape mistake reads like a shape mistake.
/// </summary>
public static class Guard
{
    /// <summary>Throws unless <paramref name="span"/> holds exactly <paramref name="expected"/> elements.</summary>
    public static void Length<T>(ReadOnlySpan<T> span, int expected, string argumentName, string shape)
    {
        if (span.Length != expected)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Expected {expected} elements ({shape}), but the span holds {span.Length}."),
                argumentName);
        }
    }

    /// <summary>
    /// Returns the number of examples m in an example-major span of <paramref name="rowLength"/> values per example,
    /// throwing unless its length is a positive multiple of <paramref name="rowLength"/>.
    /// </summary>
    public static int ExampleCount<T>(ReadOnlySpan<T> span, int rowLength, string argumentName)
    {
        if (span.Length == 0 || span.Length % rowLength != 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Expected a positive multiple of {rowLength} elements (m examples of {rowLength} values, example-major), but the span holds {span.Length}."),
                argumentName);
        }

        return span.Length / rowLength;
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and greater than zero.</summary>
    public static void PositiveFinite(double value, string argumentName)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(argumentName, value, "Expected a finite value greater than zero.");
        }
    }

    /// <summary>Throws unless <paramref name="value"/> is at least <paramref name="minimum"/>.</summary>
    public static void AtLeast(int value, int minimum, string argumentName)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(argumentName, value, string.Create(CultureInfo.InvariantCulture, $"Expected at least {minimum}."));
        }
    }
}
