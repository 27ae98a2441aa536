using System;
using System.Collections.Generic;
using System.Linq;
using MeProp.Datasets.Conllu;
using MeProp.Datasets.UdEnglishEwt;
using MeProp.Examples.Parser;
using MeProp.TestSupport;
using Xunit;

namespace MeProp.Examples.Tests.Parser;

public class TransitionSystemTests
{
    // "She saw him ." : saw is the root, She and him its dependents, "." attached to saw.
    private static ConlluSentence Sentence(params (string Form, string Upos, int Head, string Deprel)[] words) =>
        new(words.Select((w, i) => new ConlluWord(i + 1, w.Form, w.Form, w.Upos, w.Upos, "_", w.Head, w.Deprel, "_", "_")));

    private static readonly ConlluSentence SheSawHim = Sentence(("She", "PRON", 2, "nsubj"), ("saw", "VERB", 0, "root"), ("him", "PRON", 2, "obj"), (".", "PUNCT", 2, "punct"));

    private static ParsingCorpus Corpus(params ConlluSentence[] training) => ParsingCorpus.Build(training, training, training);

    [Fact]
    public void The_oracle_rebuilds_a_projective_tree_in_2n_transitions()
    {
        ParsingCorpus corpus = Corpus(SheSawHim);
        TrainingExamples examples = TrainingExamples.Extract(corpus);
        Assert.Equal(8, examples.Count);
        Assert.Equal(0, examples.NonProjectiveSkipped);

        EncodedSentence s = corpus.Training[0];
        var c = new Configuration();
        c.Reset(s.Length);
        var kinds = new List<TransitionKind>();
        GoldTree gold = ParsingCorpus.GoldTreeOf(s);
        while (!c.IsTerminal)
        {
            int t = StaticOracle.Next(c, gold, corpus.Transitions);
            kinds.Add(corpus.Transitions.KindOf(t));
            c.Apply(corpus.Transitions, t);
        }
        Assert.Equal(new[] { TransitionKind.Shift, TransitionKind.Shift, TransitionKind.LeftArc, TransitionKind.Shift, TransitionKind.RightArc,
            TransitionKind.Shift, TransitionKind.RightArc, TransitionKind.RightArc }, kinds);
        var heads = new int[4]; var labels = new int[4];
        c.CopyTree(heads, labels);
        Assert.Equal(s.Heads, heads);
        Assert.Equal(s.Labels, labels);
    }

    [Fact]
    public void A_crossing_tree_is_not_projective_and_is_skipped()
    {
        // 1 -> 3 and 2 -> 4 cross.
        ConlluSentence crossing = Sentence(("a", "X", 0, "root"), ("b", "X", 1, "dep"), ("c", "X", 1, "dep"), ("d", "X", 2, "dep"));
        ParsingCorpus corpus = Corpus(SheSawHim, crossing);
        Assert.False(ParsingCorpus.GoldTreeOf(corpus.Training[1]).IsProjective());
        Assert.True(ParsingCorpus.GoldTreeOf(corpus.Training[0]).IsProjective());
        TrainingExamples examples = TrainingExamples.Extract(corpus);
        Assert.Equal(1, examples.NonProjectiveSkipped);
        Assert.Equal(1, examples.Sentences);
    }

    [Fact]
    public void Features_of_a_hand_built_configuration()
    {
        ParsingCorpus corpus = Corpus(SheSawHim);
        FeatureTemplate f = corpus.Features;
        EncodedSentence s = corpus.Training[0];
        var c = new Configuration();
        c.Reset(4);
        c.Apply(TransitionKind.Shift, -1);
        c.Apply(TransitionKind.Shift, -1);
        int nsubj = corpus.Labels.Id("nsubj") - 1;
        c.Apply(TransitionKind.LeftArc, nsubj); // stack [ROOT, saw], buffer [him, .]
        var w = new int[18]; var t = new int[18]; var l = new int[12];
        f.Extract(c, s.Words, s.Tags, w, t, l);
        int saw = s.Words[1], him = s.Words[2], dot = s.Words[3], she = s.Words[0];
        Assert.Equal(new[] { saw, f.WordRoot, f.WordNull, him, dot, f.WordNull }, w[..6]);
        // lc1(s1) = She; everything else among the children is NULL.
        Assert.Equal(she, w[6]);
        Assert.All(w[7..], id => Assert.Equal(f.WordNull, id));
        Assert.Equal(new[] { s.Tags[1], f.TagRoot, f.TagNull, s.Tags[2], s.Tags[3], f.TagNull, s.Tags[0] }, t[..7]);
        Assert.Equal(nsubj, l[0]);
        Assert.All(l[1..], id => Assert.Equal(f.LabelNull, id));
    }

