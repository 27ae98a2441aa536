using System;
using Xunit;

namespace MeProp.Runtime.Tests;

public class ParameterGradientTests
{
    [Fact]
    public void MarkRow_records_each_row_once_in_first_written_order()
    {
        var g = new ParameterGradient<double>(5, 2);
        Assert.Equal(0, g.TouchedRowCount);
        g.MarkRow(3);
        g.MarkRow(1);
        g.MarkRow(3);
        Assert.Equal(2, g.TouchedRowCount);
        Assert.Equal(new[] { 3, 1 }, g.TouchedRows.ToArray());
        Assert.False(g.AllRowsTouched);
    }

    [Fact]
    public void Clear_zeroes_only_the_marked_rows_and_forgets_them()
    {
        var g = new ParameterGradient<double>(4, 3);
        Array.Fill(g.Data, 7.0);
        g.MarkRow(2);
        g.MarkRow(0);
        g.Clear();
        Assert.Equal(new[] { 0.0, 0, 0, 7, 7, 7, 0, 0, 0, 7, 7, 7 }, g.Data);
        Assert.Equal(0, g.TouchedRowCount);
        Assert.True(g.TouchedRows.IsEmpty);
        // A row cleared before can be marked again.
        g.MarkRow(2);
        Assert.Equal(new[] { 2 }, g.TouchedRows.ToArray());
    }

    [Fact]
    public void MarkAllRows_counts_every_row_and_Clear_zeroes_everything()
    {
        var g = new ParameterGradient<double>(4, 3);
        Array.Fill(g.Data, 7.0);
        g.MarkRow(1);
        g.MarkAllRows();
        g.MarkRow(2); // no effect once all rows count
        Assert.True(g.AllRowsTouched);
        Assert.Equal(4, g.TouchedRowCount);
        g.Clear();
        Assert.All(g.Data, v => Assert.Equal(0.0, v));
        Assert.False(g.AllRowsTouched);
        Assert.Equal(0, g.TouchedRowCount);
        // Row 1's mark went with the dense clear: marking it again records it.
        g.MarkRow(1);
        Assert.Equal(new[] { 1 }, g.TouchedRows.ToArray());
    }

    [Fact]
    public void Rejects_bad_shapes_and_rows_naming_them()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParameterGradient<double>(0, 3));
        var g = new ParameterGradient<double>(4, 3);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => g.MarkRow(4));
        Assert.Contains("Row 4", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => g.MarkRow(-1));
    }
}
