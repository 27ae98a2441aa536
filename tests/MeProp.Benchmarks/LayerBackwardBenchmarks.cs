using BenchmarkDotNet.Attributes;
using MeProp.Sparsity;

namespace MeProp.Benchmarks;

/// <summary>
/// One linear layer's backward (dW, db and dx of y = x·Wᵀ + b), dense against meProp's modes, with
/// the output gradient shaped like a ReLU layer's (about half exact zeros). The paper-style row is a
/// plain scalar triple loop, the kind of dense baseline the paper's speedups were measured against.
/// </summary>
public abstract class LayerBackwardBase
{
    private Batch<float> _dy = null!, _x = null!, _dx = null!;
    private Matrix<float> _w = null!;
    private ParameterGradient<float> _dw = null!, _db = null!;
    private readonly LinearBackward<float> _backward = new();
    private readonly SeededRandom _random = new(7);

    protected abstract int Inputs { get; }
    protected abstract int Outputs { get; }
    protected abstract int Examples { get; }
    protected abstract int KeptK { get; }

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

    protected void Run(MePropMode mode)
    {
        _dw.Clear();
        _db.Clear();
        _backward.Run(_dy, _x, _w, _dw, _db, _dx, accumulateDx: false, KeptK, mode, _random);
    }

    [Benchmark(Baseline = true)]
    public void Dense() => Run(MePropMode.Dense);

    [Benchmark]
    public void TopK() => Run(MePropMode.TopK);

    [Benchmark]
    public void Unified() => Run(MePropMode.Unified);

    [Benchmark]
    public void RandomK() => Run(MePropMode.Random);

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
}

/// <summary>Width 500 (the MNIST layer, 784 inputs) and 2048, batch 10 and 100, k = 20.</summary>
public class LayerBackwardBenchmarks : LayerBackwardBase
{
    [Params(500, 2048)]
    public int Width { get; set; }

    [Params(10, 100)]
    public int Batch { get; set; }

    protected override int Inputs => Width == 500 ? 784 : Width;
    protected override int Outputs => Width;
    protected override int Examples => Batch;
    protected override int KeptK => 20;

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

/// <summary>The paper's Table 7 shape on CPU: width 8192, batch 1024, unified k from 8 to 512.</summary>
public class WideLayerBenchmarks : LayerBackwardBase
{
    [Params(8, 64, 512)]
    public int K { get; set; }

    protected override int Inputs => 8192;
    protected override int Outputs => 8192;
    protected override int Examples => 1024;
    protected override int KeptK => K;
}
