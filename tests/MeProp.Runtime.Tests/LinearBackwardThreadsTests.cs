using System;
using System.Linq;
using System.Numerics;
using MeProp.Kernels;
using MeProp.Sparsity;
using Xunit;

namespace MeProp.Runtime.Tests;

/// <summary>
/// The per-example backward of a large batch runs on both cores (selections and dx rows in two halves
/// of the examples, dW in two bands of columns) and in blocks (BlockedSparseRows): the same bits as on
/// one thread, and as the example-at-a-time kernels, in every form that takes those paths, on widths
/// whose bands and chunks end mid-vector.
/// </summary>
[Collection(GemmThreadCount.Name)]
public class LinearBackwardThreadsTests
{
    private sealed record Outcome<T>(T[] Dy, T[] Dw, T[] Db, T[] Dx, int[] TouchedW, int[] TouchedB);

    private static Outcome<T> Run<T>(int threads, bool throughRelu, MePropMode mode, bool accumulate, int batch, int n, int m, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var r = new SeededRandom(7);
        T[] Values(int count) => Enumerable.Range(0, count).Select(_ => T.CreateTruncating(2 * r.NextDouble() - 1)).ToArray();
        var dActivation = new Batch<T>(batch, n, Values(batch * n));
        var activation = new Batch<T>(batch, n, Values(batch * n));
        var x = new Batch<T>(batch, m, Values(batch * m));
        var w = new Matrix<T>(n, m, Values(n * m));
        var dx = new Batch<T>(batch, m, Values(batch * m));
        var dy = new Batch<T>(batch, n);
        var dw = new ParameterGradient<T>(n, m);
        var db = new ParameterGradient<T>(n, 1);
        var backward = new LinearBackward<T>();
        int before = Gemm.MaxThreads;
        try
        {
            Gemm.MaxThreads = threads;
            for (int call = 0; call < 2; call++) // the second call adds to the first's dW and db
            {
                var random = new SeededRandom(3);
                if (throughRelu)
                    backward.RunThroughRelu(dActivation, activation, dy, x, w, dw, db, dx, accumulate, k, mode, random);
                else
                {
                    dActivation.Span.CopyTo(dy.Span);
                    backward.Run(dy, x, w, dw, db, dx, accumulate, k, mode, random);
                }
            }
        }
        finally
        {
            Gemm.MaxThreads = before;
        }
        return new Outcome<T>(dy.Data, dw.Data, db.Data, dx.Data, dw.TouchedRows.ToArray().Order().ToArray(), db.TouchedRows.ToArray().Order().ToArray());
    }

    [Theory]
    [InlineData(false, MePropMode.TopK, false, 101, 300)]
    [InlineData(false, MePropMode.TopK, true, 130, 300)]
    [InlineData(true, MePropMode.TopK, false, 130, 300)]
    [InlineData(true, MePropMode.TopK, true, 101, 300)]
    [InlineData(false, MePropMode.Random, true, 101, 300)]
    [InlineData(false, MePropMode.TopK, true, 301, 100)]
    [InlineData(true, MePropMode.TopK, false, 301, 100)]
    public void Both_threads_give_the_bits_of_one(bool throughRelu, MePropMode mode, bool accumulate, int m, int batch)
    {
        // batch x 40 kept x m columns: above the work at which the second thread joins; 300 examples
        // take the blocked kernels, 100 the example-at-a-time ones in two bands.
        AssertSame(Run<float>(1, throughRelu, mode, accumulate, batch, 200, m, 40), Run<float>(2, throughRelu, mode, accumulate, batch, 200, m, 40));
        AssertSame(Run<double>(1, throughRelu, mode, accumulate, batch, 200, m, 40), Run<double>(2, throughRelu, mode, accumulate, batch, 200, m, 40));
    }

    private static void AssertSame<T>(Outcome<T> one, Outcome<T> two) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Assert.Equal(one.Dy, two.Dy);
        Assert.Equal(one.Dw, two.Dw);
        Assert.Equal(one.Db, two.Db);
        Assert.Equal(one.Dx, two.Dx);
        Assert.Equal(one.TouchedW, two.TouchedW);
        Assert.Equal(one.TouchedB, two.TouchedB);
        Assert.NotEmpty(one.TouchedW);
    }

    [Theory]
    [InlineData(false, false, 101, 1)]
    [InlineData(false, true, 300, 2)]
    [InlineData(true, false, 300, 1)]
    [InlineData(true, true, 101, 2)]
    public void Blocks_give_the_bits_of_one_example_at_a_time(bool throughRelu, bool accumulate, int m, int threads)
    {
        // 600 examples in one call take the blocked path (three blocks, the last one short); the same
        // examples in six calls of 100 take the example-at-a-time kernels, adding to dW and db in the
        // same order. m = 300 has a chunk of 256 columns and a partial one.
        Same<float>();
        Same<double>();

        void Same<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            const int batch = 600, n = 90, k = 7, slice = 100;
            var r = new SeededRandom(11);
            T[] Values(int count) => Enumerable.Range(0, count).Select(_ => T.CreateTruncating(2 * r.NextDouble() - 1)).ToArray();
            T[] dActivation = Values(batch * n), activation = Values(batch * n), x = Values(batch * m), dxStart = Values(batch * m);
            var w = new Matrix<T>(n, m, Values(n * m));

            (T[] Dw, T[] Db, T[] Dx, T[] Dy) Go(int rowsPerCall)
            {
                var dw = new ParameterGradient<T>(n, m);
                var db = new ParameterGradient<T>(n, 1);
                var dxAll = (T[])dxStart.Clone();
                var dyAll = new T[batch * n];
                var backward = new LinearBackward<T>();
                int before = Gemm.MaxThreads;
                try
                {
                    Gemm.MaxThreads = threads;
                    for (int start = 0; start < batch; start += rowsPerCall)
                    {
                        Batch<T> Rows(T[] all, int cols) => new(rowsPerCall, cols, all.AsSpan(start * cols, rowsPerCall * cols).ToArray());
                        Batch<T> dAct = Rows(dActivation, n), act = Rows(activation, n), xs = Rows(x, m), dx = Rows(dxAll, m), dy = new(rowsPerCall, n);
                        if (throughRelu)
                            backward.RunThroughRelu(dAct, act, dy, xs, w, dw, db, dx, accumulate, k, MePropMode.TopK, new SeededRandom(1));
                        else
                        {
                            dAct.Span.CopyTo(dy.Span);
                            backward.Run(dy, xs, w, dw, db, dx, accumulate, k, MePropMode.TopK, new SeededRandom(1));
                        }
                        dx.Span.CopyTo(dxAll.AsSpan(start * m));
                        dy.Span.CopyTo(dyAll.AsSpan(start * n));
                    }
                }
                finally
                {
                    Gemm.MaxThreads = before;
                }
                return (dw.Data, db.Data, dxAll, dyAll);
            }

            var blocked = Go(batch);
            var single = Go(slice);
            Assert.Equal(single.Dy, blocked.Dy);
            Assert.Equal(single.Dw, blocked.Dw);
            Assert.Equal(single.Db, blocked.Db);
            Assert.Equal(single.Dx, blocked.Dx);
            Assert.Contains(blocked.Dw, v => v != T.Zero);
        }
    }
}
