using System.Collections.Generic;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>Relu, Tanh and Sigmoid: dense element-wise derivatives, taken from the activation's output.</summary>
internal sealed class ActivationPrimitive : Primitive
{
    public ActivationPrimitive(OpKind kind) => Kind = kind;

    public override OpKind Kind { get; }

    public override string Surface => Kind + "(x)";

    public override string OpsMethod => Kind.ToString();

    public override IEnumerable<Step> Forward(Operation op, EmitContext c)
    {
        yield return ForwardCall(Kind.ToString(), Value(op.Operands[0]), Value(op.Result));
    }

    // The derivative is taken from the activation's output.
    public override IEnumerable<Step> Backward(Operation op, EmitContext c)
    {
        string x = op.Operands[0];
        if (c.NeedsGradient(x))
            yield return BackwardCall(Kind.ToString(), Gradient(op.Result), Value(op.Result), Gradient(x), Into(x));
    }
}
