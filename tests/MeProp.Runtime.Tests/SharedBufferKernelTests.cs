using System;
using MeProp.Kernels;
using Xunit;

namespace MeProp.Runtime.Tests;

/// <summary>
/// The kernels generated code uses to share buffers instead of copying: an embedding written into its
/// columns of a concatenation (and its gradient read from there), and a dropout that returns its
/// operand at rate 0.
/// </summary>
public class SharedBufferKernelTests
{
    private readonly SeededRandom _random = new(41);

    [Theory]
    [InlineData(3, 0)]
    [InlineData(300, 5)] // both threads' halves
    public void Embed_at_an_offset_equals_embed_then_concat_and_leaves_the_other_columns(int examples, int offset)
    {
        var table = TestData.Matrix(_random, 70, 4);
        var ids = new IdBatch(examples, 3);
        for (int b = 0; b < examples; b++)
            for (int p = 0; p < 3; p++) ids[b, p] = (b * 7 + p * 13) % 70;
        var separate = new Batch<double>(examples, 12);
        ForwardKernels.Embed(table, ids, separate);
        var expected = TestData.Batch(_random, examples, offset + 12 + 2);
        var y = new Batch<double>(examples, expected.Cols);
        expected.Span.CopyTo(y.Span);
        ForwardKernels.ConcatInto(separate, expected, offset);

        ForwardKernels.Embed(table, ids, y, offset);
        Assert.Equal(expected.Data, y.Data);
    }

    [Fact]
    public void Embed_at_an_offset_rejects_a_range_outside_the_result_and_bad_ids()
    {
        var table = TestData.Matrix(_random, 5, 4);
        var ids = new IdBatch(2, 2, new[] { 0, 1, 2, 3 });
        var ex = Assert.Throws<ArgumentException>(() => ForwardKernels.Embed(table, ids, new Batch<double>(2, 10), offset: 3));
        Assert.Contains("column 3", ex.Message);
        Assert.Contains("10 columns", ex.Message);
        Assert.Throws<ArgumentException>(() => ForwardKernels.Embed(table, ids, new Batch<double>(2, 10), offset: -1));
        ids[1, 1] = 5;
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => ForwardKernels.Embed(table, ids, new Batch<double>(2, 10), offset: 2));
        Assert.Contains("Id 5", bad.Message);
    }

    [Theory]
    [InlineData(4, 3)]
    [InlineData(500, 1)] // both threads, table rows in blocks of 64 on either
    public void Embed_gradient_at_an_offset_equals_the_gradient_of_the_copied_out_columns(int examples, int offset)
    {
        var ids = new IdBatch(examples, 2);
        for (int b = 0; b < examples; b++)
            for (int p = 0; p < 2; p++) ids[b, p] = (b * 11 + p * 5) % 150;
        var dConcat = TestData.Batch(_random, examples, offset + 6 + 4);
        var part = new Batch<double>(examples, 6);
        BackwardKernels.Concat(dConcat, offset, part, accumulate: false);
        var expected = new ParameterGradient<double>(150, 3);
        BackwardKernels.Embed(part, ids, expected);

        var actual = new ParameterGradient<double>(150, 3);
        BackwardKernels.Embed(dConcat, offset, ids, actual);
        Assert.Equal(expected.Data, actual.Data);
        Assert.Equal(expected.TouchedRows.ToArray(), actual.TouchedRows.ToArray());
    }

    [Fact]
    public void Embed_gradient_at_an_offset_rejects_a_range_outside_the_gradient_and_changes_nothing_on_a_bad_id()
    {
        var dy = TestData.Batch(_random, 1, 8);
        var dTable = new ParameterGradient<double>(5, 3);
        var ex = Assert.Throws<ArgumentException>(() => BackwardKernels.Embed(dy, 3, new IdBatch(1, 2), dTable));
        Assert.Contains("column 3", ex.Message);
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => BackwardKernels.Embed(dy, 2, new IdBatch(1, 2, new[] { 1, 7 }), dTable));
        Assert.Contains("Id 7", bad.Message);
        Assert.All(dTable.Data, v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void DropoutOrSame_returns_its_operand_at_rate_zero_drawing_nothing()
    {
        var x = TestData.Batch(_random, 3, 5);
        var mask = new Batch<double>(3, 5);
        var y = new Batch<double>(3, 5);
        var random = new SeededRandom(3);
        Assert.Same(x, ForwardKernels.DropoutOrSame(x, 0.0, random, mask, y));
        Assert.All(y.Data, v => Assert.Equal(0.0, v));
        Assert.Equal(new SeededRandom(3).NextDouble(), random.NextDouble()); // the sequence did not move
    }

    [Fact]
    public void DropoutOrSame_above_zero_is_dropout_into_its_result()
    {
        var x = TestData.Batch(_random, 40, 30);
        var (mask, y) = (new Batch<double>(40, 30), new Batch<double>(40, 30));
        var (expectedMask, expected) = (new Batch<double>(40, 30), new Batch<double>(40, 30));
        ForwardKernels.Dropout(x, 0.3, new SeededRandom(9), expectedMask, expected);
        Assert.Same(y, ForwardKernels.DropoutOrSame(x, 0.3, new SeededRandom(9), mask, y));
        Assert.Equal(expected.Data, y.Data);
        Assert.Equal(expectedMask.Data, mask.Data);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void DropoutOrSame_rejects_a_probability_outside_zero_one(double p)
    {
        var x = new Batch<double>(2, 2);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ForwardKernels.DropoutOrSame(x, p, new SeededRandom(1), new Batch<double>(2, 2), new Batch<double>(2, 2)));
        Assert.Contains(p.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
    }
}
