using System.Collections.Generic;

namespace MeProp.Examples.Parser;

/// <summary>A trivial parser to set the trained one against.</summary>
public static class Baselines
{
    /// <summary>Every word attached to the word before it, the first to the root, all arcs with label 0, the most frequent in training (a new array's zeros): a chain.</summary>
    public static AttachmentScores LeftNeighbour(IReadOnlyList<EncodedSentence> sentences)
    {
        var heads = new int[sentences.Count][];
        var labels = new int[sentences.Count][];
        for (int s = 0; s < sentences.Count; s++)
        {
            int n = sentences[s].Length;
            heads[s] = new int[n];
            labels[s] = new int[n];
            for (int i = 0; i < n; i++) heads[s][i] = i; // word i + 1's head is word i (0: the root)
        }
        return AttachmentScores.Of(sentences, heads, labels);
    }
}
