using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace MeProp.Gradients.Tests;

/// <summary>
/// Back propagation through time with meProp against an independent reference written here with
/// plain arrays: at every step, each linear operation's dL/dy keeps its k largest |entries| per
/// example (TopK) or the k columns with the largest batch sum of |dL/dy| of that step (Unified),
/// ties to the lower index, before dW, db and the gradients of its inputs are formed. Also: K at
/// least every width gives exactly the dense gradients, bit for bit.
/// </summary>
public class RecurrentReferenceTests
{
    [Theory]
    [InlineData(MePropMode.TopK, 2, 1)]
    [InlineData(MePropMode.TopK, 2, 6)]
    [InlineData(MePropMode.Unified, 3, 5)]
    [InlineData(MePropMode.Unified, 1, 1)]
    public void Tanh_rnn_gradient_equals_the_masked_reference(MePropMode mode, int k, int length)
    {
        var random = new SeededRandom(31);
        var model = new TanhRnn(input: 4, hidden: 6, output: 3, seed: 9);
        model.MePropSettings.Mode = mode;
        model.MePropSettings.K = k;
        for (int step = 0; step < 2; step++) // the second step must replace the first one's gradients
        {
            var x = RecurrentFiniteDifferenceTests.RandomSequence(length + step, 3, 4, random);
            var dOutput = RecurrentFiniteDifferenceTests.RandomSequence(length + step, 3, 3, random);
            model.ForwardTrain(x);
            model.Backward(dOutput);
            AssertEqual(RnnReference(model, x, dOutput, mode, k), model);
        }
    }

    [Theory]
    [InlineData(MePropMode.TopK, 2, 5)]
    [InlineData(MePropMode.Unified, 2, 4)]
    [InlineData(MePropMode.TopK, 1, 1)]
    public void Lstm_gradient_equals_the_masked_reference(MePropMode mode, int k, int length)
    {
        var random = new SeededRandom(32);
        var model = new LstmClassifier(input: 3, hidden: 5, classes: 4, seed: 10);
        model.MePropSettings.Mode = mode;
        model.MePropSettings.K = k;
        var x = RecurrentFiniteDifferenceTests.RandomSequence(length, 3, 3, random);
        var dOutput = TestTensors.Batch(3, 4, random);
        model.ForwardTrain(x);
        model.Backward(dOutput);
        AssertEqual(LstmReference(model, x, dOutput, mode, k), model);
    }

