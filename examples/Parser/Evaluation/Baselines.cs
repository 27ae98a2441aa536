using System.Collections.Generic;

namespace MeProp.Examples.Parser;

/// <summary>Trivial parsers to set the trained one against: chains that attach every word to a neighbour.</summary>
public static class Baselines
{
    /// <summary>Every word attached to the word before it, the first to the root, all arcs with label 0, the most frequent in training (a new array's zeros).</summary>
    public static AttachmentScores LeftNeighbour(IReadOnlyList<EncodedSentence> sentences)
        => Chain(sentences, (i, n) => i); // word i + 1's head is word i (0: the root)

    /// <summary>
    /// Every word attached to the word after it, the last to the root, all arcs with label 0. The
    /// stronger chain in English UD, whose determiners, adjectives, auxiliaries and case markers
    /// precede their heads.
    /// </summary>
    public static AttachmentScores RightNeighbour(IReadOnlyList<EncodedSentence> sentences)
        => Chain(sentences, (i, n) => i + 1 < n ? i + 2 : 0);

    private static AttachmentScores Chain(IReadOnlyList<EncodedSentence> sentences, System.Func<int, int, int> headOf)
    {
        var heads = new int[sentences.Count][];
        var labels = new int[sentences.Count][];
        for (int s = 0; s < sentences.Count; s++)
        {
            int n = sentences[s].Length;
            heads[s] = new int[n];
            labels[s] = new int[n];
            for (int i = 0; i < n; i++) heads[s][i] = headOf(i, n);
        }
        return AttachmentScores.Of(sentences, heads, labels);
    }
}
