using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace MeProp.Gradients.Tests;

/// <summary>
/// The cube activation (CubeModels.cs) in generated models: central finite differences in double
/// precision with dense back propagation (Mode = Dense, or K at least every width in the sparse
/// modes); K at least every width equal to dense bit for bit; and with K below the widths, the
/// parser network against a masked reference written here, which selects the top-k of dL/dy after
/// the cube's derivative 3z² (so no Relu-style fused derivative can pass for it).
/// </summary>
public class CubeGradientTests
{
    // As in FiniteDifferenceTests: about 1e-9 relative on these models, with room to spare.
    private const double Tolerance = 1e-7;

    private const int Vocabulary = 9, TagCount = 5, Dimension = 3, Positions = 2, Hidden = 6, Classes = 4;

    private readonly ITestOutputHelper _output;

    public CubeGradientTests(ITestOutputHelper output) => _output = output;

    private static CubeParserNet Parser() => new(Vocabulary, TagCount, Dimension, Positions, Hidden, Classes, seed: 4);

    private static (IdBatch Words, IdBatch Tags) ParserInputs(int examples, SeededRandom random)
    {
        var words = TestTensors.Ids(examples, Positions, Vocabulary, random);
        words[0, 0] = words[1, 1]; // one row looked up twice: its gradient must accumulate
        return (words, TestTensors.Ids(examples, Positions, TagCount, random));
    }

    [Theory]
    [InlineData(MePropMode.Dense, 3)]
    [InlineData(MePropMode.TopK, 1000)]
    [InlineData(MePropMode.Unified, 1000)]
    [InlineData(MePropMode.Random, 1000)]
    public void Parser_with_two_cube_layers_matches_finite_differences(MePropMode mode, int k)
    {
        var random = new SeededRandom(61);
        var model = Parser();
        model.MePropSettings.Mode = mode;
        model.MePropSettings.K = k;
        var (words, tags) = ParserInputs(5, random);
        var c = TestTensors.Batch(5, Classes, random);
        double worst = GradientCheck.Run(model, () => model.ForwardTrain(words, tags), c, Tolerance);
        _output.WriteLine($"CubeParserNet {mode} k={k}: worst relative error {worst:E2}");
    }

    [Theory]
    [InlineData(MePropMode.Dense, 2)]
    [InlineData(MePropMode.TopK, 1000)]
    [InlineData(MePropMode.Unified, 1000)]
    public void Cube_whose_input_is_read_elsewhere_matches_finite_differences(MePropMode mode, int k)
    {
        var random = new SeededRandom(62);
        var model = new CubeShared(input: 4, hidden: 5, output: 3, seed: 5);
        model.MePropSettings.Mode = mode;
        model.MePropSettings.K = k;
        var x = TestTensors.Batch(4, 4, random);
        var c = TestTensors.Batch(4, 3, random);
        double worst = GradientCheck.Run(model, () => model.ForwardTrain(x), c, Tolerance);
        _output.WriteLine($"CubeShared {mode} k={k}: worst relative error {worst:E2}");
    }

    [Theory]
    [InlineData(MePropMode.Dense, 2)]
    [InlineData(MePropMode.TopK, 1000)]
    [InlineData(MePropMode.Unified, 1000)]
    public void Cubes_inside_a_loop_match_finite_differences(MePropMode mode, int k)
    {
        var random = new SeededRandom(63);
        var model = new CubeRnn(input: 3, hidden: 4, output: 3, seed: 6);
        model.MePropSettings.Mode = mode;
        model.MePropSettings.K = k;
        foreach (int length in new[] { 7, 1, 2 })
        {
            var x = RecurrentFiniteDifferenceTests.RandomSequence(length, 3, 3, random);
            var c = RecurrentFiniteDifferenceTests.RandomSequence(length, 3, 3, random);
            double worst = GradientCheck.Run(model, () => model.ForwardTrain(x), c, Tolerance);
            _output.WriteLine($"CubeRnn {mode} length {length}: worst relative error {worst:E2}");
        }
    }

