using System;
using System.Collections.Generic;
using System.Linq;
using MeProp.Examples.Parser;
using Xunit;
using Xunit.Abstractions;

namespace MeProp.Examples.Tests.Parser;

/// <summary>
/// The parser networks as the example trains them (float, the real widths: 48 features of 50, hidden
/// 500, per-example top-k k = 20 at every layer) against a masked back propagation written here in
/// double: the float kernels' blocked and vectorised paths at these sizes select the same entries and
/// form the same gradients. The second step checks that the first one's rows were cleared.
/// </summary>
[Collection(AllocationCounting.Name)]
public class ParserGradientTests
{
    private const int Batch = 200, Dimension = ParserShape.Dimension, Hidden = 500, Transitions = 61;
    private const int WordTable = 200, TagTable = 20, LabelTable = 30;

    private readonly ITestOutputHelper _output;

    public ParserGradientTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(ParserActivation.Relu, 20)]
    [InlineData(ParserActivation.Tanh, 20)]
    [InlineData(ParserActivation.Tanh, 500)]
    public void Float_gradients_equal_a_masked_double_reference(ParserActivation activation, int k)
    {
        var shape = new ParserShape(WordTable, TagTable, LabelTable, Transitions, Hidden);
        IParserNetwork model = activation == ParserActivation.Relu ? new ReluParserNetwork(shape, 3) : new TanhParserNetwork(shape, 3);
        model.MePropSettings.K = k;
        var random = new Random(5);
        // Scaled up from the initial ±0.01 embeddings, as after some training, so that the activations are not all near zero.
        foreach (var p in model.Parameters)
        {
            Span<float> v = p.Value;
            float scale = p.Name.StartsWith('W') ? 3f : 30f;
            for (int i = 0; i < v.Length; i++) v[i] *= scale;
        }

        for (int step = 0; step < 2; step++)
        {
            IdBatch words = Ids(FeatureTemplate.WordFeatures, WordTable, random), tags = Ids(FeatureTemplate.TagFeatures, TagTable, random),
                labels = Ids(FeatureTemplate.LabelFeatures, LabelTable, random);
            var dOutput = new Batch<float>(Batch, Transitions);
            for (int b = 0; b < Batch; b++)
                for (int j = 0; j < Transitions; j++) dOutput[b, j] = (float)(random.NextDouble() - 0.5) / Batch;
            model.ForwardTrain(words, tags, labels);
            model.Backward(dOutput);

            Dictionary<string, double[]> expected = Reference(model, activation, words, tags, labels, dOutput, k);
            foreach (var parameter in model.Parameters)
            {
                double[] reference = expected[parameter.Name];
                float[] actual = parameter.Gradient.Data;
                double scale = reference.Max(Math.Abs), worst = 0;
                for (int i = 0; i < reference.Length; i++) worst = Math.Max(worst, Math.Abs(actual[i] - reference[i]) / scale);
                _output.WriteLine($"{activation} k={k} step {step}: d{parameter.Name} largest {scale:E2}, worst difference {worst:E2} of it");
                // Float sums of up to 2,400 terms against double: about 1e-6 of the largest entry here.
                Assert.True(worst < 2e-5, $"{activation} k={k} step {step}: d{parameter.Name} differs from the reference by {worst:E2} of its largest entry");
            }
        }
    }

    [Fact]
    public void A_large_batch_step_allocates_nothing_once_its_buffers_exist()
    {
        // 600 examples: the per-example backward takes its blocked, two-thread path (and the products
        // their parallel ones); every mode and both update scopes.
        const int examples = 600;
        var shape = new ParserShape(WordTable, TagTable, LabelTable, Transitions, 100);
        var random = new Random(8);
        IdBatch words = Ids(FeatureTemplate.WordFeatures, WordTable, random, examples), tags = Ids(FeatureTemplate.TagFeatures, TagTable, random, examples),
            labels = Ids(FeatureTemplate.LabelFeatures, LabelTable, random, examples);
        int[] gold = Enumerable.Range(0, examples).Select(_ => random.Next(Transitions)).ToArray();
        var gradient = new Batch<float>(examples, Transitions);
        foreach (UpdateScope scope in new[] { UpdateScope.AllRows, UpdateScope.TouchedRowsOnly })
            foreach (MePropMode mode in new[] { MePropMode.Dense, MePropMode.TopK, MePropMode.Unified })
            {
                var model = new TanhParserNetwork(shape, 1);
                model.MePropSettings.Mode = mode;
                model.DropoutRate = 0.1;
                var optimizer = new AdaGrad<float>(learningRate: 0.01, scope: scope);
                void Step()
                {
                    SoftmaxCrossEntropy.LossAndGradient(model.ForwardTrain(words, tags, labels), gold, gradient);
                    model.Backward(gradient);
                    optimizer.Step(model.Parameters);
                }
                for (int i = 0; i < 3; i++) Step();
                // The side thread's count is the whole process's: a test running beside this one may
                // add its own first-call allocations there, but not in every window, while a step
                // that allocates would in each. The same holds on this thread for the two-thread
                // products' per-thread packing buffers, which grow once the first time this thread
                // claims a larger block than before (which thread claims which block varies from run
                // to run). So up to three windows, the first clean one passes.
                // (The side count is read first: reading it the first time initialises SideThread.)
                string? failure = null;
                for (int window = 0; window < 3; window++)
                {
                    long sideBefore = MeProp.Kernels.SideThread.AllocatedBytes, before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < 5; i++) Step();
                    long allocated = GC.GetAllocatedBytesForCurrentThread() - before, side = MeProp.Kernels.SideThread.AllocatedBytes - sideBefore;
                    failure = allocated != 0 ? $"{mode}, {scope}: {allocated} bytes allocated in 5 steady-state steps"
                            : side != 0 ? $"{mode}, {scope}: {side} bytes allocated on the side thread in 5 steady-state steps"
                            : null;
                    if (failure is null) break;
                }
                Assert.True(failure is null, failure);
            }
    }

    private static IdBatch Ids(int columns, int table, Random random, int examples = Batch)
    {
        var ids = new IdBatch(examples, columns);
        for (int b = 0; b < examples; b++)
            for (int c = 0; c < columns; c++) ids[b, c] = random.Next(table);
        return ids;
    }

    // ---- the reference: plain loops in double over the model's float parameters ----

    private static Dictionary<string, double[]> Reference(IParserNetwork model, ParserActivation activation, IdBatch words, IdBatch tags, IdBatch labels, Batch<float> dOutput, int k)
    {
        Dictionary<string, double[]> p = model.Parameters.ToDictionary(q => q.Name, q => q.Value.ToArray().Select(v => (double)v).ToArray());
        int inputs = ParserShape.InputWidth;
        var x = new double[Batch][];
        for (int b = 0; b < Batch; b++)
        {
            x[b] = new double[inputs];
            int position = 0;
            foreach (var (table, ids) in new[] { ("Words", words), ("Tags", tags), ("Labels", labels) })
                for (int c = 0; c < ids.Cols; c++, position++)
                    Array.Copy(p[table], ids[b, c] * Dimension, x[b], position * Dimension, Dimension);
        }
        Func<double, double> f = activation == ParserActivation.Relu ? v => Math.Max(0, v) : Math.Tanh;
        // Both derivatives from the activation's result h: ReLU's 1 where h > 0, tanh's 1 - h².
        Func<double, double> df = activation == ParserActivation.Relu ? h => h > 0 ? 1 : 0 : h => 1 - h * h;
        double[][] h1 = Affine(x, p["W1"], p["b1"], Hidden).Select(r => r.Select(f).ToArray()).ToArray();
        double[][] h2 = Affine(h1, p["W2"], p["b2"], Hidden).Select(r => r.Select(f).ToArray()).ToArray();

        double[][] dy3 = Enumerable.Range(0, Batch).Select(b => TopK(Enumerable.Range(0, Transitions).Select(j => (double)dOutput[b, j]).ToArray(), k)).ToArray();
        var (dW3, db3, dh2) = LinearBackward(dy3, h2, p["W3"]);
        double[][] dy2 = dh2.Select((g, b) => TopK(g.Select((v, j) => v * df(h2[b][j])).ToArray(), k)).ToArray();
        var (dW2, db2, dh1) = LinearBackward(dy2, h1, p["W2"]);
        double[][] dy1 = dh1.Select((g, b) => TopK(g.Select((v, j) => v * df(h1[b][j])).ToArray(), k)).ToArray();
        var (dW1, db1, dx) = LinearBackward(dy1, x, p["W1"]);

        var result = new Dictionary<string, double[]> { ["W1"] = dW1, ["b1"] = db1, ["W2"] = dW2, ["b2"] = db2, ["W3"] = dW3, ["b3"] = db3 };
        int offset = 0;
        foreach (var (table, ids) in new[] { ("Words", words), ("Tags", tags), ("Labels", labels) })
        {
            var d = new double[p[table].Length];
            for (int b = 0; b < Batch; b++)
                for (int c = 0; c < ids.Cols; c++)
                    for (int e = 0; e < Dimension; e++) d[ids[b, c] * Dimension + e] += dx[b][(offset + c) * Dimension + e];
            result[table] = d;
            offset += ids.Cols;
        }
        return result;
    }

    private static double[][] Affine(double[][] x, double[] w, double[] bias, int rows)
    {
        int cols = x[0].Length;
        return x.Select(row => Enumerable.Range(0, rows).Select(o =>
        {
            double s = bias[o];
            for (int i = 0; i < cols; i++) s += w[o * cols + i] * row[i];
            return s;
        }).ToArray()).ToArray();
    }

    // The k entries of largest magnitude, the rest zeroed (ties do not occur with these random values).
    private static double[] TopK(double[] g, int k)
    {
        if (k >= g.Length) return g;
        var kept = Enumerable.Range(0, g.Length).OrderByDescending(i => Math.Abs(g[i])).Take(k).ToHashSet();
        return g.Select((v, i) => kept.Contains(i) ? v : 0).ToArray();
    }

    private static (double[] dW, double[] db, double[][] dx) LinearBackward(double[][] dy, double[][] x, double[] w)
    {
        int rows = dy[0].Length, cols = x[0].Length;
        var dW = new double[rows * cols];
        var db = new double[rows];
        var dx = new double[dy.Length][];
        for (int b = 0; b < dy.Length; b++)
        {
            dx[b] = new double[cols];
            for (int o = 0; o < rows; o++)
            {
                double g = dy[b][o];
                if (g == 0) continue;
                db[o] += g;
                for (int i = 0; i < cols; i++)
                {
                    dW[o * cols + i] += g * x[b][i];
                    dx[b][i] += g * w[o * cols + i];
                }
            }
        }
        return (dW, db, dx);
    }
}
