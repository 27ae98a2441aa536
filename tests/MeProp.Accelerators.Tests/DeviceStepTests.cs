using System;
using MeProp.Kernels;
using Xunit;
using static MeProp.Ops;

namespace MeProp.Accelerators.Tests;

/// <summary>A two-layer float MLP with the CPU training pass the generator writes for it.</summary>
public sealed partial class SmallMlp
{
    public Matrix<float> W1, W2;
    public RowVector<float> b1, b2;

    public SmallMlp(int input, int hidden, int output, int seed)
    {
        var random = new SeededRandom(seed);
        W1 = Init.Uniform<float>(hidden, input, 0.5, random);
        b1 = new RowVector<float>(hidden);
        W2 = Init.Uniform<float>(output, hidden, 0.5, random);
        b2 = new RowVector<float>(output);
        for (int i = 0; i < hidden; i++) b1.Data[i] = (float)(random.NextDouble() * 0.2 - 0.1);
        for (int i = 0; i < output; i++) b2.Data[i] = (float)(random.NextDouble() * 0.2 - 0.1);
    }

    [MeProp(K = 3)]
    public Batch<float> Forward(Batch<float> x)
    {
        var h = Relu(W1 * x + b1);
        return W2 * h + b2;
    }
}

/// <summary>A small parser network in float: word and tag embeddings concatenated, a tanh layer, the output layer.</summary>
public sealed partial class SmallParser
{
    public Matrix<float> Words, Tags, Hidden, Output;
    public RowVector<float> HiddenBias, OutputBias;

    public SmallParser(int words, int tags, int dimension, int positions, int hidden, int classes, int seed)
    {
        var random = new SeededRandom(seed);
        Words = Init.Uniform<float>(words, dimension, 0.5, random);
        Tags = Init.Uniform<float>(tags, dimension, 0.5, random);
        Hidden = Init.Uniform<float>(hidden, 2 * positions * dimension, 0.5, random);
        HiddenBias = new RowVector<float>(hidden);
        Output = Init.Uniform<float>(classes, hidden, 0.5, random);
        OutputBias = new RowVector<float>(classes);
    }

    public double Rate { get; set; }

    [MeProp(K = 3)]
    public Batch<float> Forward(IdBatch words, IdBatch tags)
    {
        var x = Dropout(Concat(Embed(Words, words), Embed(Tags, tags)), Rate);
        var h = Tanh(Hidden * x + HiddenBias);
        return Output * h + OutputBias;
    }
}

/// <summary>
/// One whole training step of <see cref="SmallMlp"/> composed from the device runtime (the calls a
/// generated GPU pass makes: forward products and activation, the loss, each linear operation's
/// meProp backward, the activation's derivative) against the generated CPU step, in every mode, on
/// ILGPU's CPU accelerator.
/// </summary>
public sealed class DeviceStepTests : IClassFixture<TestAcceleratorFixture>
{
    private readonly TestAcceleratorFixture _device;

    public DeviceStepTests(TestAcceleratorFixture device) => _device = device;

