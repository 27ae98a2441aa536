using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>y = x: gives a loop's state or written value storage of its own when the body assigns it an existing value.</summary>
internal sealed class CopyPrimitive : Primitive
{
    public override OpKind Kind => OpKind.Copy;

    public override string Describe(Operation op) => op.Result + " = " + op.Operands[0];

    public override void EmitForward(Operation op, EmitContext c)
        => c.Writer.Line($"{Forward}.Copy({c.Value(op.Operands[0])}, {c.Value(op.Result)});");

    public override void EmitBackward(Operation op, EmitContext c)
    {
        string x = op.Operands[0];
        if (c.NeedsGradient(x))
            c.Writer.Line($"{Backward}.Pass({c.Gradient(op.Result)}, {c.Gradient(x)}, accumulate: {c.Accumulate(x)});");
    }
}
