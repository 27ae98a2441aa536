using System;
using System.Linq;
using MeProp;
using Xunit;
using static MeProp.Ops;

namespace MeProp.Gradients.Tests;

/// <summary>A float LSTM tagger as a user trains it: embeddings, one LSTM direction, a tag per step.</summary>
public sealed partial class FloatLstmTagger
{
    public Matrix<float> E, Wi, Wf, Wo, Wg, Out;
    public RowVector<float> bi, bf, bo, bg, outBias;
    public int Hidden { get; }

    public FloatLstmTagger(int vocabulary, int dimension, int hidden, int tags, int seed)
    {
        var random = new SeededRandom(seed);
        Hidden = hidden;
        E = Init.Glorot<float>(vocabulary, dimension, random);
        Wi = Init.Glorot<float>(hidden, dimension + hidden, random); bi = Init.Zeros<float>(hidden);
        Wf = Init.Glorot<float>(hidden, dimension + hidden, random); bf = Init.Zeros<float>(hidden);
        Wo = Init.Glorot<float>(hidden, dimension + hidden, random); bo = Init.Zeros<float>(hidden);
        Wg = Init.Glorot<float>(hidden, dimension + hidden, random); bg = Init.Zeros<float>(hidden);
        Out = Init.Glorot<float>(tags, hidden, random); outBias = Init.Zeros<float>(tags);
    }

    [MeProp(K = 4, DenseOutput = true)]
    public Sequence<float> Tags(IdSequence words)
    {
        var h = Zeros<float>(words, Hidden);
        var c = Zeros<float>(words, Hidden);
        var scores = SequenceLike<float>(words);
        for (int t = 0; t < words.Length; t++)
        {
            var z = Concat(Embed(E, words[t]), h);
            var i = Sigmoid(Wi * z + bi);
            var f = Sigmoid(Wf * z + bf);
            var o = Sigmoid(Wo * z + bo);
            var g = Tanh(Wg * z + bg);
            c = f * c + i * g;
            h = o * Tanh(c);
            scores[t] = Out * h + outBias;
        }
        return scores;
    }
}

public class FloatRecurrentTrainingTests
{
    private const int Vocabulary = 8, Classes = 3;

    // The tag of word t is (w_t + w_{t-1}) mod 3: it needs the previous word, so the state must carry it.
    private static (IdSequence Words, int[] Labels) Sentence(int length, SeededRandom random)
    {
        var words = new IdSequence(length, 1, 1);
        var labels = new int[length];
        for (int t = 0; t < length; t++)
        {
            words.Data[t] = random.NextInt(Vocabulary);
            labels[t] = (words.Data[t] + (t > 0 ? words.Data[t - 1] : 0)) % Classes;
        }
        return (words, labels);
    }

    [Theory]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Unified)]
    [InlineData(MePropMode.Dense)]
    public void An_lstm_tagger_learns_a_task_that_needs_its_state(MePropMode mode)
    {
        var random = new SeededRandom(41);
        var model = new FloatLstmTagger(Vocabulary, dimension: 6, hidden: 16, Classes, seed: 3);
        model.MePropSettings.Mode = mode;
        var optimizer = new Adam<float>(learningRate: 0.01);
        var data = Enumerable.Range(0, 60).Select(i => Sentence(1 + i % 9, random)).ToArray();
        var gradients = Enumerable.Range(0, 10).Select(n => n == 0 ? null : new Sequence<float>(n, 1, Classes)).ToArray();
        float Loss() => data.Sum(s => SoftmaxCrossEntropy.Loss(model.ForwardTrain(s.Words).AllSteps, s.Labels) * s.Labels.Length) / data.Sum(s => s.Labels.Length);
        float first = Loss();
        for (int epoch = 0; epoch < 15; epoch++)
        {
            foreach (var (words, labels) in data)
            {
                var g = gradients[words.Length]!;
                SoftmaxCrossEntropy.LossAndGradient(model.ForwardTrain(words).AllSteps, labels, g.AllSteps);
                model.Backward(g);
                optimizer.Step(model.Parameters);
            }
        }
        float last = Loss();
        Assert.True(last < 0.3f * first, $"{mode}: loss went from {first} to {last}");
    }

    [Fact]
    public void A_recurrent_training_step_allocates_nothing_once_the_longest_sentence_was_seen()
    {
        var random = new SeededRandom(42);
        var model = new FloatLstmTagger(Vocabulary, dimension: 6, hidden: 16, Classes, seed: 3);
        var optimizer = new Adam<float>();
        var data = new[] { 5, 1, 9, 2, 1, 7 }.Select(n => Sentence(n, random)).ToArray();
        var gradients = data.Select(s => new Sequence<float>(s.Words.Length, 1, Classes)).ToArray();
        void Epoch()
        {
            for (int i = 0; i < data.Length; i++)
            {
                SoftmaxCrossEntropy.LossAndGradient(model.ForwardTrain(data[i].Words).AllSteps, data[i].Labels, gradients[i].AllSteps);
                model.Backward(gradients[i]);
                optimizer.Step(model.Parameters);
            }
        }
        foreach (MePropMode mode in Enum.GetValues<MePropMode>())
        {
            model.MePropSettings.Mode = mode;
            // Two epochs of warm-up: a sequence that grows for the longest sentence makes its
            // whole-sequence views again, for each length, the next time that length comes.
            Epoch();
            Epoch();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++) Epoch();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated == 0, $"{mode}: {allocated} bytes allocated in 30 steady-state steps of lengths 1 to 9");
        }
    }
}
