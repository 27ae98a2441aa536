namespace MeProp.Generators.Model;

// The generator's intermediate representation: what the parser hands to differentiation and emit.
//
// Every type here is an immutable record of strings, numbers, enums and EquatableArrays, never an
// ISymbol, SyntaxNode, Compilation or Location: the incremental pipeline compares these models to
// decide whether to re-emit, and holding Roslyn objects would both defeat that comparison and keep
// whole compilations alive in the IDE (a test walks the cached models to enforce this).
//
// The forward method is held in A-normal form: one Operation per primitive, each producing one
// named value (SSA: a reassigned local gets a fresh name). Loops over a sequence (an LSTM) will add
// a Loop operation whose body is itself an EquatableArray<Operation>, with tape stacks in the
// emitter; a call into another annotated model will add a Call operation naming that model's
// generated forward and backward. Neither needs a change to the records below.

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
    string Output);

/// <summary>Where the generated partial declaration goes: namespace, enclosing types and the class itself.</summary>
/// <remarks>Immutable and structurally equatable: holds no ISymbol, SyntaxNode, Compilation or Location.</remarks>
internal sealed record TypeDeclarationSpec(
    string? Namespace,
    EquatableArray<string> EnclosingDeclarations,
    string Declaration,
    string Name,
    string FullyQualifiedName);

/// <summary>The attribute's compile-time defaults.</summary>
internal sealed record MePropOptions(int K, int OutputK, bool DenseOutput, int Mode, int Seed);

/// <summary>The kinds of value a forward method handles.</summary>
internal enum ValueKind
{
    /// <summary>A mini-batch of activations (Batch&lt;T&gt;).</summary>
    Batch,

    /// <summary>A mini-batch of integer ids (IdBatch).</summary>
    Ids,
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

/// <summary>A trainable member of the model class that the forward method reads; Rows/Cols are -1 when not known at compile time.</summary>
internal sealed record ParameterSpec(string Name, ParameterKind Kind, int Rows, int Cols);

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

    /// <summary>Features side by side. Operands: the parts, in order.</summary>
    Concat,

    /// <summary>Embedding lookup. Operands: table, ids.</summary>
    Embed,

    /// <summary>Inverted dropout, train-time only. Operands: x; <see cref="Operation.Argument"/> is the rate expression.</summary>
    Dropout,
}

/// <summary>
/// One primitive: <paramref name="Result"/> = <paramref name="Kind"/>(<paramref name="Operands"/>).
/// <paramref name="Source"/> is the forward statement it came from (for the generated comments);
/// <paramref name="Argument"/> carries a non-tensor argument as C# source (the dropout rate).
/// </summary>
internal sealed record Operation(OpKind Kind, string Result, EquatableArray<string> Operands, string Source, string? Argument = null);
