using System;
using System.Buffers.Binary;
using System.Text;

namespace DnnGen.Persistence;

/// <summary>
/// A growing buffer that writes the protocol buffers wire format, just the part ONNX's messages need: varints
/// (int32, int64, enums), 32-bit floats, and length-delimited strings, bytes and embedded messages
/// (https://protobuf.dev/programming-guides/encoding/). Written by hand so that the runtime library needs no
/// protobuf package (it stays dependency-free, trimmable and NativeAOT-compatible).
/// </summary>
internal sealed class ProtoBuffer
{
    private const int Varint = 0;
    private const int Fixed32 = 5;
    private const int LengthDelimited = 2;

    private byte[] _bytes = new byte[64];
    private int _length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, _length);

    public int Length => _length;

    /// <summary>The bytes a varint of <paramref name="value"/> takes: 1 to 10.</summary>
    public static int VarintSize(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    /// <summary>The bytes a field's tag takes.</summary>
    public static int TagSize(int field) => VarintSize((ulong)field << 3);

    /// <summary>An int64 (or int32, or enum) field: a varint; a negative value takes ten bytes, as protobuf writes it.</summary>
    public ProtoBuffer Int64(int field, long value)
    {
        Tag(field, Varint);
        WriteVarint((ulong)value);
        return this;
    }

    /// <summary>A float field: four bytes, little-endian.</summary>
    public ProtoBuffer Float(int field, float value)
    {
        Tag(field, Fixed32);
        BinaryPrimitives.WriteSingleLittleEndian(Reserve(sizeof(float)), value);
        return this;
    }

    /// <summary>A string field, in UTF-8.</summary>
    public ProtoBuffer String(int field, string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        LengthPrefix(field, count);
        Encoding.UTF8.GetBytes(value, Reserve(count));
        return this;
    }

    /// <summary>An embedded message field.</summary>
    public ProtoBuffer Message(int field, ProtoBuffer message)
    {
        LengthPrefix(field, message.Length);
        message.Written.CopyTo(Reserve(message.Length));
        return this;
    }

    /// <summary>
    /// The tag and length of a length-delimited field whose <paramref name="length"/> bytes the caller writes next
    /// (here, or straight to the destination, as a tensor's raw data is).
    /// </summary>
    public ProtoBuffer LengthPrefix(int field, long length)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)length);
        return this;
    }

    /// <summary>Bytes as they are, not a field: the content of a length-delimited field whose prefix was written.</summary>
    public ProtoBuffer Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        return this;
    }

    private void Tag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

    private void WriteVarint(ulong value)
    {
        Span<byte> bytes = Reserve(VarintSize(value));
        int i = 0;
        while (value >= 0x80)
        {
            bytes[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        bytes[i] = (byte)value;
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + count));
        }

        Span<byte> reserved = _bytes.AsSpan(_length, count);
        _length += count;
        return reserved;
    }
}
