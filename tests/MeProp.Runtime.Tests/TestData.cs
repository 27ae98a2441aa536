using System;
using Xunit;

namespace MeProp.Runtime.Tests;

// Shared fixtures: seeded random tensors and a relative-tolerance comparison.
internal static class TestData
{
    public static double[] Doubles(SeededRandom random, int length, double scale = 1.0)
    {
        var data = new double[length];
        for (int i = 0; i < length; i++) data[i] = (2.0 * random.NextDouble() - 1.0) * scale;
        return data;
    }

    public static float[] Floats(SeededRandom random, int length) => Array.ConvertAll(Doubles(random, length), v => (float)v);

    public static Batch<double> Batch(SeededRandom random, int rows, int cols, double scale = 1.0)
        => new(rows, cols, Doubles(random, rows * cols, scale));

    public static Matrix<double> Matrix(SeededRandom random, int rows, int cols, double scale = 1.0)
        => new(rows, cols, Doubles(random, rows * cols, scale));

    // |a - e| <= tol * max(1, |e|): relative for large values, absolute near zero.
    public static void Close(double expected, double actual, double tolerance, string? where = null)
    {
        double bound = tolerance * Math.Max(1.0, Math.Abs(expected));
        if (!(Math.Abs(actual - expected) <= bound))
            Assert.Fail($"{where ?? "value"}: expected {expected:R}, got {actual:R} (difference {Math.Abs(actual - expected):R} > {bound:R}).");
    }

    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Close(expected[i], actual[i], tolerance, $"element {i}");
    }
}
