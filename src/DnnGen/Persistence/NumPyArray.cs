using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;

namespace DnnGen;

/// <summary>The element types <see cref="NumPyFile"/> reads: NumPy's float, integer and bool dtypes.</summary>
public enum NumPyElementType
{
    /// <summary><c>float64</c> (<c>'&lt;f8'</c>), .NET's <see cref="double"/>.</summary>
    Float64,

    /// <summary><c>float32</c> (<c>'&lt;f4'</c>), .NET's <see cref="float"/>.</summary>
    Float32,

    /// <summary><c>int8</c> (<c>'|i1'</c>), .NET's <see cref="sbyte"/>.</summary>
    Int8,

    /// <summary><c>int16</c> (<c>'&lt;i2'</c>), .NET's <see cref="short"/>.</summary>
    Int16,

    /// <summary><c>int32</c> (<c>'&lt;i4'</c>), .NET's <see cref="int"/>.</summary>
    Int32,

    /// <summary><c>int64</c> (<c>'&lt;i8'</c>), .NET's <see cref="long"/>: NumPy's default integer on Linux and macOS.</summary>
    Int64,

    /// <summary><c>uint8</c> (<c>'|u1'</c>), .NET's <see cref="byte"/>: the usual type of image pixels.</summary>
    UInt8,

    /// <summary><c>uint16</c> (<c>'&lt;u2'</c>), .NET's <see cref="ushort"/>.</summary>
    UInt16,

    /// <summary><c>uint32</c> (<c>'&lt;u4'</c>), .NET's <see cref="uint"/>.</summary>
    UInt32,

    /// <summary><c>uint64</c> (<c>'&lt;u8'</c>), .NET's <see cref="ulong"/>.</summary>
    UInt64,

    /// <summary><c>bool</c> (<c>'|b1'</c>): each byte 0 or 1, read as 0 and 1 by the conversions.</summary>
    Bool,
}

/// <summary>
/// One NumPy array as read by <see cref="NumPyFile"/>: its name, element type and shape, and its values in C order
/// (row-major, the last axis fastest) whatever the file's order. It is immutable; the <c>To...Array</c> methods return
/// new arrays.
/// </summary>
/// <remarks>
/// <para>
/// DnnGen's networks take example-major data: m examples of n values, example i at <c>[i * n, (i + 1) * n)</c>. An
/// array saved as (m, n), as scikit-learn and most data sets store it, is that layout already; the course stores its
/// matrices as (n, m), features by examples, and <see cref="Transpose"/> turns them into (m, n).
/// </para>
/// </remarks>
public sealed class NumPyArray
{
    private readonly int[] _shape;
    private readonly Array _values;

    internal NumPyArray(string name, NumPyElementType elementType, int[] shape, Array values)
    {
        Name = name;
        ElementType = elementType;
        _shape = shape;
        _values = values;
        Shape = new ReadOnlyCollection<int>(shape);
    }

    /// <summary>The array's name: its key in the .npz archive, or the .npy file's name without its extension (<c>"array"</c> from a stream).</summary>
    public string Name { get; }

    /// <summary>The element type of the stored values.</summary>
    public NumPyElementType ElementType { get; }

    /// <summary>The shape as NumPy reports it: (1797, 64) is 1797 rows of 64; () is a scalar, one value.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The number of axes: 0 for a scalar, 1 for a vector, 2 for a matrix.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of values, the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public int Length => _values.Length;

