using System;
using System.Linq;
using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>Features side by side; the gradient of each operand is its column range of dy.</summary>
internal sealed class ConcatPrimitive : Primitive
{
    public override OpKind Kind => OpKind.Concat;

    public override string Surface => "Concat(a, b, ...)";

    public override int KnownWidth(Operation op, int[] widths, Func<string, ParameterSpec> parameter, Action<string> mismatch)
        => widths.All(w => w != Unknown) ? widths.Sum() : Unknown;

    public override string Width(Operation op, Func<string, string> width, EmitContext c) => string.Join(" + ", op.Operands.Select(width));

    public override void EmitForward(Operation op, EmitContext c)
    {
        string offset = "0";
        foreach (string part in op.Operands)
        {
            c.Writer.Line($"{Forward}.ConcatInto({c.Value(part)}, {c.Value(op.Result)}, offset: {offset});");
            offset = offset == "0" ? c.Value(part) + ".Cols" : offset + " + " + c.Value(part) + ".Cols";
        }
    }

    public override void EmitBackward(Operation op, EmitContext c)
    {
        string offset = "0";
        foreach (string part in op.Operands)
        {
            if (c.NeedsGradient(part))
                c.Writer.Line($"{Backward}.Concat({c.Gradient(op.Result)}, offset: {offset}, {c.Gradient(part)}, accumulate: {c.Accumulate(part)});");
            offset = offset == "0" ? c.Value(part) + ".Cols" : offset + " + " + c.Value(part) + ".Cols";
        }
    }
}
