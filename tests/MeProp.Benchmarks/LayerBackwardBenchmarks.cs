using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using MeProp.Sparsity;

namespace MeProp.Benchmarks;

/// <summary>
/// The layer one benchmark case back-propagates through: dy is Examples x Outputs, x is
/// Examples x Inputs, W is Outputs x Inputs, and K entries of dy are kept per example (per batch in
/// unified mode; 0 for a dense case).
/// </summary>
public readonly record struct LayerShape(int Inputs, int Outputs, int Examples, int K);

/// <summary>
/// A suite that back-propagates through one linear layer, on the CPU or a device: the throughput
/// and speedup columns read its shape (<see cref="LayerBackwardCore.ShapeOf"/>).
/// </summary>
public interface ILayerSuite
{
    /// <summary>The layer for the suite's current parameters; K is the k of its methods without a k argument.</summary>
    LayerShape Shape { get; }
}

/// <summary>
/// One linear layer's backward (dW, db and dx of y = x·Wᵀ + b), with the output gradient shaped like
/// a ReLU layer's (about half exact zeros): the set-up and the calls every layer suite shares. The
/// suites below differ only in which shapes and which k they run.
/// </summary>
/// <remarks>
/// Each measured operation clears the gradient rows the previous one wrote (all of dW after a dense
/// call, the touched rows after a sparse one) and runs one backward; nothing is allocated.
/// </remarks>
public abstract class LayerBackwardCore : ILayerSuite
{
    private Batch<float> _dy = null!, _x = null!, _dx = null!;
    private Matrix<float> _w = null!;
    private ParameterGradient<float> _dw = null!, _db = null!;
    private readonly LinearBackward<float> _backward = new();
    private readonly SeededRandom _random = new(7);

    protected abstract int Inputs { get; }
    protected abstract int Outputs { get; }
    protected abstract int Examples { get; }

    /// <summary>The k of the benchmark methods that take no k argument (0 where all of those are dense).</summary>
    protected abstract int KeptK { get; }

    LayerShape ILayerSuite.Shape => new(Inputs, Outputs, Examples, KeptK);

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(3);
        _w = Init.Glorot<float>(Outputs, Inputs, random);
        _x = Data.Batch(Examples, Inputs, random, zeroFraction: 0.5);
        _dy = Data.Batch(Examples, Outputs, random, zeroFraction: 0.5);
        _dx = new Batch<float>(Examples, Inputs);
        _dw = new ParameterGradient<float>(Outputs, Inputs);
        _db = new ParameterGradient<float>(Outputs, 1);
    }

    protected void Run(MePropMode mode, int k)
    {
        _dw.Clear();
        _db.Clear();
        _backward.Run(_dy, _x, _w, _dw, _db, _dx, accumulateDx: false, k, mode, _random);
    }

    /// <summary>dW, db and dx with scalar loops: what "dense back propagation" meant in the paper's CPU timings.</summary>
    protected void PaperStyleDense()
    {
        float[] dy = _dy.Data, x = _x.Data, w = _w.Data, dw = _dw.Data, db = _db.Data, dx = _dx.Data;
        int batch = Examples, n = Outputs, m = Inputs;
        System.Array.Clear(dx);
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < n; j++)
            {
                float g = dy[b * n + j];
                db[j] += g;
                for (int i = 0; i < m; i++)
                {
                    dw[j * m + i] += g * x[b * m + i];
                    dx[b * m + i] += g * w[j * m + i];
                }
            }
    }

    /// <summary>
    /// The layer and k that <paramref name="benchmarkCase"/> measures, or null when it is not a layer
    /// case; the throughput columns read it. The shape is defined once, by the suite's own properties:
    /// a fresh instance gets the case's parameters and is asked (no set-up runs); a method argument
    /// named k overrides <see cref="KeptK"/>.
    /// </summary>
    public static LayerShape? ShapeOf(BenchmarkCase benchmarkCase)
    {
        Type type = benchmarkCase.Descriptor.Type;
        if (type.IsAbstract || !typeof(ILayerSuite).IsAssignableFrom(type)) return null;
        var suite = (ILayerSuite)Activator.CreateInstance(type)!;
        int? argumentK = null;
        foreach (var parameter in benchmarkCase.Parameters.Items)
        {
            if (parameter.IsArgument)
            {
                if (parameter.Name == "k") argumentK = (int)parameter.Value;
            }
            else if (type.GetProperty(parameter.Name) is { CanWrite: true } property)
                property.SetValue(suite, parameter.Value);
            else
                return null;
        }
        LayerShape shape = suite.Shape;
        return shape with { K = argumentK ?? shape.K };
    }
}

/// <summary>Dense against meProp's three modes at one k (<see cref="LayerBackwardCore.KeptK"/>); dense is the Ratio baseline.</summary>
public abstract class LayerBackwardBase : LayerBackwardCore
{
    [Benchmark(Baseline = true)]
    public void Dense() => Run(MePropMode.Dense, KeptK);