    [Fact]
    public void Leftmost_and_rightmost_children_are_ordered_by_position()
    {
        // Word 3 heads 1, 2 (left) and 4, 5 (right); the oracle attaches 2 before 1 and 4 before 5.
        ConlluSentence s = Sentence(("a", "X", 3, "dep"), ("b", "X", 3, "dep"), ("c", "X", 0, "root"), ("d", "X", 3, "dep"), ("e", "X", 3, "dep"));
        ParsingCorpus corpus = Corpus(s);
        GoldTree gold = ParsingCorpus.GoldTreeOf(corpus.Training[0]);
        var c = new Configuration();
        c.Reset(5);
        while (c.Stack(0) != 3 || c.ChildCountOf(3) < 4) c.Apply(corpus.Transitions, StaticOracle.Next(c, gold, corpus.Transitions));
        Assert.Equal(1, c.LeftChild(3, 1));
        Assert.Equal(2, c.LeftChild(3, 2));
        Assert.Equal(5, c.RightChild(3, 1));
        Assert.Equal(4, c.RightChild(3, 2));
    }

    [Fact]
    public void Greedy_decoding_gives_one_rooted_tree_whatever_the_scores()
    {
        ConlluSentence longer = Sentence(("a", "X", 2, "dep"), ("b", "X", 0, "root"), ("c", "X", 4, "dep"), ("d", "X", 2, "dep"), ("e", "X", 4, "dep"));
        ParsingCorpus corpus = Corpus(SheSawHim, longer);
        var random = new Random(3);
        var decoder = new GreedyDecoder(corpus, batchSentences: 1);
        for (int trial = 0; trial < 50; trial++)
        {
            (int[][] heads, _) = decoder.Parse(corpus.Training, (count, words, tags, labels, scores) =>
            {
                for (int i = 0; i < scores.Length; i++) scores[i] = trial == 0 ? float.NaN : (float)random.NextDouble();
            });
            foreach (int[] h in heads)
            {
                Assert.Equal(1, h.Count(x => x == 0));
                for (int i = 1; i <= h.Length; i++)
                {
                    int w = i, steps = 0;
                    while (w != 0 && steps++ <= h.Length) w = h[w - 1];
                    Assert.Equal(0, w);
                }
            }
        }
    }

    [Fact]
    public void Attachment_scores_leave_punctuation_out()
    {
        ParsingCorpus corpus = Corpus(SheSawHim);
        EncodedSentence s = corpus.Training[0];
        // Right head and label for She; right head, wrong label for him; wrong head for saw; "." is punctuation.
        int[] heads = { 2, 3, 2, 1 };
        int[] labels = { s.Labels[0], s.Labels[0], s.Labels[1], 0 };
        AttachmentScores scores = AttachmentScores.Of(new[] { s }, new[] { heads }, new[] { labels });
        Assert.Equal(3, scores.Scored);
        Assert.Equal(2, scores.CorrectHeads);
        Assert.Equal(1, scores.CorrectLabelled);
    }

    [DataFact(RealData.UdEnglishEwt)]
    public void The_oracle_rebuilds_every_projective_EWT_training_tree()
    {
        EwtDataset data = EwtDataset.Load(RealData.Folder(RealData.UdEnglishEwt));
        ParsingCorpus corpus = ParsingCorpus.Build(data);
        var c = new Configuration();
        int projective = 0;
        var heads = new int[1000]; var labels = new int[1000];
        foreach (EncodedSentence s in corpus.Training)
        {
            GoldTree gold = ParsingCorpus.GoldTreeOf(s);
            if (!gold.IsProjective()) continue;
            projective++;
            c.Reset(s.Length);
            int steps = 0;
            while (!c.IsTerminal) { c.Apply(corpus.Transitions, StaticOracle.Next(c, gold, corpus.Transitions)); steps++; }
            Assert.Equal(2 * s.Length, steps);
            c.CopyTree(heads, labels);
            Assert.Equal(s.Heads, heads[..s.Length]);
            Assert.Equal(s.Labels, labels[..s.Length]);
        }
        Assert.True(projective > 0.9 * corpus.Training.Count, $"only {projective} of {corpus.Training.Count} training trees are projective");
    }
}
