using System.Collections.Generic;
using MeProp.Generators.Differentiation;
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

    public override IEnumerable<Step> Forward(Operation op, EmitContext c)
    {
        yield return ForwardCall(Kind.ToString(), Value(op.Operands[0]), Value(op.Operands[1]), Value(op.Result));
    }

    public override IEnumerable<Step> Backward(Operation op, EmitContext c)
    {
        Operand dy = Gradient(op.Result);
        string a = op.Operands[0], b = op.Operands[1];
        if (c.NeedsGradient(a))
        {
            yield return Kind == OpKind.Multiply
                ? BackwardCall("Multiply", dy, Value(b), Gradient(a), Into(a))
                : BackwardCall("Pass", dy, Gradient(a), Into(a));
        }
        if (c.NeedsGradient(b))
        {
            yield return Kind switch
            {
                OpKind.Multiply => BackwardCall("Multiply", dy, Value(a), Gradient(b), Into(b)),
                OpKind.Subtract => BackwardCall("Negate", dy, Gradient(b), Into(b)),
                _ => BackwardCall("Pass", dy, Gradient(b), Into(b)),
            };
        }
    }
}
