using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>Relu, Tanh and Sigmoid: dense element-wise derivatives, taken from the activation's output.</summary>
internal sealed class ActivationPrimitive : Primitive
{
    public ActivationPrimitive(OpKind kind) => Kind = kind;

    public override OpKind Kind { get; }

    public override string Surface => Kind + "(x)";

    public override string OpsMethod => Kind.ToString();

    public override void EmitForward(Operation op, EmitContext c)
        => c.Writer.Line($"{Forward}.{Kind}({c.Value(op.Operands[0])}, {c.Value(op.Result)});");

    public override void EmitBackward(Operation op, EmitContext c)
    {
        string x = op.Operands[0];
        if (c.NeedsGradient(x))
            c.Writer.Line($"{Backward}.{Kind}({c.Gradient(op.Result)}, {c.Value(op.Result)}, {c.Gradient(x)}, accumulate: {c.Accumulate(x)});");
    }
}
