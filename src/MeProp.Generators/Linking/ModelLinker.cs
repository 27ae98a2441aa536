using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using MeProp.Generators.Diagnostics;
using MeProp.Generators.Model;

namespace MeProp.Generators.Linking;

/// <summary>What linking one model yields: the model with its layers inlined (null after an error), and the diagnostics.</summary>
/// <remarks>Immutable and structurally equatable: holds no ISymbol, SyntaxNode, Compilation or Location.</remarks>
internal sealed record LinkResult(ModelSpec? Model, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// Replaces every call of another model used as a layer (<c>layer.Forward(x)</c>) by that model's
/// operations, renamed into the caller's names: its inputs become the call's arguments, its result
/// the call's result, its parameters parameters of the caller reached through the member
/// ("layer.W", so they join the caller's Parameters; a layer called twice shares them, and their
/// gradients add up), its other values fresh names. The caller's settings then govern the whole
/// model: one K, one mode, one random source.
/// </summary>
/// <remarks>
/// Linking works on the IR of both models (the pipeline collects every parsed model), so an edit to
/// a layer's forward method re-links the models that use it, and the models need no knowledge of
/// each other's generated code.
/// </remarks>
internal sealed class ModelLinker
{
    private readonly ModelSpec _model;
    private readonly ImmutableArray<ModelSpec> _all;
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly HashSet<string> _names = new();
    private readonly List<ParameterSpec> _parameters;
    private readonly Dictionary<string, ParameterSpec> _layerParameters = new(); // by access path
    private readonly HashSet<string> _indices = new(); // loop variable names in use (also in _names)

    private ModelLinker(ModelSpec model, ImmutableArray<ModelSpec> all)
    {
        _model = model;
        _all = all;
        _parameters = model.Parameters.ToList();
        _names.UnionWith(GeneratedNames.Reserved);
        _names.UnionWith(model.Inputs.Select(i => i.Name));
        _names.UnionWith(model.Parameters.Select(p => p.Name));
        foreach (Operation op in model.Operations) AddNames(op);
    }

    public static LinkResult Link(ModelSpec model, ImmutableArray<ModelSpec> all)
    {
        if (!model.Operations.Any(HasCall)) return new LinkResult(model, EquatableArray<DiagnosticInfo>.Empty);
        var linker = new ModelLinker(model, all);
        var operations = linker.Inline(model.Operations, pathPrefix: null, insideLoop: false, ImmutableStack.Create(model.Type.FullyQualifiedName));
        if (linker._diagnostics.Count > 0) return new LinkResult(null, linker._diagnostics.ToEquatableArray());
        var linked = model with { Operations = operations.ToEquatableArray(), Parameters = linker._parameters.ToEquatableArray() };
        return new LinkResult(linked, EquatableArray<DiagnosticInfo>.Empty);
    }

    private static bool HasCall(Operation op) => op.Kind == OpKind.Call || (op.Loop?.Body.Any(HasCall) ?? false);

    private void AddNames(Operation op)
    {
        _names.Add(op.Result);
        if (op.Loop is not { } loop) return;
        _names.Add(loop.Index);
        _indices.Add(loop.Index);
        foreach (LoopState state in loop.States) _names.UnionWith(new[] { state.Phi, state.Final });
        foreach (LoopOutput output in loop.Outputs) _names.Add(output.Sequence);
        foreach (Operation inner in loop.Body) AddNames(inner);
    }

    // Operations with every layer call replaced; pathPrefix is how the model reaches the layer that
    // holds these operations (null for the model's own).
    private List<Operation> Inline(IEnumerable<Operation> operations, string? pathPrefix, bool insideLoop, ImmutableStack<string> callers)
    {
        var result = new List<Operation>();
        foreach (Operation op in operations)
        {
            if (op.Kind == OpKind.Loop)
                result.Add(op with { Loop = op.Loop! with { Body = Inline(op.Loop.Body, pathPrefix, insideLoop: true, callers).ToEquatableArray() } });
            else if (op.Kind == OpKind.Call)
                result.AddRange(InlineCall(op, pathPrefix is null ? op.Call!.Member : pathPrefix + "." + op.Call!.Member, insideLoop, callers));
            else
                result.Add(op);
        }
        return result;
    }

    // The layer's operations for one call, renamed; memberPath is how the caller's model reaches the layer ("a", "a.b").
    private List<Operation> InlineCall(Operation call, string memberPath, bool insideLoop, ImmutableStack<string> callers)
    {
        CallSpec spec = call.Call!;
        string what = memberPath + "." + spec.Method;
        void Fail(string reason) => _diagnostics.Add(spec.At with { Arguments = new[] { what, reason }.ToEquatableArray() });

        ModelSpec? layer = _all.FirstOrDefault(m => m.Type.FullyQualifiedName == spec.TypeName && m.MethodName == spec.Method);
        if (layer is null)
        {
            Fail("its model has errors, or is declared in another project (a layer's forward method is read from source, so it must be part of this project and free of MeProp errors)");
            return new List<Operation>();
        }
        if (callers.Contains(layer.Type.FullyQualifiedName))
        {
            Fail("it uses the calling model as a layer itself: layers cannot form a cycle");
            return new List<Operation>();
        }
        if (insideLoop && layer.Operations.Any(o => o.Kind == OpKind.Loop))
        {
            Fail("it has loops of its own, and it is called inside a loop: loops do not nest (call it outside the loop, on the whole sequence)");
            return new List<Operation>();
        }
        if (layer.MembersHiddenFromOtherTypes.Count > 0)
        {
            string members = string.Join(", ", layer.MembersHiddenFromOtherTypes);
            Fail($"its forward method reads {members}, which other types cannot access: a layer's forward is inlined into the caller's training pass, which reads those members through '{memberPath}', so make them internal or public");
            return new List<Operation>();
        }
        if (layer.Inputs.Count != call.Operands.Count)
        {
            Fail($"it takes {layer.Inputs.Count} inputs, but the call passes {call.Operands.Count}");
            return new List<Operation>();
        }

        // The layer's names in the caller: inputs -> arguments, result -> the call's result,
        // parameters -> the caller's parameters through the member, everything else fresh.
        string prefix = memberPath.Replace('.', '_');
        var rename = new Dictionary<string, string>();
        for (int i = 0; i < layer.Inputs.Count; i++) rename[layer.Inputs[i].Name] = call.Operands[i];
        foreach (ParameterSpec p in layer.Parameters)
        {
            string access = memberPath + "." + p.Access;
            if (!_layerParameters.TryGetValue(access, out ParameterSpec? mine))
            {
                mine = new ParameterSpec(Fresh(prefix + "_" + p.Name), p.Kind, p.Rows, p.Cols, access);
                _layerParameters[access] = mine;
                _parameters.Add(mine);
            }
            rename[p.Name] = mine.Name;
        }
        rename[layer.Output] = call.Result;
        string Name(string name)
        {
            if (!rename.TryGetValue(name, out string? renamed))
                rename[name] = renamed = Fresh(prefix + "_" + name);
            return renamed;
        }
        // The call's statement first, so that two calls of one layer read apart in generated comments.
        string Source(string source) => call.Source + " -> " + what + ": " + source;
        string? Argument(string? argument) => argument?.Replace("{owner}.", "{owner}." + memberPath + ".").Replace("this.", "this." + memberPath + ".");

        Operation Rename(Operation op)
        {
            if (op.Loop is { } loop)
            {
                // Loops follow one another, so a layer's loop may reuse a loop variable name; only a value may not have it.
                string index = _indices.Contains(loop.Index) || _names.Add(loop.Index) ? loop.Index : Fresh(loop.Index);
                _indices.Add(index);
                var renamedLoop = new LoopSpec(
                    Name(loop.Sequence), loop.Reverse, index, Source(loop.Header),
                    loop.States.Select(s => new LoopState(s.Local, Name(s.Initial), Name(s.Phi), Name(s.Next), Name(s.Final))).ToEquatableArray(),
                    loop.Body.Select(Rename).ToEquatableArray(),
                    loop.Outputs.Select(o => new LoopOutput(Name(o.Sequence), Name(o.Value))).ToEquatableArray());
                return op with { Result = Name(op.Result), Operands = op.Operands.Select(Name).ToEquatableArray(), Source = Source(op.Source), Loop = renamedLoop };
            }
            return op with { Result = Name(op.Result), Operands = op.Operands.Select(Name).ToEquatableArray(), Source = Source(op.Source), Argument = Argument(op.Argument) };
        }

        // The layer's own layers are inlined in turn, reached through this layer's member.
        return Inline(layer.Operations.Select(Rename), memberPath, insideLoop, callers.Push(layer.Type.FullyQualifiedName));
    }

    private string Fresh(string baseName)
    {
        string name = baseName;
        for (int i = 2; _names.Contains(name); i++)
            name = baseName + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _names.Add(name);
        return name;
    }
}
