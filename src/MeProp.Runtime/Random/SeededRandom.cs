using System;

namespace MeProp;

/// <summary>
/// A small, fast, seeded pseudo-random source (xoshiro256**, seeded through splitmix64), so that
/// initialisation, dropout masks and random-k selection are reproducible from one integer on every
/// platform and .NET version.
/// </summary>
/// <remarks>
/// <see cref="System.Random"/> with a seed is reproducible too, but its seeded algorithm is a legacy
/// one kept for compatibility and is several times slower; dropout draws one number per activation.
/// </remarks>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a source whose whole sequence is determined by <paramref name="seed"/>.</summary>
    public SeededRandom(long seed) => Reseed(seed);

    /// <summary>Restarts the sequence that <paramref name="seed"/> determines (a model's dropout masks repeat after the same reseed).</summary>
    public void Reseed(long seed)
    {
        ulong x = unchecked((ulong)seed);
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>
    /// The generator's whole state: saving it and setting it back later continues the very same
    /// sequence (a checkpoint restores dropout masks and data order this way).
    /// </summary>
    public SeededRandomState State
    {
        get => new(_s0, _s1, _s2, _s3);
        set
        {
            if ((value.S0 | value.S1 | value.S2 | value.S3) == 0)
                throw new ArgumentException("The all-zero state is not a state of xoshiro256** (it would only ever produce zeros).", nameof(value));
            (_s0, _s1, _s2, _s3) = (value.S0, value.S1, value.S2, value.S3);
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64() => Next(ref _s0, ref _s1, ref _s2, ref _s3);

    /// <summary>Fills <paramref name="destination"/> with the next values of <see cref="NextUInt64"/>, in order.</summary>
    /// <remarks>The same numbers as that many calls, with the state kept in registers for the whole run (a dropout mask draws thousands per step).</remarks>
    public void NextUInt64s(Span<ulong> destination)
    {
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        for (int i = 0; i < destination.Length; i++) destination[i] = Next(ref s0, ref s1, ref s2, ref s3);
        _s0 = s0; _s1 = s1; _s2 = s2; _s3 = s3;
    }

    // One xoshiro256** step on the state (s0..s3): the output, and the state advanced.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static ulong Next(ref ulong s0, ref ulong s1, ref ulong s2, ref ulong s3)
    {
        ulong result = RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>A uniform double in [0, 1), with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, $"maxExclusive must be at least 1, but is {maxExclusive}.");
        // Lemire's multiply-shift with rejection: unbiased and division-free in the common case.
        ulong range = (ulong)maxExclusive;
        ulong product = (NextUInt64() >> 32) * range;
        uint low = (uint)product;
        if (low < range)
        {
            uint threshold = (uint)((0x1_0000_0000UL - range) % range);
            while (low < threshold)
            {
                product = (NextUInt64() >> 32) * range;
                low = (uint)product;
            }
        }
        return (int)(product >> 32);
    }

    /// <summary>A standard normal sample (Box–Muller).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: keeps the logarithm finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle<TItem>(Span<TItem> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}

/// <summary>The four 64-bit words of a <see cref="SeededRandom"/>'s state, written as text by <see cref="ToString"/> and read back by <see cref="Parse"/>.</summary>
public readonly record struct SeededRandomState(ulong S0, ulong S1, ulong S2, ulong S3)
{
    /// <summary>The four words in hexadecimal, separated by colons (16 digits each).</summary>
    public override string ToString() => $"{S0:x16}:{S1:x16}:{S2:x16}:{S3:x16}";

    /// <summary>Reads what <see cref="ToString"/> wrote.</summary>
    /// <exception cref="FormatException">The text is not four colon-separated hexadecimal words.</exception>
    public static SeededRandomState Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(':');
        var words = new ulong[4];
        if (parts.Length != 4)
            throw new FormatException($"A random state is four hexadecimal words separated by colons, not '{text}'.");
        for (int i = 0; i < 4; i++)
            if (!ulong.TryParse(parts[i], System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out words[i]))
                throw new FormatException($"A random state is four hexadecimal words separated by colons, not '{text}'.");
        return new SeededRandomState(words[0], words[1], words[2], words[3]);
    }
}
