using System;
using System.Linq;
using Xunit;

namespace MeProp.Runtime.Tests;

public class SeededRandomTests
{
    [Fact]
    public void Same_seed_same_sequence_different_seed_different_sequence()
    {
        ulong[] Draw(long seed) { var r = new SeededRandom(seed); return Enumerable.Range(0, 100).Select(_ => r.NextUInt64()).ToArray(); }
        Assert.Equal(Draw(1), Draw(1));
        Assert.Equal(Draw(-5), Draw(-5));
        Assert.NotEqual(Draw(1), Draw(2));
        Assert.NotEqual(Draw(0), Draw(1));
    }

    [Fact]
    public void NextDouble_is_in_zero_one_with_mean_about_a_half()
    {
        var r = new SeededRandom(3);
        double sum = 0;
        for (int i = 0; i < 100_000; i++)
        {
            double v = r.NextDouble();
            Assert.InRange(v, 0.0, Math.BitDecrement(1.0));
            sum += v;
        }
        // Standard error of the mean is 0.0009.
        Assert.InRange(sum / 100_000, 0.495, 0.505);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(1000)]
    public void NextInt_stays_in_range_and_is_roughly_uniform(int max)
    {
        var r = new SeededRandom(max);
        int draws = Math.Max(20_000, max * 50);
        var counts = new int[max];
        for (int i = 0; i < draws; i++)
        {
            int v = r.NextInt(max);
            Assert.InRange(v, 0, max - 1);
            counts[v]++;
        }
        // Chi-square with max - 1 degrees of freedom: mean max - 1, standard deviation sqrt(2(max - 1)).
        // Eight standard deviations above the mean never fails by chance, but a biased generator does.
        double expected = draws / (double)max;
        double chi2 = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chi2 <= max - 1 + 8 * Math.Sqrt(2.0 * Math.Max(1, max - 1)), $"chi-square {chi2} for {max} bins");
    }

    [Fact]
    public void NextInt_near_the_largest_range_is_unbiased_between_halves()
    {
        // A modulo-biased draw over a range of 3·2^29 would favour the lower third heavily.
        var r = new SeededRandom(8);
        int max = 3 << 29, low = 0, draws = 30_000;
        for (int i = 0; i < draws; i++) if (r.NextInt(max) < max / 2) low++;
        Assert.InRange(low / (double)draws, 0.48, 0.52);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void NextInt_rejects_an_empty_range_naming_it(int max)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SeededRandom(1).NextInt(max));
        Assert.Contains(max.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
    }

    [Fact]
    public void NextGaussian_has_mean_zero_and_unit_variance()
    {
        var r = new SeededRandom(4);
        var v = Enumerable.Range(0, 100_000).Select(_ => r.NextGaussian()).ToArray();
        double mean = v.Average();
        double variance = v.Select(x => (x - mean) * (x - mean)).Average();
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, 0.97, 1.03);
    }

    [Fact]
    public void Shuffle_is_a_reproducible_permutation()
    {
        int[] Shuffled(long seed) { var a = Enumerable.Range(0, 50).ToArray(); new SeededRandom(seed).Shuffle<int>(a); return a; }
        var s = Shuffled(10);
        Assert.Equal(Enumerable.Range(0, 50), s.OrderBy(i => i));
        Assert.NotEqual(Enumerable.Range(0, 50), s);
        Assert.Equal(s, Shuffled(10));
    }

    [Fact]
    public void A_saved_state_continues_the_same_sequence_and_survives_its_text_form()
    {
        var r = new SeededRandom(12);
        for (int i = 0; i < 5; i++) r.NextUInt64();
        SeededRandomState state = r.State;
        ulong[] expected = Enumerable.Range(0, 10).Select(_ => r.NextUInt64()).ToArray();
        var restored = new SeededRandom(99) { State = SeededRandomState.Parse(state.ToString()) };
        Assert.Equal(expected, Enumerable.Range(0, 10).Select(_ => restored.NextUInt64()));
        Assert.Throws<ArgumentException>(() => restored.State = default);
        Assert.Throws<FormatException>(() => SeededRandomState.Parse("12:34"));
        Assert.Throws<FormatException>(() => SeededRandomState.Parse("x:0:0:1"));
    }
}
