using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using MeProp.Kernels;

namespace MeProp.Benchmarks;

/// <summary>A product shape: C is M x N, the reduction is over K.</summary>
public sealed record GemmShape(string Form, int M, int N, int K)
{
    public override string ToString() => $"{Form} {M}x{N}x{K}";
}

/// <summary>
/// The dense products of training, in the three forms back propagation uses, for the issue's shapes
/// (the MNIST layer at three batch sizes, a wide 2400-input layer over 10000 examples, and one large
/// square-ish product), each on one core and on two (<see cref="Threads"/>); GFLOP/s and the share of
/// the peak of the cores allowed are in the last columns. <see cref="OpenBlas"/> runs the same
/// product through OpenBLAS's cblas_sgemm with the same number of threads, as a reference.
/// </summary>
/// <remarks>
/// <para>
/// OpenBLAS is found at run time (<see cref="NativeBlas"/>); without it the OpenBlas rows fail and
/// read NA, and the Product rows are unaffected (Debian: libopenblas0-pthread). OPENBLAS_CORETYPE:
/// OpenBLAS 0.3.21 does not recognise AMD Zen 5 (family 26) and, where its detection falls short,
/// runs a generic, older kernel; <c>OPENBLAS_CORETYPE=SkylakeX</c>, set before the process starts,
/// pins its AVX-512 kernels. The benchmark processes inherit the environment, so set it on the
/// command line:
/// <code>OPENBLAS_CORETYPE=SkylakeX dotnet run -c Release --project tests/MeProp.Benchmarks -- --filter '*GemmBenchmarks*'</code>
/// Each OpenBlas case prints the library file, OPENBLAS_CORETYPE and the core OpenBLAS picked (on
/// this EPYC, unset, 0.3.21 picked "Cooperlake", whose SGEMM is the SkylakeX kernel).
/// </para>
/// <para>
/// The full suite takes a while (expect well over a quarter of an hour with the default job): it
/// has 60 cases, and 10000x500x2400 (24 GFLOP) and 1024x8192x8192 (137 GFLOP) take from a quarter
/// of a second to a few seconds an operation (OpenBLAS on a fallback kernel being the slowest), for
/// BenchmarkDotNet's 15 or more measured iterations each. Filter on a shape for a quick look, e.g.
/// <c>--filter '*GemmBenchmarks*1024x500x784*'</c>.
/// </para>
/// </remarks>
public class GemmBenchmarks
{
    private float[] _a = null!, _b = null!, _c = null!;
    private NativeBlas _blas = null!;

    // The issue states each product as m x k x n; every form runs on every triple (M = m, N = n,
    // K = k), so that the three operand layouts are compared at equal sizes. (As layouts, not as
    // training's own shapes: a layer's dW = dYᵀ·X reduces over the batch, K = examples.)
    private static readonly (int M, int K, int N)[] IssueShapes =
    {
        (10, 784, 500), (100, 784, 500), (1024, 784, 500), (10000, 2400, 500), (1024, 8192, 8192),
    };

    /// <summary>
    /// For each of the issue's shapes: forward y = x·Wᵀ (C = A·Bᵀ, B being N x K), input gradient
    /// dX = dY·W (C = A·B) and weight gradient dW = dYᵀ·X (C += Aᵀ·B, A being K x M).
    /// </summary>
    public static IEnumerable<GemmShape> Shapes
    {
        get
        {
            foreach (var (m, k, n) in IssueShapes)
            {
                yield return new GemmShape("x·Wᵀ", m, n, k);
                yield return new GemmShape("dY·W", m, n, k);
                yield return new GemmShape("dYᵀ·X", m, n, k);
            }
        }
    }

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    /// <summary>
    /// <see cref="Gemm.MaxThreads"/> for the run: 1 (the calling thread only) or 2 (the default);
    /// for <see cref="OpenBlas"/>, openblas_set_num_threads. Our products under 2·10⁷ flops run on
    /// the calling thread either way, so their two rows measure the same thing. (A [ParamsSource]
    /// declared after Shape rather than [Params], so that the table sorts by shape first and each
    /// shape's rows, ours and OpenBLAS's at each thread count, are adjacent.)
    /// </summary>
    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    public static IEnumerable<int> ThreadCounts => new[] { 1, 2 };

    [GlobalSetup(Target = nameof(Product))]
    public void Setup()
    {
        Gemm.MaxThreads = Threads;
        FillOperands();
    }

    /// <summary>
    /// Loads OpenBLAS or, where it is not found, throws: BenchmarkDotNet then marks the case failed
    /// (NA) and goes on with the others, rather than timing an empty method.
    /// </summary>
    [GlobalSetup(Target = nameof(OpenBlas))]
    public void SetupOpenBlas()
    {
        if (NativeBlas.TryGet(out string failure) is not { } blas)
        {
            string message = $"{failure}: install Debian's libopenblas0-pthread to get the side-by-side row";
            Console.WriteLine("// " + message);
            throw new InvalidOperationException(message);
        }
        _blas = blas;
        string coreType = Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is { Length: > 0 } value ? value : "unset";
        Console.WriteLine($"// OpenBLAS: {blas.LibraryFile}; OPENBLAS_CORETYPE={coreType}; core {blas.CoreName ?? "(not reported)"}; config {blas.Config ?? "(not reported)"}");
        blas.SetThreads(Threads);
        Gemm.MaxThreads = Threads;
        FillOperands();
        CheckAgainstProduct();
    }