    /// <summary>
    /// The values as doubles, in C order. float32 and every integer up to 32 bits convert exactly; int64 and uint64
    /// values beyond 2^53 round to the nearest double, as NumPy's <c>astype(np.float64)</c>; bools are 0 and 1. NaN and
    /// infinities are kept: data are not checked for finiteness here (the networks check their inputs).
    /// </summary>
    public double[] ToDoubleArray()
    {
        // Dispatch on ElementType, not on the array's type: the runtime treats int[] and uint[] (and the other
        // same-size signed and unsigned arrays) as each other in type tests.
        var result = new double[Length];
        switch (ElementType)
        {
            case NumPyElementType.Float64: ((double[])_values).CopyTo(result, 0); break;
            case NumPyElementType.Float32: Convert((float[])_values, result, static v => v); break;
            case NumPyElementType.Int64: Convert((long[])_values, result, static v => v); break;
            case NumPyElementType.UInt64: Convert((ulong[])_values, result, static v => v); break;
            case NumPyElementType.Int32: Convert((int[])_values, result, static v => v); break;
            case NumPyElementType.UInt32: Convert((uint[])_values, result, static v => v); break;
            case NumPyElementType.Int16: Convert((short[])_values, result, static v => v); break;
            case NumPyElementType.UInt16: Convert((ushort[])_values, result, static v => v); break;
            case NumPyElementType.Int8: Convert((sbyte[])_values, result, static v => v); break;
            case NumPyElementType.UInt8: Convert((byte[])_values, result, static v => v); break;
            default: Convert((bool[])_values, result, static v => v ? 1.0 : 0.0); break;
        }

        return result;
    }

    /// <summary>
    /// The values as floats, in C order, each rounded to the nearest float as NumPy's <c>astype(np.float32)</c> does
    /// (exact for float32 and for integers up to 2^24 in magnitude). NaN and infinities are kept.
    /// </summary>
    /// <exception cref="OverflowException">A finite value is too large for a float (beyond about 3.4e38); the message names it and its index.</exception>
    public float[] ToSingleArray()
    {
        if (_values is float[] floats)
        {
            return (float[])floats.Clone();
        }

        double[] values = ToDoubleArray();
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float value = (float)values[i];
            if (float.IsInfinity(value) && double.IsFinite(values[i]))
            {
                throw new OverflowException(string.Create(CultureInfo.InvariantCulture, $"Array '{Name}' holds {values[i]:R} at {FormatIndex(_shape, i)}, which is beyond the range of float (about 3.4e38)."));
            }

            result[i] = value;
        }

