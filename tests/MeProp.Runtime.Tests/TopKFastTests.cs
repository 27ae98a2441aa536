using System;
using System.Collections.Generic;
using System.Linq;
using MeProp.Sparsity;
using Xunit;

namespace MeProp.Runtime.Tests;

// The fast selection must return exactly the heap's set: the heap is the reference here.
public class TopKFastTests
{
    public static TheoryData<int> Lengths() => new() { 1, 7, 33, 500, 513, 2048 };

    // Every k from 1 past n for the small lengths; for 2048 the small ks, a spread, and the edges.
    private static IEnumerable<int> Ks(int n) =>
        n <= 513 ? Enumerable.Range(1, n + 2)
                 : Enumerable.Range(1, 64).Concat(Enumerable.Range(1, n / 37).Select(i => i * 37)).Concat(new[] { n - 1, n, n + 1, n + 100 });

    // Named generators: each writes n doubles from the random source.
    private static readonly (string Name, Func<SeededRandom, int, double[]> Make)[] Kinds =
    {
        ("uniform", (r, n) => Enumerable.Range(0, n).Select(_ => 2 * r.NextDouble() - 1).ToArray()),
        ("gaussian-scaled", (r, n) => { double s = Math.Exp(8 * r.NextDouble() - 4); return Enumerable.Range(0, n).Select(_ => r.NextGaussian() * s).ToArray(); }),
        ("heavy ties", (r, n) => Enumerable.Range(0, n).Select(_ => (r.NextInt(7) - 3) * 0.5).ToArray()),
        ("all zeros", (r, n) => new double[n]),
        ("signed zeros", (r, n) => Enumerable.Range(0, n).Select(_ => r.NextInt(2) == 0 ? 0.0 : -0.0).ToArray()),
        ("relu-like", (r, n) => Enumerable.Range(0, n).Select(_ => r.NextInt(2) == 0 ? 0.0 : 0.01 * (2 * r.NextDouble() - 1)).ToArray()),
        ("mostly zeros", (r, n) => Enumerable.Range(0, n).Select(_ => r.NextInt(20) == 0 ? r.NextGaussian() : r.NextInt(2) == 0 ? 0.0 : -0.0).ToArray()),
        ("specials", (r, n) => Enumerable.Range(0, n).Select(_ => Special(r)).ToArray()),
        ("nan heavy", (r, n) => Enumerable.Range(0, n).Select(_ => r.NextInt(3) == 0 ? r.NextGaussian() : double.NaN).ToArray()),
        ("all nan", (r, n) => Enumerable.Repeat(double.NaN, n).ToArray()),
        ("denormals", (r, n) => Enumerable.Range(0, n).Select(_ => (r.NextInt(9) - 4) * double.Epsilon * (1 + r.NextInt(3))).ToArray()),
    };

    private static double Special(SeededRandom r) => r.NextInt(12) switch
    {
        0 => double.NaN,
        1 => -double.NaN,
        2 => double.PositiveInfinity,
        3 => double.NegativeInfinity,
        4 => 0.0,
        5 => -0.0,
        6 => double.Epsilon,
        7 => -double.Epsilon * 3,
        8 => double.MaxValue,
        9 => -double.MaxValue,
        _ => r.NextGaussian(),
    };

    // Float versions of the doubles; float specials of their own (denormals, NaN payloads) where the
    // double ones do not survive the conversion.
    private static float[] ToFloats(string kind, double[] values, SeededRandom r)
    {
        var f = values.Select(v => (float)v).ToArray();
        if (kind == "denormals")
            for (int i = 0; i < f.Length; i++) f[i] = (r.NextInt(9) - 4) * float.Epsilon * (1 + r.NextInt(3));
        if (kind == "specials")
            for (int i = 0; i < f.Length; i += 5) f[i] = BitConverter.Int32BitsToSingle(unchecked((int)0xFFC0_0001u) + r.NextInt(5)); // negative NaNs with payloads
        return f;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Equals_the_heap_on_every_kind_of_data(int n)
    {
        var random = new SeededRandom(1000 + n);
        // One selector across all rows and ks: its remembered threshold is stale and from other
        // data, which must not change any result.
        var selector32 = new TopKSelector<float>();
        var selector64 = new TopKSelector<double>();
        foreach (var (name, make) in Kinds)
        {
            double[] d = make(random, n);
            float[] f = ToFloats(name, d, random);
            foreach (int k in Ks(n))
            {
                int count = Math.Min(k, n);
                Check(d, k, TopK.SelectByMagnitude<double>, $"{name} double n={n} k={k}", count);
                Check(d, k, (v, kk, o) => selector64.Select(v, kk, o), $"{name} double selector n={n} k={k}", count, d);
                Check(f, k, (v, kk, o) => selector32.Select(v, kk, o), $"{name} float selector n={n} k={k}", count, f);
                Check(f, k, TopK.SelectByMagnitudeFast<float>, $"{name} float static n={n} k={k}", count, f);
                Check(d, k, TopK.SelectByMagnitudeFast<double>, $"{name} double static n={n} k={k}", count, d);
            }
        }
    }

    private delegate int Selector<T>(ReadOnlySpan<T> values, int k, Span<int> indices);

    private static void Check<T>(T[] values, int k, Selector<T> select, string what, int count, T[]? compareTo = null)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var got = new int[count + 3];
        Array.Fill(got, -7); // entries past the count must stay untouched
        Assert.Equal(count, select(values, k, got));
        var expected = new int[count];
        TopK.SelectByMagnitude<T>(compareTo ?? values, k, expected);
        if (!expected.AsSpan().SequenceEqual(got.AsSpan(0, count)))
            Assert.Fail($"{what}: expected [{string.Join(",", expected)}], got [{string.Join(",", got.Take(count))}].");
        Assert.All(got.Skip(count), v => Assert.Equal(-7, v));
    }

