using System;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace MeProp.Gradients.Tests;

/// <summary>Models used as layers: finite differences, equality with the same model written flat, shared weights.</summary>
public class ComposedModelTests
{
    private const double Tolerance = 1e-7;
    private readonly ITestOutputHelper _output;

    public ComposedModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void A_layers_parameters_join_the_callers_through_its_member()
    {
        var flat = new BiLstmTagger(vocabulary: 6, dimension: 3, hidden: 3, tags: 4, seed: 7);
        var composed = new ComposedBiLstmTagger(flat, dimension: 3);
        // The model's own members first (in order of first use), then each layer's, in call order.
        Assert.Equal(new[] { "E", "Out", "outBias", "Forwards.Wi", "Forwards.bi", "Forwards.Wf", "Forwards.bf", "Forwards.Wo", "Forwards.bo", "Forwards.Wg", "Forwards.bg",
                             "Backwards.Wi", "Backwards.bi", "Backwards.Wf", "Backwards.bf", "Backwards.Wo", "Backwards.bo", "Backwards.Wg", "Backwards.bg" },
            composed.Parameters.Select(p => p.Name));
        Assert.Equal(9, composed.LinearWeights.Count);
    }

    [Theory]
    [InlineData(MePropMode.Dense, 2)]
    [InlineData(MePropMode.TopK, 2)]
    [InlineData(MePropMode.Unified, 2)]
    public void A_bilstm_of_two_layers_equals_the_same_model_written_flat(MePropMode mode, int k)
    {
        var random = new SeededRandom(51);
        var flat = new BiLstmTagger(vocabulary: 6, dimension: 3, hidden: 4, tags: 4, seed: 7);
        var composed = new ComposedBiLstmTagger(flat, dimension: 3);
        foreach (var model in new IMePropTrainable<double>[] { flat, composed })
        {
            model.MePropSettings.Mode = mode;
            model.MePropSettings.K = k;
        }
        foreach (int length in new[] { 5, 1 })
        {
            var words = RecurrentFiniteDifferenceTests.RandomIds(length, 2, 6, random);
            var dOutput = RecurrentFiniteDifferenceTests.RandomSequence(length, 2, 4, random);
            var a = flat.ForwardTrain(words).AllSteps.Span.ToArray();
            var b = composed.ForwardTrain(words).AllSteps.Span.ToArray();
            Assert.Equal(a, b); // the same operations in the same order
            flat.Backward(dOutput);
            composed.Backward(dOutput);
            // Parameters are the same arrays, so compare gradients by the flat model's names.
            var flatGradients = flat.Parameters.ToDictionary(p => p.Name, p => p.Gradient.Data);
            string FlatName(string name) => name switch
            {
                _ when name.StartsWith("Forwards.", StringComparison.Ordinal) => Flat("F", "f", name["Forwards.".Length..]),
                _ when name.StartsWith("Backwards.", StringComparison.Ordinal) => Flat("B", "b", name["Backwards.".Length..]),
                _ => name,
            };
            foreach (var p in composed.Parameters)
            {
                double[] expected = flatGradients[FlatName(p.Name)];
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(Math.Abs(expected[i] - p.Gradient.Data[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])),
                        $"{mode} length {length}, d{p.Name}[{i}]: composed {p.Gradient.Data[i]:R}, flat {expected[i]:R}");
            }
        }

        // LstmLayer's Wi/bi ... map to the flat model's Fi/fi ... (forwards) and Bi/bi ... (backwards).
        static string Flat(string matrixPrefix, string biasPrefix, string member)
            => member.StartsWith('W') ? matrixPrefix + member[1..] : biasPrefix + member[1..];
    }

    [Fact]
    public void A_composed_bilstm_gradient_matches_finite_differences()
    {
        var random = new SeededRandom(52);
        var flat = new BiLstmTagger(vocabulary: 6, dimension: 3, hidden: 3, tags: 4, seed: 8);
        var model = new ComposedBiLstmTagger(flat, dimension: 3);
        model.MePropSettings.Mode = MePropMode.Dense;
        foreach (int length in new[] { 1, 2, 7 })
        {
            var words = RecurrentFiniteDifferenceTests.RandomIds(length, 2, 6, random);
            var c = RecurrentFiniteDifferenceTests.RandomSequence(length, 2, 4, random);
            double worst = GradientCheck.Run(model, () => model.ForwardTrain(words), c, Tolerance);
            _output.WriteLine($"ComposedBiLstmTagger length {length}: worst relative error {worst:E2}");
        }
    }

    [Theory]
    [InlineData(MePropMode.Dense)]
    [InlineData(MePropMode.TopK)]
    public void A_layer_used_twice_shares_its_weights_and_adds_both_gradients(MePropMode mode)
    {
        var random = new SeededRandom(53);
        var model = new TwiceModel(width: 5, output: 3, seed: 9);
        model.MePropSettings.Mode = mode;
        model.MePropSettings.K = 1000; // every width: exactly dense, so finite differences apply in both modes
        Assert.Equal(new[] { "Out", "Layer.W", "Layer.b" }, model.Parameters.Select(p => p.Name)); // one W and one b for both uses
        var x = TestTensors.Batch(4, 5, random);
        var c = TestTensors.Batch(4, 3, random);
        double worst = GradientCheck.Run(model, () => model.ForwardTrain(x), c, Tolerance);
        _output.WriteLine($"TwiceModel {mode}: worst relative error {worst:E2}");
    }

    [Fact]
    public void A_layer_still_trains_on_its_own()
    {
        var random = new SeededRandom(54);
        var layer = new LstmLayer(input: 3, hidden: 4, random);
        layer.MePropSettings.Mode = MePropMode.Dense;
        var x = RecurrentFiniteDifferenceTests.RandomSequence(3, 2, 3, random);
        var c = RecurrentFiniteDifferenceTests.RandomSequence(3, 2, 4, random);
        GradientCheck.Run(layer, () => layer.ForwardTrain(x), c, Tolerance);
    }
}
