using System;
using System.Collections.Generic;
using System.Linq;

namespace MeProp.Datasets.Conllu;

/// <summary>
/// One CoNLL-U sentence: its word lines in order (ids 1 to <see cref="Count"/>), and the comment
/// lines that preceded them. Multiword-token lines (<c>3-4</c>) and empty nodes (<c>8.1</c>) are not
/// words here: the tagging and parsing tasks work on words, and the reader leaves them out.
/// </summary>
public sealed class ConlluSentence
{
    private readonly ConlluWord[] _words;
    private readonly string[] _comments;

    /// <summary>
    /// A sentence of <paramref name="words"/>, whose ids must be 1, 2, 3, ... in order and whose
    /// heads must be null or within 0..words.Count.
    /// </summary>
    /// <param name="words">The words, at least one.</param>
    /// <param name="comments">Comment lines, each starting with <c>#</c> (for example <c># sent_id = ...</c>); none when null.</param>
    /// <param name="lineNumber">The line of the file where the sentence starts (its first comment or word); 0 for a sentence made in code.</param>
    /// <exception cref="ArgumentException">No words, an id out of order, a head outside the sentence, or a comment without <c>#</c>.</exception>
    public ConlluSentence(IEnumerable<ConlluWord> words, IEnumerable<string>? comments = null, int lineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(words);
        _words = words.ToArray();
        _comments = comments?.ToArray() ?? Array.Empty<string>();
        LineNumber = lineNumber;
        if (_words.Length == 0) throw new ArgumentException("A sentence needs at least one word.", nameof(words));
        for (int i = 0; i < _words.Length; i++)
        {
            ConlluWord word = _words[i] ?? throw new ArgumentException($"Word {i + 1} is null.", nameof(words));
            if (word.Id != i + 1)
                throw new ArgumentException($"The word at position {i + 1} has id {word.Id}; ids must run 1, 2, 3, ... in order.", nameof(words));
            if (word.Head is int head && (head < 0 || head > _words.Length))
                throw new ArgumentException($"Word {word.Id} has head {head}, outside 0..{_words.Length} (0 is the root; the sentence has {_words.Length} words).", nameof(words));
        }
        foreach (string comment in _comments)
            if (comment is null || !comment.StartsWith('#'))
                throw new ArgumentException($"A comment line must start with '#', but one is {(comment is null ? "null" : $"'{comment}'")}.", nameof(comments));
    }

    /// <summary>The words, in order; word i (0-based) has id i + 1.</summary>
    public IReadOnlyList<ConlluWord> Words => _words;

    /// <summary>The comment lines before the words, with their <c>#</c>, in file order.</summary>
    public IReadOnlyList<string> Comments => _comments;

    /// <summary>The number of words.</summary>
    public int Count => _words.Length;

    /// <summary>The 1-based line of the file where the sentence starts (its first comment or word); 0 for a sentence made in code.</summary>
    public int LineNumber { get; }

    /// <summary>The value of the <c># sent_id = ...</c> comment, or null when there is none.</summary>
    public string? SentenceId
    {
        get
        {
            const string prefix = "# sent_id =";
            foreach (string comment in _comments)
                if (comment.StartsWith(prefix, StringComparison.Ordinal)) return comment[prefix.Length..].Trim();
            return null;
        }
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"{SentenceId ?? (LineNumber > 0 ? $"sentence at line {LineNumber}" : "sentence")}: {string.Join(' ', _words.Select(w => w.Form))}";
}
