using System;
using System.Collections.Generic;
using MeProp.Generators.Model;

namespace MeProp.Generators.Emit;

/// <summary>How a gradient buffer of the tape is kept.</summary>
internal enum BufferKind
{
    /// <summary>One batch (a body value's: reused by every step of the backward loop).</summary>
    Batch,

    /// <summary>One step per step of the inputs (a filled or reversed sequence's gradient).</summary>
    Sequence,

    /// <summary>A reference set at every call to either its operand's gradient or a batch of its own (the CPU's dropout at rate 0).</summary>
    MayShare,
}

/// <summary>The gradient buffers a model's tape holds, in the order both backends declare them.</summary>
internal static class GradientBuffers
{
    /// <summary>
    /// A batch per value that needs a gradient (one per body value), a sequence per filled sequence;
    /// step reads write their sequence's, the output's is dOutput, and a value the backend writes into
    /// a Concat's columns reads its gradient from the Concat's. <paramref name="width"/> gives each
    /// value's width as C# in the tape's constructor.
    /// </summary>
    public static IEnumerable<(BufferKind Kind, string Member, string Width)> Of(EmitContext c, Func<string, string> width)
    {
        ModelSpec m = c.Model;
        foreach (Operation op in EmitContext.AllOperations(m.Operations))
        {
            if (op.Kind == OpKind.Loop)
            {
                LoopSpec loop = op.Loop!;
                foreach (LoopState state in loop.States)
                    if (c.NeedsGradient(state.Phi) && state.Phi != m.Output) yield return (BufferKind.Batch, c.GradientMember(state.Phi), width(state.Phi));
                foreach (LoopState state in loop.States)
                    if (c.NeedsGradient(state.Final) && state.Final != m.Output) yield return (BufferKind.Batch, c.GradientMember(state.Final), width(state.Final));
                foreach (LoopOutput output in loop.Outputs)
                    if (c.NeedsGradient(output.Sequence) && output.Sequence != m.Output) yield return (BufferKind.Sequence, c.GradientMember(output.Sequence), width(output.Sequence));
                continue;
            }
            if (op.Kind == OpKind.StepRead || !c.NeedsGradient(op.Result) || op.Result == m.Output) continue;
            if (c.Fusion.ConcatHolding(op.Result) is not null) continue; // its gradient is read from the Concat's
            BufferKind kind = c.Fusion.DropoutMaySkip(op.Result) ? BufferKind.MayShare : c.IsSequence(op.Result) ? BufferKind.Sequence : BufferKind.Batch;
            yield return (kind, c.GradientMember(op.Result), width(op.Result));
        }
    }
}
