using System.Collections.Generic;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>
/// One DSL primitive: how its training forward is written, how wide its result is, and its gradient
/// rule. Each lives in its own file, so adding an operation is adding a file and a table entry.
/// </summary>
/// <remarks>
/// A gradient rule sees only the operation's operands, its result and the result's gradient; it
/// states, as backend-neutral steps (Differentiation/Steps.cs), a contribution to the gradient of
/// each operand that needs one (<see cref="Differentiation.AccumulateInto"/>: the printer decides
/// whether it overwrites or adds). The rules read the backend's fusion decisions through
/// <see cref="EmitContext.Fusion"/>; the backend prints the steps.
/// </remarks>
internal interface IPrimitive
{
    OpKind Kind { get; }

    /// <summary>How a user writes it in a forward method (for messages), or null for a primitive only lowering creates.</summary>
    string? Surface { get; }

    /// <summary>The MeProp.Ops method that lowers to this primitive with its tensor arguments as operands, or null when lowering has a rule of its own for it.</summary>
    string? OpsMethod { get; }

    /// <summary>
    /// The result's width when the compile-time widths of the operands (-1: unknown) and parameter
    /// shapes determine it, else -1; reports through <paramref name="mismatch"/> what provably does not fit.
    /// </summary>
    int KnownWidth(Operation op, int[] widths, System.Func<string, ParameterSpec> parameter, System.Action<string> mismatch);

    /// <summary>The operation in A-normal form, for the generated comments: "h1 = Relu(h1_linear)".</summary>
    string Describe(Operation op);

    /// <summary>A C# expression for the number of columns of the result, at tape construction (operand widths via <c>width(name)</c> expressions supplied by the caller).</summary>
    string Width(Operation op, System.Func<string, string> width, EmitContext context);

    /// <summary>Extra tape members as (type, name, initializer) — a dropout mask, a linear operation's backward state.</summary>
    System.Collections.Generic.IEnumerable<(string Type, string Name, string Initializer)> TapeMembers(Operation op, EmitContext context);

    /// <summary>The training forward's steps (the backend prints them).</summary>
    System.Collections.Generic.IEnumerable<Differentiation.Step> Forward(Operation op, EmitContext context);

    /// <summary>The gradient rule's steps: a contribution to the gradient of each operand that needs one.</summary>
    System.Collections.Generic.IEnumerable<Differentiation.Step> Backward(Operation op, EmitContext context);
}
