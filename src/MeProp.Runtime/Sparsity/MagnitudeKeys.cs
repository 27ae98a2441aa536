using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MeProp.Sparsity;

/// <summary>
/// Order keys for selection by magnitude: unsigned integers that compare like the defining order of
/// <see cref="TopK"/> (larger |value| ranks higher, NaN below every number).
/// </summary>
/// <remarks>
/// For a non-negative IEEE number the bit pattern orders like an unsigned integer, so |v|'s bits
/// (sign cleared) are already a key. Two adjustments make the order exactly the heap's: every number
/// gets +1 so that NaN can take 0 and rank below zero (NaN never beats a number), and the sign is
/// cleared first so that -0 and +0 tie. Equal keys then mean equal magnitudes, and the lower index
/// breaks the tie in <see cref="KeySelect"/>.
/// </remarks>
internal static class MagnitudeKeys
{
    private const uint FloatAbs = 0x7FFF_FFFF, FloatInf = 0x7F80_0000;
    private const ulong DoubleAbs = 0x7FFF_FFFF_FFFF_FFFF, DoubleInf = 0x7FF0_0000_0000_0000;

    /// <summary>Key steps that halve a float magnitude (one exponent step): a first probe for the threshold.</summary>
    public const uint FloatHalving = 1u << 23;

