using System;
using System.Collections.Generic;
using System.Linq;
using MeProp.Datasets.Conllu;
using MeProp.Examples.Tagger;
using Xunit;

namespace MeProp.Examples.Tests.Tagger;

/// <summary>The tagger's input side without real data: features, vocabularies, encoding, batches, baselines.</summary>
public class TaggerDataTests
{
    private static string[] Features(string form)
    {
        var values = new string[WordFeatures.Count];
        WordFeatures.Describe(form, values);
        return values;
    }

    [Theory]
    [InlineData("running", "1:lower", "2:ru", "3:g", "4:ng", "5:ing", "6:none", "7:none")]
    [InlineData("Obama", "1:Title", "2:ob", "3:a", "4:ma", "5:ama", "6:none", "7:none")]
    [InlineData("NASA", "1:UPPER", "2:na", "3:a", "4:sa", "5:asa", "6:none", "7:none")]
    [InlineData("iPhone", "1:mIxed", "2:ip", "3:e", "4:ne", "5:one", "6:none", "7:none")]
    [InlineData("1984", "1:none", "2:19", "3:4", "4:84", "5:984", "6:all", "7:none")]
    [InlineData("3.5", "1:none", "2:3.", "3:5", "4:.5", "5:3.5", "6:some", "7:inside")]
    [InlineData("e-mail", "1:lower", "2:e-", "3:l", "4:il", "5:ail", "6:none", "7:hyphen")]
    [InlineData(",", "1:none", "2:^,", "3:,", "4:^,", "5:^,", "6:none", "7:all")]
    [InlineData("dogs'", "1:lower", "2:do", "3:'", "4:s'", "5:gs'", "6:none", "7:edge")]
    [InlineData("I", "1:Title", "2:^i", "3:i", "4:^i", "5:^i", "6:none", "7:none")]
    public void The_seven_features_of_a_word(string form, params string[] expected)
        => Assert.Equal(expected, Features(form));

    [Fact]
    public void Word_forms_are_looked_up_lower_cased_with_digits_folded()
    {
        Assert.Equal("the", WordForms.Normalize("The"));
        Assert.Equal("00:00", WordForms.Normalize("12:45"));
        Assert.Equal("", WordForms.Normalize(""));
    }

    [Fact]
    public void A_vocabulary_keeps_entries_seen_often_enough_most_frequent_first_and_maps_the_rest_to_unknown()
    {
        var vocabulary = Vocabulary.Build(new[] { "b", "a", "b", "c", "a", "b", "d" }, minCount: 2);
        Assert.Equal(3, vocabulary.Count); // unknown, b, a
        Assert.Equal(1, vocabulary.Id("b"));
        Assert.Equal(2, vocabulary.Id("a"));
        Assert.Equal(Vocabulary.Unknown, vocabulary.Id("c"));
        Assert.Equal(Vocabulary.Unknown, vocabulary.Id("never seen"));
        Assert.Equal("a", vocabulary[2]);
        // Ties are broken by ordinal order, not by hash order: the same data gives the same ids.
        var tied = Vocabulary.Build(new[] { "y", "x", "z" }, minCount: 1);
        Assert.Equal(new[] { "x", "y", "z" }, Enumerable.Range(1, 3).Select(i => tied[i]));
    }

    private static ConlluSentence Sentence(params (string Form, string Tag)[] words)
        => new(words.Select((w, i) => new ConlluWord(i + 1, w.Form, "_", "_", w.Tag, "_", 0, "dep", "_", "_")));

