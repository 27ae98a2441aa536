using System;
using Xunit;

namespace MeProp.Accelerators.Tests;

/// <summary>The device loss and optimizers against the host's, on ILGPU's CPU accelerator.</summary>
public sealed class DeviceTrainingTests : IClassFixture<TestAcceleratorFixture>
{
    private readonly TestAcceleratorFixture _device;

    public DeviceTrainingTests(TestAcceleratorFixture device) => _device = device;


    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 10)]
    [InlineData(33, 103)]
    public void Softmax_cross_entropy_equals_the_host(int batch, int classes)
    {
        var random = new SeededRandom(batch + classes);
        Batch<float> logits = TestValues.Batch(batch, classes, random, scale: 40);
        logits.Span[0] = 3000f; // large logits must neither overflow nor lose the loss
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++) labels[b] = random.NextInt(classes);
        var expected = new Batch<float>(batch, classes);
        float expectedLoss = SoftmaxCrossEntropy.LossAndGradient(logits, labels, expected);

        using DeviceBatch dLogits = DeviceBatch.From(_device.Accelerator, logits), dGradient = new(_device.Accelerator, batch, classes);
        using var loss = new DeviceSoftmaxCrossEntropy(_device.Accelerator);
        float actualLoss = loss.LossAndGradient(dLogits, labels, dGradient);
        Assert.True(MathF.Abs(expectedLoss - actualLoss) <= 1e-5f * MathF.Max(1f, MathF.Abs(expectedLoss)), $"loss: host {expectedLoss}, device {actualLoss}");
        float[] actual = dGradient.ToBatch().Span.ToArray();
        for (int i = 0; i < actual.Length; i++)
            Assert.True(MathF.Abs(expected.Span[i] - actual[i]) <= 1e-6f, $"gradient[{i}]: host {expected.Span[i]}, device {actual[i]}");
    }

    [Fact]
    public void Bad_labels_throw_naming_the_example()
    {
        using DeviceBatch logits = new(_device.Accelerator, 2, 3), gradient = new(_device.Accelerator, 2, 3);
        using var loss = new DeviceSoftmaxCrossEntropy(_device.Accelerator);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => loss.LossAndGradient(logits, new[] { 0, 3 }, gradient));
        Assert.Contains("example 1", ex.Message);
        Assert.Throws<ArgumentException>(() => loss.LossAndGradient(logits, new[] { 0 }, gradient));
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adagrad")]
    [InlineData("adam")]
    public void Three_steps_of_each_optimizer_equal_the_host(string name)
    {
        var random = new SeededRandom(name.Length);
        var value = new Matrix<float>(5, 7);
        TestValues.Batch(5, 7, random).Span.CopyTo(value.Data);
        var parameter = new Parameter<float>("W", value);
        IOptimizer<float> host = name switch
        {
            "sgd" => new Sgd<float>(0.1),
            "adagrad" => new AdaGrad<float>(0.01),
            _ => new Adam<float>(1e-3),
        };
        var ops = new DeviceOptimizers(_device.Accelerator);
        var start = new Batch<float>(5, 7);
        value.Data.CopyTo(start.Span);
        using DeviceBatch w = DeviceBatch.From(_device.Accelerator, start), g = new(_device.Accelerator, 5, 7),
                          s1 = new(_device.Accelerator, 5, 7), s2 = new(_device.Accelerator, 5, 7);
        for (int step = 1; step <= 3; step++)
        {
            Batch<float> gradient = TestValues.Batch(5, 7, random);
            parameter.Gradient.MarkAllRows();
            gradient.Span.CopyTo(parameter.Gradient.Data);
            host.Step(new[] { parameter });
            g.CopyFrom(gradient);
            switch (name)
            {
                case "sgd": ops.Sgd(w, g, 0.1); break;
                case "adagrad": ops.AdaGrad(w, g, s1, 0.01); break;
                default: ops.Adam(w, g, s1, s2, step); break;
            }
        }
        float[] device = w.ToBatch().Span.ToArray();
        for (int i = 0; i < device.Length; i++)
            Assert.True(MathF.Abs(value.Data[i] - device[i]) <= 1e-6f, $"{name} w[{i}]: host {value.Data[i]}, device {device[i]}");
    }
}
