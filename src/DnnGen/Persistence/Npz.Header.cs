using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Text;
using DnnGen.Persistence;

namespace DnnGen;

// The .npy preamble reader shared by the parameter loader (LoadNpz) and the data reader (NumPyFile).
public static partial class Npz
{
    /// <summary>
    /// Reads a .npy preamble from <paramref name="reader"/>: NumPy's magic string, the format version (1.0, 2.0 or 3.0),
    /// the header length (2 bytes in version 1.0, 4 in 2.0 and 3.0) and the header dictionary, which it parses.
    /// </summary>
    /// <param name="reader">The entry's reader, positioned at its start.</param>
    /// <param name="what">The array, for messages: <c>'file.npz': array 'W1' (...)</c>.</param>
    /// <exception cref="InvalidDataException">The preamble is missing, truncated, of another version or unreadable.</exception>
    private static NpyHeader ReadNpyHeader(EntryReader reader, string what) => ReadNpyHeader(reader, what, out _);

    /// <inheritdoc cref="ReadNpyHeader(EntryReader, string)"/>
    /// <param name="reader">The entry's reader, positioned at its start.</param>
    /// <param name="what">The array, for messages.</param>
    /// <param name="preambleLength">The number of bytes read: where the data start.</param>
    private static NpyHeader ReadNpyHeader(EntryReader reader, string what, out long preambleLength)
    {
        Span<byte> preamble = stackalloc byte[12];
        if (!reader.TryReadExactly(preamble[..8]) || !preamble[..6].SequenceEqual(NpyHeader.Magic))
        {
            throw new InvalidDataException($"{what} is not a .npy array: it does not start with NumPy's magic string.");
        }

        int major = preamble[6];
        if (preamble[7] != 0 || major is not (1 or 2 or 3))
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{what} uses .npy format version {major}.{preamble[7]}; only 1.0, 2.0 and 3.0 exist."));
        }

        long headerLength;
        if (major == 1)
        {
            if (!reader.TryReadExactly(preamble.Slice(8, 2)))
            {
                throw Truncated(what, "its header");
            }

            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(preamble.Slice(8, 2));
            preambleLength = 10 + headerLength;
        }
        else
        {
            if (!reader.TryReadExactly(preamble.Slice(8, 4)))
            {
                throw Truncated(what, "its header");
            }

            headerLength = BinaryPrimitives.ReadUInt32LittleEndian(preamble.Slice(8, 4));
            preambleLength = 12 + headerLength;
        }

        if (headerLength > NpyHeader.MaxHeaderLength)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{what} has a header of {headerLength} bytes; NumPy writes at most {NpyHeader.MaxHeaderLength}."));
        }

        var headerBytes = new byte[headerLength];
        if (!reader.TryReadExactly(headerBytes))
        {
            throw Truncated(what, "its header");
        }

        string headerText = major == 3 ? DecodeUtf8(headerBytes, what) : Encoding.Latin1.GetString(headerBytes);
        return NpyHeader.Parse(headerText, out string problem)
            ?? throw new InvalidDataException($"{what} has an unreadable header ({problem}): {Quote(headerText)}");
    }
}
