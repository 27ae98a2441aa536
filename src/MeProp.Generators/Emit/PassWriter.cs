using System.Collections.Generic;
using System.Linq;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Model;
using MeProp.Generators.Primitives;

namespace MeProp.Generators.Emit;

/// <summary>
/// Writes the operations of ForwardTrain and Backward in order, loops over sequences included
/// (phis, back propagation through time, the states' carried gradients), for any backend: each
/// primitive's steps, and the loops' own gradient copies, go to the backend's printer
/// (<see cref="Print"/>). What only one backend does (the CPU runs independent loops on two
/// threads) is a hook a subclass overrides.
/// </summary>
internal abstract class PassWriter
{
    protected PassWriter(EmitContext context) => C = context;

    protected EmitContext C { get; }

    /// <summary>Prints one step in the backend's form.</summary>
    protected abstract void Print(Step step);

    /// <summary>
    /// The index of a top-level loop that this backend runs at the same time as the loop at
    /// <paramref name="i"/>, or -1 (the default: loops run one after another).
    /// </summary>
    protected virtual int ConcurrentPartner(IReadOnlyList<Operation> operations, int i) => -1;

    /// <summary>Writes two loops that run at the same time (only called when <see cref="ConcurrentPartner"/> found a pair).</summary>
    protected virtual void WriteConcurrentLoops(LoopSpec first, LoopSpec second)
        => throw new System.InvalidOperationException("This backend runs no loops concurrently.");

    private void Print(IEnumerable<Step> steps)
    {
        foreach (Step step in steps) Print(step);
    }

    public void ForwardOperations(IReadOnlyList<Operation> operations)
    {
        string? statement = null;
        for (int i = 0; i < operations.Count; i++)
        {
            Operation op = operations[i];
            if (op.Kind == OpKind.Loop)
            {
                int partner = ConcurrentPartner(operations, i);
                if (partner < 0)
                    ForwardLoop(op.Loop!);
                else
                {
                    ForwardOperations(Slice(operations, i + 1, partner)); // they do not read the first loop
                    WriteConcurrentLoops(op.Loop!, operations[partner].Loop!);
                    i = partner;
                }
                statement = null;
                continue;
            }
            if (op.Kind == OpKind.StepRead) continue; // a view of the sequence's step: nothing to compute
            if (op.Source != statement)
            {
                statement = op.Source;
                C.Writer.Line();
                C.Writer.Line("// " + OneLine(op.Source));
            }
            Print(Primitive.For(op.Kind).Forward(op, C));
        }
    }

    private static List<Operation> Slice(IReadOnlyList<Operation> operations, int from, int to)
    {
        var slice = new List<Operation>();
        for (int i = from; i < to; i++) slice.Add(operations[i]);
        return slice;
    }

    protected void ForwardLoop(LoopSpec loop)
    {
        IndentedWriter w = C.Writer;
        var beforeLoop = loop.Body.Where(o => C.InputPartBeforeLoop(o, out _) is not null).ToList();
        if (beforeLoop.Count > 0)
        {
            w.Line();
            w.Line("// The parts of the loop's products that do not depend on its state, for every step at once.");
            foreach (Operation product in beforeLoop) Print(LinearPrimitive.BeforeLoop(product, C));
        }
        w.Line();
        w.Line("// " + loop.Header);
        using (w.Block(LoopHeader(loop, backward: false)))
        {
            Phis(loop);
            ForwardOperations(loop.Body);
        }
    }

    // The loop over steps, in the forward method's order or in reverse for back propagation through time.
    private string LoopHeader(LoopSpec loop, bool backward)
    {
        string t = loop.Index, length = C.SequenceValue(loop.Sequence) + ".Length";
        return loop.Reverse != backward
            ? $"for (int {t} = {length} - 1; {t} >= 0; {t}--)"
            : $"for (int {t} = 0; {t} < {length}; {t}++)";
    }

    private void Phis(LoopSpec loop)
    {
        foreach (LoopState state in loop.States)
            C.Writer.Line($"var {state.Phi} = {C.PhiInitializer(state.Phi)}; // {state.Local} when the step starts");
    }

    public void BackwardOperations(IReadOnlyList<Operation> operations)
    {
        IndentedWriter w = C.Writer;
        for (int i = operations.Count - 1; i >= 0; i--)
        {
            Operation op = operations[i];
            if (op.Kind == OpKind.Loop)
            {
                BackwardLoop(op.Loop!);
                continue;
            }
            if (op.Kind == OpKind.StepRead || !C.Activity.NeedsGradient(op.Result) || C.Fusion.IsFusedIntoLinear(op)) continue;
            IPrimitive primitive = Primitive.For(op.Kind);
            Operation? relu = op.Kind == OpKind.Linear ? C.Fusion.FusedRelu(op.Result) : null;
            string what = relu is null ? primitive.Describe(op) : Primitive.For(OpKind.Relu).Describe(relu) + ", fused with " + primitive.Describe(op);
            string source = relu is null || relu.Source == op.Source ? OneLine(op.Source) : OneLine(op.Source) + " " + OneLine(relu.Source);
            w.Line();
            w.Line($"// grad of: {what}    [{source}]");
            Print(primitive.Backward(op, C));
        }
    }