    [Benchmark]
    public void TopK() => Run(MePropMode.TopK, KeptK);

    [Benchmark]
    public void Unified() => Run(MePropMode.Unified, KeptK);

    [Benchmark]
    public void RandomK() => Run(MePropMode.Random, KeptK);
}

/// <summary>
/// Width 500 (the MNIST layer, 784 inputs), 2048 and 8192 (square), batch 10, 100 and 1024, k = 20.
/// The scalar-loop baseline is in <see cref="PaperBaselineBenchmarks"/>, on the shapes it can afford.
/// </summary>
public class LayerBackwardBenchmarks : LayerBackwardBase
{
    [Params(500, 2048, 8192)]
    public int Width { get; set; }

    [Params(10, 100, 1024)]
    public int Batch { get; set; }

    protected override int Inputs => LayerSize.InputsOf(Width);
    protected override int Outputs => Width;
    protected override int Examples => Batch;
    protected override int KeptK => 20;
}

/// <summary>A layer's width (its output units) and batch; width 500 is the MNIST layer with 784 inputs, the others are square.</summary>
public sealed record LayerSize(int Width, int Batch) : IComparable
{
    public static int InputsOf(int width) => width == 500 ? 784 : width;

    public int CompareTo(object? obj) => obj is LayerSize other
        ? (Width, Batch).CompareTo((other.Width, other.Batch))
        : 1;

    public override string ToString() => $"{Width} x {Batch}";
}

/// <summary>
/// The paper-style baseline: dense back propagation as scalar triple loops (the kind of baseline the
/// paper's CPU speedups were measured against), next to our dense, which is the Ratio baseline.
/// </summary>
/// <remarks>
/// The scalar loops cost about 6 ms per operation at width 500 x batch 10 and 0.8 s at 2048 x 100,
/// and grow with width² x batch, so 8192 x 1024 would take minutes per operation. BenchmarkDotNet
/// runs every method for every parameter combination and has no per-case skip (an early return
/// would print a meaningless time), so this suite has its own parameter: a list of (width, batch)
/// pairs, only those where one operation costs under about 1 s. Our dense is measured again here
/// (cheap at these shapes) so that Ratio compares the two within one table.
/// </remarks>
public class PaperBaselineBenchmarks : LayerBackwardCore
{
    public static IEnumerable<LayerSize> Layers => new[]
    {
        new LayerSize(500, 10),
        new LayerSize(500, 100),
        new LayerSize(2048, 10),
        new LayerSize(2048, 100),
    };

    /// <summary>Width x batch.</summary>
    [ParamsSource(nameof(Layers))]
    public LayerSize Layer { get; set; } = null!;

    protected override int Inputs => LayerSize.InputsOf(Layer.Width);
    protected override int Outputs => Layer.Width;
    protected override int Examples => Layer.Batch;
    protected override int KeptK => 0;

    [Benchmark(Baseline = true)]
    public void Dense() => Run(MePropMode.Dense, 0);

    [Benchmark]
    public void PaperScalarDense() => PaperStyleDense();
}

/// <summary>The k sweep on the MNIST layer (784 -> 500) at batch 10: how the meProp modes scale with k.</summary>
public class KSweepBenchmarks : LayerBackwardBase
{
    [Params(5, 10, 20, 40, 80, 160, 320)]
    public int K { get; set; }

    protected override int Inputs => 784;
    protected override int Outputs => 500;
    protected override int Examples => 10;
    protected override int KeptK => K;
}

/// <summary>
/// The paper's Table 7 shape on CPU: width 8192 (square), batch 1024, k from 8 to 512 for the sparse
/// modes, against one dense run.
/// </summary>
/// <remarks>
/// Dense does not depend on k and costs about 1.4 s per operation here, so k is an argument of the
/// sparse methods rather than a parameter of the suite: Dense is measured once, not once per k. It
/// is not a Ratio baseline (BenchmarkDotNet compares only cases with the same parameters and
/// arguments); the "Speedup vs dense" column divides its time by each sparse row's instead.
/// </remarks>
public class WideLayerBenchmarks : LayerBackwardCore
{
    public static IEnumerable<int> Ks => new[] { 8, 16, 32, 64, 128, 256, 512 };

    protected override int Inputs => 8192;
    protected override int Outputs => 8192;
    protected override int Examples => 1024;
    protected override int KeptK => 0;

    [Benchmark]
    public void Dense() => Run(MePropMode.Dense, 0);

    [Benchmark]
    [ArgumentsSource(nameof(Ks))]
    public void TopK(int k) => Run(MePropMode.TopK, k);

    [Benchmark]
    [ArgumentsSource(nameof(Ks))]
    public void Unified(int k) => Run(MePropMode.Unified, k);

    [Benchmark]
    [ArgumentsSource(nameof(Ks))]
    public void RandomK(int k) => Run(MePropMode.Random, k);
}
