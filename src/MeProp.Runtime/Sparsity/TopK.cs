using System;
using System.Numerics;

namespace MeProp.Sparsity;

/// <summary>
/// Top-k selection by magnitude: the indices of the k entries with the largest |value|.
/// </summary>
/// <remarks>
/// <para>The order that defines the set is: larger |value| first, and among equal magnitudes the
/// lower index first. Every selection routine in MeProp returns exactly this set, so that variants
/// can be checked against each other and a run is reproducible. NaN never beats a number.</para>
/// <para><see cref="SelectByMagnitude{T}"/> is the paper's min-heap, O(n log k): the heap holds the k best
/// seen so far with the worst at the root, and each new entry only has to beat the root. It is the
/// reference; <see cref="SelectByMagnitudeFast{T}"/> (and <see cref="TopKSelector{T}"/>, which it uses)
/// returns the same set several times faster.</para>
/// </remarks>
public static class TopK
{
    /// <summary>
    /// The same result as <see cref="SelectByMagnitude{T}"/>, found by a vectorised threshold search
    /// instead of the heap (see <see cref="TopKSelector{T}"/>). Scratch storage is one selector per
    /// thread and element type, so steady-state calls allocate nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is less than 1.</exception>
    /// <exception cref="ArgumentException">indices is shorter than min(k, n).</exception>
    public static int SelectByMagnitudeFast<T>(ReadOnlySpan<T> values, int k, Span<int> indices)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => SharedSelector<T>.ForThread.Select(values, k, indices);

    // One selector per thread and T: its buffers and threshold are not shared between threads.
    private static class SharedSelector<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [ThreadStatic] private static TopKSelector<T>? t_selector;

        public static TopKSelector<T> ForThread => t_selector ??= new TopKSelector<T>();
    }

    /// <summary>
    /// Writes to <paramref name="indices"/> the indices of the min(k, n) entries of <paramref name="values"/>
    /// with the largest magnitude, in ascending index order, and returns how many were written.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is less than 1.</exception>
    /// <exception cref="ArgumentException">indices is shorter than min(k, n).</exception>
    public static int SelectByMagnitude<T>(ReadOnlySpan<T> values, int k, Span<int> indices)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (k < 1)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be at least 1, but is {k}.");
        int n = values.Length;
        int count = Math.Min(k, n);
        Shape.RequireLength(indices.Length, count, nameof(indices));
        if (count == n)
        {
            for (int i = 0; i < n; i++) indices[i] = i;
            return n;
        }

        // The heap's keys are the magnitudes; heap[0] is the worst kept entry: smallest magnitude,
        // and among equal magnitudes the highest index (the one the tie-break ranks last).
        Span<int> heap = indices.Slice(0, count);
        for (int i = 0; i < count; i++)
        {
            heap[i] = i;
            SiftUp(values, heap, i);
        }
        for (int i = count; i < n; i++)
        {
            // A later index only wins on a strictly larger magnitude: ties keep the lower index.
            if (Worse(values, heap[0], i))
            {
                heap[0] = i;
                SiftDown(values, heap, 0);
            }
        }
        heap.Sort();
        return count;
    }

    // True when entry a ranks below entry b (a is "worse"): smaller magnitude, or equal magnitude and higher index.
    private static bool Worse<T>(ReadOnlySpan<T> values, int a, int b) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T ma = T.Abs(values[a]), mb = T.Abs(values[b]);
        if (T.IsNaN(ma)) return !T.IsNaN(mb) || a > b;
        if (T.IsNaN(mb)) return false;
        return ma < mb || (ma == mb && a > b);
    }

    private static void SiftUp<T>(ReadOnlySpan<T> values, Span<int> heap, int i) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Worse(values, heap[i], heap[parent])) break;
            (heap[i], heap[parent]) = (heap[parent], heap[i]);
            i = parent;
        }
    }

    private static void SiftDown<T>(ReadOnlySpan<T> values, Span<int> heap, int i) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = heap.Length;
        while (true)
        {
            int left = 2 * i + 1;
            if (left >= n) break;
            int worst = left;
            int right = left + 1;
            if (right < n && Worse(values, heap[right], heap[left])) worst = right;
            if (!Worse(values, heap[worst], heap[i])) break;
            (heap[i], heap[worst]) = (heap[worst], heap[i]);
            i = worst;
        }
    }
}