    [Theory]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Unified)]
    [InlineData(MePropMode.Random)]
    public void K_at_least_every_width_equals_dense_bit_for_bit(MePropMode mode)
    {
        var random = new SeededRandom(33);
        var words = RecurrentFiniteDifferenceTests.RandomIds(6, 2, 6, random);
        var dOutput = RecurrentFiniteDifferenceTests.RandomSequence(6, 2, 4, random);
        double[][] Gradients(MePropMode m, int k)
        {
            var model = new BiLstmTagger(vocabulary: 6, dimension: 3, hidden: 4, tags: 4, seed: 11);
            model.MePropSettings.Mode = m;
            model.MePropSettings.K = k;
            model.ForwardTrain(words);
            model.Backward(dOutput);
            return model.Parameters.Select(p => p.Gradient.Data.ToArray()).ToArray();
        }
        double[][] dense = Gradients(MePropMode.Dense, 1), sparse = Gradients(mode, 4);
        for (int p = 0; p < dense.Length; p++)
            Assert.Equal(dense[p], sparse[p]);
    }

    private static void AssertEqual(Dictionary<string, double[]> reference, IMePropTrainable<double> model)
    {
        foreach (var parameter in model.Parameters)
        {
            double[] expected = reference[parameter.Name], actual = parameter.Gradient.Data;
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])),
                    $"d{parameter.Name}[{i}]: generated {actual[i]:R}, reference {expected[i]:R}");
        }
    }

    // ---- the references: loops over plain arrays, nothing from the runtime's kernels ----

    // h_t = tanh(Wx x_t + Wh h_{t-1} + bh) (two linear operations and a dense bias), y_t = Wo h_t + bo.
    private static Dictionary<string, double[]> RnnReference(TanhRnn m, Sequence<double> x, Sequence<double> dOutput, MePropMode mode, int k)
    {
        int length = x.Length, examples = x.Examples, hidden = m.Wh.Rows;
        var h = new double[length + 1][][]; // h[t + 1] is the state after step t; h[0] the zeros
        h[0] = Zeros(examples, hidden);
        for (int t = 0; t < length; t++)
        {
            double[][] xt = Rows(x[t]);
            double[][] a = Add(Add(Apply(m.Wx, xt), Apply(m.Wh, h[t])), Broadcast(m.bh, examples));
            h[t + 1] = a.Select(r => r.Select(Math.Tanh).ToArray()).ToArray();
        }
        var g = new Grads(("Wx", m.Wx), ("Wh", m.Wh), ("Wo", m.Wo));
        var dbh = new double[hidden];
        var dbo = new double[m.Wo.Rows];
        double[][] dNext = Zeros(examples, hidden);
        for (int t = length - 1; t >= 0; t--)
        {
            double[][] dy = Mask(Rows(dOutput[t]), mode, k);
            g.Linear("Wo", dy, h[t + 1], dbo);
            double[][] dh = Add(Transpose(m.Wo, dy), dNext);
            double[][] da = dh.Select((r, b) => r.Select((v, j) => v * (1 - h[t + 1][b][j] * h[t + 1][b][j])).ToArray()).ToArray();
            for (int b = 0; b < examples; b++) for (int j = 0; j < hidden; j++) dbh[j] += da[b][j];
            double[][] dz = Mask(da, mode, k);
            g.Linear("Wx", dz, Rows(x[t]), null);
            g.Linear("Wh", dz, h[t], null);
            dNext = Transpose(m.Wh, dz);
        }
        var result = g.Result();
        result["bh"] = dbh;
        result["bo"] = dbo;
        return result;
    }

    // z = [x_t; h]; i, f, o = σ(W z + b), g = tanh(Wg z + bg); c = f c + i g; h = o tanh(c); y = Out h_L + b.
    private static Dictionary<string, double[]> LstmReference(LstmClassifier m, Sequence<double> x, Batch<double> dOutput, MePropMode mode, int k)
    {
        int length = x.Length, examples = x.Examples, hidden = m.Wi.Rows, input = x.Features;
        double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
        var h = new double[length + 1][][]; var c = new double[length + 1][][];
        var z = new double[length][][]; var gi = new double[length][][]; var gf = new double[length][][];
        var go = new double[length][][]; var gg = new double[length][][];
        h[0] = Zeros(examples, hidden); c[0] = Zeros(examples, hidden);
        for (int t = 0; t < length; t++)
        {
            z[t] = Rows(x[t]).Select((r, b) => r.Concat(h[t][b]).ToArray()).ToArray();
            double[][] Gate(Matrix<double> w, RowVector<double> bias, Func<double, double> f)
                => Add(Apply(w, z[t]), Broadcast(bias, examples)).Select(r => r.Select(f).ToArray()).ToArray();
            gi[t] = Gate(m.Wi, m.bi, Sigmoid); gf[t] = Gate(m.Wf, m.bf, Sigmoid);
            go[t] = Gate(m.Wo, m.bo, Sigmoid); gg[t] = Gate(m.Wg, m.bg, Math.Tanh);
            int s = t;
            c[t + 1] = Enumerable.Range(0, examples).Select(b => Enumerable.Range(0, hidden).Select(j => gf[s][b][j] * c[s][b][j] + gi[s][b][j] * gg[s][b][j]).ToArray()).ToArray();
            h[t + 1] = Enumerable.Range(0, examples).Select(b => Enumerable.Range(0, hidden).Select(j => go[s][b][j] * Math.Tanh(c[s + 1][b][j])).ToArray()).ToArray();
        }
        var g = new Grads(("Wi", m.Wi), ("Wf", m.Wf), ("Wo", m.Wo), ("Wg", m.Wg), ("Out", m.Out));
        var biases = new Dictionary<string, double[]> { ["bi"] = new double[hidden], ["bf"] = new double[hidden], ["bo"] = new double[hidden], ["bg"] = new double[hidden], ["outBias"] = new double[m.Out.Rows] };
        double[][] dy = Mask(Rows(dOutput), mode, k);
        g.Linear("Out", dy, h[length], biases["outBias"]);
        double[][] dh = Transpose(m.Out, dy);
        double[][] dc = Zeros(examples, hidden);
        for (int t = length - 1; t >= 0; t--)
        {
            var dai = Zeros(examples, hidden); var daf = Zeros(examples, hidden); var dao = Zeros(examples, hidden); var dag = Zeros(examples, hidden);
            var dcPrevious = Zeros(examples, hidden);
            for (int b = 0; b < examples; b++)
                for (int j = 0; j < hidden; j++)
                {
                    double tc = Math.Tanh(c[t + 1][b][j]);
                    double dct = dc[b][j] + dh[b][j] * go[t][b][j] * (1 - tc * tc);
                    dao[b][j] = dh[b][j] * tc * go[t][b][j] * (1 - go[t][b][j]);
                    dai[b][j] = dct * gg[t][b][j] * gi[t][b][j] * (1 - gi[t][b][j]);
                    dag[b][j] = dct * gi[t][b][j] * (1 - gg[t][b][j] * gg[t][b][j]);
                    daf[b][j] = dct * c[t][b][j] * gf[t][b][j] * (1 - gf[t][b][j]);
                    dcPrevious[b][j] = dct * gf[t][b][j];
                }
            double[][] dz = Zeros(examples, input + hidden);
            foreach (var (name, bias, w, da) in new[] { ("Wi", "bi", m.Wi, dai), ("Wf", "bf", m.Wf, daf), ("Wo", "bo", m.Wo, dao), ("Wg", "bg", m.Wg, dag) })
            {
                double[][] kept = Mask(da, mode, k);
                g.Linear(name, kept, z[t], biases[bias]);
                dz = Add(dz, Transpose(w, kept));
            }
            dh = dz.Select(r => r.Skip(input).ToArray()).ToArray();
            dc = dcPrevious;
        }
        var result = g.Result();
        foreach (var pair in biases) result[pair.Key] = pair.Value;
        return result;
    }

    // dW (and db) of named weight matrices, accumulated over steps and examples.
    private sealed class Grads
    {
        private readonly Dictionary<string, (Matrix<double> W, double[] D)> _weights = new();

        public Grads(params (string Name, Matrix<double> W)[] weights)
        {
            foreach (var (name, w) in weights) _weights[name] = (w, new double[w.Rows * w.Cols]);
        }

        public void Linear(string name, double[][] dy, double[][] x, double[]? db)
        {
            var (w, d) = _weights[name];
            for (int b = 0; b < dy.Length; b++)
                for (int o = 0; o < w.Rows; o++)
                {
                    if (db is not null) db[o] += dy[b][o];
                    for (int i = 0; i < w.Cols; i++) d[o * w.Cols + i] += dy[b][o] * x[b][i];
                }
        }

        public Dictionary<string, double[]> Result() => _weights.ToDictionary(p => p.Key, p => p.Value.D);
    }

    private static double[][] Zeros(int rows, int cols) => Enumerable.Range(0, rows).Select(_ => new double[cols]).ToArray();

    private static double[][] Rows(Batch<double> b) => Enumerable.Range(0, b.Rows).Select(r => b.Row(r).ToArray()).ToArray();

    private static double[][] Broadcast(RowVector<double> v, int rows) => Enumerable.Range(0, rows).Select(_ => v.Data.ToArray()).ToArray();

    private static double[][] Add(double[][] a, double[][] b) => a.Select((r, i) => r.Select((v, j) => v + b[i][j]).ToArray()).ToArray();

    // x·Wᵀ per example.
    private static double[][] Apply(Matrix<double> w, double[][] x)
        => x.Select(row => Enumerable.Range(0, w.Rows).Select(o =>
        {
            double s = 0;
            for (int i = 0; i < w.Cols; i++) s += w[o, i] * row[i];
            return s;
        }).ToArray()).ToArray();

    // dy·W per example (the gradient of a linear operation's input).
    private static double[][] Transpose(Matrix<double> w, double[][] dy)
        => dy.Select(row => Enumerable.Range(0, w.Cols).Select(i =>
        {
            double s = 0;
            for (int o = 0; o < w.Rows; o++) s += w[o, i] * row[o];
            return s;
        }).ToArray()).ToArray();

    private static double[][] Mask(double[][] dy, MePropMode mode, int k)
    {
        int n = dy[0].Length;
        if (mode == MePropMode.Dense || k >= n) return dy;
        int[] Keep(double[] scores) => scores.Select((v, i) => (M: Math.Abs(v), I: i))
            .OrderByDescending(e => e.M).ThenBy(e => e.I).Take(k).Select(e => e.I).ToArray();
        if (mode == MePropMode.Unified)
        {
            var kept = Keep(Enumerable.Range(0, n).Select(j => dy.Sum(row => Math.Abs(row[j]))).ToArray());
            return dy.Select(row => row.Select((v, j) => kept.Contains(j) ? v : 0).ToArray()).ToArray();
        }
        return dy.Select(row => { var kept = Keep(row); return row.Select((v, j) => kept.Contains(j) ? v : 0).ToArray(); }).ToArray();
    }
}
