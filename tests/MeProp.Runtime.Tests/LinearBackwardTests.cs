using System;
using System.Collections.Generic;
using System.Linq;
using MeProp.Sparsity;
using Xunit;

namespace MeProp.Runtime.Tests;

public class LinearBackwardTests
{
    private sealed record Case(Batch<double> Dy, Batch<double> X, Matrix<double> W);

    // dy with few distinct magnitudes and both signs, so that ties in |dy| (and in unified column sums) occur.
    private static Case MakeCase(int batch, int n, int m, long seed)
    {
        var random = new SeededRandom(seed);
        var dy = new Batch<double>(batch, n);
        for (int i = 0; i < dy.Data.Length; i++) dy.Data[i] = (random.NextInt(9) - 4) * 0.25;
        return new Case(dy, TestData.Batch(random, batch, m), TestData.Matrix(random, n, m));
    }

    // The defining order, independent of the heap: larger |v| first, ties to the lower index.
    private static int[] Largest(IReadOnlyList<double> values, int k) =>
        values.Select((v, i) => (Magnitude: Math.Abs(v), Index: i))
              .OrderByDescending(e => e.Magnitude).ThenBy(e => e.Index)
              .Take(k).Select(e => e.Index).OrderBy(i => i).ToArray();

    private static int[][] ReferenceSelection(Batch<double> dy, int k, MePropMode mode)
    {
        int batch = dy.Rows, n = dy.Cols;
        if (mode == MePropMode.Dense || k >= n)
            return Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, n).ToArray()).ToArray();
        if (mode == MePropMode.TopK)
            return Enumerable.Range(0, batch).Select(b => Largest(dy.Row(b).ToArray(), k)).ToArray();
        if (mode == MePropMode.Unified)
        {
            var sums = Enumerable.Range(0, n).Select(j => Enumerable.Range(0, batch).Sum(b => Math.Abs(dy[b, j]))).ToArray();
            int[] shared = Largest(sums, k);
            return Enumerable.Range(0, batch).Select(_ => shared).ToArray();
        }
        throw new ArgumentOutOfRangeException(nameof(mode));
    }

    // Dense back propagation, by naive loops, of dy with every entry not selected set to zero.
    private static (double[] Dw, double[] Db, double[] Dx) Reference(Case c, int[][] selected)
    {
        int batch = c.Dy.Rows, n = c.W.Rows, m = c.W.Cols;
        var masked = new double[batch * n];
        for (int b = 0; b < batch; b++)
            foreach (int j in selected[b]) masked[b * n + j] = c.Dy[b, j];
        var dw = new double[n * m];
        var db = new double[n];
        var dx = new double[batch * m];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < n; j++)
            {
                double g = masked[b * n + j];
                db[j] += g;
                for (int i = 0; i < m; i++)
                {
                    dw[j * m + i] += g * c.X[b, i];
                    dx[b * m + i] += g * c.W[j, i];
                }
            }
        return (dw, db, dx);
    }

    public static TheoryData<MePropMode, int, int, int, int> Cases()
    {
        var data = new TheoryData<MePropMode, int, int, int, int>();
        foreach (var mode in new[] { MePropMode.Dense, MePropMode.TopK, MePropMode.Random, MePropMode.Unified })
        {
            data.Add(mode, 1, 7, 5, 1);
            data.Add(mode, 4, 33, 9, 3);
            data.Add(mode, 6, 20, 17, 7);
            data.Add(mode, 3, 10, 4, 9);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_dense_backprop_of_the_masked_gradient(MePropMode mode, int batch, int n, int m, int k)
    {
        var c = MakeCase(batch, n, m, seed: batch * 1000 + n * 10 + k);
        foreach (bool accumulate in new[] { false, true })
        {
            var backward = new LinearBackward<double>();
            var dw = new ParameterGradient<double>(n, m);
            var db = new ParameterGradient<double>(n, 1);
            var dxStart = TestData.Batch(new SeededRandom(7), batch, m);
            var dx = new Batch<double>(batch, m, (double[])dxStart.Data.Clone());
            backward.Run(c.Dy, c.X, c.W, dw, db, dx, accumulate, k, mode, new SeededRandom(11));

            int[][] selected;
            if (mode == MePropMode.Random && k < n)
            {
                selected = new int[batch][];
                for (int b = 0; b < batch; b++)
                {
                    int[] kept = backward.SelectedFor(b).ToArray();
                    Assert.Equal(k, kept.Length);
                    Assert.All(kept, j => Assert.InRange(j, 0, n - 1));
                    for (int i = 1; i < kept.Length; i++) Assert.True(kept[i - 1] < kept[i], "indices distinct and ascending");
                    selected[b] = kept;
                }
            }
            else
            {
                selected = ReferenceSelection(c.Dy, k, mode);
                for (int b = 0; b < batch; b++) Assert.Equal(selected[b], backward.SelectedFor(b).ToArray());
            }

            var (rdw, rdb, rdx) = Reference(c, selected);
            TestData.Close(rdw, dw.Data, 1e-13);
            TestData.Close(rdb, db.Data, 1e-13);
            if (accumulate) for (int i = 0; i < rdx.Length; i++) rdx[i] += dxStart.Data[i];
            TestData.Close(rdx, dx.Data, 1e-13);

            Assert.Equal(k >= n || mode == MePropMode.Dense ? MePropMode.Dense : mode, backward.LastMode);
            Assert.Equal(k >= n || mode == MePropMode.Dense ? n : k, backward.LastKeptPerExample);
        }
    }

    [Theory]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Random)]
    [InlineData(MePropMode.Unified)]
    public void K_at_least_the_width_equals_dense(MePropMode mode)
    {
        var c = MakeCase(5, 12, 8, seed: 99);
        (double[], double[], double[]) Run(MePropMode runMode, int k)
        {
            var dw = new ParameterGradient<double>(12, 8);
            var db = new ParameterGradient<double>(12, 1);
            var dx = new Batch<double>(5, 8);
            new LinearBackward<double>().Run(c.Dy, c.X, c.W, dw, db, dx, false, k, runMode, new SeededRandom(1));
            return (dw.Data, db.Data, dx.Data);
        }
        var dense = Run(MePropMode.Dense, 1);
        foreach (int k in new[] { 12, 13, 1000 })
        {
            var sparse = Run(mode, k);
            TestData.Close(dense.Item1, sparse.Item1, 1e-12);
            TestData.Close(dense.Item2, sparse.Item2, 1e-12);
            TestData.Close(dense.Item3, sparse.Item3, 1e-12);
        }
    }

    [Theory]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Unified)]
    [InlineData(MePropMode.Random)]
    public void Null_db_and_null_dx_skip_those_gradients_only(MePropMode mode)
    {
        var c = MakeCase(4, 15, 6, seed: 5);
        var full = new ParameterGradient<double>(15, 6);
        new LinearBackward<double>().Run(c.Dy, c.X, c.W, full, new ParameterGradient<double>(15, 1), new Batch<double>(4, 6), false, 4, mode, new SeededRandom(3));
        var bare = new ParameterGradient<double>(15, 6);
        new LinearBackward<double>().Run(c.Dy, c.X, c.W, bare, null, null, false, 4, mode, new SeededRandom(3));
        Assert.Equal(full.Data, bare.Data);
    }

    [Fact]
    public void DW_and_dB_accumulate_over_calls()
    {
        var c = MakeCase(3, 10, 5, seed: 8);
        var dw = new ParameterGradient<double>(10, 5);
        var db = new ParameterGradient<double>(10, 1);
        var backward = new LinearBackward<double>();
        backward.Run(c.Dy, c.X, c.W, dw, db, null, false, 3, MePropMode.TopK, new SeededRandom(1));
        double[] once = (double[])dw.Data.Clone(), onceB = (double[])db.Data.Clone();
        backward.Run(c.Dy, c.X, c.W, dw, db, null, false, 3, MePropMode.TopK, new SeededRandom(1));
        TestData.Close(once.Select(v => 2 * v).ToArray(), dw.Data, 1e-15);
        TestData.Close(onceB.Select(v => 2 * v).ToArray(), db.Data, 1e-15);
    }

    [Theory]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Random)]
    [InlineData(MePropMode.Unified)]
    public void Touched_rows_are_the_union_of_kept_indices_and_Clear_zeroes_exactly_those(MePropMode mode)
    {
        const int batch = 4, n = 30, m = 6, k = 3;
        var c = MakeCase(batch, n, m, seed: 77);
        var dw = new ParameterGradient<double>(n, m);
        var db = new ParameterGradient<double>(n, 1);
        // A sentinel in every element: rows the backward does not touch must keep it through Clear.
        Array.Fill(dw.Data, 42.0);
        Array.Fill(db.Data, 42.0);
        var backward = new LinearBackward<double>();
        backward.Run(c.Dy, c.X, c.W, dw, db, null, false, k, mode, new SeededRandom(9));

        var union = new SortedSet<int>();
        for (int b = 0; b < batch; b++) union.UnionWith(backward.SelectedFor(b).ToArray());
        Assert.False(dw.AllRowsTouched);
        Assert.Equal(union.Count, dw.TouchedRowCount);
        Assert.Equal(union, new SortedSet<int>(dw.TouchedRows.ToArray()));
        Assert.Equal(union, new SortedSet<int>(db.TouchedRows.ToArray()));
        if (mode == MePropMode.Unified) Assert.Equal(k, union.Count);

        dw.Clear();
        db.Clear();
        for (int j = 0; j < n; j++)
        {
            double expected = union.Contains(j) ? 0.0 : 42.0;
            Assert.All(dw.Row(j).ToArray(), v => Assert.Equal(expected, v));
            Assert.Equal(expected, db.Data[j]);
        }
        Assert.Equal(0, dw.TouchedRowCount);
    }

    [Fact]
    public void Dense_marks_all_rows_and_SelectedFor_answers_every_index()
    {
        var c = MakeCase(2, 6, 3, seed: 4);
        var backward = new LinearBackward<double>();
        var dw = new ParameterGradient<double>(6, 3);
        // First a sparse call, so that a stale selection would show.
        backward.Run(c.Dy, c.X, c.W, dw, null, null, false, 2, MePropMode.TopK, new SeededRandom(1));
        backward.Run(c.Dy, c.X, c.W, dw, null, null, false, 0, MePropMode.Dense, new SeededRandom(1));
        Assert.True(dw.AllRowsTouched);
        Assert.Equal(6, dw.TouchedRowCount);
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5 }, backward.SelectedFor(1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => backward.SelectedFor(2).ToArray());
    }

    [Fact]
    public void Random_selection_is_reproducible_from_the_seed_and_varies_between_examples()
    {
        var c = MakeCase(8, 40, 3, seed: 6);
        int[][] Select(long seed)
        {
            var backward = new LinearBackward<double>();
            backward.Run(c.Dy, c.X, c.W, new ParameterGradient<double>(40, 3), null, null, false, 5, MePropMode.Random, new SeededRandom(seed));
            return Enumerable.Range(0, 8).Select(b => backward.SelectedFor(b).ToArray()).ToArray();
        }
        var first = Select(12);
        Assert.Equal(first, Select(12));
        Assert.NotEqual(first, Select(13));
        Assert.True(first.Select(s => string.Join(",", s)).Distinct().Count() > 1, "every example got the same set");
    }

    [Fact]
    public void Shape_mismatches_and_k_below_one_throw_with_the_values()
    {
        var c = MakeCase(3, 8, 5, seed: 1);
        var backward = new LinearBackward<double>();
        var dw = new ParameterGradient<double>(8, 5);
        var r = new SeededRandom(1);
        var ex = Assert.Throws<ArgumentException>(() => backward.Run(new Batch<double>(3, 7), c.X, c.W, dw, null, null, false, 2, MePropMode.TopK, r));
        Assert.Contains("is 7, expected 8", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => backward.Run(c.Dy, new Batch<double>(2, 5), c.W, dw, null, null, false, 2, MePropMode.TopK, r));
        Assert.Contains("is 2, expected 3", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => backward.Run(c.Dy, c.X, c.W, new ParameterGradient<double>(8, 4), null, null, false, 2, MePropMode.TopK, r));
        Assert.Contains("is 4, expected 5", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => backward.Run(c.Dy, c.X, c.W, dw, new ParameterGradient<double>(9, 1), null, false, 2, MePropMode.TopK, r));
        Assert.Contains("is 9, expected 8", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => backward.Run(c.Dy, c.X, c.W, dw, null, new Batch<double>(3, 6), false, 2, MePropMode.TopK, r));
        Assert.Contains("is 6, expected 5", ex.Message);
        foreach (var mode in new[] { MePropMode.TopK, MePropMode.Random, MePropMode.Unified })
        {
            var kex = Assert.Throws<ArgumentOutOfRangeException>(() => backward.Run(c.Dy, c.X, c.W, dw, null, null, false, 0, mode, r));
            Assert.Contains("is 0", kex.Message);
        }
    }
}