    [Theory]
    [InlineData(MePropMode.Dense)]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Unified)]
    public void A_composed_device_step_equals_the_generated_cpu_step(MePropMode mode)
    {
        const int batch = 12, input = 9, hidden = 8, output = 5;
        var model = new SmallMlp(input, hidden, output, seed: 3);
        model.MePropSettings.Mode = mode;
        var random = new SeededRandom(4);
        var x = new Batch<float>(batch, input);
        for (int i = 0; i < x.Span.Length; i++) x.Span[i] = (float)(random.NextDouble() * 2 - 1);
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++) labels[b] = random.NextInt(output);

        // The CPU pass.
        var gradient = new Batch<float>(batch, output);
        float cpuLoss = SoftmaxCrossEntropy.LossAndGradient(model.ForwardTrain(x), labels, gradient);
        model.Backward(gradient);

        // The same step on the device.
        using var runtime = new DeviceRuntime(_device.Accelerator);
        using DeviceBatch w1 = Upload(model.W1), b1 = Upload(model.b1), w2 = Upload(model.W2), b2 = Upload(model.b2), dx = DeviceBatch.From(_device.Accelerator, x),
                          h1Linear = new(_device.Accelerator, batch, hidden), h1 = new(_device.Accelerator, batch, hidden), scores = new(_device.Accelerator, batch, output),
                          dScores = new(_device.Accelerator, batch, output), dH1 = new(_device.Accelerator, batch, hidden), dH1Linear = new(_device.Accelerator, batch, hidden),
                          dW1 = new(_device.Accelerator, hidden, input), dB1 = new(_device.Accelerator, 1, hidden), dW2 = new(_device.Accelerator, output, hidden), dB2 = new(_device.Accelerator, 1, output);
        using DeviceLinearBackward outputBackward = runtime.NewLinearBackward(), hiddenBackward = runtime.NewLinearBackward();
        runtime.Linear(w1, dx, b1, h1Linear);
        runtime.Kernels.Relu(h1Linear, h1);
        runtime.Linear(w2, h1, b2, scores);
        float deviceLoss = runtime.Loss.LossAndGradient(scores, labels, dScores);
        int k = model.MePropSettings.K, outputK = model.MePropSettings.OutputLayerK;
        outputBackward.Run(dScores, h1, w2, dW2, dB2, dH1, accumulateDx: false, outputK, mode);
        runtime.Kernels.ReluBackward(dH1, h1, dH1Linear, accumulate: false);
        hiddenBackward.Run(dH1Linear, dx, w1, dW1, dB1, null, accumulateDx: false, k, mode);

        Assert.True(MathF.Abs(cpuLoss - deviceLoss) <= 1e-5f, $"loss: cpu {cpuLoss}, device {deviceLoss}");
        foreach (Parameter<float> p in model.Parameters)
        {
            DeviceBatch device = p.Name switch { "W1" => dW1, "b1" => dB1, "W2" => dW2, _ => dB2 };
            float[] actual = device.ToBatch().Span.ToArray();
            Assert.Equal(p.Gradient.Data.Length, actual.Length);
            for (int i = 0; i < actual.Length; i++)
                Assert.True(MathF.Abs(p.Gradient.Data[i] - actual[i]) <= 1e-5f, $"{mode} d{p.Name}[{i}]: cpu {p.Gradient.Data[i]}, device {actual[i]}");
        }
    }

    [Theory]
    [InlineData(MePropMode.Dense)]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Unified)]
    public void The_generated_device_pass_of_the_mlp_equals_its_cpu_pass(MePropMode mode)
    {
        const int batch = 12, input = 9, hidden = 8, output = 5;
        var model = new SmallMlp(input, hidden, output, seed: 3);
        model.MePropSettings.Mode = mode;
        var random = new SeededRandom(4);
        var x = new Batch<float>(batch, input);
        for (int i = 0; i < x.Span.Length; i++) x.Span[i] = (float)(random.NextDouble() * 2 - 1);
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++) labels[b] = random.NextInt(output);

        using var runtime = new DeviceRuntime(_device.Accelerator);
        using SmallMlp.__MePropDevicePass pass = model.OnAccelerator(runtime);
        using DeviceBatch dx = DeviceBatch.From(_device.Accelerator, x), dScores = new(_device.Accelerator, batch, output);
        float deviceLoss = runtime.Loss.LossAndGradient(pass.ForwardTrain(dx), labels, dScores);
        pass.Backward(dScores);

        var gradient = new Batch<float>(batch, output);
        float cpuLoss = SoftmaxCrossEntropy.LossAndGradient(model.ForwardTrain(x), labels, gradient);
        model.Backward(gradient);

        Assert.True(MathF.Abs(cpuLoss - deviceLoss) <= 1e-5f, $"loss: cpu {cpuLoss}, device {deviceLoss}");
        SameGradients(model.Parameters, pass.Parameters, mode);
    }

    [Theory]
    [InlineData(MePropMode.Dense)]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Unified)]
    public void The_generated_device_pass_of_the_parser_network_equals_its_cpu_pass_and_trains(MePropMode mode)
    {
        const int batch = 10, positions = 3, classes = 7;
        var model = new SmallParser(words: 20, tags: 6, dimension: 4, positions, hidden: 9, classes, seed: 5);
        model.MePropSettings.Mode = mode;
        var random = new SeededRandom(6);
        var words = new IdBatch(batch, positions);
        var tags = new IdBatch(batch, positions);
        for (int b = 0; b < batch; b++)
            for (int p = 0; p < positions; p++)
            {
                words[b, p] = random.NextInt(20);
                tags[b, p] = random.NextInt(6);
            }
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++) labels[b] = random.NextInt(classes);

        using var runtime = new DeviceRuntime(_device.Accelerator);
        using SmallParser.__MePropDevicePass pass = model.OnAccelerator(runtime);
        using var dScores = new DeviceBatch(_device.Accelerator, batch, classes);
        float first = runtime.Loss.LossAndGradient(pass.ForwardTrain(words, tags), labels, dScores);
        pass.Backward(dScores);

        var gradient = new Batch<float>(batch, classes);
        float cpuLoss = SoftmaxCrossEntropy.LossAndGradient(model.ForwardTrain(words, tags), labels, gradient);
        model.Backward(gradient);
        Assert.True(MathF.Abs(cpuLoss - first) <= 1e-5f, $"loss: cpu {cpuLoss}, device {first}");
        SameGradients(model.Parameters, pass.Parameters, mode);

        // A few device steps of SGD on the same batch lower the loss; the host model gets the parameters back.
        float last = first;
        for (int step = 0; step < 20; step++)
        {
            foreach (var (_, value, grad) in pass.Parameters) runtime.Optimizers.Sgd(value, grad, 0.5);
            last = runtime.Loss.LossAndGradient(pass.ForwardTrain(words, tags), labels, dScores);
            pass.Backward(dScores);
        }
        Assert.True(last < 0.8f * first, $"{mode}: loss {first} -> {last}");
        float before = model.Words.Data[0];
        pass.CopyParametersToHost();
        Assert.NotEqual(before, model.Words.Data[0]);
        Assert.True(MathF.Abs(SoftmaxCrossEntropy.Loss(model.Forward(words, tags), labels) - runtime.Loss.LossAndGradient(pass.ForwardTrain(words, tags), labels, dScores)) <= 1e-4f);
    }

    [Fact]
    public void Device_dropout_keeps_about_one_minus_p_scaled_and_masks_the_gradient_the_same_way()
    {
        const int rows = 64, cols = 50;
        const double p = 0.3;
        using var runtime = new DeviceRuntime(_device.Accelerator);
        var host = new Batch<float>(rows, cols);
        var random = new SeededRandom(11);
        for (int i = 0; i < host.Span.Length; i++) host.Span[i] = (float)(random.NextDouble() + 0.5); // no zeros
        using DeviceBatch x = DeviceBatch.From(_device.Accelerator, host), mask = new(_device.Accelerator, rows, cols), y = new(_device.Accelerator, rows, cols),
                          dx = new(_device.Accelerator, rows, cols);
        runtime.Kernels.ReseedDropout(5);
        runtime.Kernels.Dropout(x, p, mask, y);
        float[] m = mask.ToBatch().Span.ToArray(), values = y.ToBatch().Span.ToArray();
        float scale = (float)(1.0 / (1.0 - p));
        int kept = 0;
        for (int i = 0; i < m.Length; i++)
        {
            Assert.True(m[i] == 0f || m[i] == scale, $"mask[{i}] = {m[i]}");
            Assert.Equal(host.Span[i] * m[i], values[i]);
            if (m[i] != 0f) kept++;
        }
        // 3,200 draws: the kept share is within 4 standard deviations (about 0.032) of 0.7.
        Assert.InRange(kept / (double)m.Length, 0.7 - 0.033, 0.7 + 0.033);

        // The gradient: dy ⊙ mask, overwritten then added.
        runtime.Kernels.DropoutBackward(x, mask, dx, accumulate: false);
        runtime.Kernels.DropoutBackward(x, mask, dx, accumulate: true);
        float[] d = dx.ToBatch().Span.ToArray();
        for (int i = 0; i < d.Length; i++) Assert.Equal(2 * (host.Span[i] * m[i]), d[i], 6);

        // The next call draws another mask; reseeding repeats the first; rate 0 is the identity with a mask of ones.
        runtime.Kernels.Dropout(x, p, mask, y);
        Assert.NotEqual(m, mask.ToBatch().Span.ToArray());
        runtime.Kernels.ReseedDropout(5);
        runtime.Kernels.Dropout(x, p, mask, y);
        Assert.Equal(m, mask.ToBatch().Span.ToArray());
        runtime.Kernels.Dropout(x, 0.0, mask, y);
        Assert.All(mask.ToBatch().Span.ToArray(), f => Assert.Equal(1f, f));
        Assert.Equal(host.Span.ToArray(), y.ToBatch().Span.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => runtime.Kernels.Dropout(x, 1.0, mask, y));
    }

    [Fact]
    public void The_device_pass_trains_the_parser_network_with_dropout()
    {
        const int batch = 16, positions = 3, classes = 4;
        var model = new SmallParser(words: 12, tags: 5, dimension: 4, positions, hidden: 12, classes, seed: 2) { Rate = 0.25 };
        var random = new SeededRandom(3);
        var words = new IdBatch(batch, positions);
        var tags = new IdBatch(batch, positions);
        for (int b = 0; b < batch; b++)
            for (int q = 0; q < positions; q++)
            {
                words[b, q] = random.NextInt(12);
                tags[b, q] = random.NextInt(5);
            }
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++) labels[b] = random.NextInt(classes);
        using var runtime = new DeviceRuntime(_device.Accelerator);
        using SmallParser.__MePropDevicePass pass = model.OnAccelerator(runtime);
        using var dScores = new DeviceBatch(_device.Accelerator, batch, classes);
        float first = runtime.Loss.LossAndGradient(pass.ForwardTrain(words, tags), labels, dScores);
        pass.Backward(dScores);
        for (int step = 0; step < 60; step++)
        {
            foreach (var (_, value, grad) in pass.Parameters) runtime.Optimizers.Sgd(value, grad, 0.3);
            runtime.Loss.LossAndGradient(pass.ForwardTrain(words, tags), labels, dScores);
            pass.Backward(dScores);
        }
        // Judged without dropout (the inference forward on the host, parameters copied back).
        pass.CopyParametersToHost();
        model.Rate = 0;
        float last = SoftmaxCrossEntropy.Loss(model.Forward(words, tags), labels);
        Assert.True(last < 0.7f * first, $"loss {first} -> {last}");
    }

    private static void SameGradients(System.Collections.Generic.IReadOnlyList<Parameter<float>> host,
                                      System.Collections.Generic.IReadOnlyList<(string Name, DeviceBatch Value, DeviceBatch Gradient)> device, MePropMode mode)
    {
        Assert.Equal(host.Count, device.Count);
        for (int i = 0; i < host.Count; i++)
        {
            Assert.Equal(host[i].Name, device[i].Name);
            float[] actual = device[i].Gradient.ToBatch().Span.ToArray();
            Assert.Equal(host[i].Gradient.Data.Length, actual.Length);
            for (int j = 0; j < actual.Length; j++)
                Assert.True(MathF.Abs(host[i].Gradient.Data[j] - actual[j]) <= 1e-5f, $"{mode} d{host[i].Name}[{j}]: cpu {host[i].Gradient.Data[j]}, device {actual[j]}");
        }
    }

    private DeviceBatch Upload(Matrix<float> m)
    {
        var host = new Batch<float>(m.Rows, m.Cols);
        m.Data.CopyTo(host.Span);
        return DeviceBatch.From(_device.Accelerator, host);
    }

    private DeviceBatch Upload(RowVector<float> v)
    {
        var host = new Batch<float>(1, v.Length);
        v.Data.CopyTo(host.Span);
        return DeviceBatch.From(_device.Accelerator, host);
    }
}
