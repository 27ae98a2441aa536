using System.Collections.Generic;
using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>Inverted dropout: the training pass draws a mask from the model's seeded source; the gradient is masked the same way.</summary>
internal sealed class DropoutPrimitive : Primitive
{
    public override OpKind Kind => OpKind.Dropout;

    public override string Surface => "Dropout(x, p)";

    public override string Describe(Operation op) => $"{op.Result} = Dropout({op.Operands[0]}, p: {op.Argument})";

    public override IEnumerable<(string Type, string Name, string Initializer)> TapeMembers(Operation op, EmitContext context)
    {
        yield return context.HasStepStorage(op.Result)
            ? ($"{EmitContext.Runtime}.Sequence<{context.T}>", Mask(op, context), $"new(1, __examples, this.{op.Result}.Features)")
            : ($"{EmitContext.Runtime}.Batch<{context.T}>", Mask(op, context),
               $"new(__examples, this.{(context.Fusion.DropoutMaySkip(op.Result) ? Storage(op.Result, context) : op.Result)}.Cols)");
    }

    public override void EmitForward(Operation op, EmitContext c)
    {
        string x = op.Operands[0];
        if (c.Fusion.DropoutMaySkip(op.Result))
        {
            // The tape's result and gradient members are references here, set at every call (Storage).
            c.Writer.Line($"{c.Value(op.Result)} = {Forward}.DropoutOrSame({c.Value(x)}, {op.Argument}, __mepropRandom, {c.StepMember(Mask(op, c), op.Result)}, {EmitContext.Tape}.{Storage(op.Result, c)});");
            if (c.NeedsGradient(op.Result))
                c.Writer.Line($"{c.Gradient(op.Result)} = global::System.Object.ReferenceEquals({c.Value(op.Result)}, {c.Value(x)}) ? {c.Gradient(x)} : {EmitContext.Tape}.{Storage(c.GradientMember(op.Result), c)};");
        }
        else
            c.Writer.Line($"{Forward}.Dropout({c.Value(x)}, {op.Argument}, __mepropRandom, {c.StepMember(Mask(op, c), op.Result)}, {c.Value(op.Result)});");
    }

    public override void EmitBackward(Operation op, EmitContext c)
    {
        string x = op.Operands[0];
        if (!c.NeedsGradient(x)) return;
        if (c.Fusion.DropoutMaySkip(op.Result))
        {
            c.Writer.Line($"if (!global::System.Object.ReferenceEquals({c.Gradient(op.Result)}, {c.Gradient(x)})) // at rate 0 the two share one buffer, which holds the gradient already");
            c.Writer.Line($"    {Backward}.Dropout({c.Gradient(op.Result)}, {c.StepMember(Mask(op, c), op.Result)}, {c.Gradient(x)}, accumulate: {c.Accumulate(x)});");
        }
        else
            c.Writer.Line($"{Backward}.Dropout({c.Gradient(op.Result)}, {c.StepMember(Mask(op, c), op.Result)}, {c.Gradient(x)}, accumulate: {c.Accumulate(x)});");
    }

    private static string Mask(Operation op, EmitContext c) => c.Member(op.Result, "", "_mask");

    /// <summary>The tape member holding the buffer of a Dropout's result or gradient member that may instead share its operand's.</summary>
    public static string Storage(string member, EmitContext c) => c.Member(member, "", "_storage");
}