    [GlobalCleanup]
    public void Cleanup() => Gemm.MaxThreads = 2;

    private void FillOperands()
    {
        var random = new SeededRandom(1);
        _a = Fill(Shape.M * Shape.K, random);
        _b = Fill(Shape.N * Shape.K, random);
        _c = new float[Shape.M * Shape.N];
    }

    // The row is only a reference if it computes the same product: a transposition or stride mapped
    // wrongly would time a different memory access pattern without anyone noticing. One product of
    // each from C = 0, compared; the tolerance is far above the rounding of a K-term float sum of
    // terms under 1 (summed in different orders) and far below a wrong product's differences.
    private void CheckAgainstProduct()
    {
        Product();
        float[] ours = _c;
        _c = new float[ours.Length];
        OpenBlas();
        float tolerance = 1e-5f * Shape.K + 1e-4f;
        for (int i = 0; i < ours.Length; i++)
        {
            if (!(Math.Abs(ours[i] - _c[i]) <= tolerance))
                throw new InvalidOperationException($"OpenBLAS and Gemm differ for {Shape} at {i}: {_c[i]} vs {ours[i]} (tolerance {tolerance}); the cblas_sgemm call does not compute the same product.");
        }
        Array.Clear(_c);
    }

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

    /// <summary>The same product as <see cref="Product"/> (accumulating where it does) through OpenBLAS's cblas_sgemm, row-major.</summary>
    [Benchmark]
    public void OpenBlas()
    {
        int m = Shape.M, n = Shape.N, k = Shape.K;
        switch (Shape.Form)
        {
            // C (M x N) = A (M x K) · B (N x K)ᵀ
            case "x·Wᵀ": _blas.Sgemm(NativeBlas.NoTrans, NativeBlas.Trans, m, n, k, 1f, _a, k, _b, k, 0f, _c, n); break;
            // C = A (M x K) · B (K x N)
            case "dY·W": _blas.Sgemm(NativeBlas.NoTrans, NativeBlas.NoTrans, m, n, k, 1f, _a, k, _b, n, 0f, _c, n); break;
            // C += A (K x M)ᵀ · B (K x N)
            default: _blas.Sgemm(NativeBlas.Trans, NativeBlas.NoTrans, m, n, k, 1f, _a, m, _b, n, 1f, _c, n); break;
        }
    }
}

/// <summary>
/// The machine's own FP32 FMA peak on one core, the denominator of "% of peak": <see cref="MachinePeak.Chains"/>
/// independent FMA chains of 512-bit and of 256-bit vectors. BenchmarkDotNet's operation (Mean,
/// Op/s) is one burst iteration, 12 FMAs x 16 lanes x 2 flops = 384 flops at 512 bits, 192 at 256,
/// which the GFLOP/s column converts; where both widths issue at the same rate (Zen 5) the two
/// Means are about equal and the 256-bit GFLOP/s half. The cleanup prints both figures as
/// MachinePeak measures them (see <see cref="MachinePeak"/> for how they check against the clock).
/// </summary>
public class PeakFmaBenchmarks
{
    private const int Iterations = 1_000_000;

    /// <summary>Where Vector512 is not hardware-accelerated the 512-bit row fails (NA) rather than timing software vectors.</summary>
    [GlobalSetup(Target = nameof(Fma512))]
    public void Setup512()
    {
        if (!Vector512.IsHardwareAccelerated)
            throw new PlatformNotSupportedException("Vector512 is not hardware-accelerated on this machine; the peak is the 256-bit one.");
    }

    [Benchmark(OperationsPerInvoke = Iterations)]
    public float Fma512() => MachinePeak.Burst512(Iterations);

    [Benchmark(OperationsPerInvoke = Iterations)]
    public float Fma256() => MachinePeak.Burst256(Iterations);

    [GlobalCleanup]
    public void Report()
    {
        string at512 = Vector512.IsHardwareAccelerated
            ? $"{MachinePeak.Gflops512:F1} GFLOP/s ({MachinePeak.Chains} FMAs x {Vector512<float>.Count} lanes x 2 flops per iteration)"
            : "not accelerated";
        Console.WriteLine($"// one-core FP32 FMA peak: 512-bit {at512}; 256-bit {MachinePeak.Gflops256:F1} GFLOP/s ({MachinePeak.Chains} FMAs x {Vector256<float>.Count} lanes x 2 flops per iteration); peak used for % of peak: {MachinePeak.SingleCoreGflops:F1} GFLOP/s");
    }
}
