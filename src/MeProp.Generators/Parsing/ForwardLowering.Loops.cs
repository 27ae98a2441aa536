using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MeProp.Generators.Diagnostics;
using MeProp.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MeProp.Generators.Parsing;

// Loops over the steps of a sequence, sequence locals, step reads and writes, and Zeros.
//
// Guarantees, when no error is reported: a loop is 'for (int t = 0; t < x.Length; t++)' or
// 'for (int t = x.Length - 1; t >= 0; t--)' over a sequence x and holds only declarations,
// assignments and step writes; every local declared outside and assigned inside is a state with an
// initial value, a phi name for its value when a step starts and a Next value that the body itself
// defines (a Copy is inserted when the assigned value is not a new value of the step); every sequence
// local is filled by exactly one loop, one step per iteration, and read only after that loop.
internal sealed partial class ForwardLowering
{
    private readonly Dictionary<string, string> _indexNames = new();

    /// <summary>What lowering knows about the loop whose body it is in.</summary>
    private sealed class LoopScope
    {
        public LoopScope(ForStatementSyntax syntax, ILocalSymbol index, string indexName)
        {
            Syntax = syntax;
            IndexSymbol = index;
            IndexName = indexName;
        }

        public ForStatementSyntax Syntax { get; }

        public ILocalSymbol IndexSymbol { get; }

        public string IndexName { get; }

        /// <summary>The states by local: (initial value, phi).</summary>
        public Dictionary<ISymbol, (string Initial, string Phi)> States { get; } = new(SymbolEqualityComparer.Default);

        /// <summary>States whose initial value was already reported: their assignments are not reported again.</summary>
        public HashSet<ISymbol> FailedStates { get; } = new(SymbolEqualityComparer.Default);

        /// <summary>Values the body defines (operation results and phis).</summary>
        public HashSet<string> Defined { get; } = new();

        /// <summary>One step read per sequence and body.</summary>
        public Dictionary<string, string> StepReads { get; } = new();

        public List<(ISymbol Local, string Sequence, string Value, SyntaxNode At)> Writes { get; } = new();

        public bool DeclaredInside(ILocalSymbol local)
            => local.DeclaringSyntaxReferences.Any(r => Syntax.Statement.Span.Contains(r.Span));
    }

    /// <summary>A sequence local made by SequenceLike: <see cref="Like"/> gives its length; <see cref="Filled"/> names it once a loop has filled it.</summary>
    private sealed class PendingSequence
    {
        public PendingSequence(string like, ValueKind kind) => (Like, Kind) = (like, kind);

        public string Like { get; }

        public ValueKind Kind { get; }

        public string? Filled { get; set; }

        public bool Written { get; set; }
    }

    // 'var hs = SequenceLike(x);' declares a sequence a later loop fills; 'var s = x;' aliases an input.
    private void DeclareSequence(ILocalSymbol local, ExpressionSyntax value)
    {
        value = Strip(value);
        if (_loop is not null)
        {
            _failed.Add(local);
            Report(DiagnosticDescriptors.InvalidSequenceUse, value, local.Name, "declare sequences outside loops: a loop fills one step of a sequence per iteration");
            return;
        }
        if (value is IdentifierNameSyntax)
        {
            string? aliased = LowerName(value);
            if (aliased is null) { _failed.Add(local); return; }
            _currentName[local] = aliased;
            return;
        }
        if (value is InvocationExpressionSyntax invocation
            && _model.GetSymbolInfo(invocation, _cancellation).Symbol is IMethodSymbol { Name: "SequenceLike" } method
            && KnownTypes.IsOps(method.ContainingType)
            && invocation.ArgumentList.Arguments.Count == 1)
        {
            string? like = SequenceName(invocation.ArgumentList.Arguments[0].Expression);
            if (like is null) { _failed.Add(local); return; }
            _pendingSequences[local] = new PendingSequence(like, ValueKind.Sequence);
            return;
        }
        // Anything else (Reverse(x), layer.Forward(x)) is a value like any other, and must be a sequence.
        string? result = Lower(value, Fresh(local.Name));
        if (result is null) { _failed.Add(local); return; }
        _currentName[local] = result;
    }

