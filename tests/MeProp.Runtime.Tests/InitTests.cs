using System;
using System.Linq;
using Xunit;

namespace MeProp.Runtime.Tests;

public class InitTests
{
    [Fact]
    public void Glorot_stays_within_its_bound_and_spreads_over_it()
    {
        var m = Init.Glorot<double>(300, 100, new SeededRandom(1));
        double limit = Math.Sqrt(6.0 / 400);
        Assert.Equal(limit, Init.GlorotLimit(300, 100));
        Assert.All(m.Data, v => Assert.InRange(v, -limit, limit));
        Assert.True(m.Data.Max() > 0.99 * limit && m.Data.Min() < -0.99 * limit);
        // Uniform on ±limit has variance limit²/3.
        double variance = m.Data.Select(v => v * v).Average();
        Assert.InRange(variance, 0.97 * limit * limit / 3, 1.03 * limit * limit / 3);
    }

    [Fact]
    public void Same_seed_same_weights_and_float_matches_double_up_to_rounding()
    {
        var a = Init.Glorot<double>(7, 9, new SeededRandom(5));
        var b = new Matrix<double>(7, 9);
        Init.Glorot(b, new SeededRandom(5));
        Assert.Equal(a.Data, b.Data);
        Assert.NotEqual(a.Data, Init.Glorot<double>(7, 9, new SeededRandom(6)).Data);
        var f = Init.Glorot<float>(7, 9, new SeededRandom(5));
        Assert.Equal(a.Data.Select(v => (float)v), f.Data);
    }

    [Fact]
    public void Uniform_and_Normal_have_the_requested_spread()
    {
        var u = Init.Uniform<double>(200, 200, 0.3, new SeededRandom(2));
        Assert.All(u.Data, v => Assert.InRange(v, -0.3, 0.3));
        Assert.InRange(u.Data.Average(), -0.005, 0.005);
        var n = Init.Normal<double>(200, 200, 0.5, new SeededRandom(3));
        double mean = n.Data.Average();
        double std = Math.Sqrt(n.Data.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(std, 0.49, 0.51);
        Assert.All(Init.Zeros<double>(4).Data, v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Bad_arguments_throw_naming_the_values()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Init.Uniform<double>(2, 2, -1.0, new SeededRandom(1)));
        Assert.Contains("-1", ex.Message);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Init.Normal<double>(2, 2, double.NaN, new SeededRandom(1)));
        Assert.Contains("NaN", ex.Message);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Init.Glorot<double>(0, 2, new SeededRandom(1)));
        Assert.Contains("0", ex.Message);
        Assert.Throws<ArgumentNullException>(() => Init.Glorot<double>(2, 2, null!));
    }
}
