using System.Collections.Generic;
using System.Linq;

namespace MeProp.Examples.Tagger;

/// <summary>
/// Two taggers without learning, to judge a trained one against: every word gets the most frequent
/// training tag; or each word gets its own most frequent training tag (unknown words the overall one).
/// </summary>
public static class Baselines
{
    /// <summary>Per-word accuracy on <paramref name="sentences"/> of tagging every word with the most frequent training tag.</summary>
    public static double MajorityTag(IReadOnlyList<EncodedSentence> training, IReadOnlyList<EncodedSentence> sentences)
    {
        int majority = MostFrequentTag(training.SelectMany(s => s.Tags));
        return Accuracy(sentences, (s, i) => majority);
    }

    /// <summary>Per-word accuracy of tagging each word with its most frequent training tag.</summary>
    public static double MostFrequentTagPerWord(IReadOnlyList<EncodedSentence> training, IReadOnlyList<EncodedSentence> sentences)
    {
        int majority = MostFrequentTag(training.SelectMany(s => s.Tags));
        var perWord = training.SelectMany(s => s.Words.Zip(s.Tags))
            .Where(p => p.First != Vocabulary.Unknown)
            .GroupBy(p => p.First)
            .ToDictionary(g => g.Key, g => MostFrequentTag(g.Select(p => p.Second)));
        return Accuracy(sentences, (s, i) => perWord.GetValueOrDefault(s.Words[i], majority));
    }

    private static int MostFrequentTag(IEnumerable<int> tags)
        => tags.GroupBy(t => t).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;

    private static double Accuracy(IReadOnlyList<EncodedSentence> sentences, System.Func<EncodedSentence, int, int> predict)
    {
        long correct = 0, total = 0;
        foreach (EncodedSentence s in sentences)
            for (int i = 0; i < s.Length; i++, total++)
                if (s.Tags[i] != Vocabulary.Unknown && predict(s, i) == s.Tags[i]) correct++;
        return total == 0 ? 0 : (double)correct / total;
    }
}
