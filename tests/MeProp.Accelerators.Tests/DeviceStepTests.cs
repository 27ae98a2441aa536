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

/// <summary>
/// One whole training step of <see cref="SmallMlp"/> composed from the device runtime (the calls a
/// generated GPU pass makes: forward products and activation, the loss, each linear operation's
/// meProp backward, the activation's derivative) against the generated CPU step, in every mode, on
/// ILGPU's CPU accelerator.
/// </summary>
public sealed class DeviceStepTests : IClassFixture<CpuAcceleratorFixture>
{
    private readonly CpuAcceleratorFixture _device;

    public DeviceStepTests(CpuAcceleratorFixture device) => _device = device;

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