    // The name of a sequence value (an input, or a filled or pending sequence local) read by a loop header, SequenceLike or Zeros.
    private string? SequenceName(ExpressionSyntax expression)
    {
        expression = Strip(expression);
        ISymbol? symbol = expression is IdentifierNameSyntax ? _model.GetSymbolInfo(expression, _cancellation).Symbol : null;
        if (symbol is ILocalSymbol && _pendingSequences.TryGetValue(symbol, out PendingSequence? pending))
            return pending.Filled ?? pending.Like;
        if (symbol is ILocalSymbol or IParameterSymbol && _currentName.TryGetValue(symbol, out string? name)
            && _kinds.TryGetValue(name, out ValueKind kind) && kind is ValueKind.Sequence or ValueKind.IdSequence)
            return name;
        if (symbol is ILocalSymbol && _failed.Contains(symbol)) return null;
        Report(DiagnosticDescriptors.InvalidSequenceUse, expression, expression.ToString(), "expected an input of type Sequence<T> or IdSequence, or a sequence local");
        return null;
    }

    private void LowerLoop(ForStatementSyntax loop)
    {
        string header = "for (" + loop.Declaration + "; " + loop.Condition + "; " + string.Join(", ", loop.Incrementors) + ")";
        (ILocalSymbol Index, string Sequence, bool Reverse)? form = LoopForm(loop, header);
        if (form is null) return;

        // The body's statements, and a pre-scan of the locals from outside that it assigns: those are
        // the states, and every read of one in the body before its assignment is the phi.
        var statements = loop.Statement is BlockSyntax block ? block.Statements.ToList() : new List<StatementSyntax> { loop.Statement };
        // Loops follow one another, so loops whose variables share a name share the generated name too.
        if (!_indexNames.TryGetValue(form.Value.Index.Name, out string? indexName))
            _indexNames[form.Value.Index.Name] = indexName = Fresh(form.Value.Index.Name);
        var scope = new LoopScope(loop, form.Value.Index, indexName);
        var stateLocals = new List<ILocalSymbol>();
        foreach (AssignmentExpressionSyntax assignment in loop.Statement.DescendantNodesAndSelf().OfType<AssignmentExpressionSyntax>())
        {
            if (assignment.Left is IdentifierNameSyntax
                && _model.GetSymbolInfo(assignment.Left, _cancellation).Symbol is ILocalSymbol local
                && !scope.DeclaredInside(local) && KnownTypes.IsBatch(local.Type)
                && !stateLocals.Contains(local, SymbolEqualityComparer.Default))
                stateLocals.Add(local);
        }

        var outer = _operations;
        var body = new List<Operation>();
        _operations = body;
        _loop = scope;
        bool ok = true;
        foreach (ILocalSymbol local in stateLocals)
        {
            if (_failed.Contains(local) || !_currentName.TryGetValue(local, out string? initial))
            {
                scope.FailedStates.Add(local);
                ok = false;
                continue;
            }
            string phi = Fresh(local.Name);
            scope.States[local] = (initial, phi);
            scope.Defined.Add(phi);
            _kinds[phi] = ValueKind.Batch;
            _currentName[local] = phi;
        }
        int before = _diagnostics.Count;
        foreach (StatementSyntax statement in statements)
        {
            _cancellation.ThrowIfCancellationRequested();
            _statementSource = statement.ToString();
            LowerStatement(statement);
        }
        ok &= _diagnostics.Count == before;

        // Every state's Next and every written value must be a value of this step with storage of
        // its own: a Copy makes one where the body assigned a phi, a step read, an outer value or
        // the Next of another state.
        var states = new List<LoopState>();
        var nexts = new HashSet<string>();
        foreach (ILocalSymbol local in stateLocals)
        {
            if (!scope.States.TryGetValue(local, out var state)) continue;
            if (!_currentName.TryGetValue(local, out string? next) || _failed.Contains(local)) { ok = false; continue; }
            _statementSource = local.Name + " (carried to the next step)";
            if (!HasStepStorage(next, body, scope) || nexts.Contains(next))
                next = AppendCopy(next, loop);
            nexts.Add(next);
            string final = Fresh(local.Name);
            _kinds[final] = ValueKind.Batch;
            states.Add(new LoopState(local.Name, state.Initial, state.Phi, next, final));
            _currentName[local] = final;
        }
        var outputs = new List<LoopOutput>();
        foreach (var write in scope.Writes)
        {
            string value = write.Value;
            _statementSource = write.At.ToString();
            if (!HasStepStorage(value, body, scope)) value = AppendCopy(value, write.At);
            outputs.Add(new LoopOutput(write.Sequence, value));
            PendingSequence pending = _pendingSequences[write.Local];
            pending.Filled = write.Sequence;
            _kinds[write.Sequence] = ValueKind.Sequence;
            _currentName[write.Local] = write.Sequence;
        }

        _operations = outer;
        _loop = null;
        if (!ok) return;

        // What the body reads from outside: the loop operation's operands (parameters included).
        var defined = new HashSet<string>(scope.Defined);
        var reads = new List<string>();
        foreach (LoopState state in states)
            if (!reads.Contains(state.Initial)) reads.Add(state.Initial);
        foreach (Operation op in body)
            foreach (string operand in op.Operands)
                if (!defined.Contains(operand) && !reads.Contains(operand)) reads.Add(operand);

        var spec = new LoopSpec(form.Value.Sequence, form.Value.Reverse, scope.IndexName, header,
            states.ToEquatableArray(), body.ToEquatableArray(), outputs.ToEquatableArray());
        string name = Fresh("loop");
        _statementSource = header;
        _operations.Add(new Operation(OpKind.Loop, name, reads.ToEquatableArray(), header, null, spec));
        _operationSyntax[name] = loop;
    }

