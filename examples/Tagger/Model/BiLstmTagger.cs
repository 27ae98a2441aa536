using static MeProp.Ops;

namespace MeProp.Examples.Tagger;

/// <summary>
/// The paper's part-of-speech tagger: each word is a 50-wide word embedding and seven 20-wide
/// feature embeddings (190 inputs), read by an LSTM in each direction (hidden 500 each), whose two
/// outputs a dense layer turns into tag scores. meProp sparsifies the LSTMs' gate products; the
/// output layer stays dense, as in the paper.
/// </summary>
/// <remarks>
/// The seven features share one table with disjoint row ranges (<see cref="WordFeatures"/>), so
/// that one lookup of seven ids gives their seven embeddings side by side.
/// </remarks>
public sealed partial class BiLstmTagger
{
    internal readonly Matrix<float> WordEmbeddings, FeatureEmbeddings, Out;
    internal readonly RowVector<float> outBias;
    internal readonly Lstm Forwards, Backwards;

    public BiLstmTagger(TaggerShape shape, int seed)
    {
        Shape = shape;
        var random = new SeededRandom(seed);
        // Embeddings: uniform in ±sqrt(3/d), a variance of 1/d per entry, so each embedding has about unit length.
        WordEmbeddings = Init.Uniform<float>(shape.Words, TaggerShape.WordDimension, System.Math.Sqrt(3.0 / TaggerShape.WordDimension), random);
        FeatureEmbeddings = Init.Uniform<float>(shape.FeatureValues, TaggerShape.FeatureDimension, System.Math.Sqrt(3.0 / TaggerShape.FeatureDimension), random);
        Forwards = new Lstm(TaggerShape.InputWidth, shape.Hidden, random);
        Backwards = new Lstm(TaggerShape.InputWidth, shape.Hidden, random);
        Out = Init.Glorot<float>(shape.Tags, 2 * shape.Hidden, random);
        outBias = Init.Zeros<float>(shape.Tags);
    }

    public TaggerShape Shape { get; }

    /// <summary>Dropout on the word inputs and on the LSTM outputs, during training only.</summary>
    public double DropoutRate { get; set; }

    /// <summary>Tag scores for each word of each sentence (inference: call this method directly).</summary>
    /// <param name="words">Word ids, one per step and sentence.</param>
    /// <param name="features">The seven feature ids of each word.</param>
    [MeProp(K = 5, DenseOutput = true)]
    public Sequence<float> Forward(IdSequence words, IdSequence features)
    {
        var inputs = SequenceLike<float>(words);
        for (int t = 0; t < words.Length; t++)
            inputs[t] = Dropout(Concat(Embed(WordEmbeddings, words[t]), Embed(FeatureEmbeddings, features[t])), DropoutRate);
        var forward = Forwards.Forward(inputs);
        var backward = Reverse(Backwards.Forward(Reverse(inputs)));
        var scores = SequenceLike<float>(words);
        for (int t = 0; t < words.Length; t++)
            scores[t] = Out * Dropout(Concat(forward[t], backward[t]), DropoutRate) + outBias;
        return scores;
    }
}

/// <summary>The tagger's sizes: the vocabularies come from the training data, the widths from the paper.</summary>
public sealed record TaggerShape(int Words, int FeatureValues, int Tags, int Hidden)
{
    public const int WordDimension = 50;
    public const int FeatureDimension = 20;
    public const int InputWidth = WordDimension + WordFeatures.Count * FeatureDimension; // 190
}