    /// <summary>Key steps that halve a double magnitude.</summary>
    public const ulong DoubleHalving = 1ul << 52;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Key(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value) & FloatAbs;
        return bits > FloatInf ? 0u : bits + 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Key(double value)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(value) & DoubleAbs;
        return bits > DoubleInf ? 0ul : bits + 1;
    }

    /// <summary>
    /// keys[i] = Key(values[i]); keys past values.Length up to keys.Length are zeroed (the padding
    /// that lets <see cref="KeySelect"/> run whole vectors). Returns the largest key, and in nonzero
    /// how many keys exceed 1, the key of zero (the entries with a nonzero magnitude).
    /// </summary>
    public static uint Compute(ReadOnlySpan<float> values, Span<uint> keys, out int nonzero)
    {
        int n = values.Length, i = 0;
        ref float v = ref MemoryMarshal.GetReference(values);
        ref uint kr = ref MemoryMarshal.GetReference(keys);
        uint max = 0;
        nonzero = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<uint>.Count)
        {
            var abs = Vector512.Create(FloatAbs);
            var inf = Vector512.Create(FloatInf);
            var one = Vector512<uint>.One;
            var vmax = Vector512<uint>.Zero;
            var vnonzero = Vector512<uint>.Zero;
            for (; i <= n - Vector512<uint>.Count; i += Vector512<uint>.Count)
            {
                var bits = Vector512.LoadUnsafe(ref Unsafe.As<float, uint>(ref v), (nuint)i) & abs;
                var key = Vector512.AndNot(bits + one, Vector512.GreaterThan(bits, inf));
                key.StoreUnsafe(ref kr, (nuint)i);
                vmax = Vector512.Max(vmax, key);
                vnonzero -= Vector512.GreaterThan(key, one);
            }
            max = MaxLane(vmax);
            nonzero = (int)Vector512.Sum(vnonzero);
        }
        for (; i < n; i++)
        {
            uint key = Key(Unsafe.Add(ref v, i));
            Unsafe.Add(ref kr, i) = key;
            if (key > max) max = key;
            nonzero += key > 1 ? 1 : 0;
        }
        keys.Slice(n).Clear();
        return max;
    }

    /// <summary>The double version of <see cref="Compute(ReadOnlySpan{float}, Span{uint}, out int)"/>.</summary>
    public static ulong Compute(ReadOnlySpan<double> values, Span<ulong> keys, out int nonzero)
    {
        int n = values.Length, i = 0;
        ref double v = ref MemoryMarshal.GetReference(values);
        ref ulong kr = ref MemoryMarshal.GetReference(keys);
        ulong max = 0;
        nonzero = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<ulong>.Count)
        {
            var abs = Vector512.Create(DoubleAbs);
            var inf = Vector512.Create(DoubleInf);
            var one = Vector512<ulong>.One;
            var vmax = Vector512<ulong>.Zero;
            var vnonzero = Vector512<ulong>.Zero;
            for (; i <= n - Vector512<ulong>.Count; i += Vector512<ulong>.Count)
            {
                var bits = Vector512.LoadUnsafe(ref Unsafe.As<double, ulong>(ref v), (nuint)i) & abs;
                var key = Vector512.AndNot(bits + one, Vector512.GreaterThan(bits, inf));
                key.StoreUnsafe(ref kr, (nuint)i);
                vmax = Vector512.Max(vmax, key);
                vnonzero -= Vector512.GreaterThan(key, one);
            }
            max = MaxLane(vmax);
            nonzero = (int)Vector512.Sum(vnonzero);
        }
        for (; i < n; i++)
        {
            ulong key = Key(Unsafe.Add(ref v, i));
            Unsafe.Add(ref kr, i) = key;
            if (key > max) max = key;
            nonzero += key > 1 ? 1 : 0;
        }
        keys.Slice(n).Clear();
        return max;
    }

    /// <summary>
    /// The ReLU derivative fused with <see cref="Compute(ReadOnlySpan{float}, Span{uint}, out int)"/>:
    /// d[i] = activation[i] &gt; 0 ? g[i] : 0 (exactly what BackwardKernels.Relu writes), and the key of d[i].
    /// </summary>
    public static uint ComputeThroughRelu(ReadOnlySpan<float> g, ReadOnlySpan<float> activation, Span<float> d, Span<uint> keys, out int nonzero)
    {
        int n = d.Length, i = 0;
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float ar = ref MemoryMarshal.GetReference(activation);
        ref float dr = ref MemoryMarshal.GetReference(d);
        ref uint kr = ref MemoryMarshal.GetReference(keys);
        uint max = 0;
        nonzero = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            var abs = Vector512.Create(FloatAbs);
            var inf = Vector512.Create(FloatInf);
            var one = Vector512<uint>.One;
            var vmax = Vector512<uint>.Zero;
            var vnonzero = Vector512<uint>.Zero;
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                // ConditionalSelect keeps g's bits (a -0 stays -0) and gives +0 where the
                // activation is not positive, NaN included: the scalar kernel's "a > 0 ? g : 0".
                var dv = Vector512.ConditionalSelect(
                    Vector512.GreaterThan(Vector512.LoadUnsafe(ref ar, (nuint)i), Vector512<float>.Zero),
                    Vector512.LoadUnsafe(ref gr, (nuint)i), Vector512<float>.Zero);
                dv.StoreUnsafe(ref dr, (nuint)i);
                var bits = dv.AsUInt32() & abs;
                var key = Vector512.AndNot(bits + one, Vector512.GreaterThan(bits, inf));
                key.StoreUnsafe(ref kr, (nuint)i);
                vmax = Vector512.Max(vmax, key);
                vnonzero -= Vector512.GreaterThan(key, one);
            }
            max = MaxLane(vmax);
            nonzero = (int)Vector512.Sum(vnonzero);
        }
        for (; i < n; i++)
        {
            float value = Unsafe.Add(ref ar, i) > 0f ? Unsafe.Add(ref gr, i) : 0f;
            Unsafe.Add(ref dr, i) = value;
            uint key = Key(value);
            Unsafe.Add(ref kr, i) = key;
            if (key > max) max = key;
            nonzero += key > 1 ? 1 : 0;
        }
        keys.Slice(n).Clear();
        return max;
    }

    /// <summary>The double version of <see cref="ComputeThroughRelu(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{uint}, out int)"/>.</summary>
    public static ulong ComputeThroughRelu(ReadOnlySpan<double> g, ReadOnlySpan<double> activation, Span<double> d, Span<ulong> keys, out int nonzero)
    {
        int n = d.Length, i = 0;
        ref double gr = ref MemoryMarshal.GetReference(g);
        ref double ar = ref MemoryMarshal.GetReference(activation);
        ref double dr = ref MemoryMarshal.GetReference(d);
        ref ulong kr = ref MemoryMarshal.GetReference(keys);
        ulong max = 0;
        nonzero = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<double>.Count)
        {
            var abs = Vector512.Create(DoubleAbs);
            var inf = Vector512.Create(DoubleInf);
            var one = Vector512<ulong>.One;
            var vmax = Vector512<ulong>.Zero;
            var vnonzero = Vector512<ulong>.Zero;
            for (; i <= n - Vector512<double>.Count; i += Vector512<double>.Count)
            {
                var dv = Vector512.ConditionalSelect(
                    Vector512.GreaterThan(Vector512.LoadUnsafe(ref ar, (nuint)i), Vector512<double>.Zero),
                    Vector512.LoadUnsafe(ref gr, (nuint)i), Vector512<double>.Zero);
                dv.StoreUnsafe(ref dr, (nuint)i);
                var bits = dv.AsUInt64() & abs;
                var key = Vector512.AndNot(bits + one, Vector512.GreaterThan(bits, inf));
                key.StoreUnsafe(ref kr, (nuint)i);
                vmax = Vector512.Max(vmax, key);
                vnonzero -= Vector512.GreaterThan(key, one);
            }
            max = MaxLane(vmax);
            nonzero = (int)Vector512.Sum(vnonzero);
        }
        for (; i < n; i++)
        {
            double value = Unsafe.Add(ref ar, i) > 0.0 ? Unsafe.Add(ref gr, i) : 0.0;
            Unsafe.Add(ref dr, i) = value;
            ulong key = Key(value);
            Unsafe.Add(ref kr, i) = key;
            if (key > max) max = key;
            nonzero += key > 1 ? 1 : 0;
        }
        keys.Slice(n).Clear();
        return max;
    }

    private static TKey MaxLane<TKey>(Vector512<TKey> v) where TKey : unmanaged, IBinaryInteger<TKey>
    {
        TKey max = TKey.Zero;
        for (int lane = 0; lane < Vector512<TKey>.Count; lane++)
            if (v.GetElement(lane) > max) max = v.GetElement(lane);
        return max;
    }
}