    private static bool HasStepStorage(string value, List<Operation> body, LoopScope scope)
        => body.Any(op => op.Result == value && op.Kind != OpKind.StepRead) && scope.Defined.Contains(value);

    private string AppendCopy(string value, SyntaxNode at)
    {
        string result = Fresh(value + "_copy");
        _operations.Add(new Operation(OpKind.Copy, result, new[] { value }.ToEquatableArray(), _statementSource ?? at.ToString()));
        _operationSyntax[result] = at;
        _kinds[result] = ValueKind.Batch;
        _loop?.Defined.Add(result);
        return result;
    }

    // Recognises the two loop forms; reports and returns null otherwise.
    private (ILocalSymbol Index, string Sequence, bool Reverse)? LoopForm(ForStatementSyntax loop, string header)
    {
        void Reject(string reason) => Report(DiagnosticDescriptors.UnsupportedLoop, loop, header, reason);
        const string Forms = "write 'for (int t = 0; t < x.Length; t++)' or 'for (int t = x.Length - 1; t >= 0; t--)' over a sequence x";

        if (loop.Declaration is not { Variables.Count: 1 } declaration || loop.Initializers.Count != 0
            || declaration.Variables[0].Initializer is null
            || _model.GetDeclaredSymbol(declaration.Variables[0], _cancellation) is not ILocalSymbol index
            || index.Type.SpecialType != SpecialType.System_Int32)
        {
            Reject("the loop must declare one int variable; " + Forms);
            return null;
        }
        bool IsIndex(ExpressionSyntax e) => Strip(e) is IdentifierNameSyntax && SymbolEqualityComparer.Default.Equals(_model.GetSymbolInfo(Strip(e), _cancellation).Symbol, index);
        bool IsConstant(ExpressionSyntax e, int value) => _model.GetConstantValue(e, _cancellation) is { HasValue: true, Value: int v } && v == value;
        // 'x.Length' (or 'x.Length - 1' when minusOne): returns x's sequence name.
        string? LengthOf(ExpressionSyntax e, bool minusOne)
        {
            e = Strip(e);
            if (minusOne)
            {
                if (e is not BinaryExpressionSyntax { RawKind: (int)SyntaxKind.SubtractExpression } minus || !IsConstant(minus.Right, 1)) return null;
                e = Strip(minus.Left);
            }
            if (e is not MemberAccessExpressionSyntax { Name.Identifier.Text: "Length" } access) return null;
            ITypeSymbol? type = _model.GetTypeInfo(access.Expression, _cancellation).Type;
            if (!KnownTypes.IsSequence(type) && !KnownTypes.IsIdSequence(type)) return null;
            return SequenceName(access.Expression);
        }
        ExpressionSyntax start = declaration.Variables[0].Initializer!.Value;
        if (loop.Incrementors.Count != 1 || loop.Condition is not BinaryExpressionSyntax condition)
        {
            Reject(Forms);
            return null;
        }
        ExpressionSyntax step = loop.Incrementors[0];
        bool increments = step is PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression } post && IsIndex(post.Operand)
            || step is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression } pre && IsIndex(pre.Operand)
            || step is AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.AddAssignmentExpression } add && IsIndex(add.Left) && IsConstant(add.Right, 1);
        bool decrements = step is PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostDecrementExpression } postd && IsIndex(postd.Operand)
            || step is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreDecrementExpression } pred && IsIndex(pred.Operand)
            || step is AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SubtractAssignmentExpression } sub && IsIndex(sub.Left) && IsConstant(sub.Right, 1);

        if (increments && IsConstant(start, 0) && condition.IsKind(SyntaxKind.LessThanExpression) && IsIndex(condition.Left)
            && LengthOf(condition.Right, minusOne: false) is { } forwards)
            return (index, forwards, false);
        if (decrements && condition.IsKind(SyntaxKind.GreaterThanOrEqualExpression) && IsIndex(condition.Left) && IsConstant(condition.Right, 0)
            && LengthOf(start, minusOne: true) is { } backwards)
            return (index, backwards, true);
        Reject(Forms + " (every step, in order, so that the backward pass can replay them in reverse)");
        return null;
    }

    // x[t] inside a loop: step t of a sequence.
    private string? LowerStepRead(ElementAccessExpressionSyntax access)
    {
        ITypeSymbol? type = _model.GetTypeInfo(access.Expression, _cancellation).Type;
        if (!KnownTypes.IsSequence(type) && !KnownTypes.IsIdSequence(type))
        {
            Report(DiagnosticDescriptors.UnsupportedExpression, access, access.ToString(), "indexing a tensor is not a DSL operation");
            return null;
        }
        if (_loop is null)
        {
            Report(DiagnosticDescriptors.InvalidStepAccess, access, access.ToString(), "steps of a sequence are read inside a loop over its steps, at the loop variable");
            return null;
        }
        if (access.ArgumentList.Arguments.Count != 1 || Strip(access.ArgumentList.Arguments[0].Expression) is not IdentifierNameSyntax indexName
            || !SymbolEqualityComparer.Default.Equals(_model.GetSymbolInfo(indexName, _cancellation).Symbol, _loop.IndexSymbol))
        {
            Report(DiagnosticDescriptors.InvalidStepAccess, access, access.ToString(),
                $"a step is read at the loop variable itself ('{access.Expression}[{_loop.IndexSymbol.Name}]'); other steps are not kept for the backward pass");
            return null;
        }
        ISymbol? symbol = _model.GetSymbolInfo(Strip(access.Expression), _cancellation).Symbol;
        if (symbol is ILocalSymbol && _pendingSequences.TryGetValue(symbol, out PendingSequence? pending) && pending.Filled is null)
        {
            Report(DiagnosticDescriptors.InvalidSequenceUse, access, access.ToString(), "this sequence is read before a loop has filled its steps (a loop cannot read the sequence it fills)");
            return null;
        }
        string? sequence = Strip(access.Expression) is IdentifierNameSyntax ? SequenceName(access.Expression) : null;
        if (sequence is null)
        {
            if (Strip(access.Expression) is not IdentifierNameSyntax)
                Report(DiagnosticDescriptors.InvalidStepAccess, access, access.ToString(), "index a sequence input or a sequence local directly");
            return null;
        }
        if (_loop.StepReads.TryGetValue(sequence, out string? existing)) return existing;
        string result = Fresh(sequence + "_step");
        _operations.Add(new Operation(OpKind.StepRead, result, new[] { sequence }.ToEquatableArray(), _statementSource ?? access.ToString()));
        _operationSyntax[result] = access;
        _kinds[result] = _kinds[sequence] == ValueKind.IdSequence ? ValueKind.Ids : ValueKind.Batch;
        _loop.Defined.Add(result);
        _loop.StepReads[sequence] = result;
        return result;
    }

    // hs[t] = value; inside a loop: step t of a sequence local that this loop fills.
    private void LowerStepWrite(AssignmentExpressionSyntax assignment)
    {
        var access = (ElementAccessExpressionSyntax)assignment.Left;
        ISymbol? symbol = Strip(access.Expression) is IdentifierNameSyntax ? _model.GetSymbolInfo(Strip(access.Expression), _cancellation).Symbol : null;
        if (symbol is not ILocalSymbol local || !_pendingSequences.TryGetValue(local, out PendingSequence? pending))
        {
            Report(DiagnosticDescriptors.InvalidSequenceUse, assignment, FirstLine(assignment), "only the steps of a sequence local made with SequenceLike can be assigned");
            return;
        }
        if (_loop is null)
        {
            _failed.Add(local);
            Report(DiagnosticDescriptors.InvalidStepAccess, assignment, FirstLine(assignment), "steps of a sequence are assigned inside a loop over its steps, at the loop variable");
            return;
        }
        if (access.ArgumentList.Arguments.Count != 1 || Strip(access.ArgumentList.Arguments[0].Expression) is not IdentifierNameSyntax indexName
            || !SymbolEqualityComparer.Default.Equals(_model.GetSymbolInfo(indexName, _cancellation).Symbol, _loop.IndexSymbol))
        {
            _failed.Add(local);
            Report(DiagnosticDescriptors.InvalidStepAccess, assignment, FirstLine(assignment), $"a step is assigned at the loop variable itself ('{local.Name}[{_loop.IndexSymbol.Name}] = ...')");
            return;
        }
        if (pending.Written)
        {
            Report(DiagnosticDescriptors.InvalidSequenceUse, assignment, FirstLine(assignment), "this sequence's steps are already assigned: each sequence gets one value per step, from one loop");
            return;
        }
        pending.Written = true;
        _temporaryBase = local.Name;
        string? value = Lower(assignment.Right, null);
        if (value is null) return;
        _loop.Writes.Add((local, Fresh(local.Name), value, assignment));
    }

    // Reverse(x): a whole sequence, so outside loops.
    private string? LowerReverse(InvocationExpressionSyntax invocation, ExpressionSyntax argument, string? target)
    {
        if (_loop is not null)
        {
            Report(DiagnosticDescriptors.InvalidSequenceUse, invocation, invocation.ToString(), "Reverse works on whole sequences, outside loops");
            return null;
        }
        string? sequence = Lower(argument, null);
        if (sequence is null) return null;
        return Append(OpKind.Reverse, invocation, target, new[] { sequence });
    }

    // layer.Forward(x): another model's [MeProp] method called through a member of this model. Its
    // operations replace the call when the models are linked (Linking/ModelLinker.cs).
    private string? LowerLayerCall(InvocationExpressionSyntax invocation, Microsoft.CodeAnalysis.Operations.IInvocationOperation call, string? target)
    {
        ISymbol? member = call.Instance switch
        {
            Microsoft.CodeAnalysis.Operations.IFieldReferenceOperation { Instance: Microsoft.CodeAnalysis.Operations.IInstanceReferenceOperation } field => field.Field,
            Microsoft.CodeAnalysis.Operations.IPropertyReferenceOperation { Instance: Microsoft.CodeAnalysis.Operations.IInstanceReferenceOperation, Property.IsIndexer: false } property => property.Property,
            _ => null,
        };
        if (member is null || !SymbolEqualityComparer.Default.Equals(member.ContainingType.OriginalDefinition, _containingType.OriginalDefinition))
        {
            Report(DiagnosticDescriptors.UnsupportedLayerCall, invocation, invocation.Expression.ToString(),
                "call another model's [MeProp] method through a field or property of this model ('layer.Forward(x)'), so that its parameters are this model's too");
            return null;
        }
        var operands = new List<string>();
        foreach (var argument in call.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
        {
            if (argument.Syntax is not ArgumentSyntax syntax)
            {
                Report(DiagnosticDescriptors.UnsupportedLayerCall, invocation, invocation.Expression.ToString(), "write every argument out");
                return null;
            }
            string? name = Lower(syntax.Expression, null);
            if (name is null) return null;
            operands.Add(name);
        }
        IMethodSymbol method = call.TargetMethod;
        ValueKind kind = KnownTypes.IsSequence(method.ReturnType) ? ValueKind.Sequence : ValueKind.Batch;
        string result = target ?? Fresh(_temporaryBase + "_" + member.Name);
        var spec = new CallSpec(member.Name, method.ContainingType.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            method.Name, kind, DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedLayerCall, invocation.GetLocation()));
        _operations.Add(new Operation(OpKind.Call, result, operands.ToEquatableArray(), _statementSource ?? invocation.ToString(), Call: spec));
        _operationSyntax[result] = invocation;
        _kinds[result] = kind;
        _loop?.Defined.Add(result);
        return result;
    }

    // Zeros(x, width): x a method input (its examples), width a constant or an int member of the model.
    private string? LowerZeros(InvocationExpressionSyntax invocation, List<ExpressionSyntax> arguments, string? target)
    {
        if (arguments.Count != 2) return null;
        ExpressionSyntax like = Strip(arguments[0]);
        ISymbol? symbol = like is IdentifierNameSyntax ? _model.GetSymbolInfo(like, _cancellation).Symbol : null;
        if (symbol is not IParameterSymbol input || !_inputs.ContainsKey(input.Name))
        {
            Report(DiagnosticDescriptors.InvalidZeros, invocation, invocation.ToString(), "the first argument must be an input of the method (it gives the number of examples)");
            return null;
        }
        string? width = WidthExpression(arguments[1]);
        if (width is null)
        {
            Report(DiagnosticDescriptors.InvalidZeros, invocation, invocation.ToString(),
                "the width must be a constant, an int field or property of the model, or the Rows/Cols/Length of a member (the training pass evaluates it when it sizes its buffers)");
            return null;
        }
        return Append(OpKind.Zeros, invocation, target, new[] { input.Name }, width);
    }

    // A width the tape can evaluate: "{owner}" stands for the model instance.
    private string? WidthExpression(ExpressionSyntax expression)
    {
        expression = Strip(expression);
        Optional<object?> constant = _model.GetConstantValue(expression, _cancellation);
        if (constant.HasValue)
            return constant.Value is int value && value > 0 ? value.ToString(CultureInfo.InvariantCulture) : null;
        string? Member(ExpressionSyntax e)
        {
            e = Strip(e);
            if (e is not (IdentifierNameSyntax or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax })) return null;
            ISymbol? symbol = _model.GetSymbolInfo(e, _cancellation).Symbol;
            if (symbol is not (IFieldSymbol or IPropertySymbol { IsIndexer: false })
                || !SymbolEqualityComparer.Default.Equals(symbol.ContainingType.OriginalDefinition, _containingType.OriginalDefinition))
                return null;
            NoteMemberRead(symbol);
            return symbol.IsStatic
                ? _containingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + symbol.Name
                : "{owner}." + symbol.Name;
        }
        ITypeSymbol? type = _model.GetTypeInfo(expression, _cancellation).Type;
        if (type?.SpecialType != SpecialType.System_Int32) return null;
        if (Member(expression) is { } direct) return direct;
        if (expression is MemberAccessExpressionSyntax { Name.Identifier.Text: "Rows" or "Cols" or "Length" } size
            && KnownTypes.IsTensor(_model.GetTypeInfo(size.Expression, _cancellation).Type)
            && Member(size.Expression) is { } owner)
            return owner + "." + size.Name.Identifier.Text;
        return null;
    }
}
