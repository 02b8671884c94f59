using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Runtime.InteropServices;
using DnnGen.Persistence;

namespace DnnGen;

// Reading arrays of data (any float or integer dtype, any shape) for NumPyFile, with the parameter loader's checks:
// the same preamble reader, the same checksum and the same wording of damage.
public static partial class Npz
{
    /// <summary>Reads every array of a .npz archive held in <paramref name="bytes"/>, in the archive's order.</summary>
    internal static IReadOnlyDictionary<string, NumPyArray> ReadDataArchive(byte[] bytes, string sourceName)
    {
        var arrays = new Dictionary<string, NumPyArray>(StringComparer.Ordinal);
        using ZipArchive archive = Unzip(sourceName, () => new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read));
        foreach (ZipArchiveEntry entry in Unzip(sourceName, () => archive.Entries))
        {
            if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{sourceName} holds the entry {Quote(entry.FullName)}, which is not a .npy array (np.savez names every array NAME.npy).");
            }

            string name = entry.FullName[..^4];
            if (arrays.ContainsKey(name))
            {
                throw new InvalidDataException($"{sourceName} holds the array {Quote(name)} twice; the archive is corrupt.");
            }

            using Stream stream = Unzip(sourceName, entry.Open);
            arrays.Add(name, ReadDataArray(stream, entry.Length, entry.Crc32, name, $"{sourceName}: array {Quote(name)}", sourceName));
        }

        return new ReadOnlyDictionary<string, NumPyArray>(arrays);
    }

    /// <summary>Reads the one array of a .npy file held in <paramref name="bytes"/>.</summary>
    internal static NumPyArray ReadDataFile(byte[] bytes, string name, string sourceName)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return ReadDataArray(stream, bytes.Length, expectedCrc: null, name, sourceName, sourceName);
    }

    /// <summary>
    /// Reads one .npy array of <paramref name="length"/> bytes: preamble, dtype, shape, exactly the data the shape
    /// calls for, then nothing; checks the CRC-32 when the archive records one. Returns the values in C order.
    /// <paramref name="checkHeader"/>, when given, sees the header before any data are read, and throws to refuse it
    /// (a checkpoint's counters must be scalars).
    /// </summary>
    private static NumPyArray ReadDataArray(Stream stream, long length, uint? expectedCrc, string name, string what, string sourceName, Action<NpyHeader>? checkHeader = null)
    {
        var reader = new EntryReader(stream, sourceName);
        NpyHeader header = ReadNpyHeader(reader, what, out long preambleLength);
        checkHeader?.Invoke(header);
        (NumPyElementType type, int itemSize, bool bigEndian) = DataType(header.Descr)
            ?? throw new InvalidDataException(
                $"{what} has dtype {Quote(header.Descr)}; expected float64 ('<f8'), float32 ('<f4'), a signed or unsigned integer of 1, 2, 4 or 8 bytes ('|i1', '<i2', '<i4', '<i8', '|u1', '<u2', '<u4', '<u8') or bool ('|b1'), in either byte order.");

        string shapeText = NpyHeader.FormatShape(header.Shape);
        var shape = new int[header.Shape.Length];
        long count = 1;
        for (int d = 0; d < shape.Length; d++)
        {
            long size = header.Shape[d];
            count *= size;
            if (size > Array.MaxLength || count > Array.MaxLength)
            {
                throw new InvalidDataException(
                    string.Create(CultureInfo.InvariantCulture, $"{what} has shape {shapeText}, more values than one .NET array can hold ({Array.MaxLength})."));
            }

            shape[d] = (int)size;
        }

        long dataLength = count * itemSize;
        if (preambleLength + dataLength > length)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{what} is truncated: its shape {shapeText} calls for {count} values ({dataLength} bytes of data), but it holds {Math.Max(0, length - preambleLength)} bytes of data."));
        }

        var data = new byte[dataLength];
        if (!reader.TryReadExactly(data))
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{what} is truncated: its data end before the {count} values of shape {shapeText} ({dataLength} bytes)."));
        }

        if (reader.ReadsMore())
        {
            throw new InvalidDataException($"{what} has more data than its shape {shapeText} holds; the file is corrupt.");
        }

        if (expectedCrc is uint crc && reader.Crc != crc)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{what} fails its checksum (CRC-32 {reader.Crc:x8}, the archive records {crc:x8}); the file is corrupt."));
        }

        bool swap = bigEndian == BitConverter.IsLittleEndian;
        Array values = type switch
        {
            NumPyElementType.Float64 => Decode<double, ulong>(data, swap, header.FortranOrder, shape),
            NumPyElementType.Float32 => Decode<float, uint>(data, swap, header.FortranOrder, shape),
            NumPyElementType.Int64 => Decode<long, ulong>(data, swap, header.FortranOrder, shape),
            NumPyElementType.UInt64 => Decode<ulong, ulong>(data, swap, header.FortranOrder, shape),
            NumPyElementType.Int32 => Decode<int, uint>(data, swap, header.FortranOrder, shape),
            NumPyElementType.UInt32 => Decode<uint, uint>(data, swap, header.FortranOrder, shape),
            NumPyElementType.Int16 => Decode<short, ushort>(data, swap, header.FortranOrder, shape),
            NumPyElementType.UInt16 => Decode<ushort, ushort>(data, swap, header.FortranOrder, shape),
            NumPyElementType.Int8 => Decode<sbyte, byte>(data, swap: false, header.FortranOrder, shape),
            NumPyElementType.UInt8 => Decode<byte, byte>(data, swap: false, header.FortranOrder, shape),
            _ => Booleans(Decode<byte, byte>(data, swap: false, header.FortranOrder, shape), shape, what),
        };

        return new NumPyArray(name, type, shape, values);
    }

    /// <summary>The dtype strings NumPy writes for the supported types: '&lt;' or '&gt;' for multi-byte types, '|' for single bytes.</summary>
    private static (NumPyElementType Type, int ItemSize, bool BigEndian)? DataType(string descr)
    {
        if (descr.Length != 3)
        {
            return null;
        }

        (NumPyElementType Type, int ItemSize)? kind = descr.AsSpan(1) switch
        {
            "f8" => (NumPyElementType.Float64, 8),
            "f4" => (NumPyElementType.Float32, 4),
            "i8" => (NumPyElementType.Int64, 8),
            "u8" => (NumPyElementType.UInt64, 8),
            "i4" => (NumPyElementType.Int32, 4),
            "u4" => (NumPyElementType.UInt32, 4),
            "i2" => (NumPyElementType.Int16, 2),
            "u2" => (NumPyElementType.UInt16, 2),
            "i1" => (NumPyElementType.Int8, 1),
            "u1" => (NumPyElementType.UInt8, 1),
            "b1" => (NumPyElementType.Bool, 1),
            _ => null,
        };

        if (kind is not { } found)
        {
            return null;
        }

        return (descr[0], found.ItemSize) switch
        {
            ('|', 1) => (found.Type, 1, false),
            ('<', > 1) => (found.Type, found.ItemSize, false),
            ('>', > 1) => (found.Type, found.ItemSize, true),
            _ => null,
        };
    }

    /// <summary>
    /// The values of <paramref name="data"/> as <typeparamref name="TValue"/>, byte-swapped through their bit pattern
    /// <typeparamref name="TBits"/> when the file's byte order is not the machine's, in C order.
    /// </summary>
    private static TValue[] Decode<TValue, TBits>(byte[] data, bool swap, bool fortranOrder, int[] shape)
        where TValue : unmanaged
        where TBits : unmanaged
    {
        var values = new TValue[data.Length / System.Runtime.CompilerServices.Unsafe.SizeOf<TValue>()];
        data.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        if (swap)
        {
            Span<TValue> span = values.AsSpan();
            if (typeof(TBits) == typeof(ulong))
            {
                Span<ulong> bits = MemoryMarshal.Cast<TValue, ulong>(span);
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
            else if (typeof(TBits) == typeof(uint))
            {
                Span<uint> bits = MemoryMarshal.Cast<TValue, uint>(span);
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
            else if (typeof(TBits) == typeof(ushort))
            {
                Span<ushort> bits = MemoryMarshal.Cast<TValue, ushort>(span);
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
        }

        // A Fortran-order array of shape (s0, ..., sk) is, byte for byte, the C-order array of shape (sk, ..., s0): reversing
        // its axes gives the C order of the declared shape.
        if (!fortranOrder)
        {
            return values;
        }

        int[] stored = (int[])shape.Clone();
        Array.Reverse(stored);
        return NumPyArray.ReverseAxes(values, stored);
    }

    private static bool[] Booleans(byte[] bytes, int[] shape, string what)
    {
        var values = new bool[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] > 1)
            {
                throw new InvalidDataException(
                    string.Create(CultureInfo.InvariantCulture, $"{what} holds the byte {bytes[i]} at {NumPyArray.FormatIndex(shape, i)}; a bool is 0 or 1."));
            }

            values[i] = bytes[i] == 1;
        }

        return values;
    }
}
