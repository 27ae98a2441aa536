using System.Collections.Generic;
using System;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>A zero batch, the initial state of a recurrence. It depends on no parameter, so it has no gradient rule.</summary>
internal sealed class ZerosPrimitive : Primitive
{
    public override OpKind Kind => OpKind.Zeros;

    public override string Surface => "Zeros(x, width)";

    public override int KnownWidth(Operation op, int[] widths, Func<string, ParameterSpec> parameter, Action<string> mismatch)
        => int.TryParse(op.Argument, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int width) ? width : Unknown;

    public override string Describe(Operation op) => $"{op.Result} = Zeros({op.Operands[0]}, {Width(op)})";

    public override string Width(Operation op, Func<string, string> width, EmitContext c) => op.Argument!.Replace("{owner}", Owner);

    private static string Width(Operation op) => op.Argument!.Replace("{owner}.", "");

    // Written at every step rather than once: the buffer then holds zeros whatever else the tape is used for.
    public override IEnumerable<Step> Forward(Operation op, EmitContext c)
    {
        yield return ForwardCall("Zero", Value(op.Result));
    }

    public override IEnumerable<Step> Backward(Operation op, EmitContext c) => None;
}
