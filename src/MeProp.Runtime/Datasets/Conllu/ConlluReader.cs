using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace MeProp.Datasets.Conllu;

/// <summary>
/// Reads CoNLL-U (the Universal Dependencies format) into sentences of words, checking the format as
/// it goes: every problem is a <see cref="ConlluFormatException"/> naming the file and line.
/// </summary>
/// <remarks>
/// <para>The rules: a line starting with <c>#</c> is a comment; a blank line ends a sentence (further
/// blank lines are ignored); every other line has exactly 10 tab-separated, non-empty columns. Lines
/// whose ID is a range (<c>3-4</c>, a multiword token) or a decimal (<c>8.1</c>, an empty node) are
/// skipped: they are not words. The words of a sentence have ids 1, 2, 3, ... in order; HEAD is
/// <c>_</c> or a word id of the sentence, 0 for the root, checked when the sentence ends. The last
/// sentence must be followed by a blank line, as the format requires; a file without it has usually
/// been cut short.</para>
/// <para>Files are read as UTF-8 (a byte order mark is allowed), line by line from the bytes, so that
/// an invalid byte is reported at its own line. A line may end in CR LF. Repeated strings (tags,
/// relations, frequent forms) are stored once per read, which keeps the English EWT training set
/// (14 MB) to a few tens of megabytes in memory.</para>
/// </remarks>
public static class ConlluReader
{
    /// <summary>The number of tab-separated columns of every token line.</summary>
    public const int Columns = 10;

    /// <summary>The column names, in order, as the format's documentation spells them.</summary>
    public static IReadOnlyList<string> ColumnNames { get; } = new[] { "ID", "FORM", "LEMMA", "UPOS", "XPOS", "FEATS", "HEAD", "DEPREL", "DEPS", "MISC" };

