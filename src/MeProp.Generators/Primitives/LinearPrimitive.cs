using System.Collections.Generic;
using System.Linq;
using System;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>
/// y = x·Wᵀ (+ b): the operation meProp sparsifies. Its gradient rule is where top-k is fused in:
/// the kept entries of dy are chosen per example (or per batch), and dW, db and dx are formed from
/// them only; the selection runs on dL/dy after any activation derivative, as the paper specifies.
/// </summary>
internal sealed class LinearPrimitive : Primitive
{
    public override OpKind Kind => OpKind.Linear;

    public override string Surface => "W * x, W * x + b, Linear(W, x[, b])";

    public override int KnownWidth(Operation op, int[] widths, Func<string, ParameterSpec> parameter, Action<string> mismatch)
    {
        ParameterSpec w = parameter(op.Operands[0]);
        if (w.Cols != Unknown && widths[1] != Unknown && w.Cols != widths[1])
            mismatch($"'{w.Name}' has {N(w.Cols)} columns but is applied to '{op.Operands[1]}' of width {N(widths[1])}");
        if (op.Operands.Count == 3 && parameter(op.Operands[2]) is { Rows: not Unknown } b && w.Rows != Unknown && b.Rows != w.Rows)
            mismatch($"bias '{b.Name}' has {N(b.Rows)} elements but '{w.Name}' has {N(w.Rows)} output units");
        return w.Rows;
    }

    public override string Describe(Operation op)
        => op.Result + " = " + op.Operands[0] + " * " + op.Operands[1] + (op.Operands.Count == 3 ? " + " + op.Operands[2] : "");

    public override string Width(Operation op, Func<string, string> width, EmitContext c) => OwnerMember(c, op.Operands[0]) + ".Rows";

    public override IEnumerable<(string Type, string Name, string Initializer)> TapeMembers(Operation op, EmitContext context)
    {
        if (context.Activity.NeedsGradient(op.Result))
        {
            yield return ($"{EmitContext.Runtime}.Sparsity.LinearBackward<{context.T}>", BackwardState(op, context), "new()");
            if (context.DefersWeightGradient(op))
                yield return ($"{EmitContext.Runtime}.Sequence<{context.T}>", DySteps(op, context), $"new(1, __examples, this.{op.Result}.Features)");
        }
    }

    public override IEnumerable<Step> Forward(Operation op, EmitContext c)
    {
        Operand w = Value(op.Operands[0]);
        if (c.InputPartBeforeLoop(op, out bool whole) is { } stepRead)
        {
            yield return whole
                ? new Comment($"{op.Result}: formed for every step before the loop")
                : ForwardCall("LinearRemainingColumns", w, Value(op.Operands[1]), new Named("from", new StepWidthOf(stepRead)), Value(op.Result));
            yield break;
        }
        yield return ForwardCall("Linear", w, Value(op.Operands[1]), Bias(op), Value(op.Result));
    }

    private static Operand Bias(Operation op) => op.Operands.Count == 3 ? Value(op.Operands[2]) : new NoOperand();

    /// <summary>
    /// Before a loop: the part of this body operation's product that does not depend on the loop's
    /// state, for every step at once (<see cref="EmitContext.InputPartBeforeLoop"/>).
    /// </summary>
    public static Step BeforeLoop(Operation op, EmitContext c)
    {
        string stepRead = c.InputPartBeforeLoop(op, out bool whole)!;
        Operand w = Value(op.Operands[0]);
        return whole
            ? new KernelStep(Pass.Forward, "Linear", new[] { w, new AllStepsOf(stepRead), Bias(op), new AllStepsOf(op.Result) }, $"{op.Result} of every step")
            : new KernelStep(Pass.Forward, "LinearLeadingColumns", new[] { w, new AllStepsOf(stepRead), Bias(op), new AllStepsOf(op.Result) },
                             $"{op.Result} of every step, {c.StepReadSequence(stepRead)}[t]'s columns; each step adds the rest");
    }

    // Where meProp selects; the backend prints the selection and the products (CpuPrinter: the
    // runtime's LinearBackward state of this operation).
    public override IEnumerable<Step> Backward(Operation op, EmitContext c)
    {
        yield return new SelectAndFormGradients(op, c.Fusion.FusedRelu(op.Result), c.DefersWeightGradient(op));
    }

    /// <summary>
    /// The operands after dy of the runtime's linear backward, on either backend: x, W, dW, db (or
    /// null), dx (or null), whether dx is added to (this counts as the contribution to x's
    /// gradient, so call it where the call is written), K and the mode.
    /// </summary>
    public static string BackwardArguments(Operation op, EmitContext c)
    {
        string w = op.Operands[0], x = op.Operands[1];
        string bias = op.Operands.Count == 3 ? c.ParameterGradient(op.Operands[2]) : "null";
        string dx = c.NeedsGradient(x) ? c.Gradient(x) : "null";
        string accumulate = c.NeedsGradient(x) ? c.Accumulate(x) : "false";
        return $"{c.Value(x)}, {c.Value(w)}, {c.ParameterGradient(w)}, {bias}, {dx}, accumulateDx: {accumulate}, {K(op, c)}, settings.Mode";
    }

    /// <summary>The K of this operation's selection, as C#: the output layer has its own.</summary>
    public static string K(Operation op, EmitContext c) => c.Activity.IsOutputLayer(op.Result) ? "settings.OutputLayerK" : "settings.K";

    /// <summary>The tape member keeping every step's dy of a loop body's operation whose weight gradient is deferred.</summary>
    public static string DySteps(Operation op, EmitContext c) => c.Member(op.Result, "", "_dySteps");

    /// <summary>The tape member holding this operation's LinearBackward state (its selections, its scratch).</summary>
    public static string BackwardState(Operation op, EmitContext c) => c.Member(op.Result, "", "_backward");
}
