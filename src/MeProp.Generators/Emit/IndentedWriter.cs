using System.Text;
using System;

namespace MeProp.Generators.Emit;

/// <summary>The one writer all generated source goes through: indentation, '\n' line ends, nothing culture-dependent.</summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public IndentedWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _depth * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="header"/> and '{', and returns a scope that writes '}' (plus <paramref name="closingSuffix"/>) when disposed.</summary>
    public IDisposable Block(string header, string closingSuffix = "")
    {
        Line(header);
        Line("{");
        _depth++;
        return new Closer(this, closingSuffix);
    }

    /// <summary>Indents the lines written until the returned scope is disposed (the body of a braceless if), with no braces.</summary>
    public IDisposable Indented()
    {
        _depth++;
        return new Closer(this, null);
    }

    public override string ToString() => _text.ToString();

    private sealed class Closer : IDisposable
    {
        private readonly IndentedWriter _writer;
        private readonly string? _suffix;

        public Closer(IndentedWriter writer, string? suffix)
        {
            _writer = writer;
            _suffix = suffix;
        }

        public void Dispose()
        {
            _writer._depth--;
            if (_suffix is not null) _writer.Line("}" + _suffix); // null: an indentation without braces
        }
    }
}
