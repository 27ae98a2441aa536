using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace MeProp.Datasets.Conllu;

/// <summary>
/// Writes sentences as CoNLL-U: for each sentence its comment lines, its word lines (10
/// tab-separated columns) and a blank line; UTF-8 without a byte order mark, lines ending in LF.
/// What <see cref="ConlluReader"/> reads from a file without multiword tokens or empty nodes is
/// written back byte for byte.
/// </summary>
public static class ConlluWriter
{
    /// <summary>Writes <paramref name="sentences"/> to the file <paramref name="path"/> (created or replaced).</summary>
    /// <exception cref="ArgumentException">A value cannot be written as CoNLL-U (see <see cref="Write"/>).</exception>
    public static void WriteFile(string path, IEnumerable<ConlluSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(sentences);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Write(writer, sentences);
    }

    /// <summary>The CoNLL-U text of <paramref name="sentences"/>.</summary>
    /// <exception cref="ArgumentException">A value cannot be written as CoNLL-U (see <see cref="Write"/>).</exception>
    public static string ToText(IEnumerable<ConlluSentence> sentences)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        Write(text, sentences);
        return text.ToString();
    }

    /// <summary>Writes <paramref name="sentences"/> to <paramref name="writer"/>.</summary>
    /// <exception cref="ArgumentException">
    /// A column value is empty or holds a tab or line break, or a comment holds a line break: the
    /// output would not read back as the same sentence. The message names the sentence and word.
    /// </exception>
    public static void Write(TextWriter writer, IEnumerable<ConlluSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(sentences);
        int index = 0;
        foreach (ConlluSentence sentence in sentences)
        {
            index++;
            if (sentence is null) throw new ArgumentException($"Sentence {index} is null.", nameof(sentences));
            foreach (string comment in sentence.Comments)
            {
                if (comment.AsSpan().IndexOfAny('\n', '\r') >= 0)
                    throw new ArgumentException($"Sentence {index}: the comment '{comment}' holds a line break.", nameof(sentences));
                writer.Write(comment);
                writer.Write('\n'); // LF on every platform, as the format prescribes
            }
            foreach (ConlluWord word in sentence.Words)
            {
                // ConlluSentence guarantees ids 1..n and heads inside the sentence.
                writer.Write(word.Id.ToString(CultureInfo.InvariantCulture));
                Column(writer, word.Form, 2, index, word);
                Column(writer, word.Lemma, 3, index, word);
                Column(writer, word.Upos, 4, index, word);
                Column(writer, word.Xpos, 5, index, word);
                Column(writer, word.Feats, 6, index, word);
                Column(writer, word.Head is int head ? head.ToString(CultureInfo.InvariantCulture) : "_", 7, index, word);
                Column(writer, word.Deprel, 8, index, word);
                Column(writer, word.Deps, 9, index, word);
                Column(writer, word.Misc, 10, index, word);
                writer.Write('\n');
            }
            writer.Write('\n');
        }
    }

    private static void Column(TextWriter writer, string? value, int column, int sentence, ConlluWord word)
    {
        string name = ConlluReader.ColumnNames[column - 1];
        if (string.IsNullOrEmpty(value))
            throw new ArgumentException($"Sentence {sentence}, word {word.Id}: {name} is empty; write _ for a missing value.", "sentences");
        if (value.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0)
            throw new ArgumentException($"Sentence {sentence}, word {word.Id}: {name} '{value}' holds a tab or line break, which would break the line into other columns.", "sentences");
        writer.Write('\t');
        writer.Write(value);
    }
}
