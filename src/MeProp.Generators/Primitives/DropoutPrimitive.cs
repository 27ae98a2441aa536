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
            : ($"{EmitContext.Runtime}.Batch<{context.T}>", Mask(op, context), $"new(__examples, this.{op.Result}.Cols)");
    }

    public override void EmitForward(Operation op, EmitContext c)
        => c.Writer.Line($"{Forward}.Dropout({c.Value(op.Operands[0])}, {op.Argument}, __mepropRandom, {c.StepMember(Mask(op, c), op.Result)}, {c.Value(op.Result)});");

    public override void EmitBackward(Operation op, EmitContext c)
    {
        string x = op.Operands[0];
        if (c.NeedsGradient(x))
            c.Writer.Line($"{Backward}.Dropout({c.Gradient(op.Result)}, {c.StepMember(Mask(op, c), op.Result)}, {c.Gradient(x)}, accumulate: {c.Accumulate(x)});");
    }

    private static string Mask(Operation op, EmitContext c) => c.Member(op.Result, "", "_mask");
}
