namespace MeProp.Generators.Model;

// The generator's intermediate representation: what the parser hands to differentiation and emit.
//
// Every type here is an immutable record of strings, numbers, enums and EquatableArrays, never an
// ISymbol, SyntaxNode, Compilation or Location: the incremental pipeline compares these models to
// decide whether to re-emit, and holding Roslyn objects would both defeat that comparison and keep
// whole compilations alive in the IDE (a test walks the cached models to enforce this).
//
// The forward method is held in A-normal form: one Operation per primitive, each producing one
// named value (SSA: a reassigned local gets a fresh name). A loop over the steps of a sequence is one
// Loop operation whose LoopSpec holds the body (itself operations in A-normal form), the states
// carried from step to step and the sequences the body fills; values defined in a body have one
// instance per step.

/// <summary>One model class and its annotated forward method, ready to differentiate and emit.</summary>
/// <remarks>Immutable and structurally equatable: holds no ISymbol, SyntaxNode, Compilation or Location.</remarks>
internal sealed record ModelSpec(
    TypeDeclarationSpec Type,
    string MethodName,
    string MethodAccessibility,
    string ElementType,
    MePropOptions Options,
    EquatableArray<ValueSpec> Inputs,
    EquatableArray<ParameterSpec> Parameters,
    EquatableArray<Operation> Operations,
    string Output,
    ValueKind OutputKind,
    EquatableArray<string> MembersHiddenFromOtherTypes);

/// <summary>Where the generated partial declaration goes: namespace, enclosing types and the class itself.</summary>
/// <remarks>Immutable and structurally equatable: holds no ISymbol, SyntaxNode, Compilation or Location.</remarks>
internal sealed record TypeDeclarationSpec(
    string? Namespace,
    EquatableArray<string> EnclosingDeclarations,
    string Declaration,
    string Name,
    string FullyQualifiedName);

/// <summary>The attribute's compile-time defaults.</summary>
internal sealed record MePropOptions(int K, int OutputK, bool DenseOutput, MePropMode Mode, int Seed);

/// <summary>The kinds of value a forward method handles.</summary>
internal enum ValueKind
{
    /// <summary>A mini-batch of activations (Batch&lt;T&gt;).</summary>
    Batch,

    /// <summary>A mini-batch of integer ids (IdBatch).</summary>
    Ids,

    /// <summary>A mini-batch of sequences of activations (Sequence&lt;T&gt;): steps of batches.</summary>
    Sequence,

    /// <summary>A mini-batch of id sequences (IdSequence).</summary>
    IdSequence,
}

/// <summary>An input of the forward method (one of its parameters).</summary>
internal sealed record ValueSpec(string Name, ValueKind Kind);

/// <summary>The kinds of trainable parameter.</summary>
internal enum ParameterKind
{
    /// <summary>A Matrix&lt;T&gt;: a weight matrix or an embedding table.</summary>
    Matrix,

    /// <summary>A RowVector&lt;T&gt;: a bias.</summary>
    Vector,
}

/// <summary>
/// A trainable member the forward method reads; Rows/Cols are -1 when not known at compile time.
/// <paramref name="Name"/> is its name in the IR and in generated members (an identifier);
/// <paramref name="Path"/> how it is reached from the model: its own name, or "layer.W" for a
/// parameter of a model used as a layer (null means the same as Name).
/// </summary>
internal sealed record ParameterSpec(string Name, ParameterKind Kind, int Rows, int Cols, string? Path = null)
{
    /// <summary>The member path from the model instance ("W", or "layer.W").</summary>
    public string Access => Path ?? Name;
}

/// <summary>The DSL's primitives after lowering.</summary>
internal enum OpKind
{
    /// <summary>y = x·Wᵀ (+ b). Operands: W, x[, b].</summary>
    Linear,

    /// <summary>y = x + b, b a RowVector. Operands: x, b.</summary>
    AddBias,

    /// <summary>Element-wise a + b.</summary>
    Add,

    /// <summary>Element-wise a - b.</summary>
    Subtract,

