using System;
using System.Collections.Generic;
using System.Linq;
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

    public override void EmitForward(Operation op, EmitContext c)
    {
        string w = c.Value(op.Operands[0]);
        if (c.InputPartBeforeLoop(op, out bool whole) is { } stepRead)
        {
            if (whole)
                c.Writer.Line($"// {op.Result}: formed for every step before the loop");
            else
                c.Writer.Line($"{Forward}.LinearRemainingColumns({w}, {c.Value(op.Operands[1])}, from: {c.StepReadWidth(stepRead)}, {c.Value(op.Result)});");
            return;
        }
        string bias = op.Operands.Count == 3 ? c.Value(op.Operands[2]) : "null";
        c.Writer.Line($"{Forward}.Linear({w}, {c.Value(op.Operands[1])}, {bias}, {c.Value(op.Result)});");
    }

    /// <summary>
    /// Before a loop: the part of this body operation's product that does not depend on the loop's
    /// state, for every step at once (<see cref="EmitContext.InputPartBeforeLoop"/>).
    /// </summary>
    public static void EmitBeforeLoop(Operation op, EmitContext c)
    {
        string stepRead = c.InputPartBeforeLoop(op, out bool whole)!;
        string w = c.Value(op.Operands[0]);
        string bias = op.Operands.Count == 3 ? c.Value(op.Operands[2]) : "null";
        if (whole)
            c.Writer.Line($"{Forward}.Linear({w}, {c.AllSteps(stepRead)}, {bias}, {c.AllSteps(op.Result)}); // {op.Result} of every step");
        else
            c.Writer.Line($"{Forward}.LinearLeadingColumns({w}, {c.AllSteps(stepRead)}, {bias}, {c.AllSteps(op.Result)}); // {op.Result} of every step, {c.StepReadSequence(stepRead)}[t]'s columns; each step adds the rest");
    }

    /// <summary>The comment before the backward call: what meProp keeps and which gradients use it.</summary>
    public static void EmitSelectionNote(Operation op, EmitContext c)
    {
        string w = op.Operands[0], x = op.Operands[1];
        var targets = new List<string> { w };
        if (op.Operands.Count == 3) targets.Add(op.Operands[2]);
        if (c.NeedsGradient(x)) targets.Add(x);
        string list = targets.Count == 1 ? targets[0] : string.Join(", ", targets.Take(targets.Count - 1)) + " and " + targets[targets.Count - 1];
        c.Writer.Line($"// meProp: keep {K(op, c)} entries of {GradientName(op.Result, c)} (chosen per settings.Mode); the gradients of {list} use only those{(c.NeedsGradient(x) ? "" : $" ({x} needs none)")}.");
    }

    public override void EmitBackward(Operation op, EmitContext c)
    {
        string w = op.Operands[0], x = op.Operands[1];
        string bias = op.Operands.Count == 3 ? c.ParameterGradient(op.Operands[2]) : "null";
        string dx = c.NeedsGradient(x) ? c.Gradient(x) : "null";
        string accumulate = c.NeedsGradient(x) ? c.Accumulate(x) : "false";
        string state = $"{EmitContext.Tape}.{BackwardState(op, c)}";
        string rest = $"{c.Value(x)}, {c.Value(w)}, {c.ParameterGradient(w)}, {bias}, {dx}, accumulateDx: {accumulate}, {K(op, c)}, settings.Mode, __mepropRandom";
        Operation? relu = c.Fusion.FusedRelu(op.Result);
        if (c.DefersWeightGradient(op))
        {
            c.Writer.Line($"{state}.RunStep({c.Gradient(op.Result)}, {rest}, {c.StepMember(DySteps(op, c), op.Result)});");
        }
        else if (relu is null)
        {
            c.Writer.Line($"{state}.Run({c.Gradient(op.Result)}, {rest});");
        }
        else
        {
            // The Relu's derivative and the top-k selection in one pass over each row of dL/dy.
            c.Accumulate(op.Result);
            c.Writer.Line($"{state}.RunThroughRelu({c.Gradient(relu.Result)}, {c.Value(relu.Result)}, {c.Gradient(op.Result)}, {rest});");
        }
    }

    /// <summary>After the loop: the weight and bias gradients a dense backward deferred, from every step at once.</summary>
    public static void EmitFinishSteps(Operation op, EmitContext c)
    {
        string bias = op.Operands.Count == 3 ? c.ParameterGradient(op.Operands[2]) : "null";
        c.Writer.Line($"{EmitContext.Tape}.{BackwardState(op, c)}.FinishSteps({EmitContext.Tape}.{DySteps(op, c)}.AllSteps, {c.AllSteps(op.Operands[1])}, {c.ParameterGradient(op.Operands[0])}, {bias}); // {op.Result}: d{op.Operands[0]} of every step, when the steps ran densely");
    }

    // The K of this operation's selection: the output layer has its own.
    private static string K(Operation op, EmitContext c) => c.Activity.IsOutputLayer(op.Result) ? "settings.OutputLayerK" : "settings.K";

    private static string DySteps(Operation op, EmitContext c) => c.Member(op.Result, "", "_dySteps");

    private static string GradientName(string value, EmitContext c) => c.Gradient(value).Replace(EmitContext.Tape + ".", "");

    private static string BackwardState(Operation op, EmitContext c) => c.Member(op.Result, "", "_backward");
}
