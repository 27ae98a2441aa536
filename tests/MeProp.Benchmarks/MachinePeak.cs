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
/// <para>
/// Each burst iteration is <see cref="Chains"/> independent accumulate-form FMAs,
/// c = FusedMultiplyAdd(a, b, c), on one vector width: 12 FMAs x 16 lanes x 2 flops = 384 flops per
/// iteration at 512 bits, 12 x 8 x 2 = 192 at 256 bits.
/// </para>
/// <para>
/// How the figure checks against the instruction counts: peak = FMA pipes x lanes x 2 flops x clock.
/// On AMD Zen 5 (2 full-width 512-bit FMA pipes) that is 2 x 16 x 2 = 64 flops a cycle with zmm, so
/// the ~220 GFLOP/s measured on this EPYC implies ~3.4 GHz sustained, a plausible boost clock. With
/// ymm the same two pipes issue at the same rate but do half the lanes, hence ~half the figure: the
/// 256-bit burst is there to show that, and to be the peak where 512-bit vectors are not accelerated.
/// </para>
/// <para>
/// The docs once quoted 117 GFLOP/s from this suite: measured on an earlier machine of the same
/// kind, whose cores ran 512-bit FMAs at the 256-bit rate (both widths gave 117). The previous
/// 16-chain version of this code measures 217 on today's Zen 5 core, so the figure was that
/// machine's, not a flaw of the loop; the bursts are still compiled fully optimised from their
/// first call (see <see cref="Burst512"/>) so that no tier-0 or on-stack-replacement code can be
/// what is timed, and the 256-bit row shows which kind of core a run was made on.
/// </para>
/// </remarks>
public static class MachinePeak
{
    /// <summary>
    /// Independent accumulator chains per burst iteration. Two FMA pipes with a 4-cycle latency need
    /// at least 2 x 4 = 8 FMAs in flight to issue one on each pipe every cycle; 12 leaves margin
    /// (for a longer latency or a third pipe) and, with the two operands, uses 14 of the 32 zmm
    /// registers, so nothing spills.
    /// </summary>
    public const int Chains = 12;

    private static readonly Lazy<double> Peak512 = new(() => Measure(Burst512, Vector512<float>.Count, TimeSpan.FromMilliseconds(300)));
    private static readonly Lazy<double> Peak256 = new(() => Measure(Burst256, Vector256<float>.Count, TimeSpan.FromMilliseconds(300)));

    /// <summary>
    /// GFLOP/s of one core: the best of the widths the machine accelerates (512 and 256 bits where
    /// Vector512 is hardware-accelerated, else 256). A machine without 256-bit acceleration (Arm's
    /// 128-bit vectors) gets the 256-bit burst run in software, which is no peak; the suites are
    /// meant for x64.
    /// </summary>
    public static double SingleCoreGflops => Vector512.IsHardwareAccelerated
        ? Math.Max(Gflops512, Gflops256)
        : Gflops256;

    /// <summary>GFLOP/s of the 512-bit burst on one core; NaN where Vector512 is not hardware-accelerated.</summary>
    public static double Gflops512 => Vector512.IsHardwareAccelerated ? Peak512.Value : double.NaN;

    /// <summary>GFLOP/s of the 256-bit burst on one core.</summary>
    public static double Gflops256 => Peak256.Value;

    /// <summary>Flops of one burst iteration with vectors of <paramref name="lanes"/> floats: Chains FMAs x lanes x 2.</summary>
    public static double FlopsPerIteration(int lanes) => Chains * lanes * 2.0;