        return result;
    }

    /// <summary>
    /// The values as ints, in C order: class indices and counts. Integers must lie in int's range; float values must be
    /// whole numbers in that range (a label array saved as float64, such as 3.0, converts; 2.5 or NaN does not); bools
    /// are 0 and 1.
    /// </summary>
    /// <exception cref="OverflowException">A value is not a whole number in int's range; the message names it and its index.</exception>
    public int[] ToInt32Array()
    {
        var result = new int[Length];
        for (int i = 0; i < result.Length; i++)
        {
            if (WholeNumberAt(i) is not long value || value is < int.MinValue or > int.MaxValue)
            {
                throw new OverflowException(string.Create(CultureInfo.InvariantCulture, $"Array '{Name}' holds {FormatValueAt(i)} at {FormatIndex(_shape, i)}, which is not a whole number from {int.MinValue} to {int.MaxValue}."));
            }

            result[i] = (int)value;
        }

        return result;
    }

    /// <summary>
    /// The array with its axes reversed, as NumPy's <c>.T</c>: a (features, m) matrix as the course stores it becomes
    /// (m, features), DnnGen's example-major layout. An array of rank 0 or 1 is returned as it is.
    /// </summary>
    public NumPyArray Transpose()
    {
        if (Rank < 2)
        {
            return this;
        }

        int[] shape = (int[])_shape.Clone();
        Array.Reverse(shape);
        Array values = ElementType switch
        {
            NumPyElementType.Float64 => ReverseAxes((double[])_values, _shape),
            NumPyElementType.Float32 => ReverseAxes((float[])_values, _shape),
            NumPyElementType.Int64 => ReverseAxes((long[])_values, _shape),
            NumPyElementType.UInt64 => ReverseAxes((ulong[])_values, _shape),
            NumPyElementType.Int32 => ReverseAxes((int[])_values, _shape),
            NumPyElementType.UInt32 => ReverseAxes((uint[])_values, _shape),
            NumPyElementType.Int16 => ReverseAxes((short[])_values, _shape),
            NumPyElementType.UInt16 => ReverseAxes((ushort[])_values, _shape),
            NumPyElementType.Int8 => ReverseAxes((sbyte[])_values, _shape),
            NumPyElementType.UInt8 => ReverseAxes((byte[])_values, _shape),
            _ => ReverseAxes((bool[])_values, _shape),
        };
        return new NumPyArray(Name, ElementType, shape, values);
    }

    /// <summary>The name, element type and shape, as <c>'images' Float64 (1797, 64)</c>.</summary>
    public override string ToString() => $"'{Name}' {ElementType} {FormatShape(_shape)}";

    /// <summary>
    /// The C-order array of shape (s[k-1], ..., s[0]) holding <paramref name="values"/>, a C-order array of shape
    /// <paramref name="shape"/> = (s[0], ..., s[k-1]), with its axes reversed.
    /// </summary>
    internal static T[] ReverseAxes<T>(T[] values, ReadOnlySpan<int> shape)
    {
        int rank = shape.Length;
        if (rank < 2 || values.Length == 0)
        {
            return values;
        }

        // Input axis d moves to output axis rank - 1 - d, whose C-order stride is the product of s[0] .. s[d-1].
        var strides = new long[rank];
        long stride = 1;
        for (int d = 0; d < rank; d++)
        {
            strides[d] = stride;
            stride *= shape[d];
        }

        var result = new T[values.Length];
        var index = new int[rank];
        long position = 0;
        for (int k = 0; k < values.Length; k++)
        {
            result[position] = values[k];
            for (int d = rank - 1; d >= 0; d--)
            {
                index[d]++;
                position += strides[d];
                if (index[d] < shape[d])
                {
                    break;
                }

                position -= strides[d] * shape[d];
                index[d] = 0;
            }
        }

        return result;
    }

    /// <summary>The multi-index of C-order element <paramref name="flat"/>, as NumPy prints it: [3, 7], [5] or [].</summary>
    internal static string FormatIndex(ReadOnlySpan<int> shape, long flat)
    {
        var index = new long[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }

        return "[" + string.Join(", ", index) + "]";
    }

    private static string FormatShape(ReadOnlySpan<int> shape)
    {
        var dimensions = new long[shape.Length];
        for (int d = 0; d < shape.Length; d++)
        {
            dimensions[d] = shape[d];
        }

        return Persistence.NpyHeader.FormatShape(dimensions);
    }

    private static void Convert<TSource>(TSource[] source, double[] destination, Func<TSource, double> convert)
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = convert(source[i]);
        }
    }

    /// <summary>
    /// Value <paramref name="index"/> (C order) as a whole number: any integer in long's range, a bool as 0 or 1, a float
    /// holding a whole number (3.0, not 2.5 or NaN) in long's range; null for anything else.
    /// </summary>
    internal long? WholeNumberAt(int index) => ElementType switch
    {
        NumPyElementType.Int64 => ((long[])_values)[index],
        NumPyElementType.UInt64 => ((ulong[])_values)[index] is ulong value and <= long.MaxValue ? (long)value : null,
        NumPyElementType.Int32 => ((int[])_values)[index],
        NumPyElementType.UInt32 => ((uint[])_values)[index],
        NumPyElementType.Int16 => ((short[])_values)[index],
        NumPyElementType.UInt16 => ((ushort[])_values)[index],
        NumPyElementType.Int8 => ((sbyte[])_values)[index],
        NumPyElementType.UInt8 => ((byte[])_values)[index],
        NumPyElementType.Bool => ((bool[])_values)[index] ? 1 : 0,
        NumPyElementType.Float64 => WholeNumber(((double[])_values)[index]),
        _ => WholeNumber(((float[])_values)[index]),
    };

    /// <summary>Value <paramref name="index"/> (C order) as a message shows it: floats round-trip ("R"), as doubles.</summary>
    internal string FormatValueAt(int index) => ElementType switch
    {
        NumPyElementType.Float64 => ((double[])_values)[index].ToString("R", CultureInfo.InvariantCulture),
        NumPyElementType.Float32 => ((double)((float[])_values)[index]).ToString("R", CultureInfo.InvariantCulture),
        _ => System.Convert.ToString(_values.GetValue(index), CultureInfo.InvariantCulture)!,
    };

    // -2^63 <= value < 2^63: (double)long.MaxValue is 2^63, which does not fit.
    private static long? WholeNumber(double value)
        => double.IsInteger(value) && value >= -9223372036854775808.0 && value < 9223372036854775808.0 ? (long)value : null;
}
