using System;
using System.Linq;
using MeProp;
using Xunit;
using static MeProp.Ops;

namespace MeProp.Gradients.Tests;

/// <summary>The float model a user trains, as in the MNIST example: a compact MLP with Glorot weights.</summary>
public sealed partial class FloatMlp
{
    public Matrix<float> W1, W2;
    public RowVector<float> b1, b2;

    public FloatMlp(int input, int hidden, int classes, int seed)
    {
        var random = new SeededRandom(seed);
        W1 = Init.Glorot<float>(hidden, input, random);
        b1 = Init.Zeros<float>(hidden);
        W2 = Init.Glorot<float>(classes, hidden, random);
        b2 = Init.Zeros<float>(classes);
    }

    [MeProp(K = 4)]
    public Batch<float> Forward(Batch<float> x) => W2 * Relu(W1 * x + b1) + b2;
}

public class FloatTrainingTests
{
    // A separable toy task: the class is the index of the largest of the first 'classes' inputs.
    private static (Batch<float> X, int[] Labels) Data(int examples, int input, int classes, SeededRandom random)
    {
        var x = new Batch<float>(examples, input);
        var labels = new int[examples];
        for (int b = 0; b < examples; b++)
        {
            for (int i = 0; i < input; i++) x[b, i] = (float)(random.NextDouble() * 2 - 1);
            labels[b] = Enumerable.Range(0, classes).OrderByDescending(c => x[b, c]).First();
        }
        return (x, labels);
    }

    [Theory]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Unified)]
    [InlineData(MePropMode.Random)]
    [InlineData(MePropMode.Dense)]
    public void Training_with_meProp_lowers_the_loss(MePropMode mode)
    {
        var random = new SeededRandom(31);
        var model = new FloatMlp(input: 12, hidden: 32, classes: 3, seed: 2);
        model.MePropSettings.Mode = mode;
        var optimizer = new Adam<float>(learningRate: 0.01);
        var (x, labels) = Data(20, 12, 3, random);
        var gradient = new Batch<float>(20, 3);

        float first = SoftmaxCrossEntropy.Loss(model.Forward(x), labels);
        for (int step = 0; step < 200; step++)
        {
            SoftmaxCrossEntropy.LossAndGradient(model.ForwardTrain(x), labels, gradient);
            model.Backward(gradient);
            optimizer.Step(model.Parameters);
        }
        float last = SoftmaxCrossEntropy.Loss(model.Forward(x), labels);
        Assert.True(last < 0.5f * first, $"{mode}: loss went from {first} to {last}");
    }

    // The parser example's network in float (FloatCubeParser: embeddings, a cube layer, the scores),
    // on a toy task: the class is the first word's id modulo the class count.
    [Theory]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Unified)]
    [InlineData(MePropMode.Dense)]
    public void Training_a_cube_network_with_meProp_lowers_the_loss(MePropMode mode)
    {
        var random = new SeededRandom(34);
        var model = new FloatCubeParser(vocabulary: 12, dimension: 4, positions: 3, hidden: 24, classes: 3, seed: 3);
        model.MePropSettings.Mode = mode;
        var optimizer = new Adam<float>(learningRate: 0.01);
        var words = new IdBatch(30, 3);
        var labels = new int[30];
        for (int b = 0; b < 30; b++)
        {
            for (int p = 0; p < 3; p++) words[b, p] = random.NextInt(12);
            labels[b] = words[b, 0] % 3;
        }
        var gradient = new Batch<float>(30, 3);

        float first = SoftmaxCrossEntropy.Loss(model.Forward(words), labels);
        for (int step = 0; step < 200; step++)
        {
            SoftmaxCrossEntropy.LossAndGradient(model.ForwardTrain(words), labels, gradient);
            model.Backward(gradient);
            optimizer.Step(model.Parameters);
        }
        float last = SoftmaxCrossEntropy.Loss(model.Forward(words), labels);
        Assert.True(last < 0.5f * first, $"{mode}: loss went from {first} to {last}");
    }

    [Fact]
    public void A_training_step_allocates_nothing_once_its_buffers_exist()
    {
        var random = new SeededRandom(32);
        var model = new FloatMlp(input: 12, hidden: 32, classes: 3, seed: 2);
        var optimizer = new Adam<float>();
        var (x, labels) = Data(10, 12, 3, random);
        var (shortX, shortLabels) = Data(7, 12, 3, random); // a last, shorter batch alternates with full ones
        var gradient = new Batch<float>(10, 3);
        var shortGradient = new Batch<float>(7, 3);
        void Step(Batch<float> input, int[] y, Batch<float> g)
        {
            SoftmaxCrossEntropy.LossAndGradient(model.ForwardTrain(input), y, g);
            model.Backward(g);
            optimizer.Step(model.Parameters);
        }
        foreach (MePropMode mode in Enum.GetValues<MePropMode>())
        {
            model.MePropSettings.Mode = mode;
            for (int i = 0; i < 3; i++) { Step(x, labels, gradient); Step(shortX, shortLabels, shortGradient); }
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) { Step(x, labels, gradient); Step(shortX, shortLabels, shortGradient); }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated == 0, $"{mode}: {allocated} bytes allocated in 40 steady-state steps");
        }
    }

    [Fact]
    public void K_equal_to_every_width_is_exactly_dense_back_propagation()
    {
        var random = new SeededRandom(33);
        var (x, labels) = Data(10, 12, 3, random);
        float[][] Gradients(MePropMode mode, int k)
        {
            var model = new FloatMlp(input: 12, hidden: 32, classes: 3, seed: 2);
            model.MePropSettings.Mode = mode;
            model.MePropSettings.K = k;
            var g = new Batch<float>(10, 3);
            SoftmaxCrossEntropy.LossAndGradient(model.ForwardTrain(x), labels, g);
            model.Backward(g);
            return model.Parameters.Select(p => p.Gradient.Data.ToArray()).ToArray();
        }
        var dense = Gradients(MePropMode.Dense, 1);
        foreach (MePropMode mode in new[] { MePropMode.TopK, MePropMode.Unified, MePropMode.Random })
            Assert.Equal(dense, Gradients(mode, 32));
    }
}
