using System;
using MeProp.Kernels;
using Xunit;

namespace MeProp.Accelerators.Tests;

/// <summary>The device element-wise kernels against the CPU runtime's, on ILGPU's CPU accelerator.</summary>
public sealed class DeviceKernelTests : IClassFixture<TestAcceleratorFixture>
{
    private readonly TestAcceleratorFixture _device;
    private readonly SeededRandom _random = new(31);

    public DeviceKernelTests(TestAcceleratorFixture device) => _device = device;

    private Batch<float> Host(int rows, int cols, double scale = 2.0) => TestValues.Batch(rows, cols, _random, scale);

    private DeviceBatch Device(Batch<float> batch) => DeviceBatch.From(_device.Accelerator, batch);

    // Odd sizes and a single element.
    public static TheoryData<int, int> Shapes => new() { { 1, 1 }, { 3, 7 }, { 17, 33 }, { 64, 65 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Activations_equal_the_cpu_kernels(int rows, int cols)
    {
        var x = Host(rows, cols, scale: 6.0);
        using var dx = Device(x);
        using var dy = new DeviceBatch(_device.Accelerator, rows, cols);
        var expected = new Batch<float>(rows, cols);

        ForwardKernels.Relu(x, expected);
        _device.Kernels.Relu(dx, dy);
        Assert.Equal(expected.Span.ToArray(), dy.ToBatch().Span.ToArray());

        ForwardKernels.Cube(x, expected);
        _device.Kernels.Cube(dx, dy);
        Assert.Equal(expected.Span.ToArray(), dy.ToBatch().Span.ToArray());

        // Transcendentals: the device's tanh and exp are not TensorPrimitives', so a few ulps apart.
        ForwardKernels.Tanh(x, expected);
        _device.Kernels.Tanh(dx, dy);
        Close(expected, dy.ToBatch(), 1e-6f);

        ForwardKernels.Sigmoid(x, expected);
        _device.Kernels.Sigmoid(dx, dy);
        Close(expected, dy.ToBatch(), 1e-6f);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Element_wise_operations_and_the_bias_equal_the_cpu_kernels(int rows, int cols)
    {
        Batch<float> a = Host(rows, cols), b = Host(rows, cols), bias = Host(1, cols), expected = new(rows, cols);
        using DeviceBatch da = Device(a), db = Device(b), dbias = Device(bias), dy = new(_device.Accelerator, rows, cols);

        ForwardKernels.Add(a, b, expected);
        _device.Kernels.Add(da, db, dy);
        Assert.Equal(expected.Span.ToArray(), dy.ToBatch().Span.ToArray());

        ForwardKernels.Subtract(a, b, expected);
        _device.Kernels.Subtract(da, db, dy);
        Assert.Equal(expected.Span.ToArray(), dy.ToBatch().Span.ToArray());

        ForwardKernels.Multiply(a, b, expected);
        _device.Kernels.Multiply(da, db, dy);
        Assert.Equal(expected.Span.ToArray(), dy.ToBatch().Span.ToArray());

        var row = new RowVector<float>(cols);
        bias.Span.CopyTo(row.Data);
        ForwardKernels.AddBias(a, row, expected);
        _device.Kernels.AddBias(da, dbias, dy);
        Assert.Equal(expected.Span.ToArray(), dy.ToBatch().Span.ToArray());

        ForwardKernels.Copy(a, expected);
        _device.Kernels.Copy(da, dy);
        Assert.Equal(a.Span.ToArray(), dy.ToBatch().Span.ToArray());
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gradient_rules_equal_the_cpu_kernels_overwriting_and_adding(int rows, int cols)
    {
        Batch<float> g = Host(rows, cols), v = Host(rows, cols), start = Host(rows, cols);
        using DeviceBatch dg = Device(g), dv = Device(v);
        foreach (bool accumulate in new[] { false, true })
        {
            void Check(Action<Batch<float>> cpu, Action<DeviceBatch> device, float tolerance = 0f)
            {
                var expected = new Batch<float>(rows, cols);
                start.Span.CopyTo(expected.Span);
                cpu(expected);
                using DeviceBatch actual = Device(start);
                device(actual);
                if (tolerance == 0f) Assert.Equal(expected.Span.ToArray(), actual.ToBatch().Span.ToArray());
                else Close(expected, actual.ToBatch(), tolerance);
            }
            Check(d => BackwardKernels.Relu(g, v, d, accumulate), d => _device.Kernels.ReluBackward(dg, dv, d, accumulate));
            Check(d => BackwardKernels.Tanh(g, v, d, accumulate), d => _device.Kernels.TanhBackward(dg, dv, d, accumulate), 1e-6f);
            Check(d => BackwardKernels.Sigmoid(g, v, d, accumulate), d => _device.Kernels.SigmoidBackward(dg, dv, d, accumulate), 1e-6f);
            Check(d => BackwardKernels.Cube(g, v, d, accumulate), d => _device.Kernels.CubeBackward(dg, dv, d, accumulate), 1e-6f);
            Check(d => BackwardKernels.Multiply(g, v, d, accumulate), d => _device.Kernels.MultiplyBackward(dg, dv, d, accumulate), 1e-6f);
            Check(d => BackwardKernels.Pass(g, d, accumulate), d => _device.Kernels.Pass(dg, d, accumulate));
            Check(d => BackwardKernels.Negate(g, d, accumulate), d => _device.Kernels.Negate(dg, d, accumulate));
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Bias_gradient_adds_the_column_sums_in_row_order(int rows, int cols)
    {
        Batch<float> g = Host(rows, cols), start = Host(1, cols);
        var expected = new ParameterGradient<float>(cols, 1);
        start.Span.CopyTo(expected.Data);
        BackwardKernels.Bias(g, expected);
        using DeviceBatch dg = Device(g), db = Device(start);
        _device.Kernels.Bias(dg, db);
        Assert.Equal(expected.Data, db.ToBatch().Span.ToArray());
    }

    [Fact]
    public void Shape_mismatches_throw_naming_the_shapes()
    {
        using DeviceBatch a = new(_device.Accelerator, 3, 4), b = new(_device.Accelerator, 4, 3), bias = new(_device.Accelerator, 1, 3);
        var ex = Assert.Throws<ArgumentException>(() => _device.Kernels.Tanh(a, b));
        Assert.Contains("4x3", ex.Message);
        Assert.Contains("3x4", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => _device.Kernels.AddBias(a, bias, a));
        Assert.Contains("1x3", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => _device.Kernels.TanhBackward(a, a, b, accumulate: false));
        Assert.Contains("gradient", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => a.CopyFrom(new Batch<float>(2, 2)));
        Assert.Contains("2x2", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeviceBatch(_device.Accelerator, 0, 3));
    }

    private static void Close(Batch<float> expected, Batch<float> actual, float relative)
    {
        for (int i = 0; i < expected.Span.Length; i++)
        {
            float e = expected.Span[i], a = actual.Span[i];
            Assert.True(MathF.Abs(e - a) <= relative * MathF.Max(1f, MathF.Abs(e)), $"element {i}: expected {e}, device {a}");
        }
    }
}
