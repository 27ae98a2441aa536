using System;
using System.Linq;
using System.Numerics;
using MeProp.Kernels;
using MeProp.Sparsity;
using Xunit;

namespace MeProp.Runtime.Tests;

/// <summary>
/// The per-example backward of a large batch runs on both cores (selections and dx rows in two halves
/// of the examples, dW in two bands of columns): the same bits as on one thread, in every form that
/// takes that path, on widths whose bands end mid-vector.
/// </summary>
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
    [InlineData(false, MePropMode.TopK, false, 101)]
    [InlineData(false, MePropMode.TopK, true, 130)]
    [InlineData(true, MePropMode.TopK, false, 130)]
    [InlineData(true, MePropMode.TopK, true, 101)]
    [InlineData(false, MePropMode.Random, true, 101)]
    public void Both_threads_give_the_bits_of_one(bool throughRelu, MePropMode mode, bool accumulate, int m)
    {
        // 300 examples x 40 kept x m columns: above the work at which the second thread joins.
        AssertSame(Run<float>(1, throughRelu, mode, accumulate, 300, 200, m, 40), Run<float>(2, throughRelu, mode, accumulate, 300, 200, m, 40));
        AssertSame(Run<double>(1, throughRelu, mode, accumulate, 300, 200, m, 40), Run<double>(2, throughRelu, mode, accumulate, 300, 200, m, 40));
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
}
