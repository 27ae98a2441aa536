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
/// whole rows); they serve double and the float shapes too thin for blocking. Other float products
/// go to <see cref="Sgemm"/>, the packed, cache-blocked kernel (see <c>UseBlocked</c> for the rule).
/// The two give the same results up to float rounding, except that the row forms skip zero
/// multipliers, so an infinite or NaN entry met by a zero contributes nothing there but NaN in
/// the blocked kernel.
/// </remarks>
public static class Gemm
{
    private static int maxThreads = 2;

    /// <summary>
    /// How many threads a large float product may use: 2 (the default: the calling thread and one
    /// persistent worker share products of at least 2·10⁷ flops) or 1 (every product on the calling
    /// thread). Set 1 when other work already occupies the second core, or to measure one core.
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
        if (typeof(T) == typeof(float) && UseBlocked(m, n, transposedB: true))
        {
            Sgemm.MultiplyTransposedB(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c), m, k, n, accumulate);
            return;
        }
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<T> ai = a.Slice(i * k, k);
            Span<T> ci = c.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                T dot = TensorPrimitives.Dot(ai, b.Slice(j * k, k));
                ci[j] = accumulate ? ci[j] + dot : dot;
            }
        }
    }

    /// <summary>C (m x n) = A (m x k) · B (k x n); adds to C when <paramref name="accumulate"/>. The input gradient dX = dY·W.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes(a.Length, m * k, b.Length, k * n, c.Length, m * n);
        if (typeof(T) == typeof(float) && UseBlocked(m, n, transposedB: false)
            && NonzeroFraction(MemoryMarshal.Cast<T, float>(a.Slice(0, m * k))) > SparseMultiplyDensity)
        {
            Sgemm.Multiply(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c), m, k, n, accumulate);
            return;
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
        if (typeof(T) == typeof(float) && UseBlocked(m, n, transposedB: false)
            && NonzeroFraction(MemoryMarshal.Cast<T, float>(a.Slice(0, k * m))) > SparseTransposedADensity)
        {
            Sgemm.MultiplyTransposedA(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c), m, k, n, accumulate);
            return;
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

    // Back propagation through a ReLU hands these products a dY that is mostly exact zeros (dead
    // units, and more of them as training goes on), and the row forms skip zero multipliers while the
    // blocked kernel multiplies them. The row forms win when their dense rate (Multiply 28,
    // MultiplyTransposedA 25 GFLOP/s at the MNIST shapes) divided by dY's density beats the blocked
    // rate (47 and 89): below a density of 0.6 and 0.28. The thresholds sit a little lower, so the
    // blocked kernel keeps the close calls. Counting costs one pass over dY, which is 1/n of the product.
    private const double SparseMultiplyDensity = 0.5;
    private const double SparseTransposedADensity = 0.25;

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
