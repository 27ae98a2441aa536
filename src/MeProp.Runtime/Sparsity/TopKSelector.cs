using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace MeProp.Sparsity;

/// <summary>
/// Fast exact top-k by magnitude with its own scratch storage: the same set, in the same ascending
/// order, as <see cref="TopK.SelectByMagnitude{T}"/> (the reference heap), including its tie-breaking
/// (lower index first) and NaN handling (NaN never beats a number).
/// </summary>
/// <remarks>
/// <para>An instance grows its buffers to the longest row it has seen and then allocates nothing.
/// It is not thread-safe: use one per thread (as <see cref="LinearBackward{T}"/> does per operation).</para>
/// <para>It remembers the k-th largest magnitude of its last selection and starts the next search
/// there, which makes rows of similar scale (the examples of one batch) cheaper; the result never
/// depends on it. <see cref="ForgetThreshold"/> drops it.</para>
/// <para>float and double take the vectorised path; other element types fall back to the heap.</para>
/// </remarks>
public sealed class TopKSelector<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private uint[] _keys32 = Array.Empty<uint>();
    private uint[] _candidates32 = Array.Empty<uint>();
    private ulong[] _keys64 = Array.Empty<ulong>();
    private ulong[] _candidates64 = Array.Empty<ulong>();
    private int[] _candidateIndices = Array.Empty<int>();
    private uint _probe32;
    private ulong _probe64;

    /// <summary>Forgets the threshold of the last selection, so that the next search starts afresh.</summary>
    public void ForgetThreshold()
    {
        _probe32 = 0;
        _probe64 = 0;
    }

    /// <summary>
    /// Writes to <paramref name="indices"/> the indices of the min(k, n) entries of <paramref name="values"/>
    /// with the largest magnitude, in ascending index order, and returns how many were written.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is less than 1.</exception>
    /// <exception cref="ArgumentException">indices is shorter than min(k, n).</exception>
    public int Select(ReadOnlySpan<T> values, int k, Span<int> indices)
    {
        int count = Check(values.Length, k, indices);
        if (count == values.Length) return AllIndices(indices, count);
        if (typeof(T) == typeof(float))
        {
            ReadOnlySpan<float> v = MemoryMarshal.Cast<T, float>(values);
            Span<uint> keys = Keys32(v.Length);
            uint max = MagnitudeKeys.Compute(v, keys, out int nonzero);
            return KeySelect.Select(keys, v.Length, max, nonzero, MagnitudeKeys.FloatHalving, count, indices, _candidates32.AsSpan(0, keys.Length), _candidateIndices, ref _probe32);
        }
        if (typeof(T) == typeof(double))
        {
            ReadOnlySpan<double> v = MemoryMarshal.Cast<T, double>(values);
            Span<ulong> keys = Keys64(v.Length);
            ulong max = MagnitudeKeys.Compute(v, keys, out int nonzero);
            return KeySelect.Select(keys, v.Length, max, nonzero, MagnitudeKeys.DoubleHalving, count, indices, _candidates64.AsSpan(0, keys.Length), _candidateIndices, ref _probe64);
        }
        return TopK.SelectByMagnitude(values, k, indices);
    }

    /// <summary>
    /// The ReLU derivative and the top-k of its result in one pass over the row:
    /// <paramref name="d"/>[i] = <paramref name="activation"/>[i] &gt; 0 ? <paramref name="g"/>[i] : 0 (every entry
    /// written, exactly as BackwardKernels.Relu does), then the selection of <see cref="Select"/> on d.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is less than 1.</exception>
    /// <exception cref="ArgumentException">g or activation differ in length from d, or indices is shorter than min(k, n).</exception>
    public int SelectThroughRelu(ReadOnlySpan<T> g, ReadOnlySpan<T> activation, Span<T> d, int k, Span<int> indices)
    {
        Shape.RequireEqual(g.Length, d.Length, "gradient length");
        Shape.RequireEqual(activation.Length, d.Length, "activation length");
        int count = Check(d.Length, k, indices);
        if (typeof(T) == typeof(float))
        {
            Span<float> dv = MemoryMarshal.Cast<T, float>(d);
            Span<uint> keys = Keys32(dv.Length);
            uint max = MagnitudeKeys.ComputeThroughRelu(MemoryMarshal.Cast<T, float>(g), MemoryMarshal.Cast<T, float>(activation), dv, keys, out int nonzero);
            if (count == d.Length) return AllIndices(indices, count);
            return KeySelect.Select(keys, dv.Length, max, nonzero, MagnitudeKeys.FloatHalving, count, indices, _candidates32.AsSpan(0, keys.Length), _candidateIndices, ref _probe32);
        }
        if (typeof(T) == typeof(double))
        {
            Span<double> dv = MemoryMarshal.Cast<T, double>(d);
            Span<ulong> keys = Keys64(dv.Length);
            ulong max = MagnitudeKeys.ComputeThroughRelu(MemoryMarshal.Cast<T, double>(g), MemoryMarshal.Cast<T, double>(activation), dv, keys, out int nonzero);
            if (count == d.Length) return AllIndices(indices, count);
            return KeySelect.Select(keys, dv.Length, max, nonzero, MagnitudeKeys.DoubleHalving, count, indices, _candidates64.AsSpan(0, keys.Length), _candidateIndices, ref _probe64);
        }
        for (int i = 0; i < d.Length; i++) d[i] = activation[i] > T.Zero ? g[i] : T.Zero;
        return TopK.SelectByMagnitude<T>(d, k, indices);
    }

    private static int Check(int n, int k, Span<int> indices)
    {
        if (k < 1)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be at least 1, but is {k}.");
        int count = Math.Min(k, n);
        Shape.RequireLength(indices.Length, count, nameof(indices));
        return count;
    }

    private static int AllIndices(Span<int> indices, int n)
    {
        for (int i = 0; i < n; i++) indices[i] = i;
        return n;
    }

    // The key buffer for n values, padded to whole vectors; the candidate buffers grow with it.
    private Span<uint> Keys32(int n)
    {
        int padded = KeySelect.RoundUp<uint>(n);
        if (_keys32.Length < padded)
        {
            _keys32 = new uint[padded];
            _candidates32 = new uint[padded];
        }
        if (_candidateIndices.Length < padded) _candidateIndices = new int[padded];
        return _keys32.AsSpan(0, padded);
    }

    private Span<ulong> Keys64(int n)
    {
        int padded = KeySelect.RoundUp<ulong>(n);
        if (_keys64.Length < padded)
        {
            _keys64 = new ulong[padded];
            _candidates64 = new ulong[padded];
        }
        if (_candidateIndices.Length < padded) _candidateIndices = new int[padded];
        return _keys64.AsSpan(0, padded);
    }
}
