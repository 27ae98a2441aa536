using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MeProp.Sparsity;

/// <summary>
/// The per-example sparse backward of a large batch (the parser's 10,000 examples) as a sparse
/// matrix product that reuses what it loads: the same sums as <see cref="SparseRows{T}"/>, in the
/// same order, so the same bits, with a fraction of the memory traffic.
/// </summary>
/// <remarks>
/// <para>Why: one example at a time, every kept row of dW is read and written once per example and
/// every kept row of W read once per example: at 10,000 x 2,400 x 500 with k = 20 that is 5.8 GB per
/// step, from the L3 cache at best, and the two cores together reached 82 GB/s (70 ms, against a
/// dense backward of 245 ms: 3.5x where the arithmetic is 25x less).</para>
/// <para>dW: the examples are taken in blocks; within a block, the (example, entry) pairs are bucketed
/// by row j (a counting sort that keeps the examples ascending), and then, one chunk of 1 KB of columns
/// at a time, each touched row's chunk is loaded once, takes all its block's examples, and is stored
/// once. The block's x chunks (256 rows of 1 KB) stay in the L2 cache while the rows go by.</para>
/// <para>dx: one chunk of columns at a time, so that W's chunk (n rows of 1 KB) stays in the L2 cache
/// while every example gathers its kept rows from it.</para>
/// </remarks>
internal static class BlockedSparseRows<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Examples per block of the dW product: their x chunks (256 KB) fit the L2 cache beside dW's.</summary>
    public const int BlockExamples = 256;

    /// <summary>Columns per chunk: 1 KB of each row.</summary>
    public static int Chunk => 1024 / Unsafe.SizeOf<T>();

    private static bool Vectorised => Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported
                                      && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    /// <summary>
    /// Buckets each block's (example, entry) pairs by row: for block q, the pairs of row j are
    /// pairs[rowStart[q·(n+1) + j] .. rowStart[q·(n+1) + j + 1]), examples ascending. pairExample
    /// holds the example, pairGradient the entry dy[b, j]. The arrays must hold batch·k pairs and
    /// blocks·(n+1) starts.
    /// </summary>
    public static void Bucket(ReadOnlySpan<T> dy, int n, int batch, ReadOnlySpan<int> selected, ReadOnlySpan<int> selectedCount, int k,
                              Span<int> rowStart, Span<int> pairExample, Span<T> pairGradient)
    {
        int pair = 0;
        for (int q = 0, start = 0; start < batch; q++, start += BlockExamples)
        {
            int end = Math.Min(batch, start + BlockExamples);
            Span<int> starts = rowStart.Slice(q * (n + 1), n + 1);
            starts.Clear();
            for (int b = start; b < end; b++)
                foreach (int j in selected.Slice(b * k, selectedCount[b])) starts[j + 1]++;
            starts[0] = pair;
            for (int j = 0; j < n; j++) starts[j + 1] += starts[j];
            // Fill with a moving cursor per row (starts[j] advanced), then shift back.
            for (int b = start; b < end; b++)
            {
                ReadOnlySpan<T> row = dy.Slice(b * n, n);
                foreach (int j in selected.Slice(b * k, selectedCount[b]))
                {
                    int at = starts[j]++;
                    pairExample[at] = b;
                    pairGradient[at] = row[j];
                }
            }
            for (int j = n; j > 0; j--) starts[j] = starts[j - 1];
            starts[0] = pair;
            pair = starts[n];
        }
    }

    /// <summary>dW[j, from..to) += Σ over the pairs of row j of g·x[b, from..to), block by block (see <see cref="Bucket"/>).</summary>
    public static void ScatterBand(Span<T> dw, ReadOnlySpan<T> x, int n, int m, int batch,
                                   ReadOnlySpan<int> rowStart, ReadOnlySpan<int> pairExample, ReadOnlySpan<T> pairGradient, int from, int to)
    {
        ref T dwRef = ref MemoryMarshal.GetReference(dw);
        ref T xRef = ref MemoryMarshal.GetReference(x);
        int chunk = Chunk;
        for (int q = 0, start = 0; start < batch; q++, start += BlockExamples)
        {
            ReadOnlySpan<int> starts = rowStart.Slice(q * (n + 1), n + 1);
            for (int c = from; c < to; c += chunk)
            {
                int width = Math.Min(chunk, to - c);
                for (int j = 0; j < n; j++)
                {
                    int p0 = starts[j], p1 = starts[j + 1];
                    if (p0 == p1) continue;
                    AddPairs(ref Unsafe.Add(ref dwRef, (nint)j * m + c), ref Unsafe.Add(ref xRef, c), m,
                             pairExample.Slice(p0, p1 - p0), pairGradient.Slice(p0, p1 - p0), width);
                }
            }
        }
    }

    /// <summary>
    /// keptGradient[b·k + c] = dy[b, selected[b·k + c]]: each example's kept entries side by side, so
    /// that the chunked gather reads them sequentially instead of k scattered lines of dy per chunk.
    /// </summary>
    public static void CompactKept(ReadOnlySpan<T> dy, int n, int batch, ReadOnlySpan<int> selected, ReadOnlySpan<int> selectedCount, int k, Span<T> keptGradient)
    {
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> row = dy.Slice(b * n, n);
            ReadOnlySpan<int> kept = selected.Slice(b * k, selectedCount[b]);
            Span<T> target = keptGradient.Slice(b * k, kept.Length);
            for (int c = 0; c < kept.Length; c++) target[c] = row[kept[c]];
        }
    }

    /// <summary>dx[b] (+)= Σ over b's kept j of dy[b, j]·W[j] for b in [start, end), a chunk of columns at a time (keptGradient from <see cref="CompactKept"/>).</summary>
    public static void GatherRange(Span<T> dx, bool accumulate, ReadOnlySpan<T> keptGradient, ReadOnlySpan<T> w, int m,
                                   ReadOnlySpan<int> selected, ReadOnlySpan<int> selectedCount, int k, int start, int end)
    {
        ref T dxRef = ref MemoryMarshal.GetReference(dx);
        ref T wRef = ref MemoryMarshal.GetReference(w);
        int chunk = Chunk;
        for (int c = 0; c < m; c += chunk)
        {
            int width = Math.Min(chunk, m - c);
            for (int b = start; b < end; b++)
                GatherChunk(ref Unsafe.Add(ref dxRef, (nint)b * m + c), accumulate, keptGradient.Slice(b * k, selectedCount[b]), ref Unsafe.Add(ref wRef, c), m,
                            selected.Slice(b * k, selectedCount[b]), width);
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

    // d[0..width) += Σ_p g[p]·x[example[p]·stride + 0..width), pairs in order: the gather's loop, adding to d.
    private static void AddPairs(ref T d, ref T x, int stride, ReadOnlySpan<int> example, ReadOnlySpan<T> g, int width)
        => GatherChunk(ref d, accumulate: true, g, ref x, stride, example, width);

    // d[0..width) (+)= Σ_c g[c]·w[kept[c]·stride + 0..width), kept in order: eight vectors of d held in
    // registers across the kept rows, then four, one, scalars. Eight, because the rows of W come from
    // L2: with four chains of FMAs (latency 4, one 512-bit FMA a cycle) every load had to arrive in
    // time, and this loop ran at about a quarter of the FMA peak.
    private static void GatherChunk(ref T d, bool accumulate, ReadOnlySpan<T> g, ref T w, int stride, ReadOnlySpan<int> kept, int width)
    {
        int i = 0, count = kept.Length;
        if (Vectorised)
        {
            int step = Vector512<T>.Count;
            for (; i + 8 * step <= width; i += 8 * step)
            {
                ref T di = ref Unsafe.Add(ref d, i);
                Vector512<T> a0, a1, a2, a3, a4, a5, a6, a7;
                if (accumulate)
                {
                    a0 = Vector512.LoadUnsafe(ref di);
                    a1 = Vector512.LoadUnsafe(ref di, (nuint)step);
                    a2 = Vector512.LoadUnsafe(ref di, (nuint)(2 * step));
                    a3 = Vector512.LoadUnsafe(ref di, (nuint)(3 * step));
                    a4 = Vector512.LoadUnsafe(ref di, (nuint)(4 * step));
                    a5 = Vector512.LoadUnsafe(ref di, (nuint)(5 * step));
                    a6 = Vector512.LoadUnsafe(ref di, (nuint)(6 * step));
                    a7 = Vector512.LoadUnsafe(ref di, (nuint)(7 * step));
                }
                else
                    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = Vector512<T>.Zero;
                for (int c = 0; c < count; c++)
                {
                    ref T wr = ref Unsafe.Add(ref w, (nint)kept[c] * stride + i);
                    var v = Vector512.Create(g[c]);
                    a0 = Fma(Vector512.LoadUnsafe(ref wr), v, a0);
                    a1 = Fma(Vector512.LoadUnsafe(ref wr, (nuint)step), v, a1);
                    a2 = Fma(Vector512.LoadUnsafe(ref wr, (nuint)(2 * step)), v, a2);
                    a3 = Fma(Vector512.LoadUnsafe(ref wr, (nuint)(3 * step)), v, a3);
                    a4 = Fma(Vector512.LoadUnsafe(ref wr, (nuint)(4 * step)), v, a4);
                    a5 = Fma(Vector512.LoadUnsafe(ref wr, (nuint)(5 * step)), v, a5);
                    a6 = Fma(Vector512.LoadUnsafe(ref wr, (nuint)(6 * step)), v, a6);
                    a7 = Fma(Vector512.LoadUnsafe(ref wr, (nuint)(7 * step)), v, a7);
                }
                a0.StoreUnsafe(ref di);
                a1.StoreUnsafe(ref di, (nuint)step);
                a2.StoreUnsafe(ref di, (nuint)(2 * step));
                a3.StoreUnsafe(ref di, (nuint)(3 * step));
                a4.StoreUnsafe(ref di, (nuint)(4 * step));
                a5.StoreUnsafe(ref di, (nuint)(5 * step));
                a6.StoreUnsafe(ref di, (nuint)(6 * step));
                a7.StoreUnsafe(ref di, (nuint)(7 * step));
            }
            for (; i + 4 * step <= width; i += 4 * step)
            {
                nuint at = (nuint)i;
                Vector512<T> a0 = Vector512<T>.Zero, a1 = Vector512<T>.Zero, a2 = Vector512<T>.Zero, a3 = Vector512<T>.Zero;
                if (accumulate)
                {
                    a0 = Vector512.LoadUnsafe(ref d, at);
                    a1 = Vector512.LoadUnsafe(ref d, at + (nuint)step);
                    a2 = Vector512.LoadUnsafe(ref d, at + (nuint)(2 * step));
                    a3 = Vector512.LoadUnsafe(ref d, at + (nuint)(3 * step));
                }
                for (int c = 0; c < count; c++)
                {
                    int j = kept[c];
                    ref T wr = ref Unsafe.Add(ref w, (nint)j * stride + i);
                    var v = Vector512.Create(g[c]);
                    a0 = Fma(Vector512.LoadUnsafe(ref wr), v, a0);
                    a1 = Fma(Vector512.LoadUnsafe(ref wr, (nuint)step), v, a1);
                    a2 = Fma(Vector512.LoadUnsafe(ref wr, (nuint)(2 * step)), v, a2);
                    a3 = Fma(Vector512.LoadUnsafe(ref wr, (nuint)(3 * step)), v, a3);
                }
                a0.StoreUnsafe(ref d, at);
                a1.StoreUnsafe(ref d, at + (nuint)step);
                a2.StoreUnsafe(ref d, at + (nuint)(2 * step));
                a3.StoreUnsafe(ref d, at + (nuint)(3 * step));
            }
            for (; i + step <= width; i += step)
            {
                nuint at = (nuint)i;
                Vector512<T> a = accumulate ? Vector512.LoadUnsafe(ref d, at) : Vector512<T>.Zero;
                for (int c = 0; c < count; c++)
                {
                    int j = kept[c];
                    a = Fma(Vector512.LoadUnsafe(ref Unsafe.Add(ref w, (nint)j * stride + i)), Vector512.Create(g[c]), a);
                }
                a.StoreUnsafe(ref d, at);
            }
        }
        for (; i < width; i++)
        {
            T a = accumulate ? Unsafe.Add(ref d, i) : T.Zero;
            for (int c = 0; c < count; c++)
            {
                int j = kept[c];
                a = Vectorised ? T.FusedMultiplyAdd(Unsafe.Add(ref w, (nint)j * stride + i), g[c], a)
                               : Unsafe.Add(ref w, (nint)j * stride + i) * g[c] + a; // as SparseRows' TensorPrimitives fallback
            }
            Unsafe.Add(ref d, i) = a;
        }
    }
}
