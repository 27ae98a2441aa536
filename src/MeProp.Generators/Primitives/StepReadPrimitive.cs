using System.Collections.Generic;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>
/// x[t], step t of a sequence inside a loop. Nothing is computed: the value is the sequence's step
/// (a view), and the gradient contributions of its readers go straight into step t of the
/// sequence's gradient (<see cref="EmitContext.Gradient"/>), so it has no code of its own.
/// </summary>
internal sealed class StepReadPrimitive : Primitive
{
    public override OpKind Kind => OpKind.StepRead;

    public override string Describe(Operation op) => op.Result + " = " + op.Operands[0] + "[t]";

    public override IEnumerable<Step> Forward(Operation op, EmitContext c) => None;

    public override IEnumerable<Step> Backward(Operation op, EmitContext c) => None;
}
