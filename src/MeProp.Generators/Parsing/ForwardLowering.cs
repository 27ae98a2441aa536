using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using MeProp.Generators.Diagnostics;
using MeProp.Generators.Model;
using MeProp.Generators.Primitives;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace MeProp.Generators.Parsing;

/// <summary>
/// The language fence and the rewrite to A-normal form, in one walk over the forward method's body.
/// </summary>
/// <remarks>
/// Guarantees, when it reports no error: every statement was a local declaration with a value, an
/// assignment to a local, a loop over the steps of a sequence (ForwardLowering.Loops.cs states what
/// it guarantees about loops) or the final return; every expression was an input, a local, a
/// parameter member, a step of a sequence in a loop or a call of a DSL primitive; the result is one
/// <see cref="Operation"/> per primitive, in evaluation order, each defining a fresh name (a
/// reassigned local gets a new SSA name), with a loop's body nested in its Loop operation.
/// Anything else is reported with its location and produces no model, so no backward pass is ever
/// written for code the generator did not understand.
/// </remarks>
internal sealed partial class ForwardLowering
{
    private readonly SemanticModel _model;
    private readonly INamedTypeSymbol _containingType;
    private readonly CancellationToken _cancellation;
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private List<Operation> _operations = new();
    private readonly Dictionary<string, SyntaxNode> _operationSyntax = new();
    private readonly Dictionary<string, ValueKind> _kinds = new();
    private readonly Dictionary<ISymbol, PendingSequence> _pendingSequences = new(SymbolEqualityComparer.Default);
    private LoopScope? _loop;
    private readonly Dictionary<ISymbol, string> _currentName = new(SymbolEqualityComparer.Default);
    private readonly HashSet<string> _names = new();
    private readonly HashSet<ISymbol> _failed = new(SymbolEqualityComparer.Default);
    private readonly List<ISymbol> _parameterMembers = new();
    private readonly SortedSet<string> _membersHiddenFromOtherTypes = new(System.StringComparer.Ordinal);
    private readonly Dictionary<string, ValueKind> _inputs = new();
    private string? _statementSource;
    private string _temporaryBase = "t";

    public ForwardLowering(SemanticModel model, INamedTypeSymbol containingType, IEnumerable<IParameterSymbol> inputs, CancellationToken cancellation)
    {
        _model = model;
        _containingType = containingType;
        _cancellation = cancellation;
        // Forward values become members of the generated tape class: keep them off its own member and local names.
        _names.UnionWith(GeneratedNames.Reserved);
        foreach (IParameterSymbol input in inputs)
        {
            _names.Add(input.Name + "__width");
            _currentName[input] = input.Name;
            _names.Add(input.Name);
            ValueKind kind = KnownTypes.IsIdBatch(input.Type) ? ValueKind.Ids
                : KnownTypes.IsSequence(input.Type) ? ValueKind.Sequence
                : KnownTypes.IsIdSequence(input.Type) ? ValueKind.IdSequence
                : ValueKind.Batch;
            _inputs[input.Name] = kind;
            _kinds[input.Name] = kind;
        }
    }

    public IReadOnlyList<DiagnosticInfo> Diagnostics => _diagnostics;

    public IReadOnlyList<Operation> Operations => _operations;

    /// <summary>The syntax each operation came from, by result name, loop bodies included (for shape diagnostics; never stored in the model).</summary>
    public IReadOnlyDictionary<string, SyntaxNode> OperationSyntax => _operationSyntax;

    /// <summary>What the returned value is (a batch or a sequence).</summary>
    public ValueKind OutputKind => Output is not null && _kinds.TryGetValue(Output, out ValueKind kind) ? kind : ValueKind.Batch;

    /// <summary>The fields and properties read as parameters, in order of first use.</summary>
    public IReadOnlyList<ISymbol> ParameterMembers => _parameterMembers;

    /// <summary>
    /// The members the method reads that another type of the assembly cannot (private, protected):
    /// fine for the model's own training pass, but a caller that uses the model as a layer inlines
    /// the method and reads them through its member, so the linker refuses such a layer.
    /// </summary>
    public IReadOnlyCollection<string> MembersHiddenFromOtherTypes => _membersHiddenFromOtherTypes;

