using System.Collections.Generic;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>y = x: gives a loop's state or written value storage of its own when the body assigns it an existing value.</summary>
internal sealed class CopyPrimitive : Primitive
{
    public override OpKind Kind => OpKind.Copy;

    public override string Describe(Operation op) => op.Result + " = " + op.Operands[0];

    public override IEnumerable<Step> Forward(Operation op, EmitContext c)
    {
        yield return ForwardCall("Copy", Value(op.Operands[0]), Value(op.Result));
    }

    public override IEnumerable<Step> Backward(Operation op, EmitContext c)
    {
        string x = op.Operands[0];
        if (c.NeedsGradient(x))
            yield return BackwardCall("Pass", Gradient(op.Result), Gradient(x), Into(x));
    }
}
