using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Text;
using System.Threading;

namespace DnnGen.Generator;

/// <summary>
/// One array of a .npz archive: its name (the entry's without ".npy"), dtype string and shape as its .npy header gives
/// them, and, for a float dtype ('&lt;f8', '&gt;f8', '&lt;f4', '&gt;f4'), its values in C order (row-major), widened to double
/// exactly; other dtypes keep no values.
/// </summary>
internal sealed record NpzArray(string Name, string Descr, EquatableArray<long> Shape, EquatableArray<double> Values)
{
    public bool IsFloat => NpzReader.IsFloat(Descr);

    /// <summary>The shape as NumPy prints it: (20, 12288), (20,) or ().</summary>
    public string ShapeText => NpzReader.FormatShape(Shape.AsSpan().ToArray());
}

/// <summary>What a .npz archive holds: its arrays in archive order, or why it is not a valid archive.</summary>
internal sealed record NpzContents(EquatableArray<NpzArray> Arrays, string? Error);

/// <summary>A listed .npz file, parsed: the file (without its bytes) and what it holds.</summary>
internal sealed record NpzFile(ModelFile File, NpzContents Contents);

/// <summary>
/// Reads a NumPy .npz archive in the generator (netstandard2.0, with no file access: from the bytes the build logic
/// encoded). It accepts what the runtime's LoadNpz accepts: a ZIP archive (ZIP64 too, as np.savez writes) of stored or
/// deflated entries, each a .npy array of format 1.0, 2.0 or 3.0, in C or Fortran order; every entry's CRC-32 and length
/// are checked. Which arrays a network needs, and their shapes and values, are checked later, against the network.
/// </summary>
internal static class NpzReader
{
    public static NpzFile Parse(ModelFile file, CancellationToken cancellationToken)
        => new(file.WithoutBytes(), Parse(file.Bytes.AsSpan().ToArray(), cancellationToken));

