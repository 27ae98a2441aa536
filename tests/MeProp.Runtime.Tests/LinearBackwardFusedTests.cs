using System;
using System.Linq;
using System.Numerics;
using MeProp.Kernels;
using MeProp.Sparsity;
using Xunit;

namespace MeProp.Runtime.Tests;

// RunThroughRelu against its definition (Relu, then Run), and the per-example kernels on odd sizes.
public class LinearBackwardFusedTests
{
    private sealed class Setup<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public required Batch<T> DActivation, Activation, X;
        public required Matrix<T> W;
        public required Batch<T> DxStart;
    }

    private static Setup<T> Make<T>(int batch, int n, int m, long seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var r = new SeededRandom(seed);
        T Value(double scale) => T.CreateTruncating((2 * r.NextDouble() - 1) * scale);
        Batch<T> B(int rows, int cols, Func<T> f) { var b = new Batch<T>(rows, cols); for (int i = 0; i < b.Data.Length; i++) b.Data[i] = f(); return b; }
        return new Setup<T>
        {
            // Ties in dActivation (few distinct magnitudes), and activations at zero, negative, positive and NaN.
            DActivation = B(batch, n, () => T.CreateTruncating((r.NextInt(9) - 4) * 0.25)),
            Activation = B(batch, n, () => r.NextInt(6) switch { 0 => T.Zero, 1 => -T.One, 2 => T.NaN, _ => Value(1) + T.One }),
            X = B(batch, m, () => Value(1)),
            W = new Matrix<T>(n, m, B(n, m, () => Value(1)).Data),
            DxStart = B(batch, m, () => Value(1)),
        };
    }

    private sealed record Result<T>(T[] Dy, T[] Dw, T[] Db, T[]? Dx, int[][] Selected, int[] TouchedW, int[] TouchedB, MePropMode Mode, int Kept);

    private static Result<T> Go<T>(Setup<T> s, bool fused, int k, MePropMode mode, bool withDb, bool withDx, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int batch = s.X.Rows, n = s.W.Rows, m = s.W.Cols;
        var dy = new Batch<T>(batch, n);
        dy.Data.AsSpan().Fill(T.CreateTruncating(123)); // every entry must be overwritten
        var dw = new ParameterGradient<T>(n, m);
        var db = withDb ? new ParameterGradient<T>(n, 1) : null;
        var dx = withDx ? new Batch<T>(batch, m, (T[])s.DxStart.Data.Clone()) : null;
        var backward = new LinearBackward<T>();
        // Two calls on the same instance: the second starts from the first's remembered threshold.
        for (int call = 0; call < 2; call++)
        {
            var random = new SeededRandom(42); // the same draws for both paths
            if (fused)
                backward.RunThroughRelu(s.DActivation, s.Activation, dy, s.X, s.W, dw, db, dx, accumulate, k, mode, random);
            else
            {
                BackwardKernels.Relu(s.DActivation, s.Activation, dy, accumulate: false);
                backward.Run(dy, s.X, s.W, dw, db, dx, accumulate, k, mode, random);
            }
        }
        var selected = Enumerable.Range(0, batch).Select(b => backward.SelectedFor(b).ToArray()).ToArray();
        return new Result<T>(dy.Data, dw.Data, db?.Data ?? Array.Empty<T>(), dx?.Data, selected,
                             dw.AllRowsTouched ? new[] { -1 } : dw.TouchedRows.ToArray(),
                             db is null ? Array.Empty<int>() : db.AllRowsTouched ? new[] { -1 } : db.TouchedRows.ToArray(),
                             backward.LastMode, backward.LastKeptPerExample);
    }

    private static void SameBits<T>(T[] expected, T[] actual, string what) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            // Equal values, or both NaN; and a zero's sign must match too.
            bool same = expected[i] == actual[i] ? T.IsNegative(expected[i]) == T.IsNegative(actual[i]) : T.IsNaN(expected[i]) && T.IsNaN(actual[i]);
            if (!same) Assert.Fail($"{what} element {i}: expected {expected[i]}, got {actual[i]}.");
        }
    }

    public static TheoryData<MePropMode, int, int, int, int> Cases()
    {
        var data = new TheoryData<MePropMode, int, int, int, int>();
        foreach (var mode in new[] { MePropMode.Dense, MePropMode.TopK, MePropMode.Random, MePropMode.Unified })
        {
            data.Add(mode, 1, 7, 1, 1);
            data.Add(mode, 3, 33, 7, 5);
            data.Add(mode, 2, 33, 33, 4);
            data.Add(mode, 5, 40, 17, 9);
            data.Add(mode, 4, 130, 47, 20);
            data.Add(mode, 3, 12, 20, 12); // k = n: dense
            data.Add(mode, 3, 12, 20, 50); // k > n: dense
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RunThroughRelu_equals_Relu_then_Run_bit_for_bit(MePropMode mode, int batch, int n, int m, int k)
    {
        Compare<double>(mode, batch, n, m, k);
        Compare<float>(mode, batch, n, m, k);
    }

    private static void Compare<T>(MePropMode mode, int batch, int n, int m, int k) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var s = Make<T>(batch, n, m, seed: batch * 7919 + n * 31 + m * 7 + k);
        foreach (bool withDb in new[] { true, false })
        foreach (bool withDx in new[] { true, false })
        foreach (bool accumulate in new[] { false, true })
        {
            var expected = Go(s, fused: false, k, mode, withDb, withDx, accumulate);
            var actual = Go(s, fused: true, k, mode, withDb, withDx, accumulate);
            string what = $"{typeof(T).Name} {mode} db={withDb} dx={withDx} acc={accumulate}";
            SameBits(expected.Dy, actual.Dy, what + " dy");
            SameBits(expected.Dw, actual.Dw, what + " dW");
            SameBits(expected.Db, actual.Db, what + " db");
            if (withDx) SameBits(expected.Dx!, actual.Dx!, what + " dx");
            Assert.Equal(expected.Selected, actual.Selected);
            Assert.Equal(expected.TouchedW, actual.TouchedW);
            Assert.Equal(expected.TouchedB, actual.TouchedB);
            Assert.Equal(expected.Mode, actual.Mode);
            Assert.Equal(expected.Kept, actual.Kept);
        }
    }

    [Fact]
    public void RunThroughRelu_checks_shapes_and_k_with_the_values()
    {
        var s = Make<float>(3, 8, 5, seed: 1);
        var backward = new LinearBackward<float>();
        var dw = new ParameterGradient<float>(8, 5);
        var r = new SeededRandom(1);
        var ex = Assert.Throws<ArgumentException>(() => backward.RunThroughRelu(s.DActivation, new Batch<float>(3, 7), new Batch<float>(3, 8), s.X, s.W, dw, null, null, false, 2, MePropMode.TopK, r));
        Assert.Contains("3x7", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => backward.RunThroughRelu(s.DActivation, s.Activation, new Batch<float>(3, 8), s.X, s.W, dw, null, new Batch<float>(3, 6), false, 2, MePropMode.TopK, r));
        Assert.Contains("is 6, expected 5", ex.Message);
        var kex = Assert.Throws<ArgumentOutOfRangeException>(() => backward.RunThroughRelu(s.DActivation, s.Activation, new Batch<float>(3, 8), s.X, s.W, dw, null, null, false, 0, MePropMode.TopK, r));
        Assert.Contains("is 0", kex.Message);
    }

    // The per-example kernels against naive loops, on widths around the vector length (float: 16 lanes,
    // double: 8) and kept counts that leave every remainder of the four-row grouping.
    [Theory]
    [InlineData(1, 7, 1, 1)]
    [InlineData(2, 7, 7, 3)]
    [InlineData(3, 33, 16, 5)]
    [InlineData(2, 33, 17, 6)]
    [InlineData(4, 33, 33, 7)]
    [InlineData(3, 64, 100, 8)]
    [InlineData(2, 50, 785, 13)]
    public void Per_example_kernels_match_naive_loops_on_odd_sizes(int batch, int n, int m, int k)
    {
        foreach (bool accumulate in new[] { false, true })
        {
            Naive<double>(batch, n, m, k, accumulate, 1e-13);
            Naive<float>(batch, n, m, k, accumulate, 1e-5);
        }
    }

    private static void Naive<T>(int batch, int n, int m, int k, bool accumulate, double tolerance) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var s = Make<T>(batch, n, m, seed: n * 100 + m + k);
        var dy = new Batch<T>(batch, n);
        BackwardKernels.Relu(s.DActivation, s.Activation, dy, accumulate: false);
        var dw = new ParameterGradient<T>(n, m);
        var db = new ParameterGradient<T>(n, 1);
        var dx = new Batch<T>(batch, m, (T[])s.DxStart.Data.Clone());
        var backward = new LinearBackward<T>();
        backward.Run(dy, s.X, s.W, dw, db, dx, accumulate, k, MePropMode.TopK, new SeededRandom(1));

        var rdw = new double[n * m];
        var rdb = new double[n];
        var rdx = new double[batch * m];
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < m; i++) rdx[b * m + i] = accumulate ? double.CreateTruncating(s.DxStart[b, i]) : 0.0;
            int[] kept = backward.SelectedFor(b).ToArray();
            var expectedKept = new int[Math.Min(k, n)];
            TopK.SelectByMagnitude<T>(dy.Row(b), k, expectedKept);
            Assert.Equal(expectedKept, kept);
            foreach (int j in kept)
            {
                double g = double.CreateTruncating(dy[b, j]);
                rdb[j] += g;
                for (int i = 0; i < m; i++)
                {
                    rdw[j * m + i] += g * double.CreateTruncating(s.X[b, i]);
                    rdx[b * m + i] += g * double.CreateTruncating(s.W[j, i]);
                }
            }
        }
        TestData.Close(rdw, dw.Data.Select(double.CreateTruncating).ToArray(), tolerance);
        TestData.Close(rdb, db.Data.Select(double.CreateTruncating).ToArray(), tolerance);
        TestData.Close(rdx, dx.Data.Select(double.CreateTruncating).ToArray(), tolerance);
    }
}

