using System;
using MeProp.Kernels;
using Xunit;

namespace MeProp.Accelerators.Tests;

/// <summary>Embedding lookups and concatenations on the device against the host kernels, on ILGPU's CPU accelerator.</summary>
public sealed class DeviceEmbeddingsTests : IClassFixture<TestAcceleratorFixture>
{
    private readonly TestAcceleratorFixture _device;

    public DeviceEmbeddingsTests(TestAcceleratorFixture device) => _device = device;


    [Theory]
    [InlineData(1, 1, 1, 1, 0)]
    [InlineData(6, 3, 11, 4, 5)]
    [InlineData(40, 18, 30, 5, 2)]
    public void Lookups_and_their_gradient_equal_the_host(int examples, int positions, int rows, int dim, int offset)
    {
        var random = new SeededRandom(examples * 7 + positions);
        var table = new Matrix<float>(rows, dim);
        TestValues.Batch(rows, dim, random).Span.CopyTo(table.Data);
        var ids = new IdBatch(examples, positions);
        for (int b = 0; b < examples; b++)
            for (int p = 0; p < positions; p++) ids[b, p] = random.NextInt(rows); // repeats: a row's gradient sums several lookups
        int cols = offset + positions * dim + 3;
        Batch<float> start = TestValues.Batch(examples, cols, random);

        var expected = new Batch<float>(examples, cols);
        start.Span.CopyTo(expected.Span);
        ForwardKernels.Embed(table, ids, expected, offset);
        var hostTable = new Batch<float>(rows, dim);
        table.Data.CopyTo(hostTable.Span);
        using DeviceBatch dTable = DeviceBatch.From(_device.Accelerator, hostTable), y = DeviceBatch.From(_device.Accelerator, start);
        using var embeddings = new DeviceEmbeddings(_device.Accelerator);
        embeddings.Embed(dTable, ids, y, offset);
        Assert.Equal(expected.Span.ToArray(), y.ToBatch().Span.ToArray()); // copies: exact

        Batch<float> dy = TestValues.Batch(examples, cols, random);
        var expectedGradient = new ParameterGradient<float>(rows, dim);
        BackwardKernels.Embed(dy, offset, ids, expectedGradient);
        using DeviceBatch ddy = DeviceBatch.From(_device.Accelerator, dy), dGradient = new(_device.Accelerator, rows, dim);
        embeddings.EmbedBackward(ddy, ids, dGradient, offset);
        float[] actual = dGradient.ToBatch().Span.ToArray();
        for (int i = 0; i < actual.Length; i++)
            Assert.True(MathF.Abs(expectedGradient.Data[i] - actual[i]) <= 1e-5f, $"dTable[{i}]: host {expectedGradient.Data[i]}, device {actual[i]}");
    }

    [Theory]
    [InlineData(1, 1, 0, 1)]
    [InlineData(9, 5, 3, 12)]
    public void Concatenation_both_ways_equals_the_host(int rows, int width, int offset, int cols)
    {
        var random = new SeededRandom(rows + width);
        Batch<float> part = TestValues.Batch(rows, width, random), whole = TestValues.Batch(rows, cols, random), dpart = TestValues.Batch(rows, width, random);
        using var embeddings = new DeviceEmbeddings(_device.Accelerator);
        using DeviceBatch dPart = DeviceBatch.From(_device.Accelerator, part), dWhole = DeviceBatch.From(_device.Accelerator, whole);
        var expected = new Batch<float>(rows, cols);
        whole.Span.CopyTo(expected.Span);
        ForwardKernels.ConcatInto(part, expected, offset);
        embeddings.ConcatInto(dPart, dWhole, offset);
        Assert.Equal(expected.Span.ToArray(), dWhole.ToBatch().Span.ToArray());

        foreach (bool accumulate in new[] { false, true })
        {
            var hostGradient = new Batch<float>(rows, width);
            dpart.Span.CopyTo(hostGradient.Span);
            BackwardKernels.Concat(whole, offset, hostGradient, accumulate);
            using DeviceBatch dWholeGradient = DeviceBatch.From(_device.Accelerator, whole), deviceGradient = DeviceBatch.From(_device.Accelerator, dpart);
            embeddings.ConcatBackward(dWholeGradient, offset, deviceGradient, accumulate);
            Assert.Equal(hostGradient.Span.ToArray(), deviceGradient.ToBatch().Span.ToArray());
        }
    }

    [Fact]
    public void Bad_ids_and_ranges_throw_naming_them()
    {
        using DeviceBatch table = new(_device.Accelerator, 4, 2), y = new(_device.Accelerator, 2, 4);
        using var embeddings = new DeviceEmbeddings(_device.Accelerator);
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => embeddings.Embed(table, new IdBatch(2, 2, new[] { 0, 1, 4, 0 }), y));
        Assert.Contains("example 1, position 0", bad.Message);
        var range = Assert.Throws<ArgumentException>(() => embeddings.Embed(table, new IdBatch(2, 2), y, offset: 1));
        Assert.Contains("column 1", range.Message);
        range = Assert.Throws<ArgumentException>(() => embeddings.ConcatInto(y, table, 0));
        Assert.Contains("rows", range.Message);
    }
}
