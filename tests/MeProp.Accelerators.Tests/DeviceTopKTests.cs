using System;
using ILGPU;
using ILGPU.Runtime;
using MeProp.Sparsity;
using Xunit;

namespace MeProp.Accelerators.Tests;

/// <summary>
/// The device selections against the CPU runtime's (TopKSelector, LinearBackward's unified set),
/// once per selection kernel (the two classes below); both kernels must give the same indices.
/// </summary>
public abstract class SelectionEqualityTests
{
    protected SelectionEqualityTests(TestAcceleratorFixture device) => Device = device;

    protected TestAcceleratorFixture Device { get; }

    protected abstract DeviceSelectionKernel Kernel { get; }

    // Rows with ties (values on a coarse grid, both signs, +0 and -0), NaN and infinities.
    private static Batch<float> Values(int rows, int cols, int seed, bool ties)
    {
        var random = new SeededRandom(seed);
        var batch = new Batch<float>(rows, cols);
        Span<float> v = batch.Span;
        for (int i = 0; i < v.Length; i++)
        {
            double u = random.NextDouble() * 2 - 1;
            v[i] = ties ? MathF.Round((float)u * 3) / 3 : (float)u;
        }
        if (v.Length > 5)
        {
            v[1] = float.NaN;
            v[2] = -0f;
            v[3] = float.PositiveInfinity;
            v[4] = float.NegativeInfinity;
        }
        return batch;
    }

    [Theory]
    [InlineData(1, 1, 1, false)]
    [InlineData(5, 9, 1, true)]
    [InlineData(7, 33, 3, true)]
    [InlineData(13, 500, 20, false)]
    [InlineData(13, 500, 20, true)]
    [InlineData(4, 17, 17, true)]   // k = width: every index
    [InlineData(4, 17, 40, false)]  // k above the width
    [InlineData(3, 1000, 7, true)]  // rows longer than a group: several entries per thread, ties across shares
    public void Per_row_selection_equals_the_cpu_selector(int rows, int cols, int k, bool ties)
    {
        var topK = new DeviceTopK(Device.Accelerator, Kernel);
        Batch<float> values = Values(rows, cols, rows * 100 + cols, ties);
        int kept = DeviceTopK.Kept(k, cols);
        using DeviceBatch device = DeviceBatch.From(Device.Accelerator, values);
        using MemoryBuffer1D<int, Stride1D.Dense> selected = Device.Accelerator.Allocate1D<int>(rows * kept);
        topK.SelectPerRow(device, k, selected.View);
        int[] actual = TestValues.Read(selected);

        var selector = new TopKSelector<float>();
        var expected = new int[kept];
        for (int b = 0; b < rows; b++)
        {
            int count = selector.Select(values.Row(b), k, expected);
            Assert.Equal(kept, count);
            Assert.True(expected.AsSpan().SequenceEqual(actual.AsSpan(b * kept, kept)),
                $"{topK.Kernel}, row {b}: expected {string.Join(",", expected)}, got {string.Join(",", actual.AsSpan(b * kept, kept).ToArray())}");
        }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(9, 33, 5)]
    [InlineData(200, 500, 20)]
    [InlineData(6, 10, 10)]
    [InlineData(3, 2000, 64)]  // a row of scores longer than a group
    public void Unified_selection_equals_the_cpu_linear_backward(int rows, int cols, int k)
    {
        Batch<float> dy = Values(rows, cols, rows + cols, ties: false);
        // The CPU runtime's unified set, as LinearBackward chooses it for a layer of `cols` outputs.
        var backward = new LinearBackward<float>();
        var x = new Batch<float>(rows, 3);
        var w = new Matrix<float>(cols, 3);
        backward.Run(dy, x, w, new ParameterGradient<float>(cols, 3), null, null, false, k, MePropMode.Unified, new SeededRandom(1));
        int[] expected = backward.SelectedFor(0).ToArray();

        int kept = DeviceTopK.Kept(k, cols);
        using DeviceBatch device = DeviceBatch.From(Device.Accelerator, dy);
        using var scores = new DeviceBatch(Device.Accelerator, 1, cols);
        using MemoryBuffer1D<int, Stride1D.Dense> selected = Device.Accelerator.Allocate1D<int>(kept);
        new DeviceTopK(Device.Accelerator, Kernel).SelectUnified(device, k, scores, selected.View);
        Assert.Equal(expected, TestValues.Read(selected));
    }
}

/// <summary>One thread per row (the CPU accelerator's own choice).</summary>
public sealed class ThreadPerRowSelectionTests : SelectionEqualityTests, IClassFixture<TestAcceleratorFixture>
{
    public ThreadPerRowSelectionTests(TestAcceleratorFixture device) : base(device) { }

    protected override DeviceSelectionKernel Kernel => DeviceSelectionKernel.ThreadPerRow;
}

/// <summary>One group per row (the GPUs' choice), run on ILGPU's CPU accelerator too.</summary>
public sealed class GroupPerRowSelectionTests : SelectionEqualityTests, IClassFixture<TestAcceleratorFixture>
{
    public GroupPerRowSelectionTests(TestAcceleratorFixture device) : base(device) { }

    protected override DeviceSelectionKernel Kernel => DeviceSelectionKernel.GroupPerRow;
}

/// <summary>The selection kernel each accelerator gets, and the argument checks.</summary>
public sealed class DeviceTopKTests : IClassFixture<TestAcceleratorFixture>
{
    private readonly TestAcceleratorFixture _device;
    private readonly DeviceTopK _topK;

    public DeviceTopKTests(TestAcceleratorFixture device)
    {
        _device = device;
        _topK = new DeviceTopK(device.Accelerator);
    }

    [Fact]
    public void The_cpu_accelerator_selects_a_row_per_thread_and_gpus_a_row_per_group()
    {
        DeviceSelectionKernel expected = _device.Accelerator.AcceleratorType == AcceleratorType.CPU
            ? DeviceSelectionKernel.ThreadPerRow : DeviceSelectionKernel.GroupPerRow;
        Assert.Equal(expected, _topK.Kernel);
    }

    [Fact]
    public void Bad_arguments_throw_naming_what_is_wrong()
    {
        using var values = new DeviceBatch(_device.Accelerator, 2, 5);
        using MemoryBuffer1D<int, Stride1D.Dense> small = _device.Accelerator.Allocate1D<int>(3);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _topK.SelectPerRow(values, 0, small.View));
        Assert.Contains("at least 1", ex.Message);
        var room = Assert.Throws<ArgumentException>(() => _topK.SelectPerRow(values, 2, small.View));
        Assert.Contains("room for 4", room.Message);
        using var scores = new DeviceBatch(_device.Accelerator, 1, 4);
        room = Assert.Throws<ArgumentException>(() => _topK.SelectUnified(values, 2, scores, small.View));
        Assert.Contains("1x5", room.Message);
    }
}
