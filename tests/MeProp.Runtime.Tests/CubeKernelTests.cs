using System;
using System.Numerics;
using System.Runtime.InteropServices;
using MeProp.Kernels;
using Xunit;

namespace MeProp.Runtime.Tests;

/// <summary>
/// The cube activation's kernels, y = x³ and dx (+)= dy ⊙ 3x², against the scalar formulas bit for
/// bit, in float and double, at lengths that leave a scalar tail after the 512-bit vectors (16 floats,
/// 8 doubles) or have no full vector at all; and the derivative against finite differences.
/// </summary>
public class CubeKernelTests
{
    // 1..7: no full vector; 15, 17, 33, 67: vectors and a tail; 48: vectors only, in both types.
    public static TheoryData<int, int> Shapes => new() { { 1, 1 }, { 1, 7 }, { 3, 5 }, { 1, 17 }, { 3, 11 }, { 1, 67 }, { 4, 12 } };

    // Values in [-scale, scale], with a zero, a negative zero and a one among the first few.
    private static T[] Values<T>(SeededRandom random, int length, double scale) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var values = new T[length];
        for (int i = 0; i < length; i++) values[i] = T.CreateTruncating((2.0 * random.NextDouble() - 1.0) * scale);
        if (length > 3) { values[1] = T.Zero; values[2] = T.NegativeZero; values[3] = T.One; }
        return values;
    }

    // The exact bits, so that -0 and 0 differ and nothing is compared within a tolerance.
    private static void AssertSameBits<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what) where T : unmanaged
    {
        Assert.Equal(expected.Length, actual.Length);
        ReadOnlySpan<byte> e = MemoryMarshal.AsBytes(expected), a = MemoryMarshal.AsBytes(actual);
        if (!e.SequenceEqual(a))
        {
            for (int i = 0; i < expected.Length; i++)
                Assert.True(MemoryMarshal.AsBytes(expected.Slice(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(actual.Slice(i, 1))),
                    $"{what}, element {i} of {expected.Length}: expected {expected[i]}, got {actual[i]}.");
        }
    }

    private static void ForwardIsXTimesXTimesX<T>(int rows, int cols) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new SeededRandom(rows * 100 + cols);
        var x = new Batch<T>(rows, cols, Values<T>(random, rows * cols, 3.0));
        var y = new Batch<T>(rows, cols, Values<T>(random, rows * cols, 1.0)); // garbage that must be overwritten
        ForwardKernels.Cube(x, y);
        var expected = new T[rows * cols];
        for (int i = 0; i < expected.Length; i++) expected[i] = x.Data[i] * x.Data[i] * x.Data[i];
        AssertSameBits<T>(expected, y.Span, $"{typeof(T).Name} {rows}x{cols}");

        // In place: one pass reads each element before it writes it.
        ForwardKernels.Cube(x, x);
        AssertSameBits<T>(expected, x.Span, $"{typeof(T).Name} {rows}x{cols}, in place");
    }

    private static void BackwardIsDyTimesThreeXSquared<T>(int rows, int cols) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new SeededRandom(rows * 1000 + cols);
        var z = new Batch<T>(rows, cols, Values<T>(random, rows * cols, 3.0));
        var dy = new Batch<T>(rows, cols, Values<T>(random, rows * cols, 1.0));
        T[] start = Values<T>(random, rows * cols, 1.0);
        T three = T.CreateTruncating(3);
        foreach (bool accumulate in new[] { false, true })
        {
            var dx = new Batch<T>(rows, cols, (T[])start.Clone());
            BackwardKernels.Cube(dy, z, dx, accumulate);
            var expected = new T[rows * cols];
            for (int i = 0; i < expected.Length; i++)
            {
                T v = dy.Data[i] * (three * z.Data[i] * z.Data[i]);
                expected[i] = accumulate ? start[i] + v : v;
            }
            AssertSameBits<T>(expected, dx.Span, $"{typeof(T).Name} {rows}x{cols}, accumulate {accumulate}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_is_x_times_x_times_x_in_float(int rows, int cols) => ForwardIsXTimesXTimesX<float>(rows, cols);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_is_x_times_x_times_x_in_double(int rows, int cols) => ForwardIsXTimesXTimesX<double>(rows, cols);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Backward_is_dy_times_three_x_squared_in_float(int rows, int cols) => BackwardIsDyTimesThreeXSquared<float>(rows, cols);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Backward_is_dy_times_three_x_squared_in_double(int rows, int cols) => BackwardIsDyTimesThreeXSquared<double>(rows, cols);

    [Fact]
    public void Backward_matches_finite_differences_of_the_forward_kernel()
    {
        // Independent of the formula above: (f(x+h) - f(x-h)) / 2h is 3x² + h², within 1e-9 here.
        const double h = 1e-6;
        var random = new SeededRandom(41);
        var z = TestData.Batch(random, 3, 13, 2.0);
        var dy = TestData.Batch(random, 3, 13);
        var dx = new Batch<double>(3, 13);
        BackwardKernels.Cube(dy, z, dx, accumulate: false);
        var plus = new Batch<double>(3, 13);
        var minus = new Batch<double>(3, 13);
        var zp = new Batch<double>(3, 13);
        var zm = new Batch<double>(3, 13);
        for (int i = 0; i < z.Data.Length; i++) { zp.Data[i] = z.Data[i] + h; zm.Data[i] = z.Data[i] - h; }
        ForwardKernels.Cube(zp, plus);
        ForwardKernels.Cube(zm, minus);
        for (int i = 0; i < z.Data.Length; i++)
            TestData.Close(dy.Data[i] * (plus.Data[i] - minus.Data[i]) / (2 * h), dx.Data[i], 1e-7, $"element {i}");
    }

    [Fact]
    public void Shape_mismatches_throw_naming_the_shapes()
    {
        var a = new Batch<double>(3, 4);
        var ex = Assert.Throws<ArgumentException>(() => ForwardKernels.Cube(a, new Batch<double>(3, 5)));
        Assert.Contains("3x5", ex.Message);
        Assert.Contains("3x4", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => BackwardKernels.Cube(a, new Batch<double>(2, 4), new Batch<double>(3, 4), false));
        Assert.Contains("activation input is 2x4", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => BackwardKernels.Cube(a, new Batch<double>(3, 4), new Batch<double>(3, 1), true));
        Assert.Contains("gradient is 3x1", ex.Message);
    }
}
