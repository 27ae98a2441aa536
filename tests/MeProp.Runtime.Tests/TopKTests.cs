using System;
using System.Linq;
using MeProp.Sparsity;
using Xunit;

namespace MeProp.Runtime.Tests;

public class TopKTests
{
    // The defining order, written independently of the heap: |v| descending, then index ascending.
    private static int[] Reference(double[] values, int k) =>
        values.Select((v, i) => (Magnitude: Math.Abs(v), Index: i))
              .OrderByDescending(e => e.Magnitude).ThenBy(e => e.Index)
              .Take(k).Select(e => e.Index).OrderBy(i => i).ToArray();

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(33, 5)]
    [InlineData(500, 20)]
    [InlineData(500, 499)]
    [InlineData(10, 10)]
    [InlineData(10, 50)]
    public void Matches_the_defining_order_on_random_data(int n, int k)
    {
        var random = new SeededRandom(n * 31 + k);
        for (int trial = 0; trial < 20; trial++)
        {
            var values = new double[n];
            // Few distinct magnitudes, both signs, and zeros: ties are the rule, not the exception.
            for (int i = 0; i < n; i++) values[i] = (random.NextInt(7) - 3) * (trial % 2 == 0 ? 1.0 : random.NextDouble());
            var indices = new int[Math.Min(n, k)];
            int count = TopK.SelectByMagnitude<double>(values, k, indices);
            Assert.Equal(Math.Min(n, k), count);
            Assert.Equal(Reference(values, k), indices);
        }
    }

    [Fact]
    public void Rejects_k_below_one_and_short_destination()
    {
        var values = new float[10];
        Assert.Throws<ArgumentOutOfRangeException>(() => TopK.SelectByMagnitude<float>(values, 0, new int[1]));
        var ex = Assert.Throws<ArgumentException>(() => TopK.SelectByMagnitude<float>(values, 5, new int[4]));
        Assert.Contains("5", ex.Message);
    }
}
