using System;
using System.Linq;
using Xunit;

namespace MeProp.Gradients.Tests;

/// <summary>
/// The generated meProp backward against an independent reference written here: plain dense back
/// propagation in loops, with all but the kept entries of dL/dy zeroed at each linear operation —
/// the k largest |dL/dy| of each example (TopK), or the k columns with the largest batch sum of
/// |dL/dy| (Unified); ties go to the lower index.
/// </summary>
public class SparseReferenceTests
{
    private const int Input = 9, Hidden = 8, Output = 5, Examples = 6;

    [Theory]
    [InlineData(MePropMode.TopK, 3, 0)]
    [InlineData(MePropMode.TopK, 1, 2)]
    [InlineData(MePropMode.Unified, 3, 0)]
    [InlineData(MePropMode.Unified, 2, 4)]
    [InlineData(MePropMode.TopK, 8, 5)]     // K = hidden width: dense
    [InlineData(MePropMode.Dense, 3, 0)]
    public void Mlp_gradient_equals_the_masked_dense_reference(MePropMode mode, int k, int outputK)
    {
        var random = new SeededRandom(21);
        var model = new Mlp(Input, Hidden, Output, seed: 7);
        model.MePropSettings.Mode = mode;
        model.MePropSettings.K = k;
        model.MePropSettings.OutputK = outputK;

        // Two steps: the second must replace the first step's gradients, not add to them.
        for (int step = 0; step < 2; step++)
        {
            var x = TestTensors.Batch(Examples, Input, random);
            var dOutput = TestTensors.Batch(Examples, Output, random);
            model.ForwardTrain(x);
            model.Backward(dOutput);

            var reference = Reference(model, x, dOutput, mode, k, outputK == 0 ? k : outputK);
            foreach (var parameter in model.Parameters)
            {
                double[] expected = reference[parameter.Name];
                double[] actual = parameter.Gradient.Data;
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])),
                        $"step {step}, d{parameter.Name}[{i}]: generated {actual[i]:R}, reference {expected[i]:R}");
            }
        }
    }

    [Theory]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Unified)]
    public void Paper_sized_mlp_gradient_equals_the_reference(MePropMode mode)
    {
        // 784-500-500-10 with k = 20, on sparse non-negative inputs like MNIST pixels: many exact
        // zeros in x and, after ReLU, in dL/dy, so ties at zero are everywhere.
        var random = new SeededRandom(23);
        var model = new Mlp(784, 500, 10, seed: 8);
        model.MePropSettings.Mode = mode;
        model.MePropSettings.K = 20;
        var x = new Batch<double>(10, 784);
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] = random.NextDouble() < 0.8 ? 0 : random.NextDouble();
        var dOutput = TestTensors.Batch(10, 10, random);
        model.ForwardTrain(x);
        model.Backward(dOutput);
        var reference = Reference(model, x, dOutput, mode, 20, 20);
        foreach (var parameter in model.Parameters)
        {
            double[] expected = reference[parameter.Name];
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - parameter.Gradient.Data[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])),
                    $"d{parameter.Name}[{i}]: generated {parameter.Gradient.Data[i]:R}, reference {expected[i]:R}");
        }
        Assert.True(model.LinearWeights[0].Gradient.TouchedRowCount <= (mode == MePropMode.TopK ? 200 : 20));
    }

    [Fact]
    public void Rows_updated_per_weight_are_reported()
    {
        var random = new SeededRandom(22);
        var model = new Mlp(Input, Hidden, Output, seed: 7);
        model.MePropSettings.K = 2;
        model.MePropSettings.Mode = MePropMode.Unified;
        model.ForwardTrain(TestTensors.Batch(Examples, Input, random));
        model.Backward(TestTensors.Batch(Examples, Output, random));
        // Unified: one set of k rows per batch, in every layer (the output layer too: OutputK = 0 means K).
        Assert.Equal(new[] { "W1", "W2", "W3" }, model.LinearWeights.Select(p => p.Name));
        Assert.All(model.LinearWeights, p => Assert.Equal(2, p.Gradient.TouchedRowCount));

        model.MePropSettings.Mode = MePropMode.Dense;
        model.ForwardTrain(TestTensors.Batch(Examples, Input, random));
        model.Backward(TestTensors.Batch(Examples, Output, random));
        Assert.All(model.LinearWeights, p => Assert.Equal(p.Rows, p.Gradient.TouchedRowCount));
    }

    [Fact]
    public void Backward_before_forward_and_wrong_output_shape_are_clear_errors()
    {
        var model = new Mlp(Input, Hidden, Output, seed: 7);
        var early = Assert.Throws<InvalidOperationException>(() => model.Backward(new Batch<double>(Examples, Output)));
        Assert.Contains("ForwardTrain", early.Message);
        model.ForwardTrain(new Batch<double>(Examples, Input));
        var shape = Assert.Throws<ArgumentException>(() => model.Backward(new Batch<double>(Examples, Output + 1)));
        Assert.Contains($"{Examples}x{Output + 1}", shape.Message);
        Assert.Contains($"{Examples}x{Output}", shape.Message);
    }

    // ---- the reference: loops over plain arrays, nothing from the runtime's kernels (CubeGradientTests uses these too) ----

    private static System.Collections.Generic.Dictionary<string, double[]> Reference(Mlp m, Batch<double> x, Batch<double> dOutput, MePropMode mode, int k, int outputK)
    {
        double[][] X = Rows(x);
        var (z1, h1) = Layer(X, m.W1, m.b1, relu: true);
        var (z2, h2) = Layer(h1, m.W2, m.b2, relu: true);
        double[][] dy3 = Mask(Rows(dOutput), mode, outputK);
        var (dW3, db3, dh2) = LinearBackward(dy3, h2, m.W3);
        double[][] dy2 = Mask(ReluBackward(dh2, z2), mode, k);
        var (dW2, db2, dh1) = LinearBackward(dy2, h1, m.W2);
        double[][] dy1 = Mask(ReluBackward(dh1, z1), mode, k);
        var (dW1, db1, _) = LinearBackward(dy1, X, m.W1);
        return new() { ["W1"] = dW1, ["b1"] = db1, ["W2"] = dW2, ["b2"] = db2, ["W3"] = dW3, ["b3"] = db3 };
    }

    internal static double[][] Rows(Batch<double> b) => Enumerable.Range(0, b.Rows).Select(r => b.Row(r).ToArray()).ToArray();

    private static (double[][] Z, double[][] H) Layer(double[][] x, Matrix<double> w, RowVector<double> b, bool relu)
    {
        var z = x.Select(row => Enumerable.Range(0, w.Rows).Select(o =>
        {
            double s = b[o];
            for (int i = 0; i < w.Cols; i++) s += w[o, i] * row[i];
            return s;
        }).ToArray()).ToArray();
        return (z, z.Select(row => row.Select(v => relu ? Math.Max(v, 0) : v).ToArray()).ToArray());
    }

    private static double[][] ReluBackward(double[][] dh, double[][] z)
        => dh.Select((row, b) => row.Select((g, j) => z[b][j] > 0 ? g : 0).ToArray()).ToArray();

    internal static double[][] Mask(double[][] dy, MePropMode mode, int k)
    {
        int n = dy[0].Length;
        if (mode == MePropMode.Dense || k >= n) return dy;
        int[] Keep(double[] scores) => scores.Select((v, i) => (M: Math.Abs(v), I: i))
            .OrderByDescending(e => e.M).ThenBy(e => e.I).Take(k).Select(e => e.I).ToArray();
        if (mode == MePropMode.Unified)
        {
            var sums = Enumerable.Range(0, n).Select(j => dy.Sum(row => Math.Abs(row[j]))).ToArray();
            var kept = Keep(sums);
            return dy.Select(row => row.Select((v, j) => kept.Contains(j) ? v : 0).ToArray()).ToArray();
        }
        return dy.Select(row => { var kept = Keep(row); return row.Select((v, j) => kept.Contains(j) ? v : 0).ToArray(); }).ToArray();
    }

    internal static (double[] dW, double[] db, double[][] dx) LinearBackward(double[][] dy, double[][] x, Matrix<double> w)
    {
        var dW = new double[w.Rows * w.Cols];
        var db = new double[w.Rows];
        var dx = x.Select(row => new double[row.Length]).ToArray();
        for (int b = 0; b < dy.Length; b++)
            for (int o = 0; o < w.Rows; o++)
            {
                double g = dy[b][o];
                db[o] += g;
                for (int i = 0; i < w.Cols; i++)
                {
                    dW[o * w.Cols + i] += g * x[b][i];
                    dx[b][i] += g * w[o, i];
                }
            }
        return (dW, db, dx);
    }
}
