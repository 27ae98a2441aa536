using System;
using System.Collections.Generic;
using Xunit;
using static MeProp.Ops;

namespace MeProp.Accelerators.Tests;

/// <summary>One LSTM direction in float, as the tagger's (gates read [x_t; h_{t-1}] through one matrix each).</summary>
public sealed partial class SmallLstm
{
    internal readonly Matrix<float> Wi, Wf, Wo, Wg;
    internal readonly RowVector<float> bi, bf, bo, bg;

    public SmallLstm(int input, int hidden, SeededRandom random)
    {
        Hidden = hidden;
        Wi = Init.Uniform<float>(hidden, input + hidden, 0.5, random); bi = Bias(hidden, random);
        Wf = Init.Uniform<float>(hidden, input + hidden, 0.5, random); bf = Bias(hidden, random);
        Wo = Init.Uniform<float>(hidden, input + hidden, 0.5, random); bo = Bias(hidden, random);
        Wg = Init.Uniform<float>(hidden, input + hidden, 0.5, random); bg = Bias(hidden, random);
    }

    internal int Hidden { get; }

    internal static RowVector<float> Bias(int n, SeededRandom random)
    {
        var b = new RowVector<float>(n);
        for (int i = 0; i < n; i++) b.Data[i] = (float)(random.NextDouble() * 0.2 - 0.1);
        return b;
    }

    [MeProp(K = 2)]
    public Sequence<float> Forward(Sequence<float> x)
    {
        var h = Zeros(x, Hidden);
        var c = Zeros(x, Hidden);
        var outputs = SequenceLike(x);
        for (int t = 0; t < x.Length; t++)
        {
            var z = Concat(x[t], h);
            var i = Sigmoid(Wi * z + bi);
            var f = Sigmoid(Wf * z + bf);
            var o = Sigmoid(Wo * z + bo);
            var g = Tanh(Wg * z + bg);
            c = f * c + i * g;
            h = o * Tanh(c);
            outputs[t] = h;
        }
        return outputs;
    }
}

/// <summary>A small bidirectional LSTM tagger in float, built as the example's: embeddings per step, two LSTMs (one on the reversed sentence), an output layer per step.</summary>
public sealed partial class SmallTagger
{
    internal readonly Matrix<float> Words, Features, Out;
    internal readonly RowVector<float> outBias;
    internal readonly SmallLstm Forwards, Backwards;

    public SmallTagger(int words, int features, int tags, int hidden, int seed)
    {
        var random = new SeededRandom(seed);
        Words = Init.Uniform<float>(words, 3, 0.5, random);
        Features = Init.Uniform<float>(features, 2, 0.5, random);
        Forwards = new SmallLstm(3 + 2 * 2, hidden, random);
        Backwards = new SmallLstm(3 + 2 * 2, hidden, random);
        Out = Init.Uniform<float>(tags, 2 * hidden, 0.5, random);
        outBias = SmallLstm.Bias(tags, random);
    }

    public double Rate { get; set; }

    [MeProp(K = 2, DenseOutput = true)]
    public Sequence<float> Forward(IdSequence words, IdSequence features)
    {
        var inputs = SequenceLike<float>(words);
        for (int t = 0; t < words.Length; t++)
            inputs[t] = Dropout(Concat(Embed(Words, words[t]), Embed(Features, features[t])), Rate);
        var forward = Forwards.Forward(inputs);
        var backward = Reverse(Backwards.Forward(Reverse(inputs)));
        var scores = SequenceLike<float>(words);
        for (int t = 0; t < words.Length; t++)
            scores[t] = Out * Concat(forward[t], backward[t]) + outBias;
        return scores;
    }
}

/// <summary>
/// Generated device passes of models with loops over sequences (back propagation through time on
/// the device) against their generated CPU passes, in every mode, on ILGPU's CPU accelerator.
/// </summary>
public sealed class DeviceLoopTests : IClassFixture<TestAcceleratorFixture>
{
    private const float Tolerance = 2e-5f;
    private readonly TestAcceleratorFixture _device;

