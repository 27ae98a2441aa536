using System.Collections.Generic;
using System.Linq;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Primitives;

namespace MeProp.Generators.Emit;

/// <summary>
/// The device backend's printer: the same steps the CPU printer prints, as calls of
/// MeProp.Accelerators' <c>DeviceRuntime</c> (<c>__device</c>) on the device tape's buffers.
/// </summary>
/// <remarks>
/// The device runtime mirrors the CPU kernels' names and operand order, so most steps print as the
/// CPU's do with another receiver; the exceptions are listed here: the derivative kernels carry a
/// Backward suffix, the linear operation's forward is the runtime's own, and dropout draws its masks
/// on the device, so it takes no random source.
/// </remarks>
internal static class DevicePrinter
{
    private const string Device = "__device";

    public static void Print(IEnumerable<Step> steps, EmitContext c)
    {
        foreach (Step step in steps) Print(step, c);
    }

    public static void Print(Step step, EmitContext c)
    {
        IndentedWriter w = c.Writer;
        switch (step)
        {
            case KernelStep k when k.Pass == Pass.Forward:
                w.Line(Forward(k, c) + Note(k.Note));
                break;
            case KernelStep k:
                w.Line(Backward(k, c) + Note(k.Note));
                break;
            case SelectAndFormGradients s:
                PrintLinearBackward(s, c);
                break;
            case Comment comment:
                w.Line("// " + comment.Text);
                break;
            default:
                throw new System.InvalidOperationException("No device form for the step " + step);
        }
    }

    private static string Forward(KernelStep k, EmitContext c) => k.Kernel switch
    {
        "Linear" => $"{Device}.Linear({Arguments(k.Operands, c)});",
        "Embed" or "ConcatInto" => $"{Device}.Embeddings.{k.Kernel}({Arguments(k.Operands, c)});",
        // (x, rate, random, mask, y): the device draws its own masks (a counter-based generator), so no random source.
        "Dropout" => $"{Device}.Kernels.Dropout({Arguments(new[] { k.Operands[0], k.Operands[1], k.Operands[3], k.Operands[4] }, c)});",
        _ => $"{Device}.Kernels.{k.Kernel}({Arguments(k.Operands, c)});",
    };

    private static string Backward(KernelStep k, EmitContext c) => k.Kernel switch
    {
        "Relu" or "Tanh" or "Sigmoid" or "Cube" or "Multiply" => $"{Device}.Kernels.{k.Kernel}Backward({Arguments(k.Operands, c)});",
        "Reverse" => $"{Device}.Kernels.ReverseBackward({Arguments(k.Operands, c)});",
        "Concat" => $"{Device}.Embeddings.ConcatBackward({Arguments(k.Operands, c)});",
        "Embed" => $"{Device}.Embeddings.EmbedBackward({Arguments(k.Operands, c)});",
        "Dropout" => $"{Device}.Kernels.DropoutBackward({Arguments(k.Operands, c)});",
        _ => $"{Device}.Kernels.{k.Kernel}({Arguments(k.Operands, c)});",
    };

    private static string Note(string? note) => note is null ? "" : " // " + note;

    private static string Arguments(IEnumerable<Operand> operands, EmitContext c) => string.Join(", ", operands.Select(o => Argument(o, c)));

    private static string Argument(Operand operand, EmitContext c) => StepOperands.Print(operand, c, o => o switch
    {
        // The user's expression is written against the model (lowering qualifies its members with
        // "this."); the device pass is a nested class that reaches the model as __owner.
        Expression e => e.Code.Replace("this.", "__owner."),
        MemberOf m => c.StepMember(c.Member(m.Value, "", m.Suffix), m.Value),
        _ => null,
    }, "device");

    // The device backward state of the operation selects and forms dW, db and dx; through a fused
    // Relu it reads the Relu's gradient and output instead of a written dL/dy (DeviceFusion).
    private static void PrintLinearBackward(SelectAndFormGradients s, EmitContext c)
    {
        var op = s.Linear;
        string state = $"{EmitContext.Tape}.{LinearPrimitive.BackwardState(op, c)}";
        c.Writer.Line($"// meProp: keep {LinearPrimitive.K(op, c)} entries of {c.Gradient(op.Result).Replace(EmitContext.Tape + ".", "")} (chosen per settings.Mode).");
        if (s.FusedRelu is not { } relu)
        {
            c.Writer.Line($"{state}.Run({c.Gradient(op.Result)}, {LinearPrimitive.BackwardArguments(op, c)});");
            return;
        }
        c.Accumulate(op.Result);
        c.Writer.Line($"{state}.RunThroughRelu({c.Gradient(relu.Result)}, {c.Value(relu.Result)}, {c.Gradient(op.Result)}, {LinearPrimitive.BackwardArguments(op, c)});");
    }
}
