using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using MeProp.Datasets.Mnist;
using MeProp.Examples.Mnist;
using MeProp.Sparsity;

namespace MeProp.Benchmarks;

/// <summary>Where the gradient rows come from.</summary>
public enum GradientSource
{
    /// <summary>Uniform values in [-1, 1).</summary>
    Random,

    /// <summary>Half exact zeros, as after a ReLU.</summary>
    ReluLike,

    /// <summary>dL/dy of the second hidden layer of the MNIST MLP after 300 training steps (needs MEPROP_DATA; falls back to ReluLike without it).</summary>
    Mnist,
}

/// <summary>Top-k by magnitude, k = 20 of n = 500: the min-heap (the paper's) against the faster exact variants, per row.</summary>
public class TopKBenchmarks
{
    private const int Rows = 1000, Width = 500;
    private float[] _rows = null!;
    private readonly int[] _indices = new int[512];

    [Params(GradientSource.Random, GradientSource.ReluLike, GradientSource.Mnist)]
    public GradientSource Source { get; set; }

    [Params(20)]
    public int K { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(5);
        _rows = Source switch
        {
            GradientSource.Random => Data.Batch(Rows, Width, random, zeroFraction: 0).Data,
            GradientSource.Mnist => MnistGradients.Rows(Rows) ?? Data.Batch(Rows, Width, random, 0.5).Data,
            _ => Data.Batch(Rows, Width, random, zeroFraction: 0.5).Data,
        };
    }

    private readonly TopKSelector<float> _selector = new();

    [Benchmark(OperationsPerInvoke = Rows)]
    public int Fast()
    {
        int sum = 0;
        for (int r = 0; r < Rows; r++)
            sum += TopK.SelectByMagnitudeFast<float>(_rows.AsSpan(r * Width, Width), K, _indices);
        return sum;
    }

    /// <summary>One selector across rows, as LinearBackward uses it: each row's search starts from the previous row's threshold.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public int FastReusingThreshold()
    {
        int sum = 0;
        for (int r = 0; r < Rows; r++)
            sum += _selector.Select(_rows.AsSpan(r * Width, Width), K, _indices);
        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    public int Heap()
    {
        int sum = 0;
        for (int r = 0; r < Rows; r++)
            sum += TopK.SelectByMagnitude<float>(_rows.AsSpan(r * Width, Width), K, _indices);
        return sum;
    }
}

/// <summary>Real output gradients of a hidden layer, from a short MNIST training run.</summary>
internal static class MnistGradients
{
    public static float[]? Rows(int count)
    {
        string? root = Environment.GetEnvironmentVariable("MEPROP_DATA");
        if (root is null) return null;
        MnistDataset data = MnistDataset.Load(Path.Combine(root, "mnist"), trainLimit: 10_000);

        // Train the paper's model briefly, with meProp as the example does.
        IMnistModel model = MnistShape.Create(layers: 2, hidden: 500, seed: 1);
        model.DropoutRate = 0.1;
        var optimizer = new Adam<float>();
        var x = new Batch<float>(10, MnistShape.Pixels);
        var labels = new int[10];
        var gradient = new Batch<float>(10, MnistShape.Classes);
        var indices = new int[10];
        for (int step = 0; step < 300; step++)
        {
            for (int i = 0; i < 10; i++) indices[i] = step * 10 + i;
            data.Training.FillBatch(indices, x, labels);
            SoftmaxCrossEntropy.LossAndGradient(model.ForwardTrain(x), labels, gradient);
            model.Backward(gradient);
            optimizer.Step(model.Parameters);
        }

        // dL/dy of layer 2 for 'count' further examples: dense back propagation from the loss
        // through W3 and the ReLU, which is exactly the vector the layer's top-k selection sees.
        var p = new System.Collections.Generic.Dictionary<string, Parameter<float>>();
        foreach (var parameter in model.Parameters) p[parameter.Name] = parameter;
        var rows = new float[count * 500];
        var batch = new Batch<float>(1, MnistShape.Pixels);
        var one = new int[1];
        for (int e = 0; e < count; e++)
        {
            data.Training.FillBatch(new[] { 3000 + e }, batch, one);
            float[] h1 = Layer(p["W1"], p["b1"], batch.Data, relu: true);
            float[] h2 = Layer(p["W2"], p["b2"], h1, relu: true);
            float[] logits = Layer(p["W3"], p["b3"], h2, relu: false);
            var dLogits = new Batch<float>(1, 10);
            SoftmaxCrossEntropy.LossAndGradient(new Batch<float>(1, 10, logits), one, dLogits);
            Span<float> w3 = p["W3"].Value;
            for (int j = 0; j < 500; j++)
            {
                float dh = 0;
                for (int c = 0; c < 10; c++) dh += dLogits.Data[c] * w3[c * 500 + j];
                rows[e * 500 + j] = h2[j] > 0 ? dh : 0;
            }
        }
        return rows;
    }

    private static float[] Layer(Parameter<float> w, Parameter<float> b, float[] x, bool relu)
    {
        var y = new float[w.Rows];
        Span<float> weights = w.Value, bias = b.Value;
        for (int o = 0; o < w.Rows; o++)
        {
            float s = bias[o];
            for (int i = 0; i < w.Cols; i++) s += weights[o * w.Cols + i] * x[i];
            y[o] = relu ? Math.Max(s, 0) : s;
        }
        return y;
    }
}