    public DeviceLoopTests(TestAcceleratorFixture device) => _device = device;

    [Theory]
    [InlineData(MePropMode.Dense)]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Unified)]
    public void The_generated_device_pass_of_the_tagger_equals_its_cpu_pass_at_every_length(MePropMode mode)
    {
        const int examples = 3, words = 11, features = 9, tags = 5, hidden = 4;
        var model = new SmallTagger(words, features, tags, hidden, seed: 7);
        model.MePropSettings.Mode = mode;
        var random = new SeededRandom(8);
        using var runtime = new DeviceRuntime(_device.Accelerator);
        using SmallTagger.__MePropDevicePass pass = model.OnAccelerator(runtime);

        // Lengths that grow, shrink and grow past the first: the device sequences resize as the host's do.
        foreach (int length in new[] { 4, 2, 6 })
        {
            var wordIds = RandomIds(length, examples, 1, words, random);
            var featureIds = RandomIds(length, examples, 2, features, random);
            // L = sum of G ⊙ scores for a fixed random G: dL/dscores = G.
            var g = new Sequence<float>(length, examples, tags);
            for (int i = 0; i < g.AllSteps.Span.Length; i++) g.AllSteps.Span[i] = (float)(random.NextDouble() * 2 - 1);

            Sequence<float> cpuScores = model.ForwardTrain(wordIds, featureIds);
            model.Backward(g);
            DeviceSequence deviceScores = pass.ForwardTrain(wordIds, featureIds);
            using var dG = DeviceSequence.From(_device.Accelerator, g);
            pass.Backward(dG);

            Assert.Equal(length, deviceScores.Length);
            Close(cpuScores.AllSteps.Span.ToArray(), deviceScores.ToSequence().AllSteps.Span.ToArray(), $"{mode}, length {length}: scores");
            SameGradients(model.Parameters, pass.Parameters, $"{mode}, length {length}");
        }
    }

    [Theory]
    [InlineData(MePropMode.Dense)]
    [InlineData(MePropMode.Unified)]
    public void The_generated_device_pass_of_an_lstm_takes_and_returns_device_sequences(MePropMode mode)
    {
        const int length = 5, examples = 2, input = 3, hidden = 4;
        var random = new SeededRandom(9);
        var model = new SmallLstm(input, hidden, random);
        model.MePropSettings.Mode = mode;
        var x = new Sequence<float>(length, examples, input);
        for (int i = 0; i < x.AllSteps.Span.Length; i++) x.AllSteps.Span[i] = (float)(random.NextDouble() * 2 - 1);
        var g = new Sequence<float>(length, examples, hidden);
        for (int i = 0; i < g.AllSteps.Span.Length; i++) g.AllSteps.Span[i] = (float)(random.NextDouble() * 2 - 1);

        Sequence<float> cpu = model.ForwardTrain(x);
        model.Backward(g);
        using var runtime = new DeviceRuntime(_device.Accelerator);
        using SmallLstm.__MePropDevicePass pass = model.OnAccelerator(runtime);
        using DeviceSequence dx = DeviceSequence.From(_device.Accelerator, x), dG = DeviceSequence.From(_device.Accelerator, g);
        Close(cpu.AllSteps.Span.ToArray(), pass.ForwardTrain(dx).ToSequence().AllSteps.Span.ToArray(), $"{mode}: outputs");
        pass.Backward(dG);
        SameGradients(model.Parameters, pass.Parameters, mode.ToString());

        using var wrong = new DeviceSequence(_device.Accelerator, length + 1, examples, hidden);
        var ex = Assert.Throws<ArgumentException>(() => pass.Backward(wrong));
        Assert.Contains("6 steps", ex.Message);
    }

    [Fact]
    public void The_tagger_device_pass_draws_a_mask_per_step_with_dropout()
    {
        var model = new SmallTagger(words: 11, features: 9, tags: 5, hidden: 4, seed: 7) { Rate = 0.5 };
        var random = new SeededRandom(12);
        using var runtime = new DeviceRuntime(_device.Accelerator);
        using SmallTagger.__MePropDevicePass pass = model.OnAccelerator(runtime);
        foreach (int length in new[] { 3, 5 })
        {
            var wordIds = RandomIds(length, 2, 1, 11, random);
            var featureIds = RandomIds(length, 2, 2, 9, random);
            DeviceSequence scores = pass.ForwardTrain(wordIds, featureIds);
            var g = new Sequence<float>(length, 2, 5);
            g.AllSteps.Span.Fill(1f);
            using var dG = DeviceSequence.From(_device.Accelerator, g);
            pass.Backward(dG);
            Assert.All(scores.ToSequence().AllSteps.Span.ToArray(), v => Assert.True(float.IsFinite(v)));
            float[] dWords = pass.Parameters[0].Gradient.ToBatch().Span.ToArray();
            Assert.All(dWords, v => Assert.True(float.IsFinite(v)));
            // Half the word-embedding inputs are dropped per step, not all: some table gradient survives.
            Assert.Contains(dWords, v => v != 0f);
        }
    }

    [Fact]
    public void Device_sequences_copy_resize_and_reverse_as_host_sequences_do()
    {
        var random = new SeededRandom(10);
        var host = new Sequence<float>(3, 2, 4);
        for (int i = 0; i < host.AllSteps.Span.Length; i++) host.AllSteps.Span[i] = (float)random.NextDouble();
        using var runtime = new DeviceRuntime(_device.Accelerator);
        using var x = DeviceSequence.From(_device.Accelerator, host);
        using var y = new DeviceSequence(_device.Accelerator, 1, 2, 4);
        y.Resize(3);
        runtime.Kernels.Reverse(x, y);
        var expected = new Sequence<float>(3, 2, 4);
        Kernels.ForwardKernels.Reverse(host, expected);
        Assert.Equal(expected.AllSteps.Span.ToArray(), y.ToSequence().AllSteps.Span.ToArray());
        Assert.Equal(host[1].Span.ToArray(), x[1].ToBatch().Span.ToArray());

        // The gradient of a reversal, overwritten then added.
        using var dx = new DeviceSequence(_device.Accelerator, 3, 2, 4);
        runtime.Kernels.ReverseBackward(y, dx, accumulate: false);
        runtime.Kernels.ReverseBackward(y, dx, accumulate: true);
        float[] twice = host.AllSteps.Span.ToArray();
        for (int i = 0; i < twice.Length; i++) twice[i] *= 2;
        Assert.Equal(twice, dx.ToSequence().AllSteps.Span.ToArray());

        // Growing past the capacity gives a new buffer whose steps are views of it.
        x.Resize(7);
        Assert.Equal(7, x.Length);
        Assert.Equal(14, x.AllSteps.Rows);
        runtime.Kernels.Zero(x[6]);
        Assert.Throws<ArgumentOutOfRangeException>(() => x[7]);
        Assert.Throws<ArgumentException>(() => runtime.Kernels.Reverse(x, y));
        Assert.Throws<ArgumentException>(() => x.CopyFrom(new Sequence<float>(2, 3, 4)));
    }

    private static IdSequence RandomIds(int length, int examples, int positions, int range, SeededRandom random)
    {
        var ids = new IdSequence(length, examples, positions);
        for (int i = 0; i < ids.Data.Length; i++) ids.Data[i] = random.NextInt(range);
        return ids;
    }

    private static void Close(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= Tolerance, $"{what}[{i}]: cpu {expected[i]}, device {actual[i]}");
    }

    private static void SameGradients(IReadOnlyList<Parameter<float>> host, IReadOnlyList<(string Name, DeviceBatch Value, DeviceBatch Gradient)> device, string what)
    {
        Assert.Equal(host.Count, device.Count);
        for (int i = 0; i < host.Count; i++)
        {
            Assert.Equal(host[i].Name, device[i].Name);
            Close(host[i].Gradient.Data, device[i].Gradient.ToBatch().Span.ToArray(), $"{what}: d{host[i].Name}");
        }
    }
}