    // Records a member the generated code will read, when another type could not read it.
    private void NoteMemberRead(ISymbol member)
    {
        Accessibility access = member is IPropertySymbol { GetMethod: { } getter } ? getter.DeclaredAccessibility : member.DeclaredAccessibility;
        if (access is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal or Accessibility.NotApplicable)
            _membersHiddenFromOtherTypes.Add(member.Name);
    }

    /// <summary>The name of the returned value, once lowered.</summary>
    public string? Output { get; private set; }

    public void LowerBody(MethodDeclarationSyntax method)
    {
        if (method.ExpressionBody is { } arrow)
        {
            _statementSource = "return " + arrow.Expression.ToString() + ";";
            Output = LowerReturned(arrow.Expression);
            return;
        }
        if (method.Body is null) return;

        var statements = method.Body.Statements;
        for (int i = 0; i < statements.Count; i++)
        {
            _cancellation.ThrowIfCancellationRequested();
            StatementSyntax statement = statements[i];
            _statementSource = statement.ToString();
            if (statement is ReturnStatementSyntax { Expression: { } returned } && i == statements.Count - 1)
                Output = LowerReturned(returned);
            else
                LowerStatement(statement);
        }
    }

    // One statement of the method's body or of a loop's body.
    private void LowerStatement(StatementSyntax statement)
    {
        switch (statement)
        {
            case LocalDeclarationStatementSyntax declaration:
                LowerDeclaration(declaration);
                break;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { Left: ElementAccessExpressionSyntax } assignment } when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression):
                LowerStepWrite(assignment);
                break;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment } when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression):
                LowerAssignment(assignment);
                break;
            case ForStatementSyntax loop when _loop is null:
                LowerLoop(loop);
                break;
            case ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax or CommonForEachStatementSyntax when _loop is not null:
                Report(DiagnosticDescriptors.NestedLoop, statement, FirstLine(statement));
                break;
            case WhileStatementSyntax or DoStatementSyntax or CommonForEachStatementSyntax:
                Report(DiagnosticDescriptors.UnsupportedLoop, statement, FirstLine(statement),
                    "loop over the steps of a sequence with 'for (int t = 0; t < x.Length; t++)' or 'for (int t = x.Length - 1; t >= 0; t--)'");
                break;
            case BreakStatementSyntax or ContinueStatementSyntax or ReturnStatementSyntax or GotoStatementSyntax or YieldStatementSyntax when _loop is not null:
                Report(DiagnosticDescriptors.LoopControlFlow, statement, FirstLine(statement));
                break;
            default:
                Report(DiagnosticDescriptors.UnsupportedStatement, statement, FirstLine(statement));
                break;
        }
    }

    private void LowerDeclaration(LocalDeclarationStatementSyntax declaration)
    {
        if (declaration.UsingKeyword != default || declaration.IsConst || declaration.Declaration.Variables.Count != 1)
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, declaration, FirstLine(declaration));
            return;
        }
        VariableDeclaratorSyntax variable = declaration.Declaration.Variables[0];
        if (_model.GetDeclaredSymbol(variable, _cancellation) is not ILocalSymbol local) return;
        if (variable.Initializer is null)
        {
            _failed.Add(local);
            Report(DiagnosticDescriptors.NoInitialValue, variable, local.Name);
            return;
        }
        if (KnownTypes.IsSequence(local.Type) || KnownTypes.IsIdSequence(local.Type))
        {
            DeclareSequence(local, variable.Initializer.Value);
            return;
        }
        if (!KnownTypes.IsBatch(local.Type))
        {
            ReportNonBatchLocal(local, variable);
            return;
        }
        Define(local, variable.Initializer!.Value);
    }

    private void LowerAssignment(AssignmentExpressionSyntax assignment)
    {
        if (assignment.Left is not IdentifierNameSyntax
            || _model.GetSymbolInfo(assignment.Left, _cancellation).Symbol is not ILocalSymbol local)
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, assignment, FirstLine(assignment));
            return;
        }
        if (KnownTypes.IsSequence(local.Type) || KnownTypes.IsIdSequence(local.Type))
        {
            Report(DiagnosticDescriptors.InvalidSequenceUse, assignment, FirstLine(assignment),
                "a sequence local is declared once ('var hs = SequenceLike(x);' or an alias of an input) and its steps are assigned in a loop ('hs[t] = h;')");
            return;
        }
        if (!KnownTypes.IsBatch(local.Type))
        {
            ReportNonBatchLocal(local, assignment.Left);
            return;
        }
        if (_loop is not null && _loop.FailedStates.Contains(local)) return;
        if (_loop is not null && !_loop.DeclaredInside(local) && !_loop.States.ContainsKey(local))
        {
            // Not found by the pre-scan: cannot happen for a simple assignment, but a state that
            // escaped it would silently lose its gradient, so refuse rather than guess.
            Report(DiagnosticDescriptors.UnsupportedLoop, assignment, FirstLine(assignment), "an assignment to a local declared outside the loop was not recognised as a recurrent state");
            return;
        }
        Define(local, assignment.Right);
    }

    private void ReportNonBatchLocal(ILocalSymbol local, SyntaxNode at)
    {
        _failed.Add(local);
        if (KnownTypes.IsMatrix(local.Type) || KnownTypes.IsRowVector(local.Type))
            Report(DiagnosticDescriptors.ParameterNotMember, at, local.Name, "local variable", _containingType.Name);
        else
            Report(DiagnosticDescriptors.UnsupportedExpression, at, local.Name, $"locals must be of type Batch<T> or Sequence<T>, not {local.Type.ToDisplayString()}");
    }

    // Binds a local to the lowered value of its initializer; a plain alias ('var h = x;') defines nothing new.
    private void Define(ILocalSymbol local, ExpressionSyntax value)
    {
        _temporaryBase = local.Name;
        string? result = Lower(value, Fresh(local.Name));
        // A local whose value was already reported stays unreported at its uses: one error, not one per use.
        if (result is not null) _failed.Remove(local);
        else _failed.Add(local);
        if (result is not null) _currentName[local] = result;
    }

    private string? LowerReturned(ExpressionSyntax returned)
    {
        _temporaryBase = "output";
        return Lower(returned, Strip(returned) is IdentifierNameSyntax ? null : Fresh("output"));
    }

    /// <summary>Lowers <paramref name="expression"/>; its root operation is named <paramref name="target"/> (or a fresh temporary). Returns the value's name, or null after reporting.</summary>
    private string? Lower(ExpressionSyntax expression, string? target)
    {
        _cancellation.ThrowIfCancellationRequested();
        expression = Strip(expression);
        switch (expression)
        {
            case IdentifierNameSyntax:
            case MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax }:
                return LowerName(expression);
            case BinaryExpressionSyntax binary:
                return LowerOperator(binary, target);
            case InvocationExpressionSyntax invocation:
                return LowerInvocation(invocation, target);
            case ElementAccessExpressionSyntax access:
                return LowerStepRead(access);
            default:
                Report(DiagnosticDescriptors.UnsupportedExpression, expression, expression.ToString(), Reason(expression));
                return null;
        }
    }

    private string? LowerName(ExpressionSyntax expression)
    {
        ISymbol? symbol = _model.GetSymbolInfo(expression, _cancellation).Symbol;
        switch (symbol)
        {
            case ILocalSymbol when _failed.Contains(symbol):
                return null;
            case ILocalSymbol when _pendingSequences.TryGetValue(symbol, out PendingSequence? pending) && pending.Filled is null:
                Report(DiagnosticDescriptors.InvalidSequenceUse, expression, expression.ToString(),
                    "this sequence is read before a loop has filled its steps");
                return null;
            case ILocalSymbol when _loop is not null && SymbolEqualityComparer.Default.Equals(symbol, _loop.IndexSymbol):
                Report(DiagnosticDescriptors.InvalidStepAccess, expression, expression.ToString(),
                    "the loop variable only selects the current step of a sequence ('x[t]')");
                return null;
            case ILocalSymbol or IParameterSymbol when _currentName.TryGetValue(symbol, out string? name):
                return name;
            case IFieldSymbol { IsStatic: false } or IPropertySymbol { IsStatic: false, IsIndexer: false }
                when SymbolEqualityComparer.Default.Equals(symbol.ContainingType.OriginalDefinition, _containingType.OriginalDefinition):
                ITypeSymbol type = symbol is IFieldSymbol field ? field.Type : ((IPropertySymbol)symbol).Type;
                if (KnownTypes.IsMatrix(type) || KnownTypes.IsRowVector(type))
                {
                    if (!_parameterMembers.Contains(symbol, SymbolEqualityComparer.Default))
                    {
                        _parameterMembers.Add(symbol);
                        NoteMemberRead(symbol);
                        _names.Add(symbol.Name);
                    }
                    return symbol.Name;
                }
                Report(DiagnosticDescriptors.UnsupportedExpression, expression, expression.ToString(),
                    "members read by a forward method must be parameters (Matrix<T> or RowVector<T>); pass activations as method parameters");
                return null;
            case IFieldSymbol or IPropertySymbol:
                ITypeSymbol memberType = symbol is IFieldSymbol f ? f.Type : ((IPropertySymbol)symbol).Type;
                if (KnownTypes.IsTensor(memberType))
                    Report(DiagnosticDescriptors.ParameterNotMember, expression, expression.ToString(),
                        symbol.IsStatic ? "static member" : "member of another type", _containingType.Name);
                else
                    Report(DiagnosticDescriptors.UnsupportedExpression, expression, expression.ToString(), "only tensors of the model and the method's inputs can be read");
                return null;
            default:
                Report(DiagnosticDescriptors.UnsupportedExpression, expression, expression.ToString(), "only tensors of the model and the method's inputs can be read");
                return null;
        }
    }

    private string? LowerOperator(BinaryExpressionSyntax binary, string? target)
    {
        if (_model.GetSymbolInfo(binary, _cancellation).Symbol is not IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator } op)
        {
            Report(DiagnosticDescriptors.UnsupportedExpression, binary, binary.ToString(), "arithmetic on numbers is not a tensor operation");
            return null;
        }
        INamedTypeSymbol owner = op.ContainingType;
        OpKind? kind = (op.Name, owner) switch
        {
            ("op_Multiply", _) when KnownTypes.IsMatrix(owner) => OpKind.Linear,
            ("op_Addition", _) when KnownTypes.IsRowVector(owner) => OpKind.AddBias,
            ("op_Addition", _) when KnownTypes.IsBatch(owner) => OpKind.Add,
            ("op_Subtraction", _) when KnownTypes.IsBatch(owner) => OpKind.Subtract,
            ("op_Multiply", _) when KnownTypes.IsBatch(owner) => OpKind.Multiply,
            _ => null,
        };
        if (kind is null)
        {
            Report(DiagnosticDescriptors.UnknownOperation, binary, binary.OperatorToken.Text + " on " + owner.Name, KnownOperations);
            return null;
        }
        if (kind == OpKind.AddBias)
            return LowerBiasAdd(binary, binary.Left, binary.Right, target);
        return Emit(kind.Value, binary, target, binary.Left, binary.Right);
    }

    private string? LowerInvocation(InvocationExpressionSyntax invocation, string? target)
    {
        if (_model.GetOperation(invocation, _cancellation) is not IInvocationOperation call)
        {
            Report(DiagnosticDescriptors.UnknownOperation, invocation, invocation.Expression.ToString(), KnownOperations);
            return null;
        }
        IMethodSymbol method = call.TargetMethod;
        if (method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownTypes.AttributeMetadataName))
            return LowerLayerCall(invocation, call, target);
        if (!KnownTypes.IsOps(method.ContainingType))
        {
            Report(DiagnosticDescriptors.UnknownOperation, invocation, invocation.Expression.ToString(), KnownOperations);
            return null;
        }

        // Arguments in parameter order (named arguments may come in any order); a params array
        // written out element by element expands into its elements.
        var arguments = new List<ExpressionSyntax>();
        foreach (IArgumentOperation argument in call.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
        {
            if (argument.ArgumentKind == ArgumentKind.ParamArray && argument.Value is IArrayCreationOperation { Initializer: { } initializer })
                arguments.AddRange(initializer.ElementValues.Select(v => (ExpressionSyntax)v.Syntax));
            else if (argument.ArgumentKind == ArgumentKind.DefaultValue)
                continue;
            else if (argument.Syntax is ArgumentSyntax syntax)
                arguments.Add(syntax.Expression);
            else
            {
                Report(DiagnosticDescriptors.UnsupportedExpression, invocation, invocation.ToString(), "write each operand out instead of passing an array");
                return null;
            }
        }

        switch (method.Name)
        {
            case "Linear" when arguments.Count == 2:
                return Emit(OpKind.Linear, invocation, target, arguments[0], arguments[1]);
            case "Linear" when arguments.Count == 3:
                return Emit(OpKind.Linear, invocation, target, arguments[0], arguments[1], arguments[2]);
            case "AddBias":
                return LowerBiasAdd(invocation, arguments[0], arguments[1], target);
            case "Concat" when arguments.Count >= 1 && call.Arguments[0].ArgumentKind == ArgumentKind.ParamArray:
                return Emit(OpKind.Concat, invocation, target, arguments.ToArray());
            case "Concat":
                Report(DiagnosticDescriptors.UnsupportedExpression, invocation, invocation.ToString(), "write each operand of Concat out instead of passing an array");
                return null;
            case "Zeros":
                return LowerZeros(invocation, arguments, target);
            case "Reverse":
                return LowerReverse(invocation, arguments[0], target);
            case "SequenceLike":
                Report(DiagnosticDescriptors.InvalidSequenceUse, invocation, invocation.ToString(),
                    "SequenceLike makes a sequence local: declare one with it ('var hs = SequenceLike(x);') and fill its steps in a loop");
                return null;
            case "Dropout":
                string? rate = DropoutRate(arguments[1]);
                if (rate is null) return null;
                return Emit(OpKind.Dropout, invocation, target, new[] { arguments[0] }, rate);
            case var name when Primitive.ForOpsMethod(name) is { } primitive:
                return Emit(primitive.Kind, invocation, target, arguments.ToArray());
            default:
                Report(DiagnosticDescriptors.UnknownOperation, invocation, invocation.Expression.ToString(), KnownOperations);
                return null;
        }
    }

    // 'W * x + b' (or Linear(W, x) + b) is one linear operation with a bias: that keeps the bias
    // gradient on the same kept indices as dW, as meProp requires. A bias added to anything else is
    // a separate, dense AddBias.
    private string? LowerBiasAdd(SyntaxNode node, ExpressionSyntax left, ExpressionSyntax right, string? target)
    {
        int before = _operations.Count;
        string? x = Lower(left, null);
        int last = _operations.Count - 1; // the operation that produced x, when left was an expression
        string? b = Lower(right, null);
        if (x is null || b is null) return null;
        if (last >= before && _operations[last] is { Kind: OpKind.Linear, Operands.Count: 2 } linear
            && linear.Result == x && IsTemporary(Strip(left)))
        {
            var operands = linear.Operands.Concat(new[] { b }).ToEquatableArray();
            if (target is not null) _names.Remove(linear.Result); // the temporary's name was never used: free it again
            _operations[last] = linear with { Result = target ?? linear.Result, Operands = operands };
            _operationSyntax.Remove(linear.Result);
            _operationSyntax[target ?? linear.Result] = node;
            _kinds.Remove(linear.Result);
            _kinds[target ?? linear.Result] = ValueKind.Batch;
            _loop?.Defined.Remove(linear.Result);
            _loop?.Defined.Add(target ?? linear.Result);
            return target ?? linear.Result;
        }
        return Append(OpKind.AddBias, node, target, new[] { x, b });
    }

    private static bool IsTemporary(ExpressionSyntax expression) => expression is BinaryExpressionSyntax or InvocationExpressionSyntax;

    private string? Emit(OpKind kind, SyntaxNode node, string? target, params ExpressionSyntax[] operands)
        => Emit(kind, node, target, operands, null);

    private string? Emit(OpKind kind, SyntaxNode node, string? target, ExpressionSyntax[] operands, string? argument)
    {
        var names = new string[operands.Length];
        bool failed = false;
        for (int i = 0; i < operands.Length; i++)
        {
            string? name = Lower(operands[i], null);
            if (name is null) failed = true;
            else names[i] = name;
        }
        return failed ? null : Append(kind, node, target, names, argument);
    }

    private string Append(OpKind kind, SyntaxNode node, string? target, string[] operands, string? argument = null)
    {
        string result = target ?? Fresh(_temporaryBase + "_" + kind.ToString().ToLowerInvariant());
        _operations.Add(new Operation(kind, result, operands.ToEquatableArray(), _statementSource ?? node.ToString(), argument));
        _operationSyntax[result] = node;
        _kinds[result] = kind == OpKind.Reverse ? ValueKind.Sequence : ValueKind.Batch;
        _loop?.Defined.Add(result);
        return result;
    }

    private string? DropoutRate(ExpressionSyntax rate)
    {
        Optional<object?> constant = _model.GetConstantValue(rate, _cancellation);
        if (constant.HasValue)
        {
            double? value = constant.Value switch
            {
                double d => d,
                float f => f,
                int i => i,
                decimal m => (double)m,
                _ => null,
            };
            if (value is null || !(value >= 0.0 && value < 1.0))
            {
                Report(DiagnosticDescriptors.InvalidDropoutRate, rate, rate.ToString(), "the constant is outside [0, 1)");
                return null;
            }
            return value.Value.ToString("R", CultureInfo.InvariantCulture);
        }
        ISymbol? symbol = _model.GetSymbolInfo(Strip(rate), _cancellation).Symbol;
        if (symbol is IFieldSymbol or IPropertySymbol
            && Strip(rate) is IdentifierNameSyntax or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax }
            && SymbolEqualityComparer.Default.Equals(symbol.ContainingType.OriginalDefinition, _containingType.OriginalDefinition))
        {
            // Qualified: the generated ForwardTrain has locals of its own ('start', 'tape') that a bare name could bind to.
            NoteMemberRead(symbol);
            return symbol.IsStatic
                ? _containingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + symbol.Name
                : "this." + symbol.Name;
        }
        Report(DiagnosticDescriptors.InvalidDropoutRate, rate, rate.ToString(), "the training pass evaluates it at every step, so it must not depend on locals");
        return null;
    }

    private string Fresh(string baseName)
    {
        string name = baseName;
        for (int i = 2; _names.Contains(name); i++)
            name = baseName + "_" + i.ToString(CultureInfo.InvariantCulture);
        _names.Add(name);
        return name;
    }

    private static ExpressionSyntax Strip(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized) expression = parenthesized.Expression;
        return expression;
    }

    private static string Reason(ExpressionSyntax expression) => expression switch
    {
        LiteralExpressionSyntax => "constants are not tensors",
        ConditionalExpressionSyntax => "a conditional would need a gradient for each branch; compute both and combine them with element-wise operations",
        LambdaExpressionSyntax or AnonymousMethodExpressionSyntax => "lambdas cannot be differentiated",
        ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax => "a new tensor created in the forward pass has no gradient source; make it a parameter member",
        ElementAccessExpressionSyntax => "indexing a tensor is not a DSL operation",
        CastExpressionSyntax => "casts are not DSL operations",
        PrefixUnaryExpressionSyntax => "unary operators are not DSL operations",
        _ => "it is not an input, a local, a parameter member or a DSL operation",
    };

    // The primitives' table says what users can write (Primitives/Primitive.cs).
    private static string KnownOperations => Primitive.KnownOperations;

    private static string FirstLine(SyntaxNode node)
    {
        string text = node.ToString();
        int newline = text.IndexOfAny(new[] { '\r', '\n' });
        return newline < 0 ? text : text.Substring(0, newline).TrimEnd() + " ...";
    }

    private void Report(DiagnosticDescriptor descriptor, SyntaxNode node, params string[] arguments)
        => _diagnostics.Add(DiagnosticInfo.Create(descriptor, node.GetLocation(), arguments));

    /// <summary>What each input is (Batch or Ids).</summary>
    public IReadOnlyDictionary<string, ValueKind> Inputs => _inputs;
}
