using System;
using MeProp.Kernels;
using Xunit;

namespace MeProp.Runtime.Tests;

public class GemmTests
{
    // Shapes around the vector widths (4 doubles, 8 floats, 8 doubles on AVX-512) and the degenerate 1.
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 7, 1 }, { 7, 1, 33 }, { 7, 33, 5 }, { 33, 7, 1 }, { 3, 17, 9 }, { 33, 33, 33 }, { 2, 64, 13 },
    };

    // C[i,j] = Σ_p A[i,p]·B[p,j], with A and B given through index functions so one loop serves all forms.
    private static double[] Naive(int m, int k, int n, Func<int, int, double> a, Func<int, int, double> b, double[] initial, bool accumulate)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = accumulate ? initial[i * n + j] : 0.0;
                for (int p = 0; p < k; p++) sum += a(i, p) * b(p, j);
                c[i * n + j] = sum;
            }
        return c;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyTransposedB_matches_naive(int m, int k, int n)
    {
        var random = new SeededRandom(m * 10007 + k * 101 + n);
        double[] a = TestData.Doubles(random, m * k), b = TestData.Doubles(random, n * k), c0 = TestData.Doubles(random, m * n);
        foreach (bool accumulate in new[] { false, true })
        {
            var c = (double[])c0.Clone();
            Gemm.MultiplyTransposedB<double>(a, b, c, m, k, n, accumulate);
            TestData.Close(Naive(m, k, n, (i, p) => a[i * k + p], (p, j) => b[j * k + p], c0, accumulate), c, 1e-13);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Multiply_matches_naive(int m, int k, int n)
    {
        var random = new SeededRandom(m * 10007 + k * 101 + n + 1);
        double[] a = TestData.Doubles(random, m * k), b = TestData.Doubles(random, k * n), c0 = TestData.Doubles(random, m * n);
        a[0] = 0.0; // the kernel skips zero multipliers: the result must not change
        foreach (bool accumulate in new[] { false, true })
        {
            var c = (double[])c0.Clone();
            Gemm.Multiply<double>(a, b, c, m, k, n, accumulate);
            TestData.Close(Naive(m, k, n, (i, p) => a[i * k + p], (p, j) => b[p * n + j], c0, accumulate), c, 1e-13);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyTransposedA_matches_naive(int m, int k, int n)
    {
        var random = new SeededRandom(m * 10007 + k * 101 + n + 2);
        double[] a = TestData.Doubles(random, k * m), b = TestData.Doubles(random, k * n), c0 = TestData.Doubles(random, m * n);
        a[0] = 0.0;
        foreach (bool accumulate in new[] { false, true })
        {
            var c = (double[])c0.Clone();
            Gemm.MultiplyTransposedA<double>(a, b, c, m, k, n, accumulate);
            TestData.Close(Naive(m, k, n, (i, p) => a[p * m + i], (p, j) => b[p * n + j], c0, accumulate), c, 1e-13);
        }
    }

    [Fact]
    public void Float_results_agree_with_double()
    {
        var random = new SeededRandom(5);
        int m = 9, k = 37, n = 11;
        double[] a = TestData.Doubles(random, m * k), b = TestData.Doubles(random, n * k);
        var cd = new double[m * n];
        var cf = new float[m * n];
        Gemm.MultiplyTransposedB<double>(a, b, cd, m, k, n, false);
        Gemm.MultiplyTransposedB<float>(Array.ConvertAll(a, v => (float)v), Array.ConvertAll(b, v => (float)v), cf, m, k, n, false);
        TestData.Close(cd, Array.ConvertAll(cf, v => (double)v), 1e-5);
    }

    [Fact]
    public void Short_spans_throw_naming_the_operand_and_sizes()
    {
        double[] a = new double[6], b = new double[12], c = new double[8];
        // m=2, k=3, n=4: A needs 6, B needs 12, C needs 8.
        Gemm.MultiplyTransposedB<double>(a, b, c, 2, 3, 4, false);
        var ex = Assert.Throws<ArgumentException>(() => Gemm.MultiplyTransposedB<double>(new double[5], b, c, 2, 3, 4, false));
        Assert.Contains("a has 5 elements, but 6", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply<double>(a, new double[11], c, 2, 3, 4, false));
        Assert.Contains("b has 11 elements, but 12", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.MultiplyTransposedA<double>(new double[6], b, new double[7], 2, 3, 4, true));
        Assert.Contains("c has 7 elements, but 8", ex.Message);
    }
}