    // Strict: an invalid byte throws (at its line) instead of silently becoming U+FFFD.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads the CoNLL-U file at <paramref name="path"/>.</summary>
    /// <exception cref="ConlluFormatException">The file breaks a rule of the format; the message names the file and line.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static IReadOnlyList<ConlluSentence> ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Read(stream, path);
    }

    /// <summary>Reads CoNLL-U from the UTF-8 bytes of <paramref name="stream"/>; <paramref name="displayName"/> names it in errors.</summary>
    /// <exception cref="ConlluFormatException">The data breaks a rule of the format (invalid UTF-8 included).</exception>
    public static IReadOnlyList<ConlluSentence> Read(Stream stream, string displayName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(displayName);
        var parser = new Parser(displayName);
        byte[] bytes = ArrayPool<byte>.Shared.Rent(1 << 16);
        char[] chars = ArrayPool<char>.Shared.Rent(1 << 12);
        try
        {
            int start = 0, end = 0, lineNumber = 0;
            long lineOffset = 0; // of bytes[start], for the invalid-UTF-8 message
            bool endOfStream = false;
            while (true)
            {
                int newline = bytes.AsSpan(start, end - start).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    if (endOfStream)
                    {
                        // A last line without a line break is still a line.
                        if (end > start) Line(bytes.AsSpan(start, end - start), ++lineNumber, lineOffset, ref chars, parser);
                        break;
                    }
                    // Keep the partial line and fill the rest of the buffer; a line longer than the
                    // buffer doubles it.
                    if (start > 0)
                    {
                        Buffer.BlockCopy(bytes, start, bytes, 0, end - start);
                        end -= start;
                        start = 0;
                    }
                    if (end == bytes.Length) Grow(ref bytes, end, bytes.Length * 2);
                    int read = stream.Read(bytes, end, bytes.Length - end);
                    if (read == 0) endOfStream = true;
                    end += read;
                    continue;
                }
                Line(bytes.AsSpan(start, newline), ++lineNumber, lineOffset, ref chars, parser);
                start += newline + 1;
                lineOffset += newline + 1;
            }
            return parser.Finish(lineNumber);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>
    /// Reads CoNLL-U from <paramref name="reader"/> (already decoded text); <paramref name="displayName"/>
    /// names it in errors.
    /// </summary>
    /// <exception cref="ConlluFormatException">The text breaks a rule of the format.</exception>
    public static IReadOnlyList<ConlluSentence> Read(TextReader reader, string displayName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(displayName);
        var parser = new Parser(displayName);
        int lineNumber = 0;
        while (reader.ReadLine() is string line)
        {
            ReadOnlySpan<char> text = line;
            if (lineNumber == 0 && text.StartsWith('\uFEFF')) text = text[1..];
            parser.Line(text, ++lineNumber);
        }
        return parser.Finish(lineNumber);
    }

    // Decodes one line's bytes (without its '\n') and hands it to the parser.
    private static void Line(ReadOnlySpan<byte> bytes, int lineNumber, long offset, ref char[] chars, Parser parser)
    {
        if (lineNumber == 1 && bytes.StartsWith(Encoding.UTF8.Preamble))
        {
            bytes = bytes[3..];
            offset += 3;
        }
        if (!bytes.IsEmpty && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        // UTF-8 never has more characters than bytes.
        if (chars.Length < bytes.Length)
        {
            ArrayPool<char>.Shared.Return(chars);
            chars = ArrayPool<char>.Shared.Rent(bytes.Length);
        }
        int count;
        try
        {
            count = StrictUtf8.GetChars(bytes, chars);
        }
        catch (DecoderFallbackException e)
        {
            string where = e.Index >= 0 ? $" at byte {e.Index + 1} of the line (byte offset {offset + e.Index} in the file)" : "";
            throw new ConlluFormatException(parser.Source, lineNumber, $"invalid UTF-8{where}; CoNLL-U files are UTF-8", e);
        }
        parser.Line(chars.AsSpan(0, count), lineNumber);
    }

    private static void Grow(ref byte[] bytes, int keep, int size)
    {
        byte[] larger = ArrayPool<byte>.Shared.Rent(size);
        Buffer.BlockCopy(bytes, 0, larger, 0, keep);
        ArrayPool<byte>.Shared.Return(bytes);
        bytes = larger;
    }

    // The format's rules over a sequence of lines; one instance per read.
    private sealed class Parser
    {
        private readonly List<ConlluSentence> _sentences = new();
        private readonly List<ConlluWord> _words = new();
        private readonly List<string> _comments = new();
        private readonly StringPool _pool = new();
        private int _sentenceLine; // first line of the sentence being read; 0 between sentences

        public Parser(string source) => Source = source;

        public string Source { get; }

        public void Line(ReadOnlySpan<char> line, int lineNumber)
        {
            if (line.IsEmpty)
            {
                if (_sentenceLine != 0) EndSentence(lineNumber);
                return;
            }
            if (_sentenceLine == 0) _sentenceLine = lineNumber;
            if (line[0] == '#')
            {
                _comments.Add(line.ToString());
                return;
            }
            if (line.IsWhiteSpace())
                throw Error(lineNumber, "the line holds only white space; a sentence ends at an empty line, and a token line has 10 tab-separated columns");

            int tabs = line.Count('\t');
            if (tabs != Columns - 1)
                throw Error(lineNumber, $"expected {Columns} tab-separated columns, found {tabs + 1}");
            Span<Range> columns = stackalloc Range[Columns];
            line.Split(columns, '\t');
            for (int c = 0; c < Columns; c++)
                if (line[columns[c]].IsEmpty)
                    throw Error(lineNumber, $"column {c + 1} ({ColumnNames[c]}) is empty; a missing value is written _");

            ReadOnlySpan<char> idText = line[columns[0]];
            if (!TryParseId(idText, out int id))
            {
                // Multiword tokens (3-4) and empty nodes (8.1) are not words of the sentence.
                if (IsRange(idText, '-') || IsRange(idText, '.')) return;
                throw Error(lineNumber, $"the ID is '{idText}'; expected a word id (1, 2, 3, ...), a multiword-token range like 3-4 or an empty node like 8.1");
            }
            int expected = _words.Count + 1;
            if (id != expected)
                throw Error(lineNumber, $"word id {id} is out of order: expected {expected} (the ids of a sentence's words run 1, 2, 3, ...)");

            ReadOnlySpan<char> headText = line[columns[6]];
            int? head = null;
            if (headText is not "_")
            {
                if (!TryParseId(headText, out int value))
                    throw Error(lineNumber, $"HEAD is '{headText}'; expected _ or the id of a word of the sentence (0 for the root)");
                head = value; // whether the word exists is known only at the sentence's end
            }

            _words.Add(new ConlluWord(
                id,
                _pool.Get(line[columns[1]]),
                _pool.Get(line[columns[2]]),
                _pool.Get(line[columns[3]]),
                _pool.Get(line[columns[4]]),
                _pool.Get(line[columns[5]]),
                head,
                _pool.Get(line[columns[7]]),
                _pool.Get(line[columns[8]]),
                _pool.Get(line[columns[9]]),
                lineNumber));
        }

        public IReadOnlyList<ConlluSentence> Finish(int lastLineNumber)
        {
            if (_sentenceLine != 0)
                throw Error(lastLineNumber,
                    $"missing blank line at the end of the file: the sentence that starts at line {_sentenceLine} must be followed by an empty line (the file may have been cut short)");
            return _sentences;
        }

        private void EndSentence(int blankLine)
        {
            int count = _words.Count;
            if (count == 0)
                throw Error(_sentenceLine, $"the sentence from here to the blank line {blankLine} has no word lines (only comments, multiword tokens or empty nodes)");
            foreach (ConlluWord word in _words)
                if (word.Head is int head && head > count)
                    throw Error(word.LineNumber, $"HEAD {head} of word {word.Id} is outside 0..{count}: the sentence has {count} words");
            _sentences.Add(new ConlluSentence(_words, _comments, _sentenceLine));
            _words.Clear();
            _comments.Clear();
            _sentenceLine = 0;
        }

        private ConlluFormatException Error(int lineNumber, string detail) => new(Source, lineNumber, detail);

        // A plain non-negative decimal integer: no sign, no spaces, no thousands separators.
        private static bool TryParseId(ReadOnlySpan<char> text, out int value)
            => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

        // "a<separator>b" with a and b plain integers: 3-4 or 8.1.
        private static bool IsRange(ReadOnlySpan<char> text, char separator)
        {
            int at = text.IndexOf(separator);
            return at > 0 && TryParseId(text[..at], out _) && TryParseId(text[(at + 1)..], out _);
        }
    }

    // Each distinct column value is stored once per read: a file repeats its few tags and relations
    // hundreds of thousands of times, and its frequent forms thousands of times.
    private sealed class StringPool
    {
        private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        public StringPool() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

        public string Get(ReadOnlySpan<char> text)
        {
            if (_lookup.TryGetValue(text, out string? existing)) return existing;
            string value = text.ToString();
            _strings.Add(value, value);
            return value;
        }
    }
}
