using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>A sequence's steps in reverse order; the gradient is reversed back.</summary>
internal sealed class ReversePrimitive : Primitive
{
    public override OpKind Kind => OpKind.Reverse;

    public override string Surface => "Reverse(x)";

    public override void EmitForward(Operation op, EmitContext c)
        => c.Writer.Line($"{Forward}.Reverse({c.Value(op.Operands[0])}, {c.Value(op.Result)});");

    public override void EmitBackward(Operation op, EmitContext c)
    {
        string x = op.Operands[0];
        if (c.NeedsGradient(x))
            c.Writer.Line($"{Backward}.Reverse({c.Gradient(op.Result)}, {c.Gradient(x)}, accumulate: {c.Accumulate(x)});");
    }
}
