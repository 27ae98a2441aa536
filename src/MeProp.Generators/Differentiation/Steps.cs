using MeProp.Generators.Model;

namespace MeProp.Generators.Differentiation;

// What a primitive's forward computation and gradient rule ask the runtime to do, in the IR's
// terms: which kernel, reading which values and gradients, writing which, and where meProp selects.
// A backend's printer turns the steps into code (Emit/CpuPrinter for the CPU runtime's kernels); it
// decides where each operand lives (a tape buffer, a step of a sequence, a device buffer), and the
// order in which gradient contributions overwrite or add. Steps are made while one model is
// emitted and never cached, so they hold IR names and operations, nothing of Roslyn.

/// <summary>An operand of a step, named in the IR's terms.</summary>
internal abstract record Operand;

/// <summary>A forward value, parameters included (inside a loop body: the current step's).</summary>
internal sealed record ValueOf(string Name) : Operand;

/// <summary>The gradient buffer of a forward value (of a step read: the step of its sequence's gradient).</summary>
internal sealed record GradientOf(string Name) : Operand;

/// <summary>The gradient of a parameter, which lives with the parameters rather than on the tape.</summary>
internal sealed record ParameterGradientOf(string Name) : Operand;

/// <summary>A member the tape keeps for the operation producing <paramref name="Value"/> (a dropout mask: suffix "_mask"), per step inside loops.</summary>
internal sealed record MemberOf(string Value, string Suffix) : Operand;

/// <summary>Every step of a body value or step read, as one batch.</summary>
internal sealed record AllStepsOf(string Name) : Operand;

/// <summary>The number of features of a step read's sequence.</summary>
internal sealed record StepWidthOf(string StepRead) : Operand;

/// <summary>The first column of operand <paramref name="Index"/> of a Concat's result.</summary>
internal sealed record ColumnOffset(Operation Concat, int Index) : Operand;

/// <summary>The buffer of its own that a value which may share its operand's (<see cref="MaySharePass"/>) uses when it does not.</summary>
internal sealed record OwnBufferOf(string Name) : Operand;

/// <summary>A C# expression of the user's method (a dropout rate), used as written.</summary>
internal sealed record Expression(string Code) : Operand;

/// <summary>The model's seeded random source (dropout masks, random-k).</summary>
internal sealed record RandomSource : Operand;

/// <summary>No operand (an absent bias).</summary>
internal sealed record NoOperand : Operand;

/// <summary>
/// Whether this contribution to <paramref name="Name"/>'s gradient overwrites it (the first in the
/// backward pass) or adds to it; the printer decides, in the order it writes the steps.
/// </summary>
internal sealed record AccumulateInto(string Name) : Operand;

/// <summary>Step <paramref name="Index"/> (a loop's index variable) of a sequence operand.</summary>
internal sealed record StepOf(Operand Sequence, string Index) : Operand;

/// <summary>C# written as is on every backend (a constant).</summary>
internal sealed record Literal(string Code) : Operand;

/// <summary>An operand passed by parameter name (<c>offset: ...</c>).</summary>
internal sealed record Named(string Label, Operand Inner) : Operand;

internal enum Pass
{
    Forward,
    Backward,
}

/// <summary>A step of a forward computation or gradient rule.</summary>
internal abstract record Step;

/// <summary>
/// A runtime kernel applied to <paramref name="Operands"/> in its parameter order: the CPU runtime's
/// ForwardKernels or BackwardKernels method named <paramref name="Kernel"/>; <paramref name="Note"/>
/// is a comment for the reader of the generated code.
/// </summary>
internal sealed record KernelStep(Pass Pass, string Kernel, Operand[] Operands, string? Note = null) : Step;

/// <summary>
/// A forward kernel whose result may be its operand <paramref name="Source"/> itself (a dropout at
/// rate 0, decided at run time): the result, and its gradient when it has one, are bound at every
/// call to either the operand's buffers or buffers of their own.
/// </summary>
internal sealed record MaySharePass(string Kernel, Operand[] Operands, string Result, string Source) : Step;

/// <summary>A backward step skipped when the forward pass bound <paramref name="Result"/> to <paramref name="Source"/>'s buffers (their gradient is then one buffer).</summary>
internal sealed record UnlessShared(string Result, string Source, Step Inner) : Step;

/// <summary>
/// The backward of a linear operation, where meProp selects: keep the top-k entries of dL/dy (of
/// dL/dy formed through <paramref name="FusedRelu"/>'s derivative, when a backend fused it) and form
/// dW, db and dx from them; <paramref name="Deferred"/> for a loop body's operation whose dense
/// weight gradient is formed once after the loop.
/// </summary>
internal sealed record SelectAndFormGradients(Operation Linear, Operation? FusedRelu, bool Deferred) : Step;

/// <summary>After a loop: the weight and bias gradients of a body's linear operation whose steps ran densely, formed from every step at once.</summary>
internal sealed record FormDeferredWeightGradients(Operation Linear) : Step;

/// <summary>A comment line in the generated code.</summary>
internal sealed record Comment(string Text) : Step;
