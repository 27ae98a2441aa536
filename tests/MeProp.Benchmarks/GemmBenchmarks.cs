using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using MeProp.Kernels;

namespace MeProp.Benchmarks;

/// <summary>A product shape: C is M x N, the reduction is over K.</summary>
public sealed record GemmShape(string Form, int M, int N, int K)
{
    public override string ToString() => $"{Form} {M}x{N}x{K}";
}

/// <summary>
/// The dense products of training, in the three forms back propagation uses, for the MNIST shapes
/// and one large square-ish shape, each on one core and on two (<see cref="Threads"/>); GFLOP/s and
/// the share of the peak of the cores allowed are in the last columns.
/// </summary>
public class GemmBenchmarks
{
    private float[] _a = null!, _b = null!, _c = null!;

    public static IEnumerable<GemmShape> Shapes => new[]
    {
        // forward y = x·Wᵀ: M examples, N output units, K inputs
        new GemmShape("x·Wᵀ", 10, 500, 784),
        new GemmShape("x·Wᵀ", 100, 500, 784),
        new GemmShape("x·Wᵀ", 1024, 500, 784),
        // backward dX = dY·W (M examples, N inputs, K outputs) and dW = dYᵀ·X (M outputs, N inputs, K examples)
        new GemmShape("dY·W", 10, 784, 500),
        new GemmShape("dY·W", 100, 784, 500),
        new GemmShape("dYᵀ·X", 500, 784, 10),
        new GemmShape("dYᵀ·X", 500, 784, 100),
        new GemmShape("x·Wᵀ", 1024, 8192, 8192),
    };

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    /// <summary>
    /// <see cref="Gemm.MaxThreads"/> for the run: 1 (the calling thread only) or 2 (the default).
    /// Products under 2·10⁷ flops run on the calling thread either way, so their two rows measure
    /// the same thing. (A [ParamsSource] declared after Shape rather than [Params], so that the
    /// table sorts by shape first and each shape's two rows are adjacent.)
    /// </summary>
    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    public static IEnumerable<int> ThreadCounts => new[] { 1, 2 };

    [GlobalSetup]
    public void Setup()
    {
        Gemm.MaxThreads = Threads;
        var random = new SeededRandom(1);
        _a = Fill(Shape.M * Shape.K, random);
        _b = Fill(Shape.N * Shape.K, random);
        _c = new float[Shape.M * Shape.N];
    }

    [GlobalCleanup]
    public void Cleanup() => Gemm.MaxThreads = 2;

    private static float[] Fill(int n, SeededRandom random)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(random.NextDouble() * 2 - 1);
        return a;
    }

    [Benchmark]
    public void Product()
    {
        switch (Shape.Form)
        {
            case "x·Wᵀ": Gemm.MultiplyTransposedB<float>(_a, _b, _c, Shape.M, Shape.K, Shape.N, accumulate: false); break;
            case "dY·W": Gemm.Multiply<float>(_a, _b, _c, Shape.M, Shape.K, Shape.N, accumulate: false); break;
            default: Gemm.MultiplyTransposedA<float>(_a, _b, _c, Shape.M, Shape.K, Shape.N, accumulate: true); break;
        }
    }
}

/// <summary>The machine's own FP32 FMA peak on one core (16 independent FMA chains), the denominator of "% of peak".</summary>
public class PeakFmaBenchmarks
{
    private const long Iterations = 1_000_000;

    [Benchmark(OperationsPerInvoke = (int)Iterations)]
    public float SixteenFmaChains() => MachinePeak.Burst(Iterations);

    [GlobalCleanup]
    public void Report() => System.Console.WriteLine($"// one-core FP32 FMA peak: {MachinePeak.SingleCoreGflops:F1} GFLOP/s ({MachinePeak.LaneCount} lanes x 16 FMAs per iteration)");
}
