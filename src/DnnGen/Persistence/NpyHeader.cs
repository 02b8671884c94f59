using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace DnnGen.Persistence;

/// <summary>
/// The header of one .npy array (NumPy's format 1.0, 2.0 and 3.0): its dtype string, memory order and shape. Writing
/// reproduces NumPy's own bytes for a C-order array (float64 matrices, int64 scalars); reading accepts what NumPy
/// writes, and nothing else.
/// </summary>
internal readonly record struct NpyHeader(string Descr, bool FortranOrder, long[] Shape)
{
    /// <summary>"\x93NUMPY": the first six bytes of every .npy file.</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>NumPy refuses headers longer than this (numpy.lib.format._MAX_HEADER_SIZE), and so does DnnGen.</summary>
    public const int MaxHeaderLength = 10000;

    // numpy.lib.format: the header is padded so that the data start on a 64-byte boundary, and leaves room for the
    // first axis to grow to 21 digits.
    private const int ArrayAlign = 64;
    private const int GrowthAxisMaxDigits = 21;

    /// <summary>The shape as NumPy prints it: (20, 12288), (20, 1), (5,) or ().</summary>
    public static string FormatShape(ReadOnlySpan<long> shape) => shape.Length switch
    {
        0 => "()",
        1 => string.Create(CultureInfo.InvariantCulture, $"({shape[0]},)"),
        _ => "(" + string.Join(", ", shape.ToArray()) + ")",
    };

    /// <summary>
    /// The complete version 1.0 preamble for a C-order little-endian float64 array of <paramref name="shape"/>: magic,
    /// version, header length and the padded header, byte for byte what <c>np.save</c> writes.
    /// </summary>
    public static byte[] Float64Preamble(ReadOnlySpan<long> shape) => Preamble("<f8", shape);

    /// <summary>
    /// The complete version 1.0 preamble for a C-order array of dtype <paramref name="descr"/> (<c>'&lt;f8'</c>,
    /// <c>'&lt;i8'</c>, ...) and <paramref name="shape"/>, byte for byte what <c>np.save</c> writes: for a 0-d int64
    /// such as <c>np.int64(25000)</c>, <c>Preamble("&lt;i8", [])</c>.
    /// </summary>
    public static byte[] Preamble(string descr, ReadOnlySpan<long> shape)
    {
        string dictionary = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + FormatShape(shape) + ", }";
        if (shape.Length > 0)
        {
            dictionary += new string(' ', GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length);
        }

        int headerLength = dictionary.Length + 1; // the final '\n'
        int padding = ArrayAlign - ((Magic.Length + 2 + 2 + headerLength) % ArrayAlign);
        var preamble = new byte[Magic.Length + 2 + 2 + headerLength + padding];
        Magic.CopyTo(preamble);
        preamble[6] = 1; // version 1.0
        preamble[7] = 0;
        int length = headerLength + padding;
        preamble[8] = (byte)length;
        preamble[9] = (byte)(length >> 8);
        int written = Encoding.ASCII.GetBytes(dictionary, preamble.AsSpan(10));
        preamble.AsSpan(10 + written, padding).Fill((byte)' ');
        preamble[^1] = (byte)'\n';
        return preamble;
    }

    /// <summary>
    /// Parses the header dictionary, a Python literal such as <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (4, 5), }</c>.
    /// </summary>
    /// <returns>The header, or null with <paramref name="error"/> saying what is wrong.</returns>
    public static NpyHeader? Parse(string text, out string error)
    {
        var parser = new LiteralParser(text);
        Dictionary<string, object>? dictionary = parser.ParseDictionary(out error);
        if (dictionary is null)
        {
            return null;
        }

        if (dictionary.Count != 3 ||
            !dictionary.TryGetValue("descr", out object? descr) ||
            !dictionary.TryGetValue("fortran_order", out object? fortran) ||
            !dictionary.TryGetValue("shape", out object? shape))
        {
            error = "the header must have exactly the keys 'descr', 'fortran_order' and 'shape'";
            return null;
        }

        if (descr is not string descrText)
        {
            error = "'descr' is not a plain dtype string (structured arrays are not parameters)";
            return null;
        }

        if (fortran is not bool fortranOrder)
        {
            error = "'fortran_order' is not True or False";
            return null;
        }

        if (shape is not long[] dimensions)
        {
            error = "'shape' is not a tuple of integers";
            return null;
        }

        error = string.Empty;
        return new NpyHeader(descrText, fortranOrder, dimensions);
    }

    /// <summary>
    /// A recursive-descent reader for the small part of Python's literal syntax that .npy headers use: a dictionary with
    /// string keys, string, True/False and tuple-of-integer values, optional trailing commas and spaces.
    /// </summary>
    private ref struct LiteralParser
    {
        private readonly string _text;
        private int _position;

        public LiteralParser(string text)
        {
            _text = text;
            _position = 0;
        }

        public Dictionary<string, object>? ParseDictionary(out string error)
        {
            var result = new Dictionary<string, object>(StringComparer.Ordinal);
            SkipSpaces();
            if (!TryConsume('{'))
            {
                error = "the header is not a Python dictionary";
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
                    error = "the header dictionary is malformed";
                    return null;
                }

                SkipSpaces();
                object? value = ParseValue();
                if (value is null || !result.TryAdd(key, value))
                {
                    error = value is null
                        ? $"the header's value for '{key}' is not a string, True, False or a tuple of integers"
                        : $"the header repeats the key '{key}'";
                    return null;
                }

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

                error = "the header dictionary is malformed";
                return null;
            }

            SkipSpaces();
            if (_position != _text.Length)
            {
                error = "the header has text after its dictionary";
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

            if (TryConsumeWord("False"))
            {
                return false;
            }

            return null;
        }

        private string? ParseString()
        {
            if (_position >= _text.Length || _text[_position] is not ('\'' or '"'))
            {
                return null;
            }

            char quote = _text[_position];
            int end = _text.IndexOf(quote, _position + 1);
            if (end < 0 || _text.AsSpan(_position + 1, end - _position - 1).Contains('\\'))
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
                while (_position < _text.Length && char.IsAsciiDigit(_text[_position]))
                {
                    _position++;
                }

                if (_position == start ||
                    !long.TryParse(_text.AsSpan(start, _position - start), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
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
            if (string.CompareOrdinal(_text, _position, word, 0, word.Length) == 0 &&
                (_position + word.Length == _text.Length || !char.IsAsciiLetterOrDigit(_text[_position + word.Length])))
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
