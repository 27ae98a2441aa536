using System;
using MeProp.Generators.Differentiation;

namespace MeProp.Generators.Emit;

/// <summary>How both printers write the operands whose place does not depend on the backend (values, gradients, offsets, overwrite-or-add); each passes the forms of its own.</summary>
internal static class StepOperands
{
    /// <summary>The operand as C#: <paramref name="own"/>'s form when it has one (non-null), else the shared one.</summary>
    /// <exception cref="InvalidOperationException">Neither knows the operand.</exception>
    public static string Print(Operand operand, EmitContext c, Func<Operand, string?> own, string backend) => own(operand) ?? operand switch
    {
        ValueOf v => c.Value(v.Name),
        GradientOf g => c.Gradient(g.Name),
        ParameterGradientOf p => c.ParameterGradient(p.Name),
        ColumnOffset o => c.ConcatOffset(o.Concat, o.Index),
        NoOperand => "null",
        Literal l => l.Code,
        StepOf s => Print(s.Sequence, c, own, backend) + "[" + s.Index + "]",
        AccumulateInto a => "accumulate: " + c.Accumulate(a.Name),
        Named n => n.Label + ": " + Print(n.Inner, c, own, backend),
        _ => throw new InvalidOperationException($"No {backend} form for the operand {operand}"),
    };
}
