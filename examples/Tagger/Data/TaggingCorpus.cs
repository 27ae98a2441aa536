using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MeProp.Datasets.Conllu;
using MeProp.Datasets.UdEnglishEwt;

namespace MeProp.Examples.Tagger;

/// <summary>A sentence as ids: one word id and <see cref="WordFeatures.Count"/> feature ids per word, and the gold tag ids.</summary>
public sealed record EncodedSentence(int[] Words, int[] Features, int[] Tags)
{
    public int Length => Words.Length;
}

/// <summary>
/// UD English EWT for tagging: the vocabularies built from the training sentences, and the three
/// splits encoded with them. Tags are column 5 (XPOS), the Penn Treebank tag set of the paper's task.
/// </summary>
/// <remarks>
/// Unknown words are handled from training counts: a word form (lower-cased, digits folded to 0)
/// seen once in training has no embedding of its own and shares the unknown one, which is thereby
/// trained on rare words; its features (affixes, shape) still tell the tagger much about it.
/// </remarks>
public sealed class TaggingCorpus
{
    /// <summary>Word forms and feature values seen fewer times than this in training map to the unknown entry.</summary>
    public const int MinCount = 2;

    private TaggingCorpus(Vocabulary words, Vocabulary features, Vocabulary tags,
        EncodedSentence[] training, EncodedSentence[] development, EncodedSentence[] test)
    {
        Words = words;
        FeatureValues = features;
        Tags = tags;
        Training = training;
        Development = development;
        Test = test;
    }

    public Vocabulary Words { get; }

    /// <summary>The values of all seven features, in one vocabulary (each value carries its feature's number).</summary>
    public Vocabulary FeatureValues { get; }

    /// <summary>The XPOS tags of the training data; a dev or test tag never seen in training maps to the unknown entry and is always counted wrong.</summary>
    public Vocabulary Tags { get; }

    public IReadOnlyList<EncodedSentence> Training { get; }
    public IReadOnlyList<EncodedSentence> Development { get; }
    public IReadOnlyList<EncodedSentence> Test { get; }

    /// <summary>The model's sizes for this corpus.</summary>
    public TaggerShape Shape(int hidden) => new(Words.Count, FeatureValues.Count, Tags.Count, hidden);

    /// <summary>Builds the vocabularies from the first <paramref name="trainLimit"/> training sentences (all when null) and encodes all three splits.</summary>
    public static TaggingCorpus Build(EwtDataset data, int? trainLimit = null)
        => Build(data.Training.Take(trainLimit ?? int.MaxValue).ToArray(), data.Development, data.Test);

    public static TaggingCorpus Build(IReadOnlyList<ConlluSentence> training, IReadOnlyList<ConlluSentence> development, IReadOnlyList<ConlluSentence> test)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (training.Count == 0) throw new ArgumentException("The training set has no sentences.", nameof(training));
        var trainingWords = training.SelectMany(s => s.Words).ToArray();
        var words = Vocabulary.Build(trainingWords.Select(w => WordForms.Normalize(w.Form)), MinCount);
        var features = Vocabulary.Build(trainingWords.SelectMany(w => FeatureValuesOf(w.Form)), MinCount);
        var tags = Vocabulary.Build(trainingWords.Select(w => w.Xpos), minCount: 1);
        EncodedSentence[] Encode(IReadOnlyList<ConlluSentence> sentences) => sentences.Select(s => EncodeSentence(s, words, features, tags)).ToArray();
        return new TaggingCorpus(words, features, tags, Encode(training), Encode(development), Encode(test));
    }

    private static string[] FeatureValuesOf(string form)
    {
        var values = new string[WordFeatures.Count];
        WordFeatures.Describe(form, values);
        return values;
    }

    private static EncodedSentence EncodeSentence(ConlluSentence sentence, Vocabulary words, Vocabulary features, Vocabulary tags)
    {
        int n = sentence.Count;
        var wordIds = new int[n];
        var featureIds = new int[n * WordFeatures.Count];
        var tagIds = new int[n];
        var values = new string[WordFeatures.Count];
        for (int i = 0; i < n; i++)
        {
            ConlluWord word = sentence.Words[i];
            wordIds[i] = words.Id(WordForms.Normalize(word.Form));
            WordFeatures.Describe(word.Form, values);
            for (int f = 0; f < WordFeatures.Count; f++) featureIds[i * WordFeatures.Count + f] = features.Id(values[f]);
            tagIds[i] = tags.Id(word.Xpos);
        }
        return new EncodedSentence(wordIds, featureIds, tagIds);
    }

    /// <summary>A one-line summary: sentence and word counts, vocabulary sizes.</summary>
    public string Describe()
    {
        static int WordCount(IReadOnlyList<EncodedSentence> s) => s.Sum(x => x.Length);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Training.Count:N0} training sentences ({WordCount(Training):N0} words), {Development.Count:N0} development ({WordCount(Development):N0}), {Test.Count:N0} test ({WordCount(Test):N0}); " +
            $"{Words.Count:N0} word forms, {FeatureValues.Count:N0} feature values, {Tags.Count - 1} tags");
    }
}