public class SparseBackwardAllocationTests
{
    [Fact]
    public void Steady_state_calls_allocate_nothing()
    {
        const int batch = 6, n = 70, m = 37, k = 9;
        var r = new SeededRandom(5);
        var dA = new Batch<float>(batch, n);
        var act = new Batch<float>(batch, n);
        for (int i = 0; i < dA.Data.Length; i++) { dA.Data[i] = (float)r.NextGaussian(); act.Data[i] = (float)r.NextGaussian(); }
        var dy = new Batch<float>(batch, n);
        var x = new Batch<float>(batch, m);
        var w = new Matrix<float>(n, m);
        var dw = new ParameterGradient<float>(n, m);
        var db = new ParameterGradient<float>(n, 1);
        var dx = new Batch<float>(batch, m);
        var backward = new LinearBackward<float>();
        var indices = new int[k];
        void Step()
        {
            dw.Clear();
            db.Clear();
            backward.RunThroughRelu(dA, act, dy, x, w, dw, db, dx, false, k, MePropMode.TopK, r);
            backward.Run(dy, x, w, dw, db, dx, true, k, MePropMode.TopK, r);
            backward.Run(dy, x, w, dw, db, dx, true, k, MePropMode.Random, r);
            TopK.SelectByMagnitudeFast<float>(dy.Row(0), k, indices);
        }
        Step(); // grows the buffers
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