    public static NpzContents Parse(byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            var arrays = new List<NpzArray>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (ZipEntry entry in ReadCentralDirectory(bytes))
            {
                cancellationToken.ThrowIfCancellationRequested();
                string name = entry.Name.EndsWith(".npy", StringComparison.Ordinal) ? entry.Name.Substring(0, entry.Name.Length - 4) : entry.Name;
                if (!names.Add(name))
                {
                    throw new InvalidDataException("it holds the array '" + Quote(name) + "' twice");
                }

                byte[] data = ReadEntry(bytes, entry);
                arrays.Add(ParseNpy(name, data));
            }

            return new NpzContents(new EquatableArray<NpzArray>(arrays.ToArray()), null);
        }
        catch (InvalidDataException e)
        {
            return new NpzContents(default, e.Message);
        }
    }

    // ---- ZIP ----

    private readonly struct ZipEntry
    {
        public ZipEntry(string name, int method, int flags, uint crc, long compressedSize, long size, long localHeader)
        {
            Name = name;
            Method = method;
            Flags = flags;
            Crc = crc;
            CompressedSize = compressedSize;
            Size = size;
            LocalHeader = localHeader;
        }

        public string Name { get; }

        public int Method { get; }

        public int Flags { get; }

        public uint Crc { get; }

        public long CompressedSize { get; }

        public long Size { get; }

        public long LocalHeader { get; }
    }

    private const uint EndOfCentralDirectory = 0x06054b50;
    private const uint Zip64EndOfCentralDirectory = 0x06064b50;
    private const uint Zip64Locator = 0x07064b50;
    private const uint CentralHeader = 0x02014b50;
    private const uint LocalHeaderSignature = 0x04034b50;

    private static IEnumerable<ZipEntry> ReadCentralDirectory(byte[] bytes)
    {
        if (bytes.Length < 4 || U32(bytes, 0) != LocalHeaderSignature && U32(bytes, 0) != EndOfCentralDirectory)
        {
            throw new InvalidDataException(bytes.Length == 0 ? "it is empty" : "it is not a ZIP archive (an .npz is one; it does not start with a ZIP header)");
        }

        // The end-of-central-directory record: the last 22 bytes, or before a comment of up to 65,535 bytes.
        int end = -1;
        for (int i = bytes.Length - 22; i >= Math.Max(0, bytes.Length - 22 - 65535); i--)
        {
            if (U32(bytes, i) == EndOfCentralDirectory && i + 22 + U16(bytes, i + 20) == bytes.Length)
            {
                end = i;
                break;
            }
        }

        if (end < 0)
        {
            throw new InvalidDataException("it is truncated or damaged: it has no ZIP end-of-central-directory record");
        }

        long count = U16(bytes, end + 10);
        long directorySize = U32(bytes, end + 12);
        long directoryOffset = U32(bytes, end + 16);
        if (count == 0xFFFF || directorySize == 0xFFFFFFFF || directoryOffset == 0xFFFFFFFF)
        {
            // ZIP64: the locator just before the record points at the ZIP64 end-of-central-directory record.
            if (end < 20 || U32(bytes, end - 20) != Zip64Locator)
            {
                throw new InvalidDataException("it is damaged: its ZIP64 end-of-central-directory locator is missing");
            }

            long zip64 = Offset(U64(bytes, end - 20 + 8), 56, bytes);
            if (U32(bytes, (int)zip64) != Zip64EndOfCentralDirectory)
            {
                throw new InvalidDataException("it is damaged: its ZIP64 end-of-central-directory record is missing");
            }

            count = (long)U64(bytes, (int)zip64 + 32);
            directorySize = (long)U64(bytes, (int)zip64 + 40);
            directoryOffset = (long)U64(bytes, (int)zip64 + 48);
        }

        int position = (int)Offset((ulong)directoryOffset, directorySize, bytes);
        var entries = new List<ZipEntry>();
        for (long n = 0; n < count; n++)
        {
            Need(bytes, position, 46, "its central directory");
            if (U32(bytes, position) != CentralHeader)
            {
                throw new InvalidDataException("it is damaged: its central directory is not where its end record says");
            }

            int flags = U16(bytes, position + 8);
            int method = U16(bytes, position + 10);
            uint crc = U32(bytes, position + 16);
            long compressed = U32(bytes, position + 20);
            long size = U32(bytes, position + 24);
            int nameLength = U16(bytes, position + 28);
            int extraLength = U16(bytes, position + 30);
            int commentLength = U16(bytes, position + 32);
            long local = U32(bytes, position + 42);
            Need(bytes, position + 46, nameLength + extraLength + commentLength, "its central directory");
            Encoding encoding = (flags & 0x800) != 0 ? new UTF8Encoding(false, true) : Latin1;
            string name;
            try
            {
                name = encoding.GetString(bytes, position + 46, nameLength);
            }
            catch (DecoderFallbackException)
            {
                throw new InvalidDataException("it is damaged: an entry's name is not valid UTF-8");
            }

            // ZIP64 extra field (id 1): the 64-bit values of the fields that hold 0xFFFFFFFF, in this order.
            int extra = position + 46 + nameLength;
            int extraEnd = extra + extraLength;
            while (extra + 4 <= extraEnd)
            {
                int id = U16(bytes, extra);
                int length = U16(bytes, extra + 2);
                if (extra + 4 + length > extraEnd)
                {
                    break;
                }

                if (id == 1)
                {
                    int field = extra + 4;
                    int fieldEnd = field + length;
                    if (size == 0xFFFFFFFF && field + 8 <= fieldEnd)
                    {
                        size = (long)U64(bytes, field);
                        field += 8;
                    }

                    if (compressed == 0xFFFFFFFF && field + 8 <= fieldEnd)
                    {
                        compressed = (long)U64(bytes, field);
                        field += 8;
                    }

                    if (local == 0xFFFFFFFF && field + 8 <= fieldEnd)
                    {
                        local = (long)U64(bytes, field);
                    }
                }

                extra += 4 + length;
            }

            entries.Add(new ZipEntry(name, method, flags, crc, compressed, size, local));
            position = extraEnd + commentLength;
        }

        return entries;
    }

    private static byte[] ReadEntry(byte[] bytes, ZipEntry entry)
    {
        string what = "the entry '" + Quote(entry.Name) + "'";
        if ((entry.Flags & 1) != 0)
        {
            throw new InvalidDataException(what + " is encrypted");
        }

        if (entry.Size > int.MaxValue - 64)
        {
            throw new InvalidDataException(what + " is " + entry.Size.ToString("N0", CultureInfo.InvariantCulture) + " bytes, more than one array can hold");
        }

        int local = (int)Offset((ulong)entry.LocalHeader, 30, bytes);
        if (U32(bytes, local) != LocalHeaderSignature)
        {
            throw new InvalidDataException(what + " is damaged: its local header is not where the central directory says");
        }

        int start = local + 30 + U16(bytes, local + 26) + U16(bytes, local + 28);
        int dataStart = (int)Offset((ulong)start, entry.CompressedSize, bytes);
        byte[] data;
        switch (entry.Method)
        {
            case 0:
                if (entry.CompressedSize != entry.Size)
                {
                    throw new InvalidDataException(what + " is damaged: it is stored, but its sizes differ");
                }

                data = new byte[entry.Size];
                Buffer.BlockCopy(bytes, dataStart, data, 0, data.Length);
                break;
            case 8:
                data = Inflate(bytes, dataStart, (int)entry.CompressedSize, (int)entry.Size, what);
                break;
            default:
                throw new InvalidDataException(what + " uses ZIP compression method " + entry.Method.ToString(CultureInfo.InvariantCulture) + "; only stored (np.savez) and deflated (np.savez_compressed) entries are read");
        }

        uint crc = Crc32.Compute(data);
        if (crc != entry.Crc)
        {
            throw new InvalidDataException(string.Format(CultureInfo.InvariantCulture, "{0} fails its checksum (CRC-32 {1:x8}, the archive records {2:x8}); the file is corrupt", what, crc, entry.Crc));
        }

        return data;
    }

    private static byte[] Inflate(byte[] bytes, int start, int length, int size, string what)
    {
        var data = new byte[size];
        int total = 0;
        int more;
        try
        {
            using var deflate = new DeflateStream(new MemoryStream(bytes, start, length, writable: false), CompressionMode.Decompress);
            for (int read = -1; total < size && read != 0; total += read)
            {
                read = deflate.Read(data, total, size - total);
            }

            more = total < size ? 0 : deflate.Read(new byte[1], 0, 1);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            throw new InvalidDataException(what + " is damaged: its deflated data cannot be inflated (" + e.Message + ")");
        }

        if (total < size)
        {
            throw new InvalidDataException(what + " is truncated: it inflates to fewer bytes than the archive records");
        }

        if (more != 0)
        {
            throw new InvalidDataException(what + " is damaged: it inflates to more bytes than the archive records");
        }

        return data;
    }

    // ---- .npy ----

    private static NpzArray ParseNpy(string name, byte[] data)
    {
        string what = "the array '" + Quote(name) + "'";
        byte[] magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };
        if (data.Length < 10)
        {
            throw new InvalidDataException(what + " is not a .npy array: it is " + data.Length.ToString(CultureInfo.InvariantCulture) + " bytes long");
        }

        for (int i = 0; i < magic.Length; i++)
        {
            if (data[i] != magic[i])
            {
                throw new InvalidDataException(what + " is not a .npy array: it does not start with \\x93NUMPY");
            }
        }

        int major = data[6];
        int headerStart;
        long headerLength;
        switch (major)
        {
            case 1:
                headerLength = U16(data, 8);
                headerStart = 10;
                break;
            case 2:
            case 3:
                Need(data, 8, 4, what + "'s header");
                headerLength = U32(data, 8);
                headerStart = 12;
                break;
            default:
                throw new InvalidDataException(what + " is of .npy format " + major.ToString(CultureInfo.InvariantCulture) + "." + data[7].ToString(CultureInfo.InvariantCulture) + "; 1.0, 2.0 and 3.0 are read");
        }

        if (headerStart + headerLength > data.Length)
        {
            throw new InvalidDataException(what + " is truncated: it ends inside its header");
        }

        string header;
        try
        {
            header = (major == 3 ? new UTF8Encoding(false, true) : Latin1).GetString(data, headerStart, (int)headerLength);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException(what + " has a header that is not valid UTF-8");
        }

        (string descr, bool fortran, long[] shape) = ParseHeader(header, what);
        int dataStart = headerStart + (int)headerLength;
        int itemSize = ItemSize(descr);
        bool isFloat = IsFloat(descr);
        long count = 1;
        foreach (long dimension in shape)
        {
            count = dimension == 0 ? 0 : count > long.MaxValue / Math.Max(dimension, 1) ? long.MaxValue : count * dimension;
        }

        if (!isFloat)
        {
            return new NpzArray(name, descr, new EquatableArray<long>(shape), default);
        }

        long expected = count > long.MaxValue / itemSize ? long.MaxValue : count * itemSize;
        long actual = data.Length - dataStart;
        if (actual != expected)
        {
            throw new InvalidDataException(string.Format(
                CultureInfo.InvariantCulture,
                "{0} has {1} bytes of data, but its header says {2} values of shape {3} ({4} bytes){5}",
                what,
                actual,
                count,
                FormatShape(shape),
                expected,
                actual < expected ? "; it is truncated" : string.Empty));
        }

        bool bigEndian = descr[0] == '>';
        var values = new double[count];
        int rows = shape.Length == 2 ? (int)shape[0] : 1;
        int columns = shape.Length == 2 ? (int)shape[1] : (int)count;
        for (int k = 0; k < count; k++)
        {
            int offset = dataStart + k * itemSize;
            double value = itemSize == 8 ? ReadDouble(data, offset, bigEndian) : ReadSingle(data, offset, bigEndian);

            // Element k of a Fortran-order (column-major) matrix is [k % rows, k / rows]. Arrays of another rank keep
            // their order: their values are not read as parameters (their shape is reported).
            int index = fortran && shape.Length == 2 ? (k % rows) * columns + (k / rows) : k;
            values[index] = value;
        }

        return new NpzArray(name, descr, new EquatableArray<long>(shape), new EquatableArray<double>(values));
    }

    /// <summary>True for the dtypes weights may have: float64 or float32, little- or big-endian ('&lt;f8', '&gt;f8', '&lt;f4', '&gt;f4').</summary>
    public static bool IsFloat(string descr) => descr is "<f8" or ">f8" or "<f4" or ">f4";

    /// <summary>The bytes per element of a dtype string such as '&lt;f8' (8); 0 when it has no such size.</summary>
    public static int ItemSize(string descr)
        => descr.Length == 3 && descr[2] is >= '1' and <= '9' && descr[1] is >= 'a' and <= 'z' ? descr[2] - '0' : 0;

    private static double ReadDouble(byte[] data, int offset, bool bigEndian)
    {
        long bits = 0;
        for (int i = 0; i < 8; i++)
        {
            bits |= (long)data[offset + (bigEndian ? 7 - i : i)] << (8 * i);
        }

        return BitConverter.Int64BitsToDouble(bits);
    }

    private static double ReadSingle(byte[] data, int offset, bool bigEndian)
    {
        var four = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            four[BitConverter.IsLittleEndian ? i : 3 - i] = data[offset + (bigEndian ? 3 - i : i)];
        }

        return BitConverter.ToSingle(four, 0);
    }

    /// <summary>
    /// The header dictionary, a Python literal such as <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (4, 5), }</c>:
    /// exactly the keys descr (a string), fortran_order (True or False) and shape (a tuple of integers).
    /// </summary>
    private static (string Descr, bool Fortran, long[] Shape) ParseHeader(string text, string what)
    {
        var parser = new LiteralParser(text);
        Dictionary<string, object>? dictionary = parser.ParseDictionary(out string error);
        if (dictionary is null)
        {
            throw new InvalidDataException(what + " has a header that cannot be read: " + error);
        }

        if (dictionary.Count != 3
            || !dictionary.TryGetValue("descr", out object? descr)
            || !dictionary.TryGetValue("fortran_order", out object? fortran)
            || !dictionary.TryGetValue("shape", out object? shape))
        {
            throw new InvalidDataException(what + " has a header without exactly the keys 'descr', 'fortran_order' and 'shape'");
        }

        if (descr is not string descrText)
        {
            throw new InvalidDataException(what + " has a 'descr' that is not a plain dtype string (a structured array is not a parameter)");
        }

        if (fortran is not bool fortranOrder)
        {
            throw new InvalidDataException(what + " has a 'fortran_order' that is not True or False");
        }

        if (shape is not long[] dimensions)
        {
            throw new InvalidDataException(what + " has a 'shape' that is not a tuple of integers");
        }

        return (descrText, fortranOrder, dimensions);
    }

    /// <summary>The shape as NumPy prints it: (20, 12288), (20,) or ().</summary>
    public static string FormatShape(long[] shape) => shape.Length switch
    {
        0 => "()",
        1 => "(" + shape[0].ToString(CultureInfo.InvariantCulture) + ",)",
        _ => "(" + string.Join(", ", Array.ConvertAll(shape, d => d.ToString(CultureInfo.InvariantCulture))) + ")",
    };

    /// <summary>Text from the file, shortened and stripped of control characters, for a message.</summary>
    internal static string Quote(string text)
    {
        var builder = new StringBuilder();
        foreach (char c in text.Length > 80 ? text.Substring(0, 80) : text)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.Append(text.Length > 80 ? "..." : string.Empty).ToString();
    }

    private static readonly Encoding Latin1 = Encoding.GetEncoding("iso-8859-1");

    private static void Need(byte[] bytes, long position, long length, string part)
    {
        if (position < 0 || length < 0 || position + length > bytes.Length)
        {
            throw new InvalidDataException("it is truncated: it ends inside " + part);
        }
    }

    /// <summary>An offset from the file, checked to leave <paramref name="length"/> bytes inside it.</summary>
    private static long Offset(ulong offset, long length, byte[] bytes)
    {
        if (offset > (ulong)bytes.Length || length < 0 || (long)offset + length > bytes.Length)
        {
            throw new InvalidDataException("it is truncated or damaged: an offset in its ZIP directory points past its end");
        }

        return (long)offset;
    }

    private static int U16(byte[] b, int i)
    {
        Need(b, i, 2, "a ZIP record");
        return b[i] | (b[i + 1] << 8);
    }

    private static uint U32(byte[] b, int i)
    {
        Need(b, i, 4, "a ZIP record");
        return (uint)(b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
    }

    private static ulong U64(byte[] b, int i) => U32(b, i) | ((ulong)U32(b, i + 4) << 32);

    /// <summary>
    /// A recursive-descent reader for the small part of Python's literal syntax that .npy headers use: a dictionary with
    /// string keys, string, True/False and tuple-of-integer values, optional trailing commas and spaces.
    /// </summary>
    private sealed class LiteralParser
    {
        private readonly string _text;
        private int _position;

        public LiteralParser(string text) => _text = text;

        public Dictionary<string, object>? ParseDictionary(out string error)
        {
            var result = new Dictionary<string, object>(StringComparer.Ordinal);
            SkipSpaces();
            if (!TryConsume('{'))
            {
                error = "it is not a Python dictionary";
                return null;
            }

            while (true)
            {
                SkipSpaces();
                if (TryConsume('}'))
                {
                    break;
                }

                string? key = ParseString();
                SkipSpaces();
                if (key is null || !TryConsume(':'))
                {
                    error = "the dictionary is malformed";
                    return null;
                }

                SkipSpaces();
                object? value = ParseValue();
                if (value is null)
                {
                    error = "the value of '" + Quote(key) + "' is not a string, True, False or a tuple of integers";
                    return null;
                }

                if (result.ContainsKey(key))
                {
                    error = "it repeats the key '" + Quote(key) + "'";
                    return null;
                }

                result.Add(key, value);
                SkipSpaces();
                if (TryConsume(','))
                {
                    continue;
                }

                SkipSpaces();
                if (TryConsume('}'))
                {
                    break;
                }

                error = "the dictionary is malformed";
                return null;
            }

            SkipSpaces();
            if (_position != _text.Length)
            {
                error = "it has text after its dictionary";
                return null;
            }

            error = string.Empty;
            return result;
        }

        private object? ParseValue()
        {
            if (_position >= _text.Length)
            {
                return null;
            }

            char c = _text[_position];
            if (c is '\'' or '"')
            {
                return ParseString();
            }

            if (c == '(')
            {
                return ParseTuple();
            }

            if (TryConsumeWord("True"))
            {
                return true;
            }

            return TryConsumeWord("False") ? false : null;
        }

        private string? ParseString()
        {
            if (_position >= _text.Length || _text[_position] is not ('\'' or '"'))
            {
                return null;
            }

            char quote = _text[_position];
            int end = _text.IndexOf(quote, _position + 1);
            if (end < 0 || _text.IndexOf('\\', _position + 1, end - _position - 1) >= 0)
            {
                return null;
            }

            string value = _text.Substring(_position + 1, end - _position - 1);
            _position = end + 1;
            return value;
        }

        private long[]? ParseTuple()
        {
            _position++; // '('
            var values = new List<long>();
            bool trailingComma = false;
            while (true)
            {
                SkipSpaces();
                if (TryConsume(')'))
                {
                    // "(5)" is a parenthesised integer in Python, not a tuple: a one-element tuple is "(5,)".
                    return values.Count == 1 && !trailingComma ? null : values.ToArray();
                }

                if (values.Count > 0 && !trailingComma)
                {
                    return null;
                }

                int start = _position;
                while (_position < _text.Length && _text[_position] is >= '0' and <= '9')
                {
                    _position++;
                }

                if (_position == start
                    || !long.TryParse(_text.Substring(start, _position - start), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                {
                    return null;
                }

                values.Add(value);
                SkipSpaces();
                trailingComma = TryConsume(',');
            }
        }

        private bool TryConsume(char c)
        {
            if (_position < _text.Length && _text[_position] == c)
            {
                _position++;
                return true;
            }

            return false;
        }

        private bool TryConsumeWord(string word)
        {
            if (string.CompareOrdinal(_text, _position, word, 0, word.Length) == 0
                && (_position + word.Length == _text.Length || !char.IsLetterOrDigit(_text[_position + word.Length])))
            {
                _position += word.Length;
                return true;
            }

            return false;
        }

        private void SkipSpaces()
        {
            while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\n' or '\r')
            {
                _position++;
            }
        }
    }
}

/// <summary>CRC-32 (IEEE 802.3, the ZIP checksum).</summary>
internal static class Crc32
{
    private static readonly uint[] Table = CreateTable();

    public static uint Compute(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
