using System;
using System.Collections.Generic;

namespace MeProp.Examples.Parser;

/// <summary>
/// The static oracle's configurations over the projective training trees, as feature ids and gold
/// transitions: 2n examples per sentence of n words, stored flat (example e's word ids at
/// [e·18, e·18 + 18), and so on) so that a mini-batch is a slice.
/// </summary>
public sealed class TrainingExamples
{
    private TrainingExamples(int[] words, int[] tags, int[] labels, int[] transitions, int sentences, int nonProjective)
    {
        WordIds = words;
        TagIds = tags;
        LabelIds = labels;
        Transitions = transitions;
        Sentences = sentences;
        NonProjectiveSkipped = nonProjective;
    }

    public int Count => Transitions.Length;
    public int[] WordIds { get; }
    public int[] TagIds { get; }
    public int[] LabelIds { get; }
    public int[] Transitions { get; }

    /// <summary>Training sentences whose examples are here.</summary>
    public int Sentences { get; }

    /// <summary>Training sentences left out because their gold tree is not projective (arc-standard cannot build it).</summary>
    public int NonProjectiveSkipped { get; }

    public static TrainingExamples Extract(ParsingCorpus corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        FeatureTemplate features = corpus.Features;
        var words = new List<int>(); var tags = new List<int>(); var labels = new List<int>(); var transitions = new List<int>();
        Span<int> w = stackalloc int[FeatureTemplate.WordFeatures];
        Span<int> t = stackalloc int[FeatureTemplate.TagFeatures];
        Span<int> l = stackalloc int[FeatureTemplate.LabelFeatures];
        var configuration = new Configuration();
        int used = 0, skipped = 0;
        foreach (EncodedSentence sentence in corpus.Training)
        {
            GoldTree gold = ParsingCorpus.GoldTreeOf(sentence);
            if (!gold.IsProjective() || Array.IndexOf(sentence.Labels, -1) >= 0) { skipped++; continue; }
            configuration.Reset(sentence.Length);
            while (!configuration.IsTerminal)
            {
                features.Extract(configuration, sentence.Words, sentence.Tags, w, t, l);
                int transition = StaticOracle.Next(configuration, gold, corpus.Transitions);
                foreach (int id in w) words.Add(id);
                foreach (int id in t) tags.Add(id);
                foreach (int id in l) labels.Add(id);
                transitions.Add(transition);
                configuration.Apply(corpus.Transitions, transition);
            }
            used++;
        }
        return new TrainingExamples(words.ToArray(), tags.ToArray(), labels.ToArray(), transitions.ToArray(), used, skipped);
    }
}
