using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>y = x + b for a bias not directly after a linear operation: its gradient is dense (the column sums of dy).</summary>
internal sealed class AddBiasPrimitive : Primitive
{
    public override OpKind Kind => OpKind.AddBias;

    public override string Surface => "x + b, AddBias(x, b)";

    public override int KnownWidth(Operation op, int[] widths, System.Func<string, ParameterSpec> parameter, System.Action<string> mismatch)
    {
        ParameterSpec b = parameter(op.Operands[1]);
        if (b.Rows != Unknown && widths[0] != Unknown && b.Rows != widths[0])
            mismatch($"bias '{b.Name}' has {N(b.Rows)} elements but '{op.Operands[0]}' has width {N(widths[0])}");
        return widths[0] != Unknown ? widths[0] : b.Rows;
    }

    public override string Describe(Operation op) => op.Result + " = " + op.Operands[0] + " + " + op.Operands[1];

    public override void EmitForward(Operation op, EmitContext c)
        => c.Writer.Line($"{Forward}.AddBias({c.Value(op.Operands[0])}, {c.Value(op.Operands[1])}, {c.Value(op.Result)});");

    public override void EmitBackward(Operation op, EmitContext c)
    {
        string x = op.Operands[0], b = op.Operands[1];
        if (c.NeedsGradient(x))
            c.Writer.Line($"{Backward}.Pass({c.Gradient(op.Result)}, {c.Gradient(x)}, accumulate: {c.Accumulate(x)});");
        c.Writer.Line($"{Backward}.Bias({c.Gradient(op.Result)}, {c.ParameterGradient(b)});");
    }
}
