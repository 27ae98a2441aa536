using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace MeProp.Kernels;

/// <summary>
/// Dense matrix products on row-major spans, in the three forms back propagation needs.
/// </summary>
/// <remarks>
/// The row-oriented forms here are built on TensorPrimitives (dot products and multiply-adds of
/// whole rows); they serve double, and float products with a mostly-zero dY. Float products with
/// few rows (a small mini-batch) go to <see cref="Sgemm"/>'s unpacked kernels (<c>UseThin</c>),
/// the others to its packed, cache-blocked kernel (<c>UseBlocked</c>), except the two shapes of
/// unified meProp's compacted products (few rows of Aᵀ·B over a long reduction, a short reduction
/// of A·B over many rows), which go to its streaming kernels (<c>SgemmStream.cs</c>). All give the same results
/// up to float rounding, except that the row forms skip zero multipliers, so an infinite or NaN
/// entry met by a zero contributes nothing there but NaN in the vectorised kernels.
/// </remarks>
public static class Gemm
{
    private static int maxThreads = 2;

    /// <summary>
    /// How many threads a large float product may use: 2 (the default: the calling thread and one
    /// persistent worker share products of at least 2·10⁷ flops, and forward products of a few
    /// rows, a small mini-batch, from 4·10⁶ flops) or 1 (every product on the calling thread).
    /// The results are the same bits either way: the threads split C into blocks, each a whole
    /// product of its own. Set 1 when other work already occupies the second core, or to measure
    /// one core.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">value is not 1 or 2.</exception>
    public static int MaxThreads
    {
        get => maxThreads;
        set
        {
            if (value is not (1 or 2))
                throw new ArgumentOutOfRangeException(nameof(value), value, "Gemm.MaxThreads must be 1 or 2 (the blocked kernel has one worker thread).");
            maxThreads = value;
        }
    }

