using System;
using System.Collections.Generic;
using System.Linq;

namespace MeProp.Examples.Tagger;

/// <summary>
/// Mini-batches of sentences of one length each: the generated training pass runs a batch's
/// sentences side by side, step by step, so they must be equally long. Sentences are grouped by
/// length, shuffled within each length, cut into batches, and the batches shuffled; at batch size 1
/// (the paper's) this is a plain shuffle of the sentences.
/// </summary>
public static class SentenceBatches
{
    /// <summary>One epoch's batches of indices into <paramref name="sentences"/>.</summary>
    public static List<int[]> Shuffled(IReadOnlyList<EncodedSentence> sentences, int batchSize, SeededRandom random)
    {
        var batches = InLengthOrder(sentences, batchSize, random);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batches));
        return batches;
    }

    /// <summary>Batches in order of length (for evaluation, where order does not matter and no shuffle is wanted, pass null).</summary>
    public static List<int[]> InLengthOrder(IReadOnlyList<EncodedSentence> sentences, int batchSize, SeededRandom? random = null)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "A batch holds at least one sentence.");
        var batches = new List<int[]>();
        foreach (var group in Enumerable.Range(0, sentences.Count).GroupBy(i => sentences[i].Length).OrderBy(g => g.Key))
        {
            int[] indices = group.ToArray();
            random?.Shuffle(indices.AsSpan());
            for (int start = 0; start < indices.Length; start += batchSize)
                batches.Add(indices[start..Math.Min(indices.Length, start + batchSize)]);
        }
        return batches;
    }
}

/// <summary>
/// The tensors of training steps, one set per (length, sentences) pair met, reused whenever that
/// pair comes again: after the first epoch a step allocates nothing.
/// </summary>
public sealed class StepBufferCache
{
    private readonly Dictionary<(int Length, int Sentences), StepBuffers> _buffers = new();
    private readonly int _tags;

    /// <param name="tags">The model's output units per word.</param>
    public StepBufferCache(int tags) => _tags = tags;

    /// <summary>The buffers for <paramref name="batch"/>, filled with its sentences.</summary>
    public StepBuffers Fill(IReadOnlyList<EncodedSentence> sentences, int[] batch)
    {
        int length = sentences[batch[0]].Length;
        if (!_buffers.TryGetValue((length, batch.Length), out StepBuffers? buffers))
            _buffers[(length, batch.Length)] = buffers = new StepBuffers(length, batch.Length, _tags);
        buffers.Fill(sentences, batch);
        return buffers;
    }
}

/// <summary>The inputs, gold tags and loss gradient of one step of a fixed length and number of sentences.</summary>
public sealed class StepBuffers
{
    public StepBuffers(int length, int sentences, int tags)
    {
        Words = new IdSequence(length, sentences, 1);
        Features = new IdSequence(length, sentences, WordFeatures.Count);
        Gradient = new Sequence<float>(length, sentences, tags);
        Labels = new int[length * sentences];
    }

    public IdSequence Words { get; }
    public IdSequence Features { get; }

    /// <summary>dL/dscores, written by the loss.</summary>
    public Sequence<float> Gradient { get; }

    /// <summary>Gold tags in the order of the scores' rows: step-major (step t, sentence e at t * sentences + e).</summary>
    public int[] Labels { get; }

    /// <summary>Copies the sentences of <paramref name="batch"/> in, side by side.</summary>
    public void Fill(IReadOnlyList<EncodedSentence> sentences, int[] batch)
    {
        int n = batch.Length, features = WordFeatures.Count;
        if (n != Words.Examples)
            throw new ArgumentException($"A batch of {n} sentences does not fit buffers for {Words.Examples}.", nameof(batch));
        for (int e = 0; e < n; e++)
        {
            EncodedSentence s = sentences[batch[e]];
            if (s.Length != Words.Length)
                throw new ArgumentException($"A batch mixes lengths {Words.Length} and {s.Length}; its sentences must be equally long.", nameof(batch));
            for (int t = 0; t < s.Length; t++)
            {
                int row = t * n + e;
                Words.Data[row] = s.Words[t];
                s.Features.AsSpan(t * features, features).CopyTo(Features.Data.AsSpan(row * features, features));
                Labels[row] = s.Tags[t];
            }
        }
    }
}
