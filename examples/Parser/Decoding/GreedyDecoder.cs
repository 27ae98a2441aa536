using System;
using System.Collections.Generic;

namespace MeProp.Examples.Parser;

/// <summary>
/// Scores the transitions of a batch of configurations: <paramref name="count"/> rows of features
/// (18 word, 18 tag and 12 label ids per row, row-major) in, <paramref name="count"/> rows of
/// <see cref="TransitionSet.Count"/> scores out.
/// </summary>
public delegate void TransitionScorer(int count, ReadOnlySpan<int> wordIds, ReadOnlySpan<int> tagIds, ReadOnlySpan<int> labelIds, Span<float> scores);

/// <summary>
/// Greedy arc-standard parsing of many sentences at once: the configurations of up to
/// <see cref="BatchSentences"/> sentences advance together, one scorer call per step for all that
/// are not finished, so that the network runs matrix products instead of one matrix-vector product
/// per transition. Each configuration takes its highest-scoring legal transition, so every sentence
/// ends as a single-rooted tree whatever the scores.
/// </summary>
public sealed class GreedyDecoder
{
    private readonly ParsingCorpus _corpus;
    private readonly Configuration[] _configurations;
    private readonly int[] _active;
    private readonly int[] _words, _tags, _labels;
    private readonly float[] _scores;

    public GreedyDecoder(ParsingCorpus corpus, int batchSentences = 1000)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        if (batchSentences < 1) throw new ArgumentOutOfRangeException(nameof(batchSentences), batchSentences, "At least one sentence per batch.");
        _corpus = corpus;
        BatchSentences = batchSentences;
        _configurations = new Configuration[batchSentences];
        for (int i = 0; i < batchSentences; i++) _configurations[i] = new Configuration();
        _active = new int[batchSentences];
        _words = new int[batchSentences * FeatureTemplate.WordFeatures];
        _tags = new int[batchSentences * FeatureTemplate.TagFeatures];
        _labels = new int[batchSentences * FeatureTemplate.LabelFeatures];
        _scores = new float[batchSentences * corpus.Transitions.Count];
    }

    public int BatchSentences { get; }

    /// <summary>Parses <paramref name="sentences"/>: per sentence, the predicted head (0 for the root) and transition label of each word.</summary>
    public (int[][] Heads, int[][] Labels) Parse(IReadOnlyList<EncodedSentence> sentences, TransitionScorer score)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(score);
        var heads = new int[sentences.Count][];
        var labels = new int[sentences.Count][];
        TransitionSet transitions = _corpus.Transitions;
        FeatureTemplate features = _corpus.Features;
        int classes = transitions.Count;
        for (int first = 0; first < sentences.Count; first += BatchSentences)
        {
            int batch = Math.Min(BatchSentences, sentences.Count - first);
            for (int b = 0; b < batch; b++) _configurations[b].Reset(sentences[first + b].Length);
            while (true)
            {
                int active = 0;
                for (int b = 0; b < batch; b++)
                {
                    Configuration c = _configurations[b];
                    if (c.IsTerminal) continue;
                    EncodedSentence s = sentences[first + b];
                    features.Extract(c, s.Words, s.Tags,
                        _words.AsSpan(active * FeatureTemplate.WordFeatures, FeatureTemplate.WordFeatures),
                        _tags.AsSpan(active * FeatureTemplate.TagFeatures, FeatureTemplate.TagFeatures),
                        _labels.AsSpan(active * FeatureTemplate.LabelFeatures, FeatureTemplate.LabelFeatures));
                    _active[active++] = b;
                }
                if (active == 0) break;
                Span<float> scores = _scores.AsSpan(0, active * classes);
                score(active, _words.AsSpan(0, active * FeatureTemplate.WordFeatures), _tags.AsSpan(0, active * FeatureTemplate.TagFeatures),
                    _labels.AsSpan(0, active * FeatureTemplate.LabelFeatures), scores);
                for (int a = 0; a < active; a++)
                {
                    Configuration c = _configurations[_active[a]];
                    c.Apply(transitions, BestLegal(c, transitions, scores.Slice(a * classes, classes)));
                }
            }
            for (int b = 0; b < batch; b++)
            {
                int n = sentences[first + b].Length;
                heads[first + b] = new int[n];
                labels[first + b] = new int[n];
                _configurations[b].CopyTree(heads[first + b], labels[first + b]);
            }
        }
        return (heads, labels);
    }

    /// <summary>The legal transition with the highest score (the first of equal ones; NaN scores never win over a number).</summary>
    public static int BestLegal(Configuration c, TransitionSet transitions, ReadOnlySpan<float> scores)
    {
        int best = -1;
        float bestScore = float.NegativeInfinity;
        for (int t = 0; t < transitions.Count; t++)
        {
            if (!c.IsLegal(transitions.KindOf(t))) continue;
            float s = scores[t];
            if (best < 0 || s > bestScore || (float.IsNaN(bestScore) && !float.IsNaN(s))) { best = t; bestScore = s; }
        }
        if (best < 0) throw new InvalidOperationException("No legal transition: the configuration is terminal.");
        return best;
    }
}
