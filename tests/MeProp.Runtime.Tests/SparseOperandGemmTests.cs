using System;
using MeProp.Kernels;
using Xunit;

namespace MeProp.Runtime.Tests;

/// <summary>
/// Float products whose left operand is mostly zeros (dY after a ReLU) take the zero-skipping row
/// forms; dense ones take the blocked kernel. Both must agree with a double reference.
/// </summary>
public class SparseOperandGemmTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.6)]
    [InlineData(0.9)]
    [InlineData(1.0)]
    public void Products_agree_with_a_double_reference_at_any_density_of_zeros(double zeroFraction)
    {
        var random = new SeededRandom(17);
        const int m = 10, k = 500, n = 784;
        float[] Fill(int count, double zeros)
        {
            var a = new float[count];
            for (int i = 0; i < count; i++) a[i] = random.NextDouble() < zeros ? 0f : (float)(random.NextDouble() * 2 - 1);
            return a;
        }

        // dX = dY·W: A is m x k.
        float[] dy = Fill(m * k, zeroFraction), w = Fill(k * n, 0), dx = new float[m * n];
        Gemm.Multiply<float>(dy, w, dx, m, k, n, accumulate: false);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double expected = 0;
                for (int p = 0; p < k; p++) expected += (double)dy[i * k + p] * w[p * n + j];
                Assert.True(Math.Abs(expected - dx[i * n + j]) <= 1e-4 * Math.Sqrt(k), $"dX[{i},{j}] at {zeroFraction:P0} zeros: {dx[i * n + j]} vs {expected}");
            }

        // dW = dYᵀ·X: A is k x m (here k = batch 10, m = 500 outputs).
        float[] dyT = Fill(10 * 500, zeroFraction), x = Fill(10 * n, 0), dw = new float[500 * n];
        Gemm.MultiplyTransposedA<float>(dyT, x, dw, 500, 10, n, accumulate: false);
        for (int i = 0; i < 500; i += 7)
            for (int j = 0; j < n; j++)
            {
                double expected = 0;
                for (int p = 0; p < 10; p++) expected += (double)dyT[p * 500 + i] * x[p * n + j];
                Assert.True(Math.Abs(expected - dw[i * n + j]) <= 1e-5, $"dW[{i},{j}] at {zeroFraction:P0} zeros: {dw[i * n + j]} vs {expected}");
            }
    }

    [Fact]
    public void Nonzero_fraction_counts_every_lane_and_the_tail()
    {
        var values = new float[37];
        Assert.Equal(0.0, Gemm.NonzeroFraction(values));
        values[0] = 1; values[15] = -2; values[16] = 3; values[36] = float.NaN;
        Assert.Equal(4.0 / 37, Gemm.NonzeroFraction(values), 12);
        Assert.Equal(0.0, Gemm.NonzeroFraction(ReadOnlySpan<float>.Empty));
    }
}