    // dx (+)= dy and dx = 0, the loops' own gradient steps.
    private static KernelStep PassGradient(Operand dy, Operand dx, Operand accumulate, string? note)
        => new(Pass.Backward, "Pass", new[] { dy, dx, accumulate }, note);

    private static KernelStep ZeroGradient(string name, string note) => new(Pass.Backward, "Zero", new Operand[] { new GradientOf(name) }, note);

    private static Operand Overwrite { get; } = new Named("accumulate", new Literal("false"));

    // Back propagation through time: the steps in reverse order, each a reverse pass over the body.
    // A state's gradient is carried from step to step in its Next's buffer: before the loop it holds
    // the gradient of the value after the loop; each step adds what the step's own uses contribute,
    // back-propagates, and leaves the phi's gradient there for the previous step; after the loop the
    // phi's gradient is the initial value's.
    private void BackwardLoop(LoopSpec loop)
    {
        IndentedWriter w = C.Writer;
        bool any = loop.Body.Any(o => o.Kind != OpKind.StepRead && C.Activity.NeedsGradient(o.Result));
        if (!any) return;
        w.Line();
        w.Line($"// grad of: {loop.Header}    (back propagation through time: the steps in reverse order)");
        foreach (LoopState state in loop.States.Where(s => C.NeedsGradient(s.Next)))
        {
            if (C.NeedsGradient(state.Final))
                Print(PassGradient(new GradientOf(state.Final), new GradientOf(state.Next), Overwrite, $"{state.Local} after the loop"));
            else
                Print(ZeroGradient(state.Next, $"{state.Local} is not used after the loop"));
            C.MarkContributed(state.Next);
        }
        // Values from outside the loop that every step reads: their gradients sum over the steps.
        var defined = new HashSet<string>(loop.Body.Select(o => o.Result).Concat(loop.States.Select(s => s.Phi)));
        foreach (string outside in loop.Body.SelectMany(o => o.Operands).Distinct())
        {
            if (defined.Contains(outside) || C.IsParameter(outside) || C.IsSequence(outside) || !C.NeedsGradient(outside) || C.HasContribution(outside)) continue;
            Print(ZeroGradient(outside, "read by every step: the steps add their parts"));
            C.MarkContributed(outside);
        }
        using (w.Block(LoopHeader(loop, backward: true)))
        {
            Phis(loop);
            foreach (LoopOutput output in loop.Outputs)
            {
                if (!C.Activity.NeedsGradient(output.Sequence) || !C.NeedsGradient(output.Value)) continue;
                Print(PassGradient(new StepOf(new GradientOf(output.Sequence), loop.Index), new GradientOf(output.Value), new AccumulateInto(output.Value),
                                   $"written to {output.Sequence}[{loop.Index}]"));
            }
            BackwardOperations(loop.Body);
            bool carried = false;
            foreach (LoopState state in loop.States.Where(s => C.NeedsGradient(s.Next)))
            {
                if (!carried) { w.Line(); w.Line("// The states' gradients, carried to the previous step."); carried = true; }
                if (C.NeedsGradient(state.Phi) && C.HasContribution(state.Phi))
                    Print(PassGradient(new GradientOf(state.Phi), new GradientOf(state.Next), Overwrite, note: null));
                else
                    Print(ZeroGradient(state.Next, $"this step does not read {state.Local}"));
            }
        }
        var deferred = loop.Body.Where(o => C.DefersWeightGradient(o) && C.Activity.NeedsGradient(o.Result)).ToList();
        if (deferred.Count > 0)
        {
            w.Line("// The weight gradients of the loop's linear operations, formed once from every step where the steps ran densely.");
            foreach (Operation op in deferred) Print(new FormDeferredWeightGradients(op));
        }
        foreach (LoopState state in loop.States)
        {
            if (!C.NeedsGradient(state.Initial) || !C.NeedsGradient(state.Phi) || !C.HasContribution(state.Phi)) continue;
            Print(PassGradient(new GradientOf(state.Phi), new GradientOf(state.Initial), new AccumulateInto(state.Initial), $"{state.Local} before the first step"));
        }
    }

    /// <summary>A statement's source on one line, for the comments above its code.</summary>
    public static string OneLine(string source)
        => string.Join(" ", source.Split(new[] { '\r', '\n' }, System.StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()));
}
