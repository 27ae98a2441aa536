using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MeProp.Datasets.Conllu;
using MeProp.Datasets.UdEnglishEwt;

namespace MeProp.Examples.Parser;

/// <summary>
/// A sentence as ids: word and tag ids of words 1 .. n at indices 0 .. n-1, the gold heads (0 for
/// the root) and arc label ids (-1 for a label not seen in training), and which words are
/// punctuation (left out of the attachment scores).
/// </summary>
public sealed record EncodedSentence(int[] Words, int[] Tags, int[] Heads, int[] Labels, bool[] IsPunctuation)
{
    public int Length => Words.Length;
}

/// <summary>
/// UD English EWT for the parser: vocabularies from the training split, the three splits as ids,
/// and the arc-standard training examples of the projective training trees.
/// </summary>
/// <remarks>
/// Words are looked up lower-cased with digits as 0 (<see cref="WordForms"/>), and forms seen once
/// in training are UNKNOWN, so that its embedding is trained; the tags are the treebank's gold XPOS
/// (Penn Treebank tags; the paper used the PTB with predicted tags). Punctuation, for the scores, is
/// a word whose gold UPOS is PUNCT (UD's own definition; it covers the PTB punctuation tags and
/// EWT's -LRB-, -RRB-, HYPH and NFP).
/// </remarks>
public sealed class ParsingCorpus
{
    /// <summary>Training occurrences a word form needs for an embedding of its own.</summary>
    public const int MinWordCount = 2;

    private ParsingCorpus(Vocabulary words, Vocabulary tags, Vocabulary labels,
        IReadOnlyList<EncodedSentence> training, IReadOnlyList<EncodedSentence> development, IReadOnlyList<EncodedSentence> test)
    {
        Words = words;
        Tags = tags;
        Labels = labels;
        Transitions = new TransitionSet(labels.Count - 1);
        Features = new FeatureTemplate(words.Count, tags.Count, Transitions.LabelCount);
        Training = training;
        Development = development;
        Test = test;
    }

    public Vocabulary Words { get; }
    public Vocabulary Tags { get; }

    /// <summary>Arc labels; vocabulary id i + 1 is transition label i (the vocabulary's id 0, UNKNOWN, is never predicted).</summary>
    public Vocabulary Labels { get; }

    public TransitionSet Transitions { get; }
    public FeatureTemplate Features { get; }

    public IReadOnlyList<EncodedSentence> Training { get; }
    public IReadOnlyList<EncodedSentence> Development { get; }
    public IReadOnlyList<EncodedSentence> Test { get; }

    /// <summary>The name of transition label <paramref name="label"/>.</summary>
    public string LabelName(int label) => label < 0 ? "<unknown>" : Labels[label + 1];

    /// <summary>Builds the vocabularies from the first <paramref name="trainLimit"/> training sentences (all when null) and encodes all three splits.</summary>
    public static ParsingCorpus Build(EwtDataset data, int? trainLimit = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        IReadOnlyList<ConlluSentence> training = trainLimit is int limit ? data.Training.Take(limit).ToList() : data.Training;
        return Build(training, data.Development, data.Test, data.Directory);
    }

    /// <summary>Builds the vocabularies from <paramref name="training"/> and encodes the three lists.</summary>
    /// <param name="directory">The folder of the EWT files, so that an error names the file of the sentence; null for sentences made in code.</param>
    public static ParsingCorpus Build(IReadOnlyList<ConlluSentence> training, IReadOnlyList<ConlluSentence> development, IReadOnlyList<ConlluSentence> test, string? directory = null)
    {
        var trainingWords = training.SelectMany(s => s.Words).ToList();
        var words = Vocabulary.Build(trainingWords.Select(w => WordForms.Normalize(w.Form)), MinWordCount);
        var tags = Vocabulary.Build(trainingWords.Select(w => w.Xpos), minCount: 1);
        var labels = Vocabulary.Build(trainingWords.Select(w => w.Deprel), minCount: 1);
        EncodedSentence[] Encode(IReadOnlyList<ConlluSentence> sentences, string file)
        {
            string source = directory is null ? $"the {file} sentences" : Path.Combine(directory, file);
            return sentences.Select(s => EncodeSentence(s, words, tags, labels, source)).ToArray();
        }
        return new ParsingCorpus(words, tags, labels,
            Encode(training, EwtFiles.Train), Encode(development, EwtFiles.Development), Encode(test, EwtFiles.Test));
    }

    private static EncodedSentence EncodeSentence(ConlluSentence sentence, Vocabulary words, Vocabulary tags, Vocabulary labels, string source)
    {
        int n = sentence.Count;
        var e = new EncodedSentence(new int[n], new int[n], new int[n], new int[n], new bool[n]);
        for (int i = 0; i < n; i++)
        {
            ConlluWord word = sentence.Words[i];
            e.Words[i] = words.Id(WordForms.Normalize(word.Form));
            e.Tags[i] = tags.Id(word.Xpos);
            e.Heads[i] = word.Head ?? throw new InvalidDataException(
                $"{source}: word {word.Id} ('{word.Form}') at line {word.LineNumber} has no head ('_' in HEAD); the parser needs every word's head.");
            e.Labels[i] = labels.Id(word.Deprel) - 1;
            e.IsPunctuation[i] = word.Upos == "PUNCT";
        }
        return e;
    }

    /// <summary>The gold tree of a sentence.</summary>
    public static GoldTree GoldTreeOf(EncodedSentence sentence) => new(sentence.Heads, sentence.Labels);

    /// <summary>One line: sizes of the splits and vocabularies.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Training.Count:N0} training, {Development.Count:N0} development, {Test.Count:N0} test sentences; {Words.Count:N0} word forms, {Tags.Count - 1} tags, {Transitions.LabelCount} arc labels ({Transitions.Count} transitions)");
}
