using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MeProp.Benchmarks;

/// <summary>
/// The FP32 fused-multiply-add peak of one core of the machine that runs the benchmarks, measured,
/// so that "fraction of peak" is computed against the hardware at hand rather than a number copied
/// from elsewhere.
/// </summary>
/// <remarks>
/// Sixteen independent accumulators hide the FMA latency (4 cycles) behind the two FMA ports; each
/// iteration is 16 FMAs of the widest vector the JIT accelerates, 2 flops per lane.
/// </remarks>
public static class MachinePeak
{
    private static readonly Lazy<double> SingleCore = new(() => Measure(TimeSpan.FromMilliseconds(300)));

    /// <summary>GFLOP/s of one core, best of several timed bursts.</summary>
    public static double SingleCoreGflops => SingleCore.Value;

    public static double Measure(TimeSpan duration)
    {
        Burst(10_000); // JIT and warm-up
        double best = 0;
        var total = Stopwatch.StartNew();
        while (total.Elapsed < duration)
        {
            const long iterations = 2_000_000;
            long start = Stopwatch.GetTimestamp();
            float sink = Burst(iterations);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double flops = iterations * 16.0 * 2.0 * LaneCount;
            best = Math.Max(best, flops / seconds / 1e9);
            if (sink == 42.4242f) Console.Write(""); // keeps the result observable
        }
        return best;
    }

    public static int LaneCount => Vector512.IsHardwareAccelerated ? Vector512<float>.Count
        : Vector256.IsHardwareAccelerated ? Vector256<float>.Count : Vector128<float>.Count;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float Burst(long iterations)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> a = Vector512.Create(1.0000001f), b = Vector512.Create(0.9999999f);
            Vector512<float> c0 = Vector512.Create(0.1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
            Vector512<float> c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
            for (long i = 0; i < iterations; i++)
            {
                c0 = Vector512.FusedMultiplyAdd(c0, a, b); c1 = Vector512.FusedMultiplyAdd(c1, a, b);
                c2 = Vector512.FusedMultiplyAdd(c2, a, b); c3 = Vector512.FusedMultiplyAdd(c3, a, b);
                c4 = Vector512.FusedMultiplyAdd(c4, a, b); c5 = Vector512.FusedMultiplyAdd(c5, a, b);
                c6 = Vector512.FusedMultiplyAdd(c6, a, b); c7 = Vector512.FusedMultiplyAdd(c7, a, b);
                c8 = Vector512.FusedMultiplyAdd(c8, a, b); c9 = Vector512.FusedMultiplyAdd(c9, a, b);
                c10 = Vector512.FusedMultiplyAdd(c10, a, b); c11 = Vector512.FusedMultiplyAdd(c11, a, b);
                c12 = Vector512.FusedMultiplyAdd(c12, a, b); c13 = Vector512.FusedMultiplyAdd(c13, a, b);
                c14 = Vector512.FusedMultiplyAdd(c14, a, b); c15 = Vector512.FusedMultiplyAdd(c15, a, b);
            }
            Vector512<float> s = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)) + ((c12 + c13) + (c14 + c15));
            return Vector512.Sum(s);
        }
        else
        {
            Vector256<float> a = Vector256.Create(1.0000001f), b = Vector256.Create(0.9999999f);
            Vector256<float> c0 = Vector256.Create(0.1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
            Vector256<float> c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
            for (long i = 0; i < iterations; i++)
            {
                c0 = Vector256.FusedMultiplyAdd(c0, a, b); c1 = Vector256.FusedMultiplyAdd(c1, a, b);
                c2 = Vector256.FusedMultiplyAdd(c2, a, b); c3 = Vector256.FusedMultiplyAdd(c3, a, b);
                c4 = Vector256.FusedMultiplyAdd(c4, a, b); c5 = Vector256.FusedMultiplyAdd(c5, a, b);
                c6 = Vector256.FusedMultiplyAdd(c6, a, b); c7 = Vector256.FusedMultiplyAdd(c7, a, b);
                c8 = Vector256.FusedMultiplyAdd(c8, a, b); c9 = Vector256.FusedMultiplyAdd(c9, a, b);
                c10 = Vector256.FusedMultiplyAdd(c10, a, b); c11 = Vector256.FusedMultiplyAdd(c11, a, b);
                c12 = Vector256.FusedMultiplyAdd(c12, a, b); c13 = Vector256.FusedMultiplyAdd(c13, a, b);
                c14 = Vector256.FusedMultiplyAdd(c14, a, b); c15 = Vector256.FusedMultiplyAdd(c15, a, b);
            }
            Vector256<float> s = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)) + ((c12 + c13) + (c14 + c15));
            return Vector256.Sum(s);
        }
    }
}