    /// <summary>C (m x n) = A (m x k) · Bᵀ, B being n x k; adds to C when <paramref name="accumulate"/>. The forward product y = x·Wᵀ.</summary>
    public static void MultiplyTransposedB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes(a.Length, m * k, b.Length, n * k, c.Length, m * n);
        if (typeof(T) == typeof(float) && UseThin(m, k, n))
        {
            Sgemm.ThinMultiplyTransposedB(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c), m, k, n, accumulate);
            return;
        }
        if (typeof(T) == typeof(float) && UseBlocked(m, n, transposedB: true))
        {
            Sgemm.MultiplyTransposedB(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c), m, k, n, accumulate);
            return;
        }
        DotRows(a, k, b, k, c, n, m, k, n, accumulate);
    }

    /// <summary>
    /// C = A·Bᵀ on row-strided operands: row i of A (k values) starts at a[i·lda], row j of B at
    /// b[j·ldb], row i of C (n values) at c[i·ldc]; adds to C when <paramref name="accumulate"/>.
    /// </summary>
    /// <remarks>
    /// For products with a column block of a matrix, without copying it: a recurrence multiplies the
    /// state part of a gate's input by W's last columns at every step, after the input part was formed
    /// for all steps at once (ForwardKernels.LinearLeadingColumns / LinearRemainingColumns). Float goes
    /// to the unpacked dot-product kernel for few rows (a step's state part: B streamed once, in place)
    /// and to the blocked kernel, which packs the strided operands, for many (the input part of a whole
    /// sequence); see <see cref="UseThinStrided"/>. Other types use dot products of rows.
    /// </remarks>
    public static void MultiplyTransposedB<T>(ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, int m, int k, int n, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (m <= 0 || n <= 0) return;
        if (lda < k || ldb < k || ldc < n)
            throw new ArgumentException($"Row strides must cover a row: lda {lda} and ldb {ldb} against k = {k}, ldc {ldc} against n = {n}.");
        CheckShapes(a.Length, (m - 1) * lda + k, b.Length, (n - 1) * ldb + k, c.Length, (m - 1) * ldc + n);
        if (typeof(T) == typeof(float) && UseThinStrided(m, k, n))
        {
            Sgemm.ThinMultiplyTransposedB(MemoryMarshal.Cast<T, float>(a), lda, MemoryMarshal.Cast<T, float>(b), ldb, MemoryMarshal.Cast<T, float>(c), ldc, m, k, n, accumulate);
            return;
        }
        if (typeof(T) == typeof(float) && UseBlocked(m, n, transposedB: true))
        {
            Sgemm.MultiplyTransposedB(MemoryMarshal.Cast<T, float>(a), lda, MemoryMarshal.Cast<T, float>(b), ldb, MemoryMarshal.Cast<T, float>(c), ldc, m, k, n, accumulate);
            return;
        }
        DotRows(a, lda, b, ldb, c, ldc, m, k, n, accumulate);
    }

    // The row form of C = A·Bᵀ (both forms, any element type): one dot product of rows per entry of C.
    private static void DotRows<T>(ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, int m, int k, int n, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<T> ai = a.Slice(i * lda, k);
            Span<T> ci = c.Slice(i * ldc, n);
            for (int j = 0; j < n; j++)
            {
                T dot = TensorPrimitives.Dot(ai, b.Slice(j * ldb, k));
                ci[j] = accumulate ? ci[j] + dot : dot;
            }
        }
    }

    /// <summary>C (m x n) = A (m x k) · B (k x n); adds to C when <paramref name="accumulate"/>. The input gradient dX = dY·W.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes(a.Length, m * k, b.Length, k * n, c.Length, m * n);
        if (typeof(T) == typeof(float))
        {
            switch (ChooseBroadcastKernel(MemoryMarshal.Cast<T, float>(a.Slice(0, m * k)), m, k, n, transposedA: false, SparseMultiplyDensity))
            {
                case FloatKernel.Unpacked or FloatKernel.Blocked when Sgemm.UseStreamMultiply(m, k, n):
                    Sgemm.StreamMultiply(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c), m, k, n, accumulate);
                    return;
                case FloatKernel.Unpacked:
                    Sgemm.ThinMultiply(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c), m, k, n, accumulate);
                    return;
                case FloatKernel.Blocked:
                    Sgemm.Multiply(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c), m, k, n, accumulate);
                    return;
            }
        }
        if (!accumulate) c.Slice(0, m * n).Clear();
        for (int i = 0; i < m; i++)
        {
            Span<T> ci = c.Slice(i * n, n);
            for (int p = 0; p < k; p++)
            {
                T aip = a[i * k + p];
                if (aip == T.Zero) continue; // meProp's sparse rows make this common
                TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), aip, ci, ci);
            }
        }
    }

    /// <summary>C (m x n) = Aᵀ · B, A being k x m and B k x n; adds to C when <paramref name="accumulate"/>. The weight gradient dW = dYᵀ·X.</summary>
    public static void MultiplyTransposedA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes(a.Length, k * m, b.Length, k * n, c.Length, m * n);
        if (typeof(T) == typeof(float))
        {
            switch (ChooseBroadcastKernel(MemoryMarshal.Cast<T, float>(a.Slice(0, k * m)), m, k, n, transposedA: true, SparseTransposedADensity))
            {
                case FloatKernel.Unpacked or FloatKernel.Blocked when Sgemm.UseStreamTransposedA(m, k, n):
                    Sgemm.StreamMultiplyTransposedA(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c), m, k, n, accumulate);
                    return;
                case FloatKernel.Unpacked:
                    Sgemm.ThinMultiplyTransposedA(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c), m, k, n, accumulate);
                    return;
                case FloatKernel.Blocked:
                    Sgemm.MultiplyTransposedA(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c), m, k, n, accumulate);
                    return;
            }
        }
        if (!accumulate) c.Slice(0, m * n).Clear();
        for (int p = 0; p < k; p++)
        {
            ReadOnlySpan<T> bp = b.Slice(p * n, n);
            for (int i = 0; i < m; i++)
            {
                T api = a[p * m + i];
                if (api == T.Zero) continue;
                Span<T> ci = c.Slice(i * n, n);
                TensorPrimitives.MultiplyAdd(bp, api, ci, ci);
            }
        }
    }

    /// <summary>Whether a float product of this shape goes to the blocked <see cref="Sgemm"/> rather than the row forms here.</summary>
    /// <remarks>
    /// Asked after <see cref="UseThin"/> and <see cref="UseThinAxpy"/>: on AVX-512 machines those
    /// have already taken the few-row and single-threaded products, so this rule decides the rest,
    /// and everything on the Vector256 kernel.
    /// Measured single-threaded on the 2-core AVX-512 EPYC (dense random inputs, GFLOP/s blocked vs
    /// row form): the blocked kernel pads A to 8-row and B to 32-column micro-tiles, so it loses
    /// where the product is thinner than a tile in the direction the row form vectorises.
    /// <list type="bullet">
    /// <item>m below 4, any form: 500x500 from K=500 at m = 1: 7 vs 25-31; m = 2: 14 vs 29; m = 4: 27-28 vs 28-31 (even).</item>
    /// <item>The forward form C = A·Bᵀ (dot products, which do not care how narrow C is) with n below 32:
    /// 10x500x10: 7 vs 35; 10x500x24: 21 vs 35; 100x500x24: 37 vs 32; 10x500x32: 33 vs 35.</item>
    /// <item>Everything else goes blocked. The MNIST shapes at batch 10: forward 10x784x500 41-45 vs 28-30,
    /// 10x500x500 41-46 vs 28-31; dX 10x500x784 (Multiply, K = 500) 47-48 vs 28-29; dW 500x784 from
    /// K = 10 (MultiplyTransposedA) 89-90 vs 25; the output layer's dX 10x10x500 37-41 vs 31 and dW
    /// 10x500 from K = 10 37-40 vs 31, while its forward 10x500x10 stays on the row form (7 vs 35).
    /// Narrow C in the other two forms still favours blocking (100x500x24: 62 vs 5-8).</item>
    /// </list>
    /// The row forms skip zero multipliers in Multiply and MultiplyTransposedA, so with a very sparse
    /// dY they can still be faster; the rule is for dense inputs (meProp's unified mode hands these a
    /// compacted, dense dY).
    /// </remarks>
    private static bool UseBlocked(int m, int n, bool transposedB) =>
        Sgemm.IsSupported && m >= 4 && (!transposedB || n >= 32);

    /// <summary>Whether a forward-form float product (C = A·Bᵀ) with this few rows goes to the unpacked dot-product kernel of <c>SgemmThin.cs</c>.</summary>
    /// <remarks>
    /// <para>
    /// Since the kernel finishes the reduction's last k mod 16 values with one masked vector step
    /// and sums each row's four accumulators in one tree (it used to do both in scalar code, which
    /// a short reduction did not amortise), it beats the blocked kernel, which packs all of B for
    /// the few rows, up to 32 rows at every reduction length measured, on one and on two threads.
    /// Measured on the 2-core Zen 4 EPYC (GFLOP/s, unpacked vs blocked; m x k x n): one thread
    /// 16x190x500 83 vs 68, 32x190x500 85 vs 82, 64x190x500 89 vs 91, 24x784x500 102 vs 80,
    /// 32x784x500 98 vs 84, 64x784x500 100 vs 92; two threads 24x190x500 180 vs 80, 32x784x500
    /// 193 vs 157, 64x784x500 212 vs 173. The tagger's input part of a sentence (m = its length,
    /// k = 190) was the case that moved: 16x190x500 ran at 32 GFLOP/s with the scalar tail.
    /// </para>
    /// <para>
    /// On the Zen 5 EPYC, with the scalar tail and four separate horizontal sums, the crossover at
    /// k = 784 was about 24 rows (m x 784 x 500, unpacked vs blocked: 16: 107 vs 106, 24: 125 vs
    /// 126, 32: 117 vs 130, 48: 125 vs 157): 32 rows is the most that both machines' measurements
    /// support (the shorter reduction step gained 14% at 10x784x500 on Zen 4, 92 -> 105). Not
    /// re-measured on Zen 5.
    /// </para>
    /// </remarks>
    private static bool UseThin(int m, int k, int n) =>
        Sgemm.ThinIsSupported && m >= 1 && m <= Sgemm.ThinMaxRows;

    /// <summary>Whether a strided forward-form product goes to the unpacked dot-product kernel rather than the blocked one.</summary>
    /// <remarks>
    /// The same rule as <see cref="UseThin"/>: the strided operands (a column block of a gate matrix)
    /// are read in place by the dot-product kernel and packed by the blocked one alike. Before the
    /// masked tail step the tagger's input part (k = 190) went to the blocked kernel from 5 rows.
    /// </remarks>
    private static bool UseThinStrided(int m, int k, int n) => UseThin(m, k, n);

    /// <summary>Whether C = A·B or C = Aᵀ·B in float goes to the unpacked broadcast kernel of <c>SgemmThin.cs</c>.</summary>
    /// <remarks>
    /// The unpacked kernel streams B in 64-column strips, each read once, and reads all of op(A) once
    /// per strip: it saves the packing, and wins while op(A) stays in the 1 MiB L2 between strips.
    /// Measured on one core of the Zen 5 EPYC (GFLOP/s, unpacked vs blocked; m x k x n):
    /// <list type="bullet">
    /// <item>C = A·B (dX = dY·W, A row-major): 16x784x500 135 vs 112, 32x784x500 165 vs 105,
    /// 100x784x500 191 vs 172, 200x784x500 193 vs 187, 500x100x784 197 vs 195, 100x20x784 180 vs 159;
    /// but 500x1024x784 158 vs 174, 1024x500x784 178 vs 185, 10000x2400x500 127 vs 174 and
    /// 1024x8192x8192 81 vs 168. A of up to 160,000 floats (640 KB, e.g. 200 x 784) stays in L2.</item>
    /// <item>C = Aᵀ·B (dW = dYᵀ·X, A stored k x m, read down its columns): it wins for a short
    /// reduction (the batch) or few rows, 500x10x784 170 vs 166, 100x20x784 182 vs 161, 20x1024x784
    /// 148 vs 94, 16x784x500 123 vs 114, ties at 500x100x784 (193 vs 192), and loses from 32 rows
    /// with a long reduction: 32x784x500 116 vs 138, 100x784x500 162 vs 170, 1024x500x784 140 vs 175.</item>
    /// </list>
    /// Products that run on two threads go blocked unless they have at most 16 rows (10x2048x2048:
    /// unpacked 68 against about 50).
    /// </remarks>
    private static bool UseThinAxpy(int m, int k, int n, bool transposedA) =>
        Sgemm.ThinIsSupported && m >= 1
        && (m <= 16 || (!Sgemm.WouldRunParallel(m, k, n) && (transposedA ? m <= 24 || k <= 128 : (long)m * k <= 160_000)));

    // Back propagation through a ReLU hands dX = dY·W and dW = dYᵀ·X a dY that is mostly exact zeros
    // (dead units, and more of them as training goes on), and the row forms skip zero multipliers
    // while the vectorised kernels multiply them. Measured on one core (µs; random zero pattern):
    // dX 10x784x500 at densities 0.2 / 0.3 / 0.5: row form 65 / 90 / 160, unpacked kernel 69-70
    // whatever the density; 100x784x500: row 672 / 1180 / 1771, blocked 790 (one thread).
    // dW 500x784 from 10 examples at 0.3 / 0.4: row 82 / 115, blocked 96-98; 500x500 from 10: row
    // 62 / 76 at 0.3 / 0.4, blocked 61-63; 500x784 from 100 at 0.2 / 0.3: row 613 / 1043, blocked 740.
    // So the row forms win below a density of about 0.2 (dX) and 0.3 (dW); a product that will run
    // on both cores halves that. Counting costs one pass over dY, which is 1/n of the product.
    private const double SparseMultiplyDensity = 0.2;
    private const double SparseTransposedADensity = 0.3;

    private enum FloatKernel { RowForms, Unpacked, Blocked }

    /// <summary>
    /// Which code runs a float C = A·B or C = Aᵀ·B whose multipliers are <paramref name="dy"/>: the
    /// unpacked or the blocked kernel where one fits the shape and dY is dense enough, else the
    /// zero-skipping row forms. Decided once per call (the rules above, dY's zeros counted once).
    /// </summary>
    private static FloatKernel ChooseBroadcastKernel(ReadOnlySpan<float> dy, int m, int k, int n, bool transposedA, double rowFormDensity)
    {
        bool unpacked = UseThinAxpy(m, k, n, transposedA);
        if (!unpacked && !UseBlocked(m, n, transposedB: false)) return FloatKernel.RowForms;
        // Two cores make the blocked kernel about twice as fast; the row forms stay on one.
        double threshold = !unpacked && Sgemm.WouldRunParallel(m, k, n) ? rowFormDensity / 2 : rowFormDensity;
        if (NonzeroFraction(dy) <= threshold) return FloatKernel.RowForms;
        return unpacked ? FloatKernel.Unpacked : FloatKernel.Blocked;
    }

    /// <summary>The share of entries that are not zero.</summary>
    internal static double NonzeroFraction(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) return 0;
        int zeros = 0, i = 0;
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            ref float start = ref MemoryMarshal.GetReference(values);
            for (; i <= values.Length - 16; i += 16)
            {
                var v = System.Runtime.Intrinsics.Vector512.LoadUnsafe(ref start, (nuint)i);
                zeros += BitOperations.PopCount(System.Runtime.Intrinsics.Vector512.ExtractMostSignificantBits(System.Runtime.Intrinsics.Vector512.Equals(v, System.Runtime.Intrinsics.Vector512<float>.Zero)));
            }
        }
        for (; i < values.Length; i++)
            if (values[i] == 0f) zeros++;
        return 1.0 - (double)zeros / values.Length;
    }

    private static void CheckShapes(int aLength, int aNeeded, int bLength, int bNeeded, int cLength, int cNeeded)
    {
        Shape.RequireLength(aLength, aNeeded, "a");
        Shape.RequireLength(bLength, bNeeded, "b");
        Shape.RequireLength(cLength, cNeeded, "c");
    }
}