    /// <summary>GFLOP/s of <paramref name="burst"/> (vectors of <paramref name="lanes"/> floats): best of the timed bursts that fit in <paramref name="duration"/>.</summary>
    public static double Measure(Func<long, float> burst, int lanes, TimeSpan duration)
    {
        float sink = burst(10_000); // compiles it (fully optimised: see the bursts) and warms the core up
        double best = 0;
        var total = Stopwatch.StartNew();
        while (total.Elapsed < duration)
        {
            const long iterations = 2_000_000; // a few milliseconds a burst
            long start = Stopwatch.GetTimestamp();
            sink += burst(iterations);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, iterations * FlopsPerIteration(lanes) / seconds / 1e9);
        }
        if (sink == 42.4242f) Console.Write(""); // keeps the results observable
        return best;
    }

    // NoInlining | AggressiveOptimization on both bursts: the method is compiled straight to
    // optimised code on its first call, never as tier-0 code or through on-stack replacement of its
    // loop, which could otherwise be what the first bursts (or BenchmarkDotNet's iterations) time.
    // Accumulate form c = a·b + c: each chain depends only on itself, and every chain starts at a
    // different value, so no two compute the same thing. a·b = 10⁻⁶ keeps the values normal and
    // finite over any number of iterations (denormals would slow the FMAs down).

    /// <summary><see cref="Chains"/> independent 512-bit FMA chains, <paramref name="iterations"/> times; returns their sum.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static float Burst512(long iterations)
    {
        Vector512<float> a = Vector512.Create(1e-3f), b = Vector512.Create(1e-3f);
        Vector512<float> c0 = Vector512.Create(1f), c1 = Vector512.Create(2f), c2 = Vector512.Create(3f), c3 = Vector512.Create(4f);
        Vector512<float> c4 = Vector512.Create(5f), c5 = Vector512.Create(6f), c6 = Vector512.Create(7f), c7 = Vector512.Create(8f);
        Vector512<float> c8 = Vector512.Create(9f), c9 = Vector512.Create(10f), c10 = Vector512.Create(11f), c11 = Vector512.Create(12f);
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(a, b, c0); c1 = Vector512.FusedMultiplyAdd(a, b, c1);
            c2 = Vector512.FusedMultiplyAdd(a, b, c2); c3 = Vector512.FusedMultiplyAdd(a, b, c3);
            c4 = Vector512.FusedMultiplyAdd(a, b, c4); c5 = Vector512.FusedMultiplyAdd(a, b, c5);
            c6 = Vector512.FusedMultiplyAdd(a, b, c6); c7 = Vector512.FusedMultiplyAdd(a, b, c7);
            c8 = Vector512.FusedMultiplyAdd(a, b, c8); c9 = Vector512.FusedMultiplyAdd(a, b, c9);
            c10 = Vector512.FusedMultiplyAdd(a, b, c10); c11 = Vector512.FusedMultiplyAdd(a, b, c11);
        }
        Vector512<float> s = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
        return Vector512.Sum(s);
    }

    /// <summary><see cref="Chains"/> independent 256-bit FMA chains, <paramref name="iterations"/> times; returns their sum.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static float Burst256(long iterations)
    {
        Vector256<float> a = Vector256.Create(1e-3f), b = Vector256.Create(1e-3f);
        Vector256<float> c0 = Vector256.Create(1f), c1 = Vector256.Create(2f), c2 = Vector256.Create(3f), c3 = Vector256.Create(4f);
        Vector256<float> c4 = Vector256.Create(5f), c5 = Vector256.Create(6f), c6 = Vector256.Create(7f), c7 = Vector256.Create(8f);
        Vector256<float> c8 = Vector256.Create(9f), c9 = Vector256.Create(10f), c10 = Vector256.Create(11f), c11 = Vector256.Create(12f);
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(a, b, c0); c1 = Vector256.FusedMultiplyAdd(a, b, c1);
            c2 = Vector256.FusedMultiplyAdd(a, b, c2); c3 = Vector256.FusedMultiplyAdd(a, b, c3);
            c4 = Vector256.FusedMultiplyAdd(a, b, c4); c5 = Vector256.FusedMultiplyAdd(a, b, c5);
            c6 = Vector256.FusedMultiplyAdd(a, b, c6); c7 = Vector256.FusedMultiplyAdd(a, b, c7);
            c8 = Vector256.FusedMultiplyAdd(a, b, c8); c9 = Vector256.FusedMultiplyAdd(a, b, c9);
            c10 = Vector256.FusedMultiplyAdd(a, b, c10); c11 = Vector256.FusedMultiplyAdd(a, b, c11);
        }
        Vector256<float> s = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
        return Vector256.Sum(s);
    }
}