    /// <summary>Element-wise a ⊙ b.</summary>
    Multiply,

    /// <summary>max(x, 0).</summary>
    Relu,

    /// <summary>tanh(x).</summary>
    Tanh,

    /// <summary>Logistic sigmoid.</summary>
    Sigmoid,

    /// <summary>x³, the cube activation (Chen and Manning's parser); its derivative reads x, not the result.</summary>
    Cube,

    /// <summary>Features side by side. Operands: the parts, in order.</summary>
    Concat,

    /// <summary>Embedding lookup. Operands: table, ids.</summary>
    Embed,

    /// <summary>Inverted dropout, train-time only. Operands: x; <see cref="Operation.Argument"/> is the rate expression.</summary>
    Dropout,

    /// <summary>A zero batch (a recurrence's initial state). Operands: the input whose example count it takes; <see cref="Operation.Argument"/> is the width expression, "{owner}" standing for the model instance.</summary>
    Zeros,

    /// <summary>y = x, a copy (a loop's state or collected value that is not otherwise a new value of the step). Operands: x.</summary>
    Copy,

    /// <summary>Step t of a sequence, inside a loop (<c>x[t]</c>). Operands: the sequence.</summary>
    StepRead,

    /// <summary>Another generated model used as a layer: <c>layer.Forward(x)</c>; <see cref="Operation.Call"/> names it, Operands are its arguments. Linking replaces it by the callee's operations.</summary>
    Call,

    /// <summary>The steps of a sequence in reverse order (a sequence, outside loops). Operands: the sequence.</summary>
    Reverse,

    /// <summary>A loop over the steps of a sequence; <see cref="Operation.Loop"/> describes it. Operands: the values from outside that the body reads; Result names the loop (for comments) and is not a value.</summary>
    Loop,
}

/// <summary>
/// One primitive: <paramref name="Result"/> = <paramref name="Kind"/>(<paramref name="Operands"/>).
/// <paramref name="Source"/> is the forward statement it came from (for the generated comments);
/// <paramref name="Argument"/> carries a non-tensor argument as C# source (the dropout rate).
/// </summary>
internal sealed record Operation(OpKind Kind, string Result, EquatableArray<string> Operands, string Source, string? Argument = null, LoopSpec? Loop = null, CallSpec? Call = null);

/// <summary>
/// A call of another model's [MeProp] method through a member of this model: <paramref name="Member"/>
/// (a field or property), whose type is <paramref name="TypeName"/> (fully qualified) and whose
/// annotated method is <paramref name="Method"/>; <paramref name="At"/> is the diagnostic to report at
/// the call should the callee not be usable as a layer (its arguments are completed then).
/// </summary>
internal sealed record CallSpec(string Member, string TypeName, string Method, ValueKind ReturnKind, Diagnostics.DiagnosticInfo At);

/// <summary>
/// A loop over the steps of <paramref name="Sequence"/> (all sequences of a call have its length):
/// forwards (t = 0, 1, ...) or <paramref name="Reverse"/> (t = Length - 1, ..., 0), with the loop
/// variable named <paramref name="Index"/> in generated code. Values the body defines have one
/// instance per step.
/// </summary>
internal sealed record LoopSpec(
    string Sequence,
    bool Reverse,
    string Index,
    string Header,
    EquatableArray<LoopState> States,
    EquatableArray<Operation> Body,
    EquatableArray<LoopOutput> Outputs);

/// <summary>
/// A local carried from step to step: <paramref name="Phi"/> is its value when a step starts
/// (<paramref name="Initial"/> at the first step, the previous step's <paramref name="Next"/> after
/// that), <paramref name="Next"/> its value when the step ends (a value the body defines), and
/// <paramref name="Final"/> its value after the loop (the last step's Next).
/// </summary>
internal sealed record LoopState(string Local, string Initial, string Phi, string Next, string Final);

/// <summary>A sequence the body fills, one step per iteration: <paramref name="Sequence"/>[t] = <paramref name="Value"/> (a value the body defines).</summary>
internal sealed record LoopOutput(string Sequence, string Value);