    [Fact]
    public void The_corpus_is_encoded_with_training_vocabularies()
    {
        var training = new[]
        {
            Sentence(("The", "DT"), ("dog", "NN"), ("runs", "VBZ")),
            Sentence(("the", "DT"), ("dog", "NN"), ("sleeps", "VBZ")),
        };
        var test = new[] { Sentence(("The", "DT"), ("cat", "NN"), ("purrs", "VBP")) };
        TaggingCorpus corpus = TaggingCorpus.Build(training, test, test);

        Assert.Equal(3, corpus.Words.Count); // unknown, the, dog: "runs" and "sleeps" were seen once
        EncodedSentence first = corpus.Training[0];
        Assert.Equal(new[] { corpus.Words.Id("the"), corpus.Words.Id("dog"), Vocabulary.Unknown }, first.Words);
        Assert.Equal(3 * WordFeatures.Count, first.Features.Length);
        Assert.Equal(corpus.FeatureValues.Id("1:Title"), first.Features[0]);
        Assert.Equal(corpus.FeatureValues.Id("1:lower"), first.Features[WordFeatures.Count]);

        EncodedSentence encodedTest = corpus.Test[0];
        Assert.Equal(Vocabulary.Unknown, encodedTest.Words[1]); // "cat" never seen
        Assert.Equal(Vocabulary.Unknown, encodedTest.Tags[2]);  // VBP never seen in training: always counted wrong
        Assert.Equal(corpus.Tags.Id("NN"), encodedTest.Tags[1]);
        Assert.Equal(new TaggerShape(3, corpus.FeatureValues.Count, 4, 7), corpus.Shape(7));
    }

    [Fact]
    public void Baselines_tag_with_the_majority_tag_or_each_words_own_most_frequent_tag()
    {
        var training = new[]
        {
            Sentence(("a", "DT"), ("run", "NN"), ("a", "DT")),
            Sentence(("run", "VB"), ("run", "VB"), ("x", "NN")),
        };
        TaggingCorpus corpus = TaggingCorpus.Build(training, training, training);
        // DT 2, NN 2, VB 2: the tie goes to the lowest tag id, DT.
        Assert.Equal(2.0 / 6, Baselines.MajorityTag(corpus.Training, corpus.Training), 12);
        // a -> DT, run -> VB (2 of 3), x unknown -> DT: right on a, a, run, run.
        Assert.Equal(4.0 / 6, Baselines.MostFrequentTagPerWord(corpus.Training, corpus.Training), 12);
    }

    private static EncodedSentence OfLength(int n) => new(new int[n], new int[n * WordFeatures.Count], new int[n]);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(50)]
    public void Batches_hold_sentences_of_one_length_and_cover_each_sentence_once(int batchSize)
    {
        var sentences = new[] { 5, 1, 5, 3, 5, 1, 7, 5, 3 }.Select(OfLength).ToArray();
        List<int[]> batches = SentenceBatches.Shuffled(sentences, batchSize, new SeededRandom(3));
        Assert.Equal(Enumerable.Range(0, sentences.Length), batches.SelectMany(b => b).OrderBy(i => i));
        foreach (int[] batch in batches)
        {
            Assert.InRange(batch.Length, 1, batchSize);
            Assert.Single(batch.Select(i => sentences[i].Length).Distinct());
        }
        // As few batches as equal lengths allow.
        int expected = sentences.GroupBy(s => s.Length).Sum(g => (g.Count() + batchSize - 1) / batchSize);
        Assert.Equal(expected, batches.Count);
    }

    [Fact]
    public void Step_buffers_lay_sentences_side_by_side_step_major()
    {
        var a = new EncodedSentence(new[] { 1, 2 }, Enumerable.Range(0, 14).ToArray(), new[] { 5, 6 });
        var b = new EncodedSentence(new[] { 3, 4 }, Enumerable.Range(100, 14).ToArray(), new[] { 7, 8 });
        var cache = new StepBufferCache(tags: 9);
        StepBuffers step = cache.Fill(new[] { a, b }, new[] { 1, 0 });
        Assert.Equal(new[] { 3, 1, 4, 2 }, step.Words.Data);
        Assert.Equal(new[] { 7, 5, 8, 6 }, step.Labels);
        Assert.Equal(Enumerable.Range(100, 7).Concat(Enumerable.Range(0, 7)), step.Features[0].Span.ToArray());
        Assert.Equal((2, 2, 9), (step.Gradient.Length, step.Gradient.Examples, step.Gradient.Features));
        Assert.Same(step, cache.Fill(new[] { a, b }, new[] { 0, 1 })); // reused for the same shape
        Assert.Throws<ArgumentException>(() => cache.Fill(new[] { a, OfLength(3) }, new[] { 0, 1 }));
    }
}