/// <summary>
/// Exact top-k on order keys (see <see cref="MagnitudeKeys"/>): a bisection on the key value for the
/// k-th largest key T, counting keys &gt;= a probe with whole-vector compares, then one pass that
/// emits every key above T and the lowest-index keys equal to T until k are taken.
/// </summary>
/// <remarks>
/// <para>The heap pays a hard-to-predict branch per entry; here the per-entry work is branch-free
/// compares, and branches are per pass. Once few enough keys remain at or above the lower bound,
/// they (and their indices) are compressed into a small buffer and the remaining passes run on it.</para>
/// <para>The probe only steers the search: any start gives the same T, so a caller may pass the
/// previous row's T (gradients of neighbouring examples have similar scales) and stay exact.</para>
/// </remarks>
internal static class KeySelect
{
    /// <summary>
    /// Writes the indices of the k largest keys (ties to the lower index) ascending, and returns k.
    /// Requires 1 &lt;= k &lt; n; keys has a whole number of vectors with zeros past n; candidateKeys
    /// and candidateIndices have keys.Length entries; maxKey is the largest of the n keys and nonzero
    /// the number of keys above 1 (the key of zero).
    /// On return, <paramref name="probe"/> holds T, a start for the next call.
    /// </summary>
    public static int Select<TKey>(Span<TKey> keys, int n, TKey maxKey, int nonzero, TKey halving, int k, Span<int> indices,
                                   Span<TKey> candidateKeys, Span<int> candidateIndices, ref TKey probe)
        where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>
    {
        // The search keeps count(key >= lo) >= k > count(key >= hi); T is in [lo, hi).
        TKey lo = TKey.Zero, hi = maxKey + TKey.One;
        int countLo = n, countHi = 0;
        // Past this many survivors, compressing costs more than another pass over the row.
        int compressAt = Math.Max(64, 2 * k);
        Span<TKey> current = keys;
        int currentLength = n;
        bool compressed = false;
        // The count of nonzero magnitudes (keys >= 2) came free with the keys, and it brackets T at
        // once: ReLU gradients are often mostly exact zeros, and when fewer than k entries are
        // nonzero, T is the key of zero, which a bisection from the top would need ~30 passes to reach.
        TKey two = TKey.One + TKey.One;
        if (nonzero >= k)
        {
            lo = two; countLo = nonzero;
            if (nonzero <= compressAt)
            {
                currentLength = Compress(current, lo, candidateKeys, candidateIndices);
                current = candidateKeys.Slice(0, RoundUp<TKey>(currentLength));
                compressed = true;
            }
        }
        else if (hi > two)
        {
            hi = two; countHi = nonzero;
        }
        TKey next = probe > lo && probe < hi ? probe
                  : maxKey > halving ? maxKey - halving : maxKey >> 1;
        // Until a probe has landed on each side, gallop away from the start (the answer is usually
        // near it); after that, alternate interpolation on the counts (fast on smooth data) with
        // bisection (which bounds the passes at the key width when interpolation stalls).
        TKey step = halving >> 4;
        bool probedLow = false, probedHigh = false, interpolate = true;

        TKey upper, tieKey;
        int ties;
        while (true)
        {
            if (countLo == k)
            {
                // Exactly k keys at or above lo: they are the set, with no ties to break.
                upper = lo; tieKey = lo; ties = 0;
                break;
            }
            if (hi - lo == TKey.One)
            {
                // T = lo: every key >= hi is in, and the lowest-index keys equal to lo fill up to k.
                upper = hi; tieKey = lo; ties = k - countHi;
                break;
            }
            TKey t = next;
            if (!(t > lo && t < hi))
            {
                if (probedLow && probedHigh && interpolate)
                {
                    double fraction = (double)(countLo - k) / (countLo - countHi);
                    t = lo + TKey.CreateTruncating(double.CreateTruncating(hi - lo) * fraction);
                }
                if (!(t > lo && t < hi)) t = lo + ((hi - lo) >> 1);
                interpolate = !interpolate;
            }
            int count = CountAtLeast(current, t);
            if (count >= k)
            {
                lo = t; countLo = count; probedLow = true;
                next = probedHigh ? TKey.Zero : t + step;
                if (!compressed && count <= compressAt)
                {
                    currentLength = Compress(current, lo, candidateKeys, candidateIndices);
                    current = candidateKeys.Slice(0, RoundUp<TKey>(currentLength));
                    compressed = true;
                }
            }
            else
            {
                hi = t; countHi = count; probedHigh = true;
                next = probedLow || t <= step ? TKey.Zero : t - step;
            }
            step <<= 1;
        }
        probe = lo;
        return Emit(current, compressed ? candidateIndices : default, upper, tieKey, ties, indices);
    }

