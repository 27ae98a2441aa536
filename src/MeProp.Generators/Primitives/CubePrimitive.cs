using System.Collections.Generic;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>
/// Cube: y = x³ element-wise (the activation of Chen and Manning's parser), with the dense
/// derivative 3x² taken from the activation's input.
/// </summary>
/// <remarks>
/// <para>Not an <see cref="ActivationPrimitive"/>: those take their derivative from the output, and
/// 3x² from y = x³ needs a cube root, which costs more than the product and is not exact. The input
/// is on the tape already (every forward value is recorded there, which the element-wise product's
/// rule relies on too), so the rule reads it through <see cref="EmitContext.Value"/>: a batch, a
/// step of a loop's storage, or a state's value when the step started.</para>
/// <para>No fusion with the linear operation's top-k selection: that fused pass
/// (LinearBackward.RunThroughRelu) is ReLU's derivative, and activity analysis offers it to Relu only.</para>
/// </remarks>
internal sealed class CubePrimitive : Primitive
{
    public override OpKind Kind => OpKind.Cube;

    public override string Surface => "Cube(x)";

    public override string OpsMethod => "Cube";

    public override IEnumerable<Step> Forward(Operation op, EmitContext c)
    {
        yield return ForwardCall("Cube", Value(op.Operands[0]), Value(op.Result));
    }

    // 3x² from the input.
    public override IEnumerable<Step> Backward(Operation op, EmitContext c)
    {
        string x = op.Operands[0];
        if (c.NeedsGradient(x))
            yield return BackwardCall("Cube", Gradient(op.Result), Value(x), Gradient(x), Into(x));
    }
}
