using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MeProp.Sparsity;

/// <summary>
/// The two row kernels of the per-example sparse backward: a gather (dx_b = Σ g_j·W_j over the kept j)
/// and a scatter (dW_j += g_j·x_b for each kept j).
/// </summary>
/// <remarks>
/// <para>Both are memory-bound: each kept row of W or dW is streamed once. The gather folds four kept
/// rows into each pass over dx_b, so dx_b is loaded and stored once per four rows instead of once per
/// row; the scatter loads each vector of x_b once for four dW rows. Refs instead of spans keep bounds
/// checks out of the inner loops (the callers check the shapes).</para>
/// <para>The order of accumulation is fixed: each element of dx_b adds its kept rows in ascending j,
/// each element of dW_j its examples in ascending b, so a run is reproducible.</para>
/// </remarks>
internal static class SparseRows<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private static bool Vectorised => Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported
                                      && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    /// <summary>
    /// dst (+)= Σ over c of g[kept[c]]·rows[kept[c]·m .. +m): the kept rows of a row-major matrix with m
    /// columns, weighted by the matching entries of g. Overwrites dst when accumulate is false.
    /// </summary>
    public static void Gather(Span<T> dst, bool accumulate, ReadOnlySpan<T> g, ReadOnlySpan<int> kept, ReadOnlySpan<T> rows, int m)
    {
        if (!Vectorised)
        {
            if (!accumulate) dst.Clear();
            foreach (int j in kept)
                TensorPrimitives.MultiplyAdd(rows.Slice(j * m, m), g[j], dst, dst);
            return;
        }
        ref T d = ref MemoryMarshal.GetReference(dst);
        ref T w = ref MemoryMarshal.GetReference(rows);
        int c = 0, count = kept.Length;
        bool load = accumulate;
        for (; c + 4 <= count; c += 4)
        {
            int j0 = kept[c], j1 = kept[c + 1], j2 = kept[c + 2], j3 = kept[c + 3];
            Gather4(ref d, ref Unsafe.Add(ref w, j0 * m), ref Unsafe.Add(ref w, j1 * m), ref Unsafe.Add(ref w, j2 * m), ref Unsafe.Add(ref w, j3 * m),
                    g[j0], g[j1], g[j2], g[j3], m, load);
            load = true;
        }
        for (; c < count; c++)
        {
            int j = kept[c];
            Gather1(ref d, ref Unsafe.Add(ref w, j * m), g[j], m, load);
            load = true;
        }
        if (!load) dst.Clear(); // nothing kept: an overwritten dx_b is zero
    }

    /// <summary>
    /// For each c: rows[kept[c]·m .. +m) += g[kept[c]]·x (the kept rows of a row-major matrix with m columns).
    /// </summary>
    public static void Scatter(Span<T> rows, ReadOnlySpan<T> x, ReadOnlySpan<T> g, ReadOnlySpan<int> kept, int m)
        => Scatter(rows, m, x, g, kept);

    /// <summary>
    /// For each c: rows[kept[c]·stride .. + x.Length) += g[kept[c]]·x: the same on a band of columns
    /// (rows starts at the band's first column, x is the band of the input row), so that two threads
    /// can each take one band of every row and add in the same order as one thread would.
    /// </summary>
    public static void Scatter(Span<T> rows, int stride, ReadOnlySpan<T> x, ReadOnlySpan<T> g, ReadOnlySpan<int> kept)
    {
        int width = x.Length;
        if (!Vectorised)
        {
            foreach (int j in kept)
            {
                Span<T> row = rows.Slice(j * stride, width);
                TensorPrimitives.MultiplyAdd(x, g[j], row, row);
            }
            return;
        }
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T w = ref MemoryMarshal.GetReference(rows);
        int c = 0, count = kept.Length;
        for (; c + 4 <= count; c += 4)
        {
            int j0 = kept[c], j1 = kept[c + 1], j2 = kept[c + 2], j3 = kept[c + 3];
            Scatter4(ref xr, ref Unsafe.Add(ref w, j0 * stride), ref Unsafe.Add(ref w, j1 * stride), ref Unsafe.Add(ref w, j2 * stride), ref Unsafe.Add(ref w, j3 * stride),
                     g[j0], g[j1], g[j2], g[j3], width);
        }
        for (; c < count; c++)
        {
            int j = kept[c];
            Gather1(ref Unsafe.Add(ref w, j * stride), ref xr, g[j], width, load: true);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return a * b + c;
    }

    // d (+)= g0·r0 + g1·r1 + g2·r2 + g3·r3, added in that order.
    private static void Gather4(ref T d, ref T r0, ref T r1, ref T r2, ref T r3, T g0, T g1, T g2, T g3, int m, bool load)
    {
        var v0 = Vector512.Create(g0);
        var v1 = Vector512.Create(g1);
        var v2 = Vector512.Create(g2);
        var v3 = Vector512.Create(g3);
        int i = 0, step = Vector512<T>.Count;
        for (; i <= m - step; i += step)
        {
            nuint at = (nuint)i;
            var a = load ? Vector512.LoadUnsafe(ref d, at) : Vector512<T>.Zero;
            a = Fma(Vector512.LoadUnsafe(ref r0, at), v0, a);
            a = Fma(Vector512.LoadUnsafe(ref r1, at), v1, a);
            a = Fma(Vector512.LoadUnsafe(ref r2, at), v2, a);
            a = Fma(Vector512.LoadUnsafe(ref r3, at), v3, a);
            a.StoreUnsafe(ref d, at);
        }
        for (; i < m; i++)
        {
            T a = load ? Unsafe.Add(ref d, i) : T.Zero;
            a = T.FusedMultiplyAdd(Unsafe.Add(ref r0, i), g0, a);
            a = T.FusedMultiplyAdd(Unsafe.Add(ref r1, i), g1, a);
            a = T.FusedMultiplyAdd(Unsafe.Add(ref r2, i), g2, a);
            a = T.FusedMultiplyAdd(Unsafe.Add(ref r3, i), g3, a);
            Unsafe.Add(ref d, i) = a;
        }
    }

    // d (+)= g·r.
    private static void Gather1(ref T d, ref T r, T g, int m, bool load)
    {
        var v = Vector512.Create(g);
        int i = 0, step = Vector512<T>.Count;
        for (; i <= m - step; i += step)
        {
            nuint at = (nuint)i;
            var a = load ? Vector512.LoadUnsafe(ref d, at) : Vector512<T>.Zero;
            Fma(Vector512.LoadUnsafe(ref r, at), v, a).StoreUnsafe(ref d, at);
        }
        for (; i < m; i++)
            Unsafe.Add(ref d, i) = T.FusedMultiplyAdd(Unsafe.Add(ref r, i), g, load ? Unsafe.Add(ref d, i) : T.Zero);
    }

    // dk += gk·x for the four rows d0..d3, each vector of x loaded once.
    private static void Scatter4(ref T x, ref T d0, ref T d1, ref T d2, ref T d3, T g0, T g1, T g2, T g3, int m)
    {
        var v0 = Vector512.Create(g0);
        var v1 = Vector512.Create(g1);
        var v2 = Vector512.Create(g2);
        var v3 = Vector512.Create(g3);
        int i = 0, step = Vector512<T>.Count;
        for (; i <= m - step; i += step)
        {
            nuint at = (nuint)i;
            var xv = Vector512.LoadUnsafe(ref x, at);
            Fma(xv, v0, Vector512.LoadUnsafe(ref d0, at)).StoreUnsafe(ref d0, at);
            Fma(xv, v1, Vector512.LoadUnsafe(ref d1, at)).StoreUnsafe(ref d1, at);
            Fma(xv, v2, Vector512.LoadUnsafe(ref d2, at)).StoreUnsafe(ref d2, at);
            Fma(xv, v3, Vector512.LoadUnsafe(ref d3, at)).StoreUnsafe(ref d3, at);
        }
        for (; i < m; i++)
        {
            T xi = Unsafe.Add(ref x, i);
            Unsafe.Add(ref d0, i) = T.FusedMultiplyAdd(xi, g0, Unsafe.Add(ref d0, i));
            Unsafe.Add(ref d1, i) = T.FusedMultiplyAdd(xi, g1, Unsafe.Add(ref d1, i));
            Unsafe.Add(ref d2, i) = T.FusedMultiplyAdd(xi, g2, Unsafe.Add(ref d2, i));
            Unsafe.Add(ref d3, i) = T.FusedMultiplyAdd(xi, g3, Unsafe.Add(ref d3, i));
        }
    }
}
