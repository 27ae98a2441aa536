using System;
using MeProp.Sparsity;
using Xunit;

namespace MeProp.Accelerators.Tests;

/// <summary>The device backward of a linear operation against the CPU runtime's LinearBackward, in every mode, on ILGPU's CPU accelerator.</summary>
public sealed class DeviceLinearBackwardTests : IClassFixture<TestAcceleratorFixture>
{
    private readonly TestAcceleratorFixture _device;

    public DeviceLinearBackwardTests(TestAcceleratorFixture device) => _device = device;


    [Theory]
    [InlineData(MePropMode.Dense, 5, 9, 7, 3)]
    [InlineData(MePropMode.TopK, 5, 9, 7, 3)]
    [InlineData(MePropMode.Unified, 5, 9, 7, 3)]
    [InlineData(MePropMode.TopK, 33, 20, 17, 1)]
    [InlineData(MePropMode.Unified, 33, 20, 17, 1)]
    [InlineData(MePropMode.TopK, 8, 6, 5, 6)]      // k = width: dense
    [InlineData(MePropMode.Unified, 8, 6, 5, 9)]   // k above the width: dense
    public void Gradients_equal_the_cpu_backward(MePropMode mode, int batch, int n, int m, int k)
    {
        var random = new SeededRandom(batch * 1000 + n * 10 + m);
        Batch<float> dy = TestValues.Batch(batch, n, random), x = TestValues.Batch(batch, m, random), dxStart = TestValues.Batch(batch, m, random);
        var w = new Matrix<float>(n, m);
        TestValues.Batch(n, m, random).Span.CopyTo(w.Data);
        foreach (bool accumulateDx in new[] { false, true })
        {
            var dw = new ParameterGradient<float>(n, m);
            var db = new ParameterGradient<float>(n, 1);
            var dx = new Batch<float>(batch, m);
            dxStart.Span.CopyTo(dx.Span);
            new LinearBackward<float>().Run(dy, x, w, dw, db, dx, accumulateDx, k, mode, new SeededRandom(1));

            using DeviceBatch ddy = DeviceBatch.From(_device.Accelerator, dy), dxIn = DeviceBatch.From(_device.Accelerator, x),
                              dwt = new(_device.Accelerator, n, m), ddw = new(_device.Accelerator, n, m), ddb = new(_device.Accelerator, 1, n),
                              ddx = DeviceBatch.From(_device.Accelerator, dxStart);
            var wHost = new Batch<float>(n, m);
            w.Data.CopyTo(wHost.Span);
            dwt.CopyFrom(wHost);
            using var backward = new DeviceLinearBackward(_device.Accelerator);
            backward.Run(ddy, dxIn, dwt, ddw, ddb, ddx, accumulateDx, k, mode);

            Close(dw.Data, ddw.ToBatch().Span.ToArray(), $"{mode} dW");
            Close(db.Data, ddb.ToBatch().Span.ToArray(), $"{mode} db");
            Close(dx.Span.ToArray(), ddx.ToBatch().Span.ToArray(), $"{mode} dx");
        }
    }

