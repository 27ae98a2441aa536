using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>Element-wise a + b, a - b and a ⊙ b on two batches of the same shape.</summary>
internal sealed class ElementwisePrimitive : Primitive
{
    public ElementwisePrimitive(OpKind kind) => Kind = kind;

    public override OpKind Kind { get; }

    private string Symbol => Kind switch { OpKind.Add => "+", OpKind.Subtract => "-", _ => "*" };

    public override string Describe(Operation op) => op.Result + " = " + op.Operands[0] + " " + Symbol + " " + op.Operands[1];

    public override void EmitForward(Operation op, EmitContext c)
        => c.Writer.Line($"{Forward}.{Kind}({c.Value(op.Operands[0])}, {c.Value(op.Operands[1])}, {c.Value(op.Result)});");

    public override void EmitBackward(Operation op, EmitContext c)
    {
        string dy = c.Gradient(op.Result), a = op.Operands[0], b = op.Operands[1];
        if (c.NeedsGradient(a))
        {
            c.Writer.Line(Kind == OpKind.Multiply
                ? $"{Backward}.Multiply({dy}, {c.Value(b)}, {c.Gradient(a)}, accumulate: {c.Accumulate(a)});"
                : $"{Backward}.Pass({dy}, {c.Gradient(a)}, accumulate: {c.Accumulate(a)});");
        }
        if (c.NeedsGradient(b))
        {
            c.Writer.Line(Kind switch
            {
                OpKind.Multiply => $"{Backward}.Multiply({dy}, {c.Value(a)}, {c.Gradient(b)}, accumulate: {c.Accumulate(b)});",
                OpKind.Subtract => $"{Backward}.Negate({dy}, {c.Gradient(b)}, accumulate: {c.Accumulate(b)});",
                _ => $"{Backward}.Pass({dy}, {c.Gradient(b)}, accumulate: {c.Accumulate(b)});",
            });
        }
    }
}
