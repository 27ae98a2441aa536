using System;
using Xunit;

namespace MeProp.Generators.Tests;

/// <summary>
/// Which products of a loop body ForwardTrain forms before the loop, for every step at once: those
/// whose input is, or begins with, a step of a sequence that exists before the loop (a loop cannot
/// read a sequence it fills: MEPROP018). Products of the state or of the step's values stay in it. (That the split
/// products are right is proved by the gradient tests' finite differences and references.)
/// </summary>
public sealed class LoopProductTests
{
    private static string Generate(string body, string fields = "public Matrix<float> Wx, Wh, Wo, V; public RowVector<float> bh, bo;")
    {
        return GeneratorHarness.GenerateCleanly($$"""
            using MeProp;
            using static MeProp.Ops;

            public sealed partial class Rnn
            {
                {{fields}}

                [MeProp(K = 2)]
                public Sequence<float> Forward(Sequence<float> x)
                {
            {{body}}
                }
            }
            """);
    }

    // The ForwardTrain method's text, where the forward products are.
    private static string ForwardTrain(string generated)
    {
        int start = generated.IndexOf("ForwardTrain(", StringComparison.Ordinal);
        int end = generated.IndexOf("public void Backward(", start, StringComparison.Ordinal);
        return generated.Substring(start, end - start);
    }

    private static int LoopStart(string forward) => forward.IndexOf("for (int t", StringComparison.Ordinal);

    [Fact]
    public void A_product_of_the_input_step_alone_is_formed_before_the_loop_and_the_state_products_in_it()
    {
        string forward = ForwardTrain(Generate("""
                    var h = Zeros(x, 4);
                    var outputs = SequenceLike(x);
                    for (int t = 0; t < x.Length; t++)
                    {
                        h = Tanh(Wx * x[t] + Wh * h + bh);
                        outputs[t] = Wo * h + bo;
                    }
                    return outputs;
            """));
        int loop = LoopStart(forward);
        int wx = forward.IndexOf("ForwardKernels.Linear(this.Wx, tape.x.AllSteps, null, ", StringComparison.Ordinal);
        Assert.InRange(wx, 0, loop);
        Assert.DoesNotContain("Linear(this.Wx, tape.x[t]", forward);
        Assert.True(forward.IndexOf("Linear(this.Wh, ", StringComparison.Ordinal) > loop, "the state's product runs at each step");
        Assert.True(forward.IndexOf("Linear(this.Wo, ", StringComparison.Ordinal) > loop, "a product of a value of the step runs at each step");
    }

    [Fact]
    public void A_gate_on_the_input_step_and_the_state_is_split_at_the_input_columns()
    {
        string forward = ForwardTrain(Generate("""
                    var h = Zeros(x, 4);
                    var outputs = SequenceLike(x);
                    for (int t = 0; t < x.Length; t++)
                    {
                        h = Tanh(Wh * Concat(x[t], h) + bh);
                        outputs[t] = h;
                    }
                    return outputs;
            """));
        int loop = LoopStart(forward);
        Assert.InRange(forward.IndexOf("LinearLeadingColumns(this.Wh, tape.x.AllSteps, this.bh, ", StringComparison.Ordinal), 0, loop);
        Assert.True(forward.IndexOf("LinearRemainingColumns(this.Wh, ", StringComparison.Ordinal) > loop);
        Assert.Contains("from: tape.x.Features", forward);
    }

    [Fact]
    public void A_gate_whose_input_starts_with_the_state_stays_in_the_loop()
    {
        string forward = ForwardTrain(Generate("""
                    var h = Zeros(x, 4);
                    var outputs = SequenceLike(x);
                    for (int t = 0; t < x.Length; t++)
                    {
                        h = Tanh(Wh * Concat(h, x[t]) + bh);
                        outputs[t] = h;
                    }
                    return outputs;
            """));
        Assert.True(forward.IndexOf("ForwardKernels.Linear(this.Wh, ", StringComparison.Ordinal) > LoopStart(forward));
        Assert.DoesNotContain("LinearLeadingColumns", forward);
        Assert.DoesNotContain("every step at once", forward);
    }
}