    /// <summary>Rounds a length up to a whole number of vectors of TKey.</summary>
    public static int RoundUp<TKey>(int length) => (length + Vector512<TKey>.Count - 1) & -Vector512<TKey>.Count;

    // keys.Length is a whole number of vectors; the zero padding never counts since t >= 1.
    private static int CountAtLeast<TKey>(ReadOnlySpan<TKey> keys, TKey t) where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>
    {
        ref TKey k0 = ref MemoryMarshal.GetReference(keys);
        int length = keys.Length;
        if (Vector512.IsHardwareAccelerated)
        {
            var vt = Vector512.Create(t);
            // Each compare gives all-ones (= -1) per lane that passes; subtracting counts them.
            Vector512<TKey> a0 = Vector512<TKey>.Zero, a1 = Vector512<TKey>.Zero;
            int i = 0, step = Vector512<TKey>.Count;
            for (; i <= length - 2 * step; i += 2 * step)
            {
                a0 -= Vector512.GreaterThanOrEqual(Vector512.LoadUnsafe(ref k0, (nuint)i), vt);
                a1 -= Vector512.GreaterThanOrEqual(Vector512.LoadUnsafe(ref k0, (nuint)(i + step)), vt);
            }
            if (i < length)
                a0 -= Vector512.GreaterThanOrEqual(Vector512.LoadUnsafe(ref k0, (nuint)i), vt);
            return int.CreateTruncating(Vector512.Sum(a0 + a1));
        }
        int count = 0;
        for (int i = 0; i < length; i++)
            count += Unsafe.Add(ref k0, i) >= t ? 1 : 0;
        return count;
    }

