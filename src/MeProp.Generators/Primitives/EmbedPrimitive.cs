using System.Collections.Generic;
using System;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>Embedding lookup by ids; the gradient scatters into the looked-up rows of the table only.</summary>
internal sealed class EmbedPrimitive : Primitive
{
    public override OpKind Kind => OpKind.Embed;

    public override string Surface => "Embed(E, ids)";

    public override string OpsMethod => "Embed";

    // Positions per example are known only at run time.
    public override int KnownWidth(Operation op, int[] widths, Func<string, ParameterSpec> parameter, Action<string> mismatch) => Unknown;

    public override string Width(Operation op, Func<string, string> width, EmitContext c) => $"{width(op.Operands[1])} * {OwnerMember(c, op.Operands[0])}.Cols";

    public override IEnumerable<Step> Forward(Operation op, EmitContext c)
    {
        Operand table = Value(op.Operands[0]), ids = Value(op.Operands[1]);
        if (c.Fusion.ConcatHolding(op.Result) is { } place)
            yield return new KernelStep(Pass.Forward, "Embed", new[] { table, ids, Value(place.Concat.Result), new Named("offset", new ColumnOffset(place.Concat, place.Index)) },
                                        $"written into its place in {place.Concat.Result}");
        else
            yield return ForwardCall("Embed", table, ids, Value(op.Result));
    }

    public override IEnumerable<Step> Backward(Operation op, EmitContext c)
    {
        Operand ids = Value(op.Operands[1]), dTable = new ParameterGradientOf(op.Operands[0]);
        if (c.Fusion.ConcatHolding(op.Result) is { } place)
            yield return BackwardCall("Embed", Gradient(place.Concat.Result), new Named("offset", new ColumnOffset(place.Concat, place.Index)), ids, dTable);
        else
            yield return BackwardCall("Embed", Gradient(op.Result), ids, dTable);
    }
}
