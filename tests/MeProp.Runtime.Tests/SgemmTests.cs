using System;
using MeProp.Kernels;
using Xunit;

namespace MeProp.Runtime.Tests;

// The float products, which go to the blocked SGEMM for all but the thinnest shapes, against a
// double-precision triple loop on the same (float-rounded) inputs.
[Collection(GemmThreadCount.Name)]
public class SgemmTests
{
    public enum Form { TransposedB, Plain, TransposedA }

    /// <summary>Which code runs the product: Gemm's dispatch, or one of Sgemm's kernels called directly so that each is covered whatever the dispatch picks.</summary>
    public enum Route { Dispatch, Blocked, Thin, Stream }

    // m, k, n. Chosen to reach every path of the blocked kernel (8 x 32 micro-tiles on AVX-512,
    // 6 x 16 on AVX2; K slices of at most 1024, row blocks of at most 96, column blocks of at most
    // 1024; A packed panel by panel, or row by row when stored transposed, with a partial last
    // panel), of the unpacked kernels, and of the dispatch rule between them and the row forms.
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 7, 33 }, { 7, 33, 1 }, { 33, 7, 33 }, { 3, 100, 100 },   // degenerate and row-form shapes
        { 4, 1, 32 }, { 4, 5, 33 }, { 8, 32, 32 }, { 6, 16, 16 },                   // the smallest blocked shapes, whole tiles
        { 9, 33, 65 }, { 100, 7, 100 }, { 33, 257, 100 }, { 257, 33, 31 },          // partial tiles in both directions
        { 16, 600, 48 }, { 20, 513, 40 }, { 33, 2500, 70 }, { 41, 1100, 33 },      // K cut into slices (the first overwrites, later ones add)
        { 400, 20, 64 }, { 257, 100, 257 },                                         // M cut into row blocks
        { 8, 3, 4100 }, { 97, 40, 1100 }, { 9, 1500, 1030 },                        // N cut into column blocks (A packed once for all of them), with a partial panel
        { 200, 300, 400 },                                                          // two threads, split along N
        { 520, 200, 240 },                                                          // two threads, split along M
        // The unpacked few-row kernels (up to 32 rows for the forward form): row chunks of 5 with 1-4 left over, forward
        // tiles of 4 rows of B with 1-3 left over and k mod 16 finished by one masked vector step (k >= 16) or in
        // scalar code after the horizontal sums (k < 16, above), dX strips of 64 columns, then 16-column vectors,
        // then a padded tail under 16; K slices above 1024.
        { 5, 16, 64 }, { 9, 83, 83 }, { 14, 50, 50 }, { 12, 1100, 77 }, { 17, 40, 130 }, { 32, 31, 17 }, { 2, 2100, 20 },
        { 26, 190, 70 },                                                            // the tagger's input part of a sentence (k = 190), 26 rows
        { 7, 1500, 210 },                                                           // the forward one shared by two threads in column ranges
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyTransposedB_float_matches_double_loop(int m, int k, int n) => Check(Form.TransposedB, m, k, n, Route.Dispatch);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Multiply_float_matches_double_loop(int m, int k, int n) => Check(Form.Plain, m, k, n, Route.Dispatch);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyTransposedA_float_matches_double_loop(int m, int k, int n) => Check(Form.TransposedA, m, k, n, Route.Dispatch);

    [VectorKernelTheory]
    [MemberData(nameof(Shapes))]
    public void Blocked_kernel_matches_double_loop_in_every_form(int m, int k, int n)
    {
        foreach (Form form in Enum.GetValues<Form>()) Check(form, m, k, n, Route.Blocked);
    }

    [VectorKernelTheory(Avx512Only = true)]
    [MemberData(nameof(Shapes))]
    public void Thin_kernels_match_double_loop(int m, int k, int n)
    {
        if (m <= 40) Check(Form.TransposedB, m, k, n, Route.Thin); // the dot-product kernel is meant for few rows
        Check(Form.Plain, m, k, n, Route.Thin);
        Check(Form.TransposedA, m, k, n, Route.Thin);
    }

    // The streaming Aᵀ·B kernel (few rows of C, a long reduction: unified mode's dW of the kept rows):
    // slices of 128 rows with a partial last one, every column tail (strips of 64, one to three
    // vectors, under 16), one row to 32, and column halves on two threads from 2^20 elements of B.
    [VectorKernelTheory(Avx512Only = true)]
    [InlineData(1, 1024, 64)]
    [InlineData(20, 1030, 100)]
    [InlineData(32, 1300, 77)]
    [InlineData(5, 1024, 1100)]
    [InlineData(20, 1100, 2400)]
    public void Stream_kernel_matches_double_loop(int m, int k, int n) => Check(Form.TransposedA, m, k, n, Route.Stream);

    // The streaming A·B kernel (a short reduction, many rows: unified mode's dX): 5-row tiles with a
    // partial last one, every column tail, k from 1, and row halves on two threads from 2^20 elements of C.
    [VectorKernelTheory(Avx512Only = true)]
    [InlineData(256, 1, 64)]
    [InlineData(257, 20, 100)]
    [InlineData(303, 64, 77)]
    [InlineData(1100, 20, 1000)]
    public void Stream_multiply_kernel_matches_double_loop(int m, int k, int n) => Check(Form.Plain, m, k, n, Route.Stream);

    // Unified meProp's compacted products, on the streaming kernels: dX of 2,000 examples from 20 kept
    // rows of 1,100 inputs (C's row halves on the two threads) and dW of those 20 rows (C's column halves).
    [Theory]
    [InlineData(Form.Plain, 2000, 20, 1100)]
    [InlineData(Form.TransposedA, 20, 2000, 1100)]
    public void Unified_product_shapes_give_the_same_bits_on_one_thread_or_two(Form form, int m, int k, int n)
    {
        var random = new SeededRandom(19 + (int)form);
        float[] a = Floats(random, m * k), b = Floats(random, k * n), two = new float[m * n], one = new float[m * n];
        void Product(float[] c)
        {
            if (form == Form.Plain) Gemm.Multiply<float>(a, b, c, m, k, n, false);
            else Gemm.MultiplyTransposedA<float>(a, b, c, m, k, n, false);
        }
        Product(two);
        try
        {
            Gemm.MaxThreads = 1;
            Product(one);
        }
        finally
        {
            Gemm.MaxThreads = 2;
        }
        Assert.Equal(two, one);
    }

    private static void Check(Form form, int m, int k, int n, Route route)
    {
        var random = new SeededRandom(m * 1_000_003L + k * 1009L + n * 7L + (int)form);
        float[] a = Floats(random, m * k), b = Floats(random, k * n), c0 = Floats(random, m * n);
        // op(A) as m x k and op(B) as k x n, whatever the storage of the form.
        var opA = new double[m * k];
        var opB = new double[k * n];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++)
                opA[i * k + p] = form == Form.TransposedA ? a[p * m + i] : a[i * k + p];
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++)
                opB[p * n + j] = form == Form.TransposedB ? b[j * k + p] : b[p * n + j];

        foreach (bool accumulate in new[] { false, true })
        {
            var expected = new double[m * n];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double sum = accumulate ? c0[i * n + j] : 0.0;
                    for (int p = 0; p < k; p++) sum += opA[i * k + p] * opB[p * n + j];
                    expected[i * n + j] = sum;
                }

            // C starts as garbage-like values: without accumulate they must be overwritten, not added to.
            var c = (float[])c0.Clone();
            switch (route, form)
            {
                case (Route.Dispatch, Form.TransposedB): Gemm.MultiplyTransposedB<float>(a, b, c, m, k, n, accumulate); break;
                case (Route.Dispatch, Form.Plain): Gemm.Multiply<float>(a, b, c, m, k, n, accumulate); break;
                case (Route.Dispatch, _): Gemm.MultiplyTransposedA<float>(a, b, c, m, k, n, accumulate); break;
                case (Route.Blocked, Form.TransposedB): Sgemm.MultiplyTransposedB(a, b, c, m, k, n, accumulate); break;
                case (Route.Blocked, Form.Plain): Sgemm.Multiply(a, b, c, m, k, n, accumulate); break;
                case (Route.Blocked, _): Sgemm.MultiplyTransposedA(a, b, c, m, k, n, accumulate); break;
                case (Route.Thin, Form.TransposedB): Sgemm.ThinMultiplyTransposedB(a, b, c, m, k, n, accumulate); break;
                case (Route.Thin, Form.Plain): Sgemm.ThinMultiply(a, b, c, m, k, n, accumulate); break;
                case (Route.Stream, Form.Plain): Sgemm.StreamMultiply(a, b, c, m, k, n, accumulate); break;
                case (Route.Stream, _): Sgemm.StreamMultiplyTransposedA(a, b, c, m, k, n, accumulate); break;
                default: Sgemm.ThinMultiplyTransposedA(a, b, c, m, k, n, accumulate); break;
            }
            // Float sums of k terms of size up to 1: rounding grows like sqrt(k) in practice.
            TestData.Close(expected, Array.ConvertAll(c, v => (double)v), 2e-6 * Math.Sqrt(k) + 1e-6);
        }
    }

    [Fact]
    public void Longer_spans_than_needed_leave_the_rest_of_c_alone()
    {
        var random = new SeededRandom(11);
        int m = 20, k = 40, n = 50;
        float[] a = Floats(random, m * k + 3), b = Floats(random, k * n + 5), c = new float[m * n + 7];
        c.AsSpan(m * n).Fill(42f);
        Gemm.MultiplyTransposedB<float>(a, b, c, m, k, n, false);
        Gemm.Multiply<float>(a, b, c, m, k, n, true);
        Gemm.MultiplyTransposedA<float>(a, b, c, m, k, n, true);
        Assert.All(c.AsSpan(m * n).ToArray(), v => Assert.Equal(42f, v));
    }

    [Theory]
    [InlineData(200, 300, 400)] // the blocked kernel, split along N
    [InlineData(10, 784, 500)]  // the unpacked forward kernel, split into column ranges (MNIST's batch 10)
    [InlineData(7, 1500, 210)]  // the same with a last range of 42 columns (a 2-column edge tile)
    public void One_thread_gives_the_same_bits_as_two(int m, int k, int n)
    {
        // Each block of C is an independent product over all of K, so who computes it cannot change it.
        var random = new SeededRandom(17);
        float[] a = Floats(random, m * k), b = Floats(random, k * n), two = new float[m * n], one = new float[m * n];
        Gemm.MultiplyTransposedB<float>(a, b, two, m, k, n, false);
        try
        {
            Gemm.MaxThreads = 1;
            Gemm.MultiplyTransposedB<float>(a, b, one, m, k, n, false);
        }
        finally
        {
            Gemm.MaxThreads = 2;
        }
        Assert.Equal(two, one);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MaxThreads = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MaxThreads = 3);
        Assert.Equal(2, Gemm.MaxThreads);
    }

    [Fact]
    public void Empty_k_gives_zero_or_leaves_c()
    {
        float[] c = { 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f, 16f };
        Gemm.Multiply<float>(Array.Empty<float>(), Array.Empty<float>(), c, 4, 0, 4, accumulate: true);
        Assert.Equal(16f, c[15]);
        Gemm.MultiplyTransposedA<float>(Array.Empty<float>(), Array.Empty<float>(), c, 4, 0, 4, accumulate: false);
        Assert.All(c, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Short_float_spans_throw_naming_the_operand_and_sizes()
    {
        float[] a = new float[64 * 40], b = new float[40 * 48], c = new float[64 * 48];
        var ex = Assert.Throws<ArgumentException>(() => Gemm.MultiplyTransposedB<float>(new float[64 * 40 - 1], b, c, 64, 40, 48, false));
        Assert.Contains("a has 2559 elements, but 2560", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(a, new float[40 * 48 - 1], c, 64, 40, 48, false));
        Assert.Contains("b has 1919 elements, but 1920", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.MultiplyTransposedA<float>(a, b, new float[64 * 48 - 1], 64, 40, 48, true));
        Assert.Contains("c has 3071 elements, but 3072", ex.Message);
    }

    [Theory]
    [InlineData(64, 64, 64)]    // one thread
    [InlineData(200, 300, 400)] // two threads, once the worker exists
    public void Repeated_calls_allocate_nothing(int m, int k, int n)
    {
        var random = new SeededRandom(13);
        float[] a = Floats(random, m * k), b = Floats(random, k * n), c = new float[m * n];
        void All()
        {
            Gemm.MultiplyTransposedB<float>(a, b, c, m, k, n, false);
            Gemm.Multiply<float>(a, b, c, m, k, n, true);
            Gemm.MultiplyTransposedA<float>(a, b, c, m, k, n, true);
        }
        All(); // first calls size the pack buffers and start the worker
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) All();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static float[] Floats(SeededRandom random, int length)
    {
        var data = new float[length];
        for (int i = 0; i < length; i++) data[i] = (float)(2.0 * random.NextDouble() - 1.0);
        return data;
    }
}

/// <summary>
/// A theory about one of Sgemm's vector kernels: skipped, with the reason, on a machine that does
/// not have it (Gemm then keeps its row forms, which the dispatch tests cover).
/// </summary>
internal sealed class VectorKernelTheoryAttribute : TheoryAttribute
{
    public VectorKernelTheoryAttribute()
    {
        if (!Sgemm.IsSupported) Skip = "no vectorised SGEMM kernel on this machine (needs AVX-512F or AVX2 with FMA).";
    }

    /// <summary>The unpacked kernels are written for Vector512.</summary>
    public bool Avx512Only
    {
        get => false;
        init
        {
            if (value && Skip is null && !Sgemm.ThinIsSupported) Skip = "the unpacked SGEMM kernels need Vector512 (AVX-512), which this machine does not accelerate.";
        }
    }
}
