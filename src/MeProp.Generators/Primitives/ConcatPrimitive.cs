using System.Collections.Generic;
using System.Linq;
using System;
using MeProp.Generators.Differentiation;
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

    // Operands that are Embeds written into this Concat's columns (Fusion.ConcatHolding) are skipped:
    // their lookup and their table's gradient use the Concat's buffers directly.
    public override IEnumerable<Step> Forward(Operation op, EmitContext c)
    {
        for (int i = 0; i < op.Operands.Count; i++)
        {
            string part = op.Operands[i];
            if (c.Fusion.ConcatHolding(part) is null)
                yield return ForwardCall("ConcatInto", Value(part), Value(op.Result), new Named("offset", new ColumnOffset(op, i)));
        }
    }

    public override IEnumerable<Step> Backward(Operation op, EmitContext c)
    {
        for (int i = 0; i < op.Operands.Count; i++)
        {
            string part = op.Operands[i];
            if (c.NeedsGradient(part) && c.Fusion.ConcatHolding(part) is null)
                yield return BackwardCall("Concat", Gradient(op.Result), new Named("offset", new ColumnOffset(op, i)), Gradient(part), Into(part));
        }
    }
}
