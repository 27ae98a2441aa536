using System.Collections.Generic;
using MeProp.Generators.Differentiation;
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

    public override IEnumerable<Step> Forward(Operation op, EmitContext c)
    {
        yield return ForwardCall("AddBias", Value(op.Operands[0]), Value(op.Operands[1]), Value(op.Result));
    }

    public override IEnumerable<Step> Backward(Operation op, EmitContext c)
    {
        string x = op.Operands[0], b = op.Operands[1];
        if (c.NeedsGradient(x))
            yield return BackwardCall("Pass", Gradient(op.Result), Gradient(x), Into(x));
        yield return BackwardCall("Bias", Gradient(op.Result), new ParameterGradientOf(b));
    }
}
