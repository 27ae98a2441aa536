using System;
using System.Collections.Generic;

namespace MeProp.Examples.Parser;

/// <summary>
/// Unlabelled and labelled attachment scores over the words that are not punctuation: the share of
/// words whose predicted head is the gold head (UAS), and whose head and arc label both are (LAS).
/// </summary>
public readonly record struct AttachmentScores(int Scored, int CorrectHeads, int CorrectLabelled)
{
    public double Uas => Scored == 0 ? 0 : (double)CorrectHeads / Scored;
    public double Las => Scored == 0 ? 0 : (double)CorrectLabelled / Scored;

    /// <summary>Scores predicted trees (heads and transition labels of words 1 .. n at 0 .. n-1) against the gold ones.</summary>
    public static AttachmentScores Of(IReadOnlyList<EncodedSentence> gold, IReadOnlyList<int[]> heads, IReadOnlyList<int[]> labels)
    {
        if (heads.Count != gold.Count || labels.Count != gold.Count)
            throw new ArgumentException($"{gold.Count} gold sentences but {heads.Count} predicted head lists and {labels.Count} label lists.");
        int scored = 0, correctHeads = 0, correctLabelled = 0;
        for (int s = 0; s < gold.Count; s++)
        {
            EncodedSentence g = gold[s];
            if (heads[s].Length != g.Length || labels[s].Length != g.Length)
                throw new ArgumentException($"Sentence {s} has {g.Length} words but {heads[s].Length} predicted heads and {labels[s].Length} labels.");
            for (int i = 0; i < g.Length; i++)
            {
                if (g.IsPunctuation[i]) continue;
                scored++;
                if (heads[s][i] != g.Heads[i]) continue;
                correctHeads++;
                if (labels[s][i] == g.Labels[i]) correctLabelled++;
            }
        }
        return new AttachmentScores(scored, correctHeads, correctLabelled);
    }
}