    [Theory]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Unified)]
    [InlineData(MePropMode.Random)]
    public void K_at_least_every_width_equals_dense_bit_for_bit(MePropMode mode)
    {
        var random = new SeededRandom(64);
        var (words, tags) = ParserInputs(5, random);
        var dParser = TestTensors.Batch(5, Classes, random);
        var x = TestTensors.Batch(4, 4, random);
        var dShared = TestTensors.Batch(4, 3, random);
        var sequence = RecurrentFiniteDifferenceTests.RandomSequence(5, 3, 3, random);
        var dRnn = RecurrentFiniteDifferenceTests.RandomSequence(5, 3, 3, random);

        double[][] Gradients(IMePropTrainable<double> model, MePropMode m, int k, Action step)
        {
            model.MePropSettings.Mode = m;
            model.MePropSettings.K = k;
            step();
            return model.Parameters.Select(p => p.Gradient.Data.ToArray()).ToArray();
        }
        double[][] Parser(MePropMode m, int k)
        {
            var model = CubeGradientTests.Parser();
            return Gradients(model, m, k, () => { model.ForwardTrain(words, tags); model.Backward(dParser); });
        }
        double[][] Shared(MePropMode m, int k)
        {
            var model = new CubeShared(input: 4, hidden: 5, output: 3, seed: 5);
            return Gradients(model, m, k, () => { model.ForwardTrain(x); model.Backward(dShared); });
        }
        double[][] Rnn(MePropMode m, int k)
        {
            var model = new CubeRnn(input: 3, hidden: 4, output: 3, seed: 6);
            return Gradients(model, m, k, () => { model.ForwardTrain(sequence); model.Backward(dRnn); });
        }

        foreach (var (name, gradients, width) in new (string, Func<MePropMode, int, double[][]>, int)[] { ("parser", Parser, Hidden), ("shared", Shared, 5), ("rnn", Rnn, 4) })
        {
            double[][] dense = gradients(MePropMode.Dense, 1), sparse = gradients(mode, width);
            Assert.Equal(dense.Length, sparse.Length);
            for (int p = 0; p < dense.Length; p++)
                Assert.True(dense[p].SequenceEqual(sparse[p]), $"{name}, {mode}: parameter {p} differs from dense");
        }
    }

    [Theory]
    [InlineData(MePropMode.TopK, 2, 0)]
    [InlineData(MePropMode.TopK, 1, 3)]
    [InlineData(MePropMode.Unified, 3, 0)]
    [InlineData(MePropMode.Unified, 2, 1)]
    public void Parser_gradient_equals_the_masked_dense_reference(MePropMode mode, int k, int outputK)
    {
        var random = new SeededRandom(65);
        var model = Parser();
        model.MePropSettings.Mode = mode;
        model.MePropSettings.K = k;
        model.MePropSettings.OutputK = outputK;
        for (int step = 0; step < 2; step++) // the second step must replace the first one's gradients
        {
            var (words, tags) = ParserInputs(6, random);
            var dOutput = TestTensors.Batch(6, Classes, random);
            model.ForwardTrain(words, tags);
            model.Backward(dOutput);
            var reference = Reference(model, words, tags, dOutput, mode, k, outputK == 0 ? k : outputK);
            foreach (var parameter in model.Parameters)
            {
                double[] expected = reference[parameter.Name], actual = parameter.Gradient.Data;
                Assert.Equal(expected.Length, actual.Length);
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])),
                        $"step {step}, d{parameter.Name}[{i}]: generated {actual[i]:R}, reference {expected[i]:R}");
            }
        }
    }

    [Fact]
    public void Training_forward_equals_the_inference_forward()
    {
        // The annotated method run as written (Ops.Cube) and the generated ForwardTrain compute the same.
        var random = new SeededRandom(66);
        var parser = Parser();
        var (words, tags) = ParserInputs(5, random);
        Assert.Equal(parser.Forward(words, tags).Span.ToArray(), parser.ForwardTrain(words, tags).Span.ToArray());
        var shared = new CubeShared(input: 4, hidden: 5, output: 3, seed: 5);
        var x = TestTensors.Batch(4, 4, random);
        Assert.Equal(shared.Forward(x).Span.ToArray(), shared.ForwardTrain(x).Span.ToArray());
    }

    // ---- the reference: loops over plain arrays, nothing from the runtime's kernels ----

    private static Dictionary<string, double[]> Reference(CubeParserNet m, IdBatch words, IdBatch tags, Batch<double> dOutput, MePropMode mode, int k, int outputK)
    {
        int examples = words.Rows, dim = m.Words.Cols;
        // Row b of the features: the word rows of words[b, ·], then the tag rows of tags[b, ·].
        double[][] features = Enumerable.Range(0, examples).Select(b =>
            Enumerable.Range(0, words.Cols).SelectMany(p => m.Words.Row(words[b, p]).ToArray())
                .Concat(Enumerable.Range(0, tags.Cols).SelectMany(p => m.Tags.Row(tags[b, p]).ToArray())).ToArray()).ToArray();
        double[][] z1 = Affine(features, m.Hidden1, m.bias1), h1 = Cubed(z1);
        double[][] z2 = Affine(h1, m.Hidden2, m.bias2), h2 = Cubed(z2);

        double[][] dy3 = SparseReferenceTests.Mask(SparseReferenceTests.Rows(dOutput), mode, outputK);
        var (dOut, dOutBias, dh2) = SparseReferenceTests.LinearBackward(dy3, h2, m.Output);
        double[][] dy2 = SparseReferenceTests.Mask(CubeBackward(dh2, z2), mode, k);
        var (dHidden2, dBias2, dh1) = SparseReferenceTests.LinearBackward(dy2, h1, m.Hidden2);
        double[][] dy1 = SparseReferenceTests.Mask(CubeBackward(dh1, z1), mode, k);
        var (dHidden1, dBias1, dFeatures) = SparseReferenceTests.LinearBackward(dy1, features, m.Hidden1);

        var dWords = new double[m.Words.Rows * dim];
        var dTags = new double[m.Tags.Rows * dim];
        for (int b = 0; b < examples; b++)
        {
            for (int p = 0; p < words.Cols; p++)
                for (int d = 0; d < dim; d++) dWords[words[b, p] * dim + d] += dFeatures[b][p * dim + d];
            for (int p = 0; p < tags.Cols; p++)
                for (int d = 0; d < dim; d++) dTags[tags[b, p] * dim + d] += dFeatures[b][(words.Cols + p) * dim + d];
        }
        return new()
        {
            ["Words"] = dWords, ["Tags"] = dTags,
            ["Hidden1"] = dHidden1, ["bias1"] = dBias1,
            ["Hidden2"] = dHidden2, ["bias2"] = dBias2,
            ["Output"] = dOut, ["outputBias"] = dOutBias,
        };
    }

    private static double[][] Affine(double[][] x, Matrix<double> w, RowVector<double> b)
        => x.Select(row => Enumerable.Range(0, w.Rows).Select(o =>
        {
            double s = b[o];
            for (int i = 0; i < w.Cols; i++) s += w[o, i] * row[i];
            return s;
        }).ToArray()).ToArray();

    private static double[][] Cubed(double[][] z) => z.Select(row => row.Select(v => v * v * v).ToArray()).ToArray();

    // d/dz z³ = 3z², from the input z.
    private static double[][] CubeBackward(double[][] dh, double[][] z)
        => dh.Select((row, b) => row.Select((g, j) => g * 3 * z[b][j] * z[b][j]).ToArray()).ToArray();
}