    [Fact]
    public void The_heap_itself_follows_the_defining_order_with_nan_last()
    {
        double[] values = { double.NaN, 0.0, -0.0, double.NaN, 1.0, -1.0, double.NegativeInfinity };
        var indices = new int[5];
        TopK.SelectByMagnitude<double>(values, 5, indices);
        // infinity, the two ones, then the zeros (tie: lower index first would take 1 and 2).
        Assert.Equal(new[] { 1, 2, 4, 5, 6 }, indices);
        TopK.SelectByMagnitudeFast<double>(values, 5, indices);
        Assert.Equal(new[] { 1, 2, 4, 5, 6 }, indices);
        // Six: the first NaN by index joins.
        indices = new int[6];
        TopK.SelectByMagnitudeFast<double>(values, 6, indices);
        Assert.Equal(new[] { 0, 1, 2, 4, 5, 6 }, indices);
    }

    [Fact]
    public void Rejects_k_below_one_and_short_destination_with_the_values()
    {
        var values = new float[10];
        var kex = Assert.Throws<ArgumentOutOfRangeException>(() => TopK.SelectByMagnitudeFast<float>(values, 0, new int[1]));
        Assert.Contains("is 0", kex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TopKSelector<double>().Select(new double[3], -2, new int[3]));
        var ex = Assert.Throws<ArgumentException>(() => TopK.SelectByMagnitudeFast<float>(values, 5, new int[4]));
        Assert.Contains("4 elements, but 5", ex.Message);
        // k beyond n needs only n slots.
        Assert.Equal(3, TopK.SelectByMagnitudeFast<float>(new float[3], 8, new int[3]));
        ex = Assert.Throws<ArgumentException>(() => new TopKSelector<float>().SelectThroughRelu(new float[4], new float[3], new float[4], 2, new int[2]));
        Assert.Contains("is 3, expected 4", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SelectThroughRelu_writes_the_relu_derivative_and_selects_from_it(int n)
    {
        var random = new SeededRandom(77 + n);
        var selector32 = new TopKSelector<float>();
        var selector64 = new TopKSelector<double>();
        foreach (var (name, make) in Kinds)
        {
            double[] g = make(random, n);
            // Activations: positive, zero, negative, NaN; the derivative passes g only where a > 0.
            double[] a = Enumerable.Range(0, n).Select(_ => random.NextInt(5) switch { 0 => 0.0, 1 => -1.0, 2 => double.NaN, _ => random.NextDouble() + 0.1 }).ToArray();
            float[] gf = ToFloats(name, g, random), af = a.Select(v => (float)v).ToArray();
            foreach (int k in Ks(n).Where(k => k <= 40 || k % 7 == 0 || k >= n - 1))
            {
                int count = Math.Min(k, n);
                var expectedD = g.Select((v, i) => a[i] > 0 ? v : 0.0).ToArray();
                var expected = new int[count];
                TopK.SelectByMagnitude<double>(expectedD, k, expected);
                var d = new double[n];
                var got = new int[count];
                Assert.Equal(count, selector64.SelectThroughRelu(g, a, d, k, got));
                Assert.Equal(expectedD.Select(BitConverter.DoubleToInt64Bits), d.Select(BitConverter.DoubleToInt64Bits));
                Assert.True(expected.SequenceEqual(got), $"{name} double n={n} k={k}");

                var expectedF = gf.Select((v, i) => af[i] > 0 ? v : 0f).ToArray();
                TopK.SelectByMagnitude<float>(expectedF, k, expected);
                var df = new float[n];
                Assert.Equal(count, selector32.SelectThroughRelu(gf, af, df, k, got));
                Assert.Equal(expectedF.Select(BitConverter.SingleToInt32Bits), df.Select(BitConverter.SingleToInt32Bits));
                Assert.True(expected.SequenceEqual(got), $"{name} float n={n} k={k}");
            }
        }
    }
}