    // Copies the keys >= lo and their indices, in index order, and zero-pads the keys to a whole vector.
    private static int Compress<TKey>(ReadOnlySpan<TKey> keys, TKey lo, Span<TKey> toKeys, Span<int> toIndices)
        where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>
    {
        ref TKey k0 = ref MemoryMarshal.GetReference(keys);
        ref TKey d0 = ref MemoryMarshal.GetReference(toKeys);
        ref int i0 = ref MemoryMarshal.GetReference(toIndices);
        int length = keys.Length, c = 0;
        if (typeof(TKey) == typeof(uint) && Avx512F.IsSupported)
        {
            // vpcompressd packs the passing lanes without a branch per lane (the bit loop below
            // mispredicts once per vector). The register form, then a full store: the store may run
            // past c into lanes that later stores or the padding overwrite, and never past i + 16.
            ref uint k32 = ref Unsafe.As<TKey, uint>(ref k0);
            ref uint d32 = ref Unsafe.As<TKey, uint>(ref d0);
            var vlo = Vector512.Create(Unsafe.As<TKey, uint>(ref lo));
            var position = Vector512<int>.Indices;
            var sixteen = Vector512.Create(Vector512<uint>.Count);
            for (int i = 0; i < length; i += Vector512<uint>.Count)
            {
                var v = Vector512.LoadUnsafe(ref k32, (nuint)i);
                var pass = Vector512.GreaterThanOrEqual(v, vlo);
                Avx512F.Compress(Vector512<uint>.Zero, pass, v).StoreUnsafe(ref d32, (nuint)c);
                Avx512F.Compress(Vector512<int>.Zero, pass.AsInt32(), position).StoreUnsafe(ref i0, (nuint)c);
                c += BitOperations.PopCount(Vector512.ExtractMostSignificantBits(pass));
                position += sixteen;
            }
        }
        else if (Vector512.IsHardwareAccelerated)
        {
            var vlo = Vector512.Create(lo);
            for (int i = 0; i < length; i += Vector512<TKey>.Count)
            {
                var v = Vector512.LoadUnsafe(ref k0, (nuint)i);
                ulong bits = Vector512.ExtractMostSignificantBits(Vector512.GreaterThanOrEqual(v, vlo));
                while (bits != 0)
                {
                    int lane = BitOperations.TrailingZeroCount(bits);
                    Unsafe.Add(ref d0, c) = Unsafe.Add(ref k0, i + lane);
                    Unsafe.Add(ref i0, c) = i + lane;
                    c++;
                    bits &= bits - 1;
                }
            }
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                TKey key = Unsafe.Add(ref k0, i);
                if (key >= lo)
                {
                    Unsafe.Add(ref d0, c) = key;
                    Unsafe.Add(ref i0, c) = i;
                    c++;
                }
            }
        }
        toKeys.Slice(c, RoundUp<TKey>(c) - c).Clear();
        return c;
    }

    // Writes, in index order, every position with key >= upper and the first `ties` with key == tieKey
    // (mapped through map when it is not empty). Padding zeros come after every real key, so a tie
    // budget (counted on real keys) is spent before reaching them.
    private static int Emit<TKey>(ReadOnlySpan<TKey> keys, ReadOnlySpan<int> map, TKey upper, TKey tieKey, int ties, Span<int> indices)
        where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>
    {
        ref TKey k0 = ref MemoryMarshal.GetReference(keys);
        ref int m0 = ref MemoryMarshal.GetReference(map);
        ref int out0 = ref MemoryMarshal.GetReference(indices);
        bool mapped = !map.IsEmpty;
        int length = keys.Length, p = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vu = Vector512.Create(upper);
            var vt = Vector512.Create(tieKey);
            for (int i = 0; i < length; i += Vector512<TKey>.Count)
            {
                var v = Vector512.LoadUnsafe(ref k0, (nuint)i);
                ulong bits = Vector512.ExtractMostSignificantBits(Vector512.GreaterThanOrEqual(v, vu));
                if (ties > 0)
                {
                    ulong eq = Vector512.ExtractMostSignificantBits(Vector512.Equals(v, vt));
                    while (eq != 0 && ties > 0)
                    {
                        bits |= eq & (0 - eq); // lowest set bit
                        eq &= eq - 1;
                        ties--;
                    }
                }
                while (bits != 0)
                {
                    int at = i + BitOperations.TrailingZeroCount(bits);
                    Unsafe.Add(ref out0, p++) = mapped ? Unsafe.Add(ref m0, at) : at;
                    bits &= bits - 1;
                }
            }
            return p;
        }
        for (int i = 0; i < length; i++)
        {
            TKey key = Unsafe.Add(ref k0, i);
            bool take = key >= upper;
            if (!take && ties > 0 && key == tieKey) { take = true; ties--; }
            if (take) Unsafe.Add(ref out0, p++) = mapped ? Unsafe.Add(ref m0, i) : i;
        }
        return p;
    }
}
