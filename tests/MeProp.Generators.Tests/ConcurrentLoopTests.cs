using Xunit;

namespace MeProp.Generators.Tests;

/// <summary>
/// Which loops ForwardTrain runs at the same time (the second on the runtime's side thread): two
/// consecutive loops with linear operations, neither reading what the other defines and neither
/// drawing random numbers. (The BiLSTM snapshot shows the generated form; the gradient tests run it.)
/// </summary>
public sealed class ConcurrentLoopTests
{
    private static string Generate(string body)
    {
        return GeneratorHarness.GenerateCleanly($$"""
            using MeProp;
            using static MeProp.Ops;

            public sealed partial class TwoDirections
            {
                public Matrix<float> F, B, Out;
                public RowVector<float> bias;

                [MeProp(K = 2)]
                public Sequence<float> Forward(Sequence<float> x)
                {
            {{body}}
                }
            }
            """);
    }

    [Fact]
    public void Two_independent_directions_run_at_the_same_time()
    {
        string generated = Generate("""
                    var h = Zeros(x, 4);
                    var forward = SequenceLike(x);
                    for (int t = 0; t < x.Length; t++) { h = Tanh(F * Concat(x[t], h)); forward[t] = h; }
                    var g = Zeros(x, 4);
                    var backward = SequenceLike(x);
                    for (int t = x.Length - 1; t >= 0; t--) { g = Tanh(B * Concat(x[t], g)); backward[t] = g; }
                    var scores = SequenceLike(x);
                    for (int t = 0; t < x.Length; t++) scores[t] = Out * Concat(forward[t], backward[t]) + bias;
                    return scores;
            """);
        Assert.Contains("SideThread.Start(tape.__side_loop0)", generated);
        Assert.Contains("private void __MePropSideLoop(__MePropTape tape, int loop)", generated);
        Assert.Contains("case 0: // for (int t = x.Length - 1; t >= 0; t--)", generated);
        Assert.DoesNotContain("case 1:", generated); // the output loop reads both directions: it runs after them
    }

    [Fact]
    public void A_loop_that_reads_the_previous_loop_runs_after_it()
    {
        string generated = Generate("""
                    var h = Zeros(x, 4);
                    var forward = SequenceLike(x);
                    for (int t = 0; t < x.Length; t++) { h = Tanh(F * Concat(x[t], h)); forward[t] = h; }
                    var g = Zeros(x, 4);
                    var stacked = SequenceLike(x);
                    for (int t = 0; t < x.Length; t++) { g = Tanh(B * Concat(forward[t], g)); stacked[t] = g; }
                    return stacked;
            """);
        Assert.DoesNotContain("SideThread", generated);
    }

    [Fact]
    public void Loops_that_draw_dropout_masks_keep_the_program_order()
    {
        string generated = Generate("""
                    var h = Zeros(x, 4);
                    var forward = SequenceLike(x);
                    for (int t = 0; t < x.Length; t++) { h = Tanh(F * Concat(Dropout(x[t], 0.5), h)); forward[t] = h; }
                    var g = Zeros(x, 4);
                    var backward = SequenceLike(x);
                    for (int t = x.Length - 1; t >= 0; t--) { g = Tanh(B * Concat(x[t], g)); backward[t] = g; }
                    var scores = SequenceLike(x);
                    for (int t = 0; t < x.Length; t++) scores[t] = Out * Concat(forward[t], backward[t]) + bias;
                    return scores;
            """);
        Assert.DoesNotContain("SideThread", generated);
    }
}
