using System.Text;

namespace DnnGen.Generator;

/// <summary>Writes source text line by line, keeping track of the indentation of nested blocks.</summary>
internal sealed class CodeWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _builder = new();
    private int _depth;

    /// <summary>Writes one line at the current depth; an empty line carries no trailing spaces.</summary>
    public void Line(string text = "")
    {
        if (text.Length > 0)
        {
            for (int i = 0; i < _depth; i++)
            {
                _builder.Append(IndentUnit);
            }

            _builder.Append(text);
        }

        _builder.Append('\n');
    }

    /// <summary>Writes <paramref name="header"/>, an opening brace, and indents what follows.</summary>
    public void Open(string header)
    {
        Line(header);
        Line("{");
        _depth++;
    }

    /// <summary>Writes an opening brace and indents what follows: the body of a header written over several lines.</summary>
    public void OpenBrace()
    {
        Line("{");
        _depth++;
    }

    /// <summary>Closes the innermost block; <paramref name="suffix"/> follows the brace (for example ";").</summary>
    public void Close(string suffix = "")
    {
        _depth--;
        Line("}" + suffix);
    }

    public override string ToString() => _builder.ToString();
}
