using System;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace MeProp.Gradients.Tests;

/// <summary>
/// Whole generated models against central finite differences in double precision. meProp's
/// gradient is deliberately not the true gradient when K is below a layer's width, so these run
/// with dense back propagation (Mode = Dense, or K at least every width) and prove the generated
/// backward pass itself; the sparse semantics are checked against a reference in SparseReferenceTests.
/// </summary>
public class FiniteDifferenceTests
{
    // With h = 1e-6 the central difference has truncation error ~h² and rounding error ~1e-16/h:
    // about 1e-9 relative on these models. 1e-7 leaves room without hiding a wrong rule.
    private const double Tolerance = 1e-7;

    private readonly ITestOutputHelper _output;

    public FiniteDifferenceTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(MePropMode.Dense, 3)]
    [InlineData(MePropMode.TopK, 1000)]
    [InlineData(MePropMode.Unified, 1000)]
    [InlineData(MePropMode.Random, 1000)]
    public void Mlp_gradient_matches_finite_differences(MePropMode mode, int k)
    {
        var random = new SeededRandom(11);
        var model = new Mlp(input: 7, hidden: 6, output: 4, seed: 3);
        model.MePropSettings.Mode = mode;
        model.MePropSettings.K = k;
        var x = TestTensors.Batch(5, 7, random);
        var c = TestTensors.Batch(5, 4, random);
        double worst = GradientCheck.Run(model, () => model.ForwardTrain(x), c, Tolerance);
        _output.WriteLine($"Mlp {mode} k={k}: worst relative error {worst:E2}");
    }

    [Fact]
    public void Parser_gradient_with_embeddings_and_concat_matches_finite_differences()
    {
        var random = new SeededRandom(12);
        var model = new ParserNet(vocabulary: 9, tagCount: 5, dimension: 3, positions: 2, hidden: 6, classes: 4, seed: 4);
        model.MePropSettings.Mode = MePropMode.Dense;
        var words = TestTensors.Ids(6, 2, 9, random);
        words[0, 0] = words[1, 1]; // one row looked up twice: its gradient must accumulate
        var tags = TestTensors.Ids(6, 2, 5, random);
        var c = TestTensors.Batch(6, 4, random);
        double worst = GradientCheck.Run(model, () => model.ForwardTrain(words, tags), c, Tolerance);
        _output.WriteLine($"ParserNet: worst relative error {worst:E2}");
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.0)]
    public void An_embedding_written_into_a_later_concat_runs_and_matches_finite_differences(double rate)
    {
        var random = new SeededRandom(17);
        var model = new EmbedBeforeItsConcat(vocabulary: 5, positions: 2, classes: 3, seed: 6) { Rate = rate };
        model.MePropSettings.Mode = MePropMode.Dense;
        var ids = TestTensors.Ids(4, 2, 5, random);
        var c = TestTensors.Batch(4, 3, random);
        double worst = GradientCheck.Run(model, () => { model.MePropRandom.Reseed(3); return model.ForwardTrain(ids); }, c, Tolerance);
        _output.WriteLine($"EmbedBeforeItsConcat at rate {rate}: worst relative error {worst:E2}");
    }

    [Fact]
    public void Mixed_primitives_gradient_matches_finite_differences_with_a_fixed_dropout_mask()
    {
        var random = new SeededRandom(13);
        var model = new Mixed(input: 5, hidden: 6, output: 3, seed: 5);
        model.MePropSettings.Mode = MePropMode.Dense;
        var x = TestTensors.Batch(4, 5, random);
        var z = TestTensors.Batch(4, 6, random);
        var c = TestTensors.Batch(4, 3, random);
        // Reseeding before every forward pass repeats the dropout mask, so the loss is a smooth function of the parameters.
        double worst = GradientCheck.Run(model, () => { model.MePropRandom.Reseed(99); return model.ForwardTrain(x, z); }, c, Tolerance);
        _output.WriteLine($"Mixed: worst relative error {worst:E2}");
    }

    [Fact]
    public void Mixed_gradient_at_dropout_rate_zero_matches_finite_differences()
    {
        // Rate 0 takes the shared-buffer path: the Dropout returns its operand, and its gradient buffer is the operand's.
        var random = new SeededRandom(15);
        var model = new Mixed(input: 5, hidden: 6, output: 3, seed: 5) { Rate = 0 };
        model.MePropSettings.Mode = MePropMode.Dense;
        var x = TestTensors.Batch(4, 5, random);
        var z = TestTensors.Batch(4, 6, random);
        var c = TestTensors.Batch(4, 3, random);
        double worst = GradientCheck.Run(model, () => model.ForwardTrain(x, z), c, Tolerance);
        _output.WriteLine($"Mixed at rate 0: worst relative error {worst:E2}");
    }

    [Theory]
    [InlineData(MePropMode.Dense)]
    [InlineData(MePropMode.TopK)]
    public void Changing_the_dropout_rate_between_steps_gives_each_rate_its_own_gradient(MePropMode mode)
    {
        // The shared buffers are chosen at every call: a step at rate 0 after one at 0.5 (and back)
        // must give what a fresh model gives at that rate, bit for bit.
        var random = new SeededRandom(16);
        var x = TestTensors.Batch(5, 5, random);
        var z = TestTensors.Batch(5, 6, random);
        var dOutput = TestTensors.Batch(5, 3, random);
        double[][] Step(Mixed model, double rate)
        {
            model.Rate = rate;
            model.MePropSettings.Mode = mode;
            model.MePropRandom.Reseed(7);
            model.ForwardTrain(x, z);
            model.Backward(dOutput);
            return model.Parameters.Select(p => p.Gradient.Data.ToArray()).ToArray();
        }
        var switching = new Mixed(input: 5, hidden: 6, output: 3, seed: 5);
        double[][] first = Step(switching, 0), dropped = Step(switching, 0.5), again = Step(switching, 0);
        double[][] freshZero = Step(new Mixed(input: 5, hidden: 6, output: 3, seed: 5), 0);
        double[][] freshHalf = Step(new Mixed(input: 5, hidden: 6, output: 3, seed: 5), 0.5);
        for (int i = 0; i < first.Length; i++)
        {
            Assert.Equal(freshZero[i], first[i]);
            Assert.Equal(freshHalf[i], dropped[i]);
            Assert.Equal(freshZero[i], again[i]);
        }
        Assert.NotEqual(freshZero.SelectMany(g => g), freshHalf.SelectMany(g => g)); // the rate mattered
    }

    [Fact]
    public void Dropout_mask_actually_drops_in_the_mixed_model()
    {
        // Guards the test above: it must differentiate through a mask with zeros, not the identity.
        var random = new SeededRandom(14);
        var model = new Mixed(input: 5, hidden: 6, output: 3, seed: 5) { Rate = 0.5 };
        var x = TestTensors.Batch(8, 5, random);
        var z = TestTensors.Batch(8, 6, random);
        model.MePropRandom.Reseed(1);
        var trained = model.ForwardTrain(x, z).Data.Clone() as double[];
        var inference = model.Forward(x, z);
        Assert.NotEqual(inference.Data, trained);
    }
}
