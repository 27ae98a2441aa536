using System.Collections.Generic;
using System.Linq;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Primitives;

namespace MeProp.Generators.Emit;

/// <summary>
/// The CPU backend's printer: each step of a forward computation or gradient rule becomes a call of
/// the CPU runtime (MeProp.Kernels, MeProp.Sparsity) on the tape's buffers.
/// </summary>
internal static class CpuPrinter
{
    private const string ForwardKernels = EmitContext.Runtime + ".Kernels.ForwardKernels";
    private const string BackwardKernels = EmitContext.Runtime + ".Kernels.BackwardKernels";

    public static void Print(IEnumerable<Step> steps, EmitContext c)
    {
        foreach (Step step in steps) Print(step, c);
    }

    public static void Print(Step step, EmitContext c)
    {
        IndentedWriter w = c.Writer;
        switch (step)
        {
            case KernelStep k:
                w.Line($"{(k.Pass == Pass.Forward ? ForwardKernels : BackwardKernels)}.{k.Kernel}({Arguments(k.Operands, c)});{Note(k.Note)}");
                break;
            case MaySharePass s:
                // The tape's result and gradient members are references here, set at every call.
                w.Line($"{c.Value(s.Result)} = {ForwardKernels}.{s.Kernel}({Arguments(s.Operands, c)});");
                if (c.NeedsGradient(s.Result))
                    w.Line($"{c.Gradient(s.Result)} = global::System.Object.ReferenceEquals({c.Value(s.Result)}, {c.Value(s.Source)}) ? {c.Gradient(s.Source)} : {EmitContext.Tape}.{DropoutPrimitive.Storage(c.GradientMember(s.Result), c)};");
                break;
            case UnlessShared u:
                w.Line($"if (!global::System.Object.ReferenceEquals({c.Gradient(u.Result)}, {c.Gradient(u.Source)})) // at rate 0 the two share one buffer, which holds the gradient already");
                using (w.Indented()) Print(u.Inner, c);
                break;
            case SelectAndFormGradients s:
                PrintLinearBackward(s, c);
                break;
            case FormDeferredWeightGradients s:
                PrintDeferredWeightGradients(s, c);
                break;
            case Comment comment:
                w.Line("// " + comment.Text);
                break;
            default:
                throw new System.InvalidOperationException("No CPU form for the step " + step);
        }
    }

    private static string Note(string? note) => note is null ? "" : " // " + note;

    private static string Arguments(IEnumerable<Operand> operands, EmitContext c) => string.Join(", ", operands.Select(o => Argument(o, c)));

    private static string Argument(Operand operand, EmitContext c) => StepOperands.Print(operand, c, o => o switch
    {
        MemberOf m => c.StepMember(c.Member(m.Value, "", m.Suffix), m.Value),
        AllStepsOf a => c.AllSteps(a.Name),
        StepWidthOf s => c.StepReadWidth(s.StepRead),
        OwnBufferOf b => EmitContext.Tape + "." + DropoutPrimitive.Storage(b.Name, c),
        Expression e => e.Code,
        RandomSource => "__mepropRandom",
        _ => null,
    }, "CPU");

    // The runtime's LinearBackward state of the operation does the selection and forms dW, db and dx,
    // timed on its own: the paper's "backprop time" (MePropTimings.LinearBackward).
    private static void PrintLinearBackward(SelectAndFormGradients s, EmitContext c)
    {
        var op = s.Linear;
        string w = op.Operands[0], x = op.Operands[1];
        var targets = new List<string> { w };
        if (op.Operands.Count == 3) targets.Add(op.Operands[2]);
        if (c.NeedsGradient(x)) targets.Add(x);
        string list = targets.Count == 1 ? targets[0] : string.Join(", ", targets.Take(targets.Count - 1)) + " and " + targets[targets.Count - 1];
        string k = LinearPrimitive.K(op, c);
        c.Writer.Line($"// meProp: keep {k} entries of {c.Gradient(op.Result).Replace(EmitContext.Tape + ".", "")} (chosen per settings.Mode); the gradients of {list} use only those{(c.NeedsGradient(x) ? "" : $" ({x} needs none)")}.");
        TimedAsLinearBackward(c, () =>
        {
            string state = $"{EmitContext.Tape}.{LinearPrimitive.BackwardState(op, c)}";
            string rest = LinearPrimitive.BackwardArguments(op, c) + ", __mepropRandom";
            if (s.Deferred)
            {
                c.Writer.Line($"{state}.RunStep({c.Gradient(op.Result)}, {rest}, {c.StepMember(LinearPrimitive.DySteps(op, c), op.Result)});");
            }
            else if (s.FusedRelu is not { } relu)
            {
                c.Writer.Line($"{state}.Run({c.Gradient(op.Result)}, {rest});");
            }
            else
            {
                // The Relu's derivative and the top-k selection in one pass over each row of dL/dy.
                c.Accumulate(op.Result);
                c.Writer.Line($"{state}.RunThroughRelu({c.Gradient(relu.Result)}, {c.Value(relu.Result)}, {c.Gradient(op.Result)}, {rest});");
            }
        });
    }

    private static void PrintDeferredWeightGradients(FormDeferredWeightGradients s, EmitContext c)
    {
        var op = s.Linear;
        string bias = op.Operands.Count == 3 ? c.ParameterGradient(op.Operands[2]) : "null";
        TimedAsLinearBackward(c, () =>
            c.Writer.Line($"{EmitContext.Tape}.{LinearPrimitive.BackwardState(op, c)}.FinishSteps({EmitContext.Tape}.{LinearPrimitive.DySteps(op, c)}.AllSteps, {c.AllSteps(op.Operands[1])}, {c.ParameterGradient(op.Operands[0])}, {bias}); // {op.Result}: d{op.Operands[0]} of every step, when the steps ran densely"));
    }

    private static void TimedAsLinearBackward(EmitContext c, System.Action print)
    {
        c.Writer.Line("linearStart = global::System.Diagnostics.Stopwatch.GetTimestamp();");
        print();
        c.Writer.Line("timings.AddLinearBackward(global::System.Diagnostics.Stopwatch.GetTimestamp() - linearStart);");
    }
}
