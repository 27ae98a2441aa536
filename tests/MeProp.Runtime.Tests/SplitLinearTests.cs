using System;
using MeProp.Kernels;
using Xunit;

namespace MeProp.Runtime.Tests;

// A recurrence's gate y = [x, h]·Wᵀ + b is formed in two parts (the x part for every step before
// the loop, the h part at each step), through products on row-strided operands. Each part against
// a double triple loop, and the two parts together against the one-piece Linear.
public class SplitLinearTests
{
    // m, k, n, extra stride. The unpacked kernel: row chunks of 5 with 1-4 left over, tiles of 4 rows
    // of B with 1-3 left over, k mod 16 finished after the horizontal sum, more rows than its usual
    // 32 where no blocked tile fits (n < 32). The blocked kernel, packing strided operands: partial
    // tiles, and the tagger's input part of a sentence (16 steps, 190 of 690 columns).
    public static TheoryData<int, int, int, int> StridedShapes => new()
    {
        { 1, 1, 1, 0 }, { 1, 16, 4, 3 }, { 3, 17, 5, 1 }, { 5, 33, 9, 7 }, { 9, 190, 13, 500 }, { 1, 500, 500, 190 }, { 40, 31, 6, 2 }, { 7, 0, 3, 4 },
        { 16, 190, 500, 500 }, { 9, 33, 65, 3 }, { 40, 300, 40, 1 },
    };

    [Theory]
    [MemberData(nameof(StridedShapes))]
    public void Strided_product_matches_double_loop_and_leaves_the_gaps_alone(int m, int k, int n, int extra)
    {
        var random = new SeededRandom(m * 1000 + k * 10 + n);
        int lda = k + extra, ldb = k + 2 * extra, ldc = n + extra;
        double[] a = TestData.Doubles(random, m * lda), b = TestData.Doubles(random, n * ldb), before = TestData.Doubles(random, m * ldc);
        foreach (bool accumulate in new[] { false, true })
        {
            var expected = (double[])before.Clone();
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double dot = 0;
                    for (int p = 0; p < k; p++) dot += a[i * lda + p] * b[j * ldb + p];
                    expected[i * ldc + j] = accumulate ? before[i * ldc + j] + dot : dot;
                }

            var inDouble = (double[])before.Clone();
            Gemm.MultiplyTransposedB<double>(a, lda, b, ldb, inDouble, ldc, m, k, n, accumulate);
            TestData.Close(expected, inDouble, 1e-12);

            // float (the Vector512 dot-product kernel where the machine has it), on the float-rounded inputs
            float[] af = Array.ConvertAll(a, v => (float)v), bf = Array.ConvertAll(b, v => (float)v), cf = Array.ConvertAll(before, v => (float)v);
            Gemm.MultiplyTransposedB<float>(af, lda, bf, ldb, cf, ldc, m, k, n, accumulate);
            for (int i = 0; i < m * ldc; i++)
            {
                bool inside = i % ldc < n;
                if (!inside) Assert.Equal((float)before[i], cf[i]); // the stride's gap is not written
                else TestData.Close(expected[i], cf[i], 1e-5 * Math.Max(1, k), $"float element {i}");
            }
        }
    }

    [Fact]
    public void Strided_product_rejects_strides_shorter_than_a_row_and_spans_too_short()
    {
        var data = new float[100];
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyTransposedB<float>(data, 4, data, 5, data, 5, 2, 5, 2, false));
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyTransposedB<float>(new float[9], 5, data, 5, data, 5, 2, 5, 2, false));
    }

    [Theory]
    [InlineData(1, 7, 5, 11)]    // a step of one sentence: input part 7 of 12 columns
    [InlineData(6, 40, 9, 33)]   // several examples, odd sizes
    [InlineData(3, 1, 4, 6)]     // one input column
    [InlineData(3, 6, 4, 0)]     // no state columns: everything before the loop
    public void Leading_and_remaining_columns_add_up_to_the_whole_product(int examples, int inputWidth, int outputs, int stateWidth)
    {
        var random = new SeededRandom(examples + 100 * inputWidth + 10000 * stateWidth);
        Matrix<double> w = TestData.Matrix(random, outputs, inputWidth + stateWidth);
        var bias = new RowVector<double>(TestData.Doubles(random, outputs));
        Batch<double> z = TestData.Batch(random, examples, inputWidth + stateWidth);
        var x = new Batch<double>(examples, inputWidth);
        for (int e = 0; e < examples; e++) z.Row(e).Slice(0, inputWidth).CopyTo(x.Row(e));

        var whole = new Batch<double>(examples, outputs);
        ForwardKernels.Linear(w, z, bias, whole);
        var split = new Batch<double>(examples, outputs);
        ForwardKernels.LinearLeadingColumns(w, x, bias, split);
        ForwardKernels.LinearRemainingColumns(w, z, inputWidth, split);

        TestData.Close(whole.Span, split.Span, 1e-12);
    }

    [Fact]
    public void Split_products_name_what_does_not_fit()
    {
        var w = new Matrix<float>(4, 6);
        var y = new Batch<float>(2, 4);
        var tooWide = Assert.Throws<ArgumentException>(() => ForwardKernels.LinearLeadingColumns(w, new Batch<float>(2, 7), null, y));
        Assert.Contains("at most the columns", tooWide.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ForwardKernels.LinearRemainingColumns(w, new Batch<float>(2, 6), 7, y));
        Assert.Throws<ArgumentException>(() => ForwardKernels.LinearRemainingColumns(w, new Batch<float>(2, 6), 2, new Batch<float>(2, 3)));
    }
}
