using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DnnGen;

// The label forms of the output kinds beyond the sigmoid's 0-or-1 labels: one-hot rows and class indices for a
// softmax output, any finite value for a linear one.
public static partial class Guard
{
    /// <summary>
    /// Throws unless <paramref name="labels"/> is m one-hot rows of <paramref name="n"/> values, example-major: each
    /// example's n values are one 1 and n - 1 zeros (the labels of a softmax output). Returns m.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The length is not a positive multiple of <paramref name="n"/>, or a row is not one-hot; the message names the
    /// example and what it holds (a value other than 0 and 1, no 1, or several).
    /// </exception>
    public static int OneHotLabels<T>(ReadOnlySpan<T> labels, int n, string argumentName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = ExampleCount(labels, n, argumentName);
        if (AllZeroOrOne(labels) && EveryRowSumsToOne(labels, n))
        {
            return m;
        }

        // Some row is not one-hot: find the first, for its message.
        for (int i = 0; i < m; i++)
        {
            OneHotClass(labels.Slice(i * n, n), i, argumentName);
        }

        return m;
    }

    /// <summary>Whether every value is exactly 0 or 1: a vector compare where the type has vectors, the rest one by one.</summary>
    private static bool AllZeroOrOne<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported && values.Length >= Vector256<T>.Count)
        {
            ref T first = ref MemoryMarshal.GetReference(values);
            Vector256<T> valid = Vector256<T>.AllBitsSet;
            for (; i <= values.Length - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                Vector256<T> v = Vector256.LoadUnsafe(ref first, (nuint)i);
                valid &= Vector256.Equals(v, Vector256<T>.Zero) | Vector256.Equals(v, Vector256<T>.One);
            }

            if (valid != Vector256<T>.AllBitsSet)
            {
                return false;
            }
        }

        bool scalarValid = true;
        for (; i < values.Length; i++)
        {
            scalarValid &= values[i] == T.Zero || values[i] == T.One;
        }

        return scalarValid;
    }

    /// <summary>
    /// Whether each row of <paramref name="n"/> values sums to exactly 1. With every value 0 or 1 that is one 1 per row:
    /// the partial sums are whole numbers, and two or more ones can never round down to 1.
    /// </summary>
    private static bool EveryRowSumsToOne<T>(ReadOnlySpan<T> labels, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool valid = true;
        for (int row = 0; row < labels.Length; row += n)
        {
            T sum = T.Zero;
            for (int j = row; j < row + n; j++)
            {
                sum += labels[j];
            }

            valid &= sum == T.One;
        }

        return valid;
    }

    /// <summary>
    /// Throws unless <paramref name="row"/>, example <paramref name="example"/>'s labels, is one-hot; returns the index of its 1.
    /// </summary>
    internal static int OneHotClass<T>(ReadOnlySpan<T> row, int example, string argumentName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int found = -1;
        List<int>? ones = null;
        for (int j = 0; j < row.Length; j++)
        {
            T label = row[j];
            if (label == T.One)
            {
                if (found < 0)
                {
                    found = j;
                }
                else
                {
                    (ones ??= [found]).Add(j);
                }
            }
            else if (label != T.Zero)
            {
                long index = ((long)example * row.Length) + j;
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Expected one-hot labels (each example's {row.Length} values one 1 and the rest 0), but example {example} holds {label} at value {j} ({argumentName}[{index}])."),
                    argumentName);
            }
        }

        if (ones is not null)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Expected one-hot labels (each example's {row.Length} values one 1 and the rest 0), but example {example} holds {ones.Count} ones, at values {string.Join(", ", ones)}."),
                argumentName);
        }

        if (found < 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Expected one-hot labels (each example's {row.Length} values one 1 and the rest 0), but example {example} holds no 1: all {row.Length} values are 0."),
                argumentName);
        }

        return found;
    }

    /// <summary>Throws unless every class index in <paramref name="classes"/> lies in 0 .. <paramref name="n"/> - 1.</summary>
    /// <exception cref="ArgumentException">An index is out of range; the message names the example and its value.</exception>
    public static void ClassIndices(ReadOnlySpan<int> classes, int n, string argumentName)
    {
        AtLeast(n, 1, nameof(n));
        for (int i = 0; i < classes.Length; i++)
        {
            if ((uint)classes[i] >= (uint)n)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Expected class indices from 0 to {n - 1} ({n} classes), but {argumentName}[{i}] (example {i}) is {classes[i]}."),
                    argumentName);
            }
        }
    }
}
