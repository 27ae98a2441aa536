using System.Collections.Generic;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>A sequence's steps in reverse order; the gradient is reversed back.</summary>
internal sealed class ReversePrimitive : Primitive
{
    public override OpKind Kind => OpKind.Reverse;

    public override string Surface => "Reverse(x)";

    public override IEnumerable<Step> Forward(Operation op, EmitContext c)
    {
        yield return ForwardCall("Reverse", Value(op.Operands[0]), Value(op.Result));
    }

    public override IEnumerable<Step> Backward(Operation op, EmitContext c)
    {
        string x = op.Operands[0];
        if (c.NeedsGradient(x))
            yield return BackwardCall("Reverse", Gradient(op.Result), Gradient(x), Into(x));
    }
}
