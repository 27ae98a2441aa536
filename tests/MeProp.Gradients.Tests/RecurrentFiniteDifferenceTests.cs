using Xunit;
using Xunit.Abstractions;

namespace MeProp.Gradients.Tests;

/// <summary>
/// Back propagation through time in the generated recurrent models against central finite
/// differences in double precision, over every parameter, at sequence lengths 1, 2 and 7 (one model
/// instance per test runs all lengths, so the tape is also reused across lengths).
/// </summary>
public class RecurrentFiniteDifferenceTests
{
    private const double Tolerance = 1e-7;

    private readonly ITestOutputHelper _output;

    public RecurrentFiniteDifferenceTests(ITestOutputHelper output) => _output = output;

    internal static Sequence<double> RandomSequence(int length, int examples, int features, SeededRandom random)
    {
        var s = new Sequence<double>(length, examples, features);
        var all = s.AllSteps.Span;
        for (int i = 0; i < all.Length; i++) all[i] = random.NextDouble() * 2 - 1;
        return s;
    }

    internal static IdSequence RandomIds(int length, int examples, int range, SeededRandom random)
    {
        var ids = new IdSequence(length, examples, 1);
        for (int i = 0; i < ids.Data.Length; i++) ids.Data[i] = random.NextInt(range);
        return ids;
    }

    [Theory]
    [InlineData(MePropMode.Dense, 2)]
    [InlineData(MePropMode.TopK, 1000)]
    [InlineData(MePropMode.Unified, 1000)]
    public void Tanh_rnn_gradient_matches_finite_differences(MePropMode mode, int k)
    {
        var random = new SeededRandom(21);
        var model = new TanhRnn(input: 3, hidden: 4, output: 2, seed: 5);
        model.MePropSettings.Mode = mode;
        model.MePropSettings.K = k;
        foreach (int length in new[] { 7, 1, 2 })
        {
            var x = RandomSequence(length, 3, 3, random);
            var c = RandomSequence(length, 3, 2, random);
            double worst = GradientCheck.Run(model, () => model.ForwardTrain(x), c, Tolerance);
            _output.WriteLine($"TanhRnn {mode} length {length}: worst relative error {worst:E2}");
        }
    }

    [Theory]
    [InlineData(MePropMode.Dense, 2)]
    [InlineData(MePropMode.TopK, 1000)]
    public void Lstm_gradient_matches_finite_differences(MePropMode mode, int k)
    {
        var random = new SeededRandom(22);
        var model = new LstmClassifier(input: 3, hidden: 4, classes: 3, seed: 6);
        model.MePropSettings.Mode = mode;
        model.MePropSettings.K = k;
        foreach (int length in new[] { 1, 7, 2 })
        {
            var x = RandomSequence(length, 2, 3, random);
            var c = TestTensors.Batch(2, 3, random);
            double worst = GradientCheck.Run(model, () => model.ForwardTrain(x), c, Tolerance);
            _output.WriteLine($"LstmClassifier {mode} length {length}: worst relative error {worst:E2}");
        }
    }

    [Theory]
    [InlineData(MePropMode.Dense, 2)]
    [InlineData(MePropMode.Unified, 1000)]
    public void BiLstm_tagger_gradient_matches_finite_differences(MePropMode mode, int k)
    {
        var random = new SeededRandom(23);
        var model = new BiLstmTagger(vocabulary: 6, dimension: 3, hidden: 3, tags: 4, seed: 7);
        model.MePropSettings.Mode = mode;
        model.MePropSettings.K = k;
        foreach (int length in new[] { 2, 7, 1 })
        {
            var words = RandomIds(length, 2, 6, random);
            if (length > 1) words.Data[0] = words.Data[^1]; // one word twice: its embedding's gradient accumulates
            var c = RandomSequence(length, 2, 4, random);
            double worst = GradientCheck.Run(model, () => model.ForwardTrain(words), c, Tolerance);
            _output.WriteLine($"BiLstmTagger {mode} length {length}: worst relative error {worst:E2}");
        }
    }

    [Theory]
    [InlineData(MePropMode.Dense, 2)]
    [InlineData(MePropMode.TopK, 1000)]
    public void Context_rnn_gradient_matches_finite_differences_with_fixed_dropout_masks(MePropMode mode, int k)
    {
        var random = new SeededRandom(24);
        var model = new ContextRnn(input: 3, hidden: 4, context: 2, seed: 8);
        model.MePropSettings.Mode = mode;
        model.MePropSettings.K = k;
        foreach (int length in new[] { 7, 1, 2 })
        {
            var x = RandomSequence(length, 3, 3, random);
            var context = TestTensors.Batch(3, 2, random);
            var c = TestTensors.Batch(3, 4, random);
            // Reseeding before every forward pass repeats each step's dropout mask.
            double worst = GradientCheck.Run(model, () => { model.MePropRandom.Reseed(5); return model.ForwardTrain(x, context); }, c, Tolerance);
            _output.WriteLine($"ContextRnn {mode} length {length}: worst relative error {worst:E2}");
        }
    }

    [Fact]
    public void Dropout_inside_the_loop_draws_a_mask_per_step()
    {
        // Guards the test above: the masks must drop something, and differ between steps.
        var random = new SeededRandom(25);
        var model = new ContextRnn(input: 3, hidden: 4, context: 2, seed: 8) { Rate = 0.5 };
        var x = RandomSequence(4, 3, 3, random);
        var context = TestTensors.Batch(3, 2, random);
        var trained = model.ForwardTrain(x, context).Span.ToArray();
        var inference = model.Forward(x, context).Span.ToArray();
        Assert.NotEqual(inference, trained);
    }
}