    [Theory]
    [InlineData(MePropMode.Dense, 5, 9, 7, 3)]
    [InlineData(MePropMode.TopK, 5, 9, 7, 3)]
    [InlineData(MePropMode.Unified, 5, 9, 7, 3)]
    [InlineData(MePropMode.Unified, 33, 20, 17, 1)]
    [InlineData(MePropMode.Unified, 8, 6, 5, 9)]   // k above the width: dense
    public void Through_a_relu_equals_the_cpu_fused_backward(MePropMode mode, int batch, int n, int m, int k)
    {
        var random = new SeededRandom(batch * 7 + n * 3 + m);
        // The ReLU's output: about half exact zeros, where its input gradient must be 0.
        Batch<float> dh = TestValues.Batch(batch, n, random), h = TestValues.Batch(batch, n, random), x = TestValues.Batch(batch, m, random);
        for (int i = 0; i < h.Data.Length; i++) h.Data[i] = MathF.Max(0f, h.Data[i]);
        var w = new Matrix<float>(n, m);
        TestValues.Batch(n, m, random).Span.CopyTo(w.Data);
        var dw = new ParameterGradient<float>(n, m);
        var db = new ParameterGradient<float>(n, 1);
        var dx = new Batch<float>(batch, m);
        var dy = new Batch<float>(batch, n);
        new LinearBackward<float>().RunThroughRelu(dh, h, dy, x, w, dw, db, dx, false, k, mode, new SeededRandom(1));

        var wHost = new Batch<float>(n, m);
        w.Data.CopyTo(wHost.Span);
        using DeviceBatch ddh = DeviceBatch.From(_device.Accelerator, dh), dhOut = DeviceBatch.From(_device.Accelerator, h), ddy = new(_device.Accelerator, batch, n),
                          dxIn = DeviceBatch.From(_device.Accelerator, x), dwt = DeviceBatch.From(_device.Accelerator, wHost), ddw = new(_device.Accelerator, n, m),
                          ddb = new(_device.Accelerator, 1, n), ddx = new(_device.Accelerator, batch, m);
        using var backward = new DeviceLinearBackward(_device.Accelerator);
        backward.RunThroughRelu(ddh, dhOut, ddy, dxIn, dwt, ddw, ddb, ddx, false, k, mode);

        Close(dw.Data, ddw.ToBatch().Span.ToArray(), $"{mode} dW");
        Close(db.Data, ddb.ToBatch().Span.ToArray(), $"{mode} db");
        Close(dx.Span.ToArray(), ddx.ToBatch().Span.ToArray(), $"{mode} dx");
        // Unified meProp below the width applies the derivative where it reads dy, and leaves dy unwritten.
        if (mode != MePropMode.Unified || k >= n)
            Close(dy.Span.ToArray(), ddy.ToBatch().Span.ToArray(), $"{mode} dy");
        else
            Assert.All(ddy.ToBatch().Span.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Weight_and_bias_gradients_are_added_to()
    {
        var random = new SeededRandom(5);
        using DeviceBatch dy = DeviceBatch.From(_device.Accelerator, TestValues.Batch(6, 8, random)), x = DeviceBatch.From(_device.Accelerator, TestValues.Batch(6, 4, random)),
                          w = DeviceBatch.From(_device.Accelerator, TestValues.Batch(8, 4, random)), dw = new(_device.Accelerator, 8, 4), db = new(_device.Accelerator, 1, 8);
        using var backward = new DeviceLinearBackward(_device.Accelerator);
        foreach (MePropMode mode in new[] { MePropMode.Dense, MePropMode.TopK, MePropMode.Unified })
        {
            dw.CopyFrom(new Batch<float>(8, 4));
            db.CopyFrom(new Batch<float>(1, 8));
            backward.Run(dy, x, w, dw, db, null, false, 3, mode);
            float[] once = dw.ToBatch().Span.ToArray(), onceBias = db.ToBatch().Span.ToArray();
            backward.Run(dy, x, w, dw, db, null, false, 3, mode);
            Close(Array.ConvertAll(once, v => 2 * v), dw.ToBatch().Span.ToArray(), $"{mode} dW twice");
            Close(Array.ConvertAll(onceBias, v => 2 * v), db.ToBatch().Span.ToArray(), $"{mode} db twice");
        }
    }

    [Fact]
    public void Bad_shapes_and_k_throw()
    {
        using DeviceBatch dy = new(_device.Accelerator, 4, 6), x = new(_device.Accelerator, 4, 3), w = new(_device.Accelerator, 6, 3), dw = new(_device.Accelerator, 6, 3),
                          wrong = new(_device.Accelerator, 5, 3);
        using var backward = new DeviceLinearBackward(_device.Accelerator);
        Assert.Throws<ArgumentOutOfRangeException>(() => backward.Run(dy, x, w, dw, null, null, false, 0, MePropMode.TopK));
        var ex = Assert.Throws<ArgumentException>(() => backward.Run(dy, wrong, w, dw, null, null, false, 2, MePropMode.TopK));
        Assert.Contains("5x3", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => backward.Run(dy, x, w, wrong, null, null, false, 2, MePropMode.TopK));
        Assert.Contains("dw", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => backward.Run(dy, x, w, dw, null, null, false, 2, MePropMode.Random));
    }

    private static void Close(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-5f * MathF.Max(1f, MathF.Abs(expected[i])), $"{what}[{i}]: cpu {expected[i]}, device {actual[i]}");
    }
}
