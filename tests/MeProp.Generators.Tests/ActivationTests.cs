using System;
using Xunit;

namespace MeProp.Generators.Tests;

/// <summary>
/// The DSL's activations, one row each: every one is accepted in float, double and a generic model,
/// outside and inside a loop over steps, and compiles; each backward calls its own kernel with the
/// value its derivative is taken from (the result for Relu, Tanh and Sigmoid, the input for Cube);
/// only Relu is fused into its linear operation's top-k. (That the derivatives are right is proved
/// by the gradient tests' finite differences.)
/// </summary>
public sealed class ActivationTests
{
    // The activation, and the value its backward kernel reads in 'var h = Act(W1 * x + b1)'.
    public static TheoryData<string, string> Activations => new()
    {
        { "Relu", "tape.h" },
        { "Tanh", "tape.h" },
        { "Sigmoid", "tape.h" },
        { "Cube", "tape.h_linear" },
    };

    public static TheoryData<string> Names => new() { "Relu", "Tanh", "Sigmoid", "Cube" };

    private static string Model(string element, string activation, string constraint = "") => $$"""
        using MeProp;
        using static MeProp.Ops;

        public sealed partial class Net{{(element == "T" ? "<T>" : "")}}{{constraint}}
        {
            public Matrix<{{element}}> W1 = new(8, 4), W2 = new(3, 8);
            public RowVector<{{element}}> b1 = new(8);

            [MeProp(K = 2)]
            public Batch<{{element}}> Forward(Batch<{{element}}> x)
            {
                var h = {{activation}}(W1 * x + b1);
                return W2 * h;
            }
        }
        """;

    // The Backward method's text.
    private static string Backward(string generated)
    {
        int start = generated.IndexOf("public void Backward(", StringComparison.Ordinal);
        int end = generated.IndexOf("private __MePropGradients __MePropBind()", start, StringComparison.Ordinal);
        return generated.Substring(start, end - start);
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void Each_activation_lowers_to_its_kernel_in_float_double_and_generic_models(string activation, string readsFrom)
    {
        foreach (string generated in new[]
                 {
                     GeneratorHarness.GenerateCleanly(Model("float", activation)),
                     GeneratorHarness.GenerateCleanly(Model("double", activation)),
                     GeneratorHarness.GenerateCleanly(Model("T", activation, " where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>")),
                 })
        {
            Assert.Contains($"ForwardKernels.{activation}(tape.h_linear, tape.h);", generated);
            string backward = Backward(generated);
            if (activation == "Relu")
            {
                // The linear operation forms dL/dy through the Relu's derivative in its top-k pass.
                Assert.Contains("RunThroughRelu(tape.d_h, tape.h, tape.d_h_linear, ", backward);
                Assert.DoesNotContain("BackwardKernels.Relu(", backward);
            }
            else
            {
                Assert.Contains($"BackwardKernels.{activation}(tape.d_h, {readsFrom}, tape.d_h_linear, accumulate: false);", backward);
                Assert.DoesNotContain("RunThroughRelu", backward);
                Assert.Contains("tape.h_linear_backward.Run(tape.d_h_linear, ", backward);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_activation_works_inside_a_loop_on_a_state_and_a_step_value(string activation)
    {
        string generated = GeneratorHarness.GenerateCleanly($$"""
            using MeProp;
            using static MeProp.Ops;

            public sealed partial class Rnn
            {
                public Matrix<float> Wx = new(4, 3), Wh = new(4, 4), Wo = new(2, 4);

                [MeProp(K = 2)]
                public Sequence<float> Forward(Sequence<float> x)
                {
                    var h = Zeros(x, 4);
                    var outputs = SequenceLike(x);
                    for (int t = 0; t < x.Length; t++)
                    {
                        h = Tanh(Wx * x[t] + Wh * {{activation}}(h));
                        outputs[t] = Wo * {{activation}}(h);
                    }
                    return outputs;
                }
            }
            """);
        string backward = Backward(generated);
        Assert.DoesNotContain("RunThroughRelu", backward); // not inside loops, whatever the activation
        if (activation == "Cube")
        {
            // The state when the step starts is a local of the backward step; the new state is stored per step.
            Assert.Contains("BackwardKernels.Cube(tape.d_h_cube, h_2, tape.d_h_2, ", backward);
            Assert.Contains("BackwardKernels.Cube(tape.d_outputs_cube, tape.h_3[t], tape.d_h_3, ", backward);
        }
    }

    [Fact]
    public void The_unknown_operation_message_lists_every_activation()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using MeProp;
            using static MeProp.Ops;

            partial class M
            {
                Matrix<float> W = new(4, 4);
                [MeProp(K = 2)]
                Batch<float> F(Batch<float> x) => Square(W * x);
                Batch<float> Square(Batch<float> a) => Multiply(a, a);
            }
            """);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("MEPROP003", diagnostic.Id);
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (string activation in new[] { "Relu(x)", "Tanh(x)", "Sigmoid(x)", "Cube(x)" })
            Assert.Contains(activation, message);
    }
}
