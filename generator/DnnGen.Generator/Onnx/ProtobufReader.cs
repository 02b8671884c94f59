using System;
using System.Text;

namespace DnnGen.Generator.Onnx;

/// <summary>Thrown by the decoder for bytes that are not a well-formed protobuf message; the reader turns it into an error.</summary>
internal sealed class OnnxFormatException : Exception
{
    public OnnxFormatException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// The protobuf wire format, by hand (the generator cannot take a package dependency): a message is a sequence of
/// fields, each a varint key (field number &lt;&lt; 3 | wire type) and a value that is a varint (wire type 0), 8 bytes
/// (1), a varint length and that many bytes (2, strings, bytes, sub-messages and packed repeated scalars), or 4 bytes
/// (5). Groups (3 and 4) are obsolete and ONNX never writes them. See https://protobuf.dev/programming-guides/encoding/.
/// </summary>
/// <remarks>
/// Every read is bounded by the end of the message it is in: a length that runs past it, a varint of more than ten
/// bytes or a key of field 0 is an <see cref="OnnxFormatException"/>, never an out-of-range access or an allocation of
/// a size the bytes do not hold.
/// </remarks>
internal struct ProtobufReader
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    private readonly byte[] _bytes;
    private readonly int _end;
    private int _position;

    public ProtobufReader(byte[] bytes)
        : this(bytes, 0, bytes.Length)
    {
    }

    public ProtobufReader(byte[] bytes, int start, int end)
    {
        _bytes = bytes;
        _position = start;
        _end = end;
    }

    public bool AtEnd => _position >= _end;

    /// <summary>Reads the next field's key; false at the end of the message.</summary>
    public bool TryReadKey(out int field, out int wireType)
    {
        if (AtEnd)
        {
            field = 0;
            wireType = 0;
            return false;
        }

        ulong key = ReadVarint();
        wireType = (int)(key & 7);
        ulong number = key >> 3;
        if (number == 0 || number > int.MaxValue)
        {
            throw Malformed($"a field number of {number}, which protobuf does not allow");
        }

        field = (int)number;
        return true;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _end)
            {
                throw Malformed("the data end inside a number");
            }

            byte b = _bytes[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw Malformed("a number of more than ten bytes");
    }

    public long ReadInt64() => unchecked((long)ReadVarint());

    public ulong ReadFixed64()
    {
        Need(8);
        ulong value = 0;
        for (int i = 7; i >= 0; i--)
        {
            value = (value << 8) | _bytes[_position + i];
        }

        _position += 8;
        return value;
    }

    public uint ReadFixed32()
    {
        Need(4);
        uint value = (uint)(_bytes[_position] | _bytes[_position + 1] << 8 | _bytes[_position + 2] << 16 | _bytes[_position + 3] << 24);
        _position += 4;
        return value;
    }

    public float ReadFloat() => BitsToSingle(ReadFixed32());

    public double ReadDouble() => BitConverter.Int64BitsToDouble(unchecked((long)ReadFixed64()));

    /// <summary>The value of a length-delimited field, as a reader of its bytes alone.</summary>
    public ProtobufReader ReadMessage()
    {
        int length = ReadLength();
        var inner = new ProtobufReader(_bytes, _position, _position + length);
        _position += length;
        return inner;
    }

    public string ReadString()
    {
        int length = ReadLength();
        string text = Encoding.UTF8.GetString(_bytes, _position, length);
        _position += length;
        return text;
    }

    public ArraySegment<byte> ReadBytes()
    {
        int length = ReadLength();
        var segment = new ArraySegment<byte>(_bytes, _position, length);
        _position += length;
        return segment;
    }

    /// <summary>Skips a field of a number the decoder does not use.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                Need(8);
                _position += 8;
                break;
            case LengthDelimited:
                // Not `_position += ReadLength()`: that adds to the position from before the length was read.
                int length = ReadLength();
                _position += length;
                break;
            case Fixed32:
                Need(4);
                _position += 4;
                break;
            default:
                throw Malformed($"a field of wire type {wireType}, which ONNX does not use");
        }
    }

    /// <summary>Throws unless a known field arrived with the wire type its declaration calls for.</summary>
    public static void Expect(int field, int wireType, int expected, string message)
    {
        if (wireType != expected)
        {
            throw new OnnxFormatException($"{message}'s field {field} has wire type {wireType} where ONNX declares wire type {expected}");
        }
    }

    /// <summary>float's bits as a float (netstandard2.0 has no BitConverter.Int32BitsToSingle).</summary>
    public static float BitsToSingle(uint bits)
    {
        var union = new SingleBits { Bits = bits };
        return union.Value;
    }

    private int ReadLength()
    {
        ulong length = ReadVarint();
        if (length > (ulong)(_end - _position))
        {
            throw Malformed($"a field of {length} bytes where only {_end - _position} remain");
        }

        return (int)length;
    }

    private readonly void Need(int count)
    {
        if (_end - _position < count)
        {
            throw Malformed($"the data end inside a value of {count} bytes");
        }
    }

    /// <summary>An error about the bytes at the reader's position, which the message gives.</summary>
    private readonly OnnxFormatException Malformed(string what)
        => new(what + " at byte " + _position.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)]
    private struct SingleBits
    {
        [System.Runtime.InteropServices.FieldOffset(0)]
        public uint Bits;

        [System.Runtime.InteropServices.FieldOffset(0)]
        public float Value;
    }
}
