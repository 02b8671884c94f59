using System;

namespace DnnGen.Persistence;

/// <summary>
/// The CRC-32 of ZIP (IEEE 802.3, reflected polynomial 0xEDB88320). System.IO.Compression does not check an entry's
/// CRC when it is read, so the loader computes it itself to catch flipped bits in stored (uncompressed) entries.
/// </summary>
internal struct Crc32
{
    private static readonly uint[] s_table = CreateTable();

    private uint _value;

    public Crc32() => _value = 0xFFFFFFFFu;

    /// <summary>The CRC of everything appended so far.</summary>
    public readonly uint Value => ~_value;

    public void Append(ReadOnlySpan<byte> data)
    {
        uint crc = _value;
        foreach (byte b in data)
        {
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        _value = crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
