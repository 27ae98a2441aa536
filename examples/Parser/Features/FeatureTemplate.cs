using System;

namespace MeProp.Examples.Parser;

/// <summary>
/// Chen and Manning's (2014) 48 features of a parser configuration: the word and the tag at 18
/// positions, and the arc label at the 12 of them that are dependents.
/// </summary>
/// <remarks>
/// The 18 positions, in this order (s1 the stack's top, b1 the buffer's front; lc1/lc2 the first and
/// second leftmost dependents, rc1/rc2 the first and second rightmost):
/// s1, s2, s3, b1, b2, b3; lc1(s1), rc1(s1), lc2(s1), rc2(s1), lc1(s2), rc1(s2), lc2(s2), rc2(s2);
/// lc1(lc1(s1)), rc1(rc1(s1)), lc1(lc1(s2)), rc1(rc1(s2)). The labels are read at the last twelve.
/// Each kind has its own embedding table, whose ids are those of its vocabulary followed by the
/// special entries: NULL (no word at the position: an empty slot, a missing dependent) and ROOT (the
/// artificial root) for words and tags, NULL for labels. A vocabulary's own id 0 is UNKNOWN (a word
/// too rare in training, or a tag never seen there).
/// </remarks>
public sealed class FeatureTemplate
{
    public const int Positions = 18, WordFeatures = 18, TagFeatures = 18, LabelFeatures = 12;

    /// <summary>All features: 48.</summary>
    public const int Count = WordFeatures + TagFeatures + LabelFeatures;

    /// <param name="wordVocabularySize">Entries in the word vocabulary (UNKNOWN included).</param>
    /// <param name="tagVocabularySize">Entries in the tag vocabulary (UNKNOWN included).</param>
    /// <param name="labelCount">Arc labels, the ids the transitions carry (0 .. count - 1).</param>
    public FeatureTemplate(int wordVocabularySize, int tagVocabularySize, int labelCount)
    {
        WordNull = wordVocabularySize;
        TagNull = tagVocabularySize;
        LabelNull = labelCount;
    }

    public int WordNull { get; }
    public int WordRoot => WordNull + 1;
    /// <summary>Rows of the word embedding table.</summary>
    public int WordTableSize => WordNull + 2;

    public int TagNull { get; }
    public int TagRoot => TagNull + 1;
    public int TagTableSize => TagNull + 2;

    public int LabelNull { get; }
    public int LabelTableSize => LabelNull + 1;

    /// <summary>
    /// Writes the features of <paramref name="c"/> for a sentence whose word i + 1 has word id
    /// <paramref name="words"/>[i] and tag id <paramref name="tags"/>[i].
    /// </summary>
    public void Extract(Configuration c, ReadOnlySpan<int> words, ReadOnlySpan<int> tags, Span<int> wordIds, Span<int> tagIds, Span<int> labelIds)
    {
        if (wordIds.Length < WordFeatures || tagIds.Length < TagFeatures || labelIds.Length < LabelFeatures)
            throw new ArgumentException($"The feature spans need {WordFeatures}, {TagFeatures} and {LabelFeatures} entries.");
        Span<int> at = stackalloc int[Positions];
        int s1 = c.Stack(0), s2 = c.Stack(1);
        at[0] = s1; at[1] = s2; at[2] = c.Stack(2);
        at[3] = c.Buffer(0); at[4] = c.Buffer(1); at[5] = c.Buffer(2);
        at[6] = c.LeftChild(s1, 1); at[7] = c.RightChild(s1, 1); at[8] = c.LeftChild(s1, 2); at[9] = c.RightChild(s1, 2);
        at[10] = c.LeftChild(s2, 1); at[11] = c.RightChild(s2, 1); at[12] = c.LeftChild(s2, 2); at[13] = c.RightChild(s2, 2);
        at[14] = c.LeftChild(at[6], 1); at[15] = c.RightChild(at[7], 1);
        at[16] = c.LeftChild(at[10], 1); at[17] = c.RightChild(at[11], 1);
        for (int i = 0; i < Positions; i++)
        {
            int p = at[i];
            wordIds[i] = p == Configuration.None ? WordNull : p == Configuration.Root ? WordRoot : words[p - 1];
            tagIds[i] = p == Configuration.None ? TagNull : p == Configuration.Root ? TagRoot : tags[p - 1];
        }
        for (int i = 0; i < LabelFeatures; i++)
        {
            int p = at[6 + i];
            labelIds[i] = p == Configuration.None ? LabelNull : c.LabelOf(p);
        }
    }
}
