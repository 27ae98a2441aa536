using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace MeProp.Kernels;

/// <summary>
/// Dense matrix products on row-major spans, in the three forms back propagation needs.
/// </summary>
/// <remarks>
/// These are the straightforward row-oriented forms built on TensorPrimitives (dot products and
/// multiply-adds of whole rows). They are correct for any shape and are the reference the
/// blocked, packed SGEMM of the performance work is tested against.
/// </remarks>
public static class Gemm
{
    /// <summary>C (m x n) = A (m x k) · Bᵀ, B being n x k; adds to C when <paramref name="accumulate"/>. The forward product y = x·Wᵀ.</summary>
    public static void MultiplyTransposedB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes(a.Length, m * k, b.Length, n * k, c.Length, m * n);
        if (typeof(T) == typeof(float) && UseBlocked(m, k, n))
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
        if (typeof(T) == typeof(float) && UseBlocked(m, k, n))
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
        if (typeof(T) == typeof(float) && UseBlocked(m, k, n))
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

    private static bool UseBlocked(int m, int k, int n) => Sgemm.IsSupported;

    private static void CheckShapes(int aLength, int aNeeded, int bLength, int bNeeded, int cLength, int cNeeded)
    {
        Shape.RequireLength(aLength, aNeeded, "a");
        Shape.RequireLength(bLength, bNeeded, "b");
        Shape.RequireLength(cLength, cNeeded, "c");
    }
}
