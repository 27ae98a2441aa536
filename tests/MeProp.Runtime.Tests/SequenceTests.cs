using System;
using MeProp;
using MeProp.Kernels;
using Xunit;

namespace MeProp.Runtime.Tests;

public class SequenceTests
{
    [Fact]
    public void Steps_are_views_of_one_step_major_array()
    {
        var data = new float[3 * 2 * 4];
        for (int i = 0; i < data.Length; i++) data[i] = i;
        var s = new Sequence<float>(3, 2, 4, data);
        Assert.Equal(8f, s[1][0, 0]);
        Assert.Equal(23f, s[2][1, 3]);
        s[1][1, 2] = -1;
        Assert.Equal(-1f, data[8 + 4 + 2]);
        Assert.Equal(new[] { 12f, 13f, -1f, 15f }, s[1].Row(1).ToArray());
        Assert.Equal(6, s.AllSteps.Rows);
        Assert.Equal(data.Length, s.AllSteps.Span.Length);
        Assert.Same(s[2], s[2]); // made once: indexing allocates nothing
    }

    [Fact]
    public void A_step_view_works_with_the_kernels()
    {
        var s = new Sequence<double>(2, 2, 3);
        var w = new Matrix<double>(2, 3, new double[] { 1, 0, 0, 0, 1, 1 });
        s[1] = new Batch<double>(2, 3, new double[] { 1, 2, 3, 4, 5, 6 });
        var y = new Batch<double>(2, 2);
        ForwardKernels.Linear(w, s[1], null, y);
        Assert.Equal(new double[] { 1, 5, 4, 11 }, y.Span.ToArray());
        Assert.Equal(new double[] { 0, 0, 0, 0, 0, 0 }, s[0].Span.ToArray()); // step 0 untouched
    }

    [Fact]
    public void Empty_sequences_take_their_width_from_the_first_step_assigned()
    {
        var s = Sequence<float>.Empty(2, 1);
        Assert.Throws<InvalidOperationException>(() => s[0]);
        s[1] = new Batch<float>(1, 3, new float[] { 1, 2, 3 });
        Assert.Equal(3, s.Features);
        Assert.Equal(new float[] { 0, 0, 0, 1, 2, 3 }, s.AllSteps.Span.ToArray());
        var e = Assert.Throws<ArgumentException>(() => s[0] = new Batch<float>(1, 2));
        Assert.Contains("1x3", e.Message);
    }

    [Fact]
    public void Resize_reuses_the_array_until_a_longer_length_comes()
    {
        var s = new Sequence<float>(4, 2, 3);
        float[] before = s.AllSteps.Data;
        s.Resize(1);
        Assert.Equal(1, s.Length);
        Assert.Same(before, s.AllSteps.Data);
        Assert.Throws<ArgumentOutOfRangeException>(() => s[1]);
        s.Resize(4);
        Assert.Same(before, s[3].Data);
        s.Resize(9);
        Assert.Equal(9, s.Length);
        Assert.NotSame(before, s.AllSteps.Data);
        Assert.Equal(9 * 2 * 3, s.AllSteps.Span.Length);
        s[8][1, 2] = 5;
        Assert.Equal(5f, s.AllSteps[17, 2]);
    }

    [Fact]
    public void Bad_shapes_and_steps_are_clear_errors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sequence<float>(0, 1, 1));
        var e = Assert.Throws<ArgumentException>(() => new Sequence<float>(2, 2, 2, new float[7]));
        Assert.Contains("8", e.Message);
        var s = new Sequence<float>(2, 1, 1);
        var step = Assert.Throws<ArgumentOutOfRangeException>(() => s[2]);
        Assert.Contains("2 steps", step.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => s[0].Row(1));
        Assert.Throws<IndexOutOfRangeException>(() => s[0][0, 1]);
    }

    [Fact]
    public void Id_sequences_index_steps_as_id_batches()
    {
        var ids = new IdSequence(3, 2, 1, new[] { 1, 2, 3, 4, 5, 6 });
        Assert.Equal(4, ids[1][1, 0]);
        Assert.Equal(new[] { 5, 6 }, ids[2].Span.ToArray());
        var table = new Matrix<float>(7, 2);
        for (int i = 0; i < 7; i++) table[i, 0] = i;
        var y = new Batch<float>(2, 2);
        ForwardKernels.Embed(table, ids[2], y);
        Assert.Equal(5f, y[0, 0]);
        Assert.Equal(6f, y[1, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ids[3]);
    }

    [Fact]
    public void Zeros_and_SequenceLike_follow_their_model_input()
    {
        var x = new Sequence<float>(5, 3, 2);
        var h = Ops.Zeros(x, 7);
        Assert.Equal((3, 7), (h.Rows, h.Cols));
        var words = new IdSequence(4, 2, 1);
        Assert.Equal((2, 6), (Ops.Zeros<double>(words, 6).Rows, Ops.Zeros<double>(words, 6).Cols));
        var outputs = Ops.SequenceLike<float>(words);
        Assert.Equal((4, 2, 0), (outputs.Length, outputs.Examples, outputs.Features));
    }
}
