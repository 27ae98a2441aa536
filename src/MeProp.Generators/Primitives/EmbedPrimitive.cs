using System;
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

    public override void EmitForward(Operation op, EmitContext c)
    {
        if (c.Fusion.ConcatHolding(op.Result) is { } place)
            c.Writer.Line($"{Forward}.Embed({c.Value(op.Operands[0])}, {c.Value(op.Operands[1])}, {c.Value(place.Concat.Result)}, offset: {c.ConcatOffset(place.Concat, place.Index)}); // written into its place in {place.Concat.Result}");
        else
            c.Writer.Line($"{Forward}.Embed({c.Value(op.Operands[0])}, {c.Value(op.Operands[1])}, {c.Value(op.Result)});");
    }

    public override void EmitBackward(Operation op, EmitContext c)
    {
        if (c.Fusion.ConcatHolding(op.Result) is { } place)
            c.Writer.Line($"{Backward}.Embed({c.Gradient(place.Concat.Result)}, offset: {c.ConcatOffset(place.Concat, place.Index)}, {c.Value(op.Operands[1])}, {c.ParameterGradient(op.Operands[0])});");
        else
            c.Writer.Line($"{Backward}.Embed({c.Gradient(op.Result)}, {c.Value(op.Operands[1])}, {c.ParameterGradient(op.Operands[0])});");
    }
}
