using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>Element-wise a + b, a - b and a ⊙ b on two batches of the same shape.</summary>
internal sealed class ElementwisePrimitive : Primitive
{
    public ElementwisePrimitive(OpKind kind) => Kind = kind;

    public override OpKind Kind { get; }

    public override string Surface => $"a {Symbol} b, {Kind}(a, b)";

    public override string OpsMethod => Kind.ToString();

    public override int KnownWidth(Operation op, int[] widths, System.Func<string, ParameterSpec> parameter, System.Action<string> mismatch)
    {
        if (widths[0] != Unknown && widths[1] != Unknown && widths[0] != widths[1])
            mismatch($"'{op.Operands[0]}' has width {N(widths[0])} but '{op.Operands[1]}' has width {N(widths[1])}");
        return widths[0] != Unknown ? widths[0] : widths[1];
    }

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
