using System.Collections.Generic;
using MeProp.Generators.Differentiation;
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

    public override IEnumerable<Step> Forward(Operation op, EmitContext c)
    {
        string x = op.Operands[0];
        Operand mask = new MemberOf(op.Result, "_mask"), rate = new Expression(op.Argument!);
        if (c.Fusion.DropoutMaySkip(op.Result))
            yield return new MaySharePass("DropoutOrSame", new[] { Value(x), rate, new RandomSource(), mask, new OwnBufferOf(op.Result) }, op.Result, x);
        else
            yield return ForwardCall("Dropout", Value(x), rate, new RandomSource(), mask, Value(op.Result));
    }

    public override IEnumerable<Step> Backward(Operation op, EmitContext c)
    {
        string x = op.Operands[0];
        if (!c.NeedsGradient(x)) yield break;
        Step masked = BackwardCall("Dropout", Gradient(op.Result), new MemberOf(op.Result, "_mask"), Gradient(x), Into(x));
        yield return c.Fusion.DropoutMaySkip(op.Result) ? new UnlessShared(op.Result, x, masked) : masked;
    }

    /// <summary>The tape member holding the dropout mask of <paramref name="op"/> (per step inside loops).</summary>
    public static string Mask(Operation op, EmitContext c) => c.Member(op.Result, "", "_mask");

    /// <summary>The tape member holding the buffer of a Dropout's result or gradient member that may instead share its operand's.</summary>
    public static string Storage(string member, EmitContext c) => c.Member(member, "", "_storage");
}
