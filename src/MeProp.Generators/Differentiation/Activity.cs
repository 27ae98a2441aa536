using System.Collections.Generic;
using System.Linq;
using MeProp.Generators.Model;

namespace MeProp.Generators.Differentiation;

/// <summary>
/// Activity analysis: which forward values need a gradient, which linear operations are output
/// layers, and how many uses each value has. What a backend fuses or shares on the strength of
/// these facts is the backend's decision (<see cref="Emit.CpuFusion"/> for the CPU).
/// </summary>
/// <remarks>
/// <para>A value needs a gradient when it lies on a path from a parameter to the returned value: it
/// must depend on a parameter (inputs do not, so the first layer never forms dx) and the output must
/// depend on it (dead values get no backward code). A linear operation is an output layer when no
/// other linear operation lies between its result and the returned value.</para>
/// <para>The analysis runs on a graph of value-to-value edges: one per operand of each operation,
/// and for each loop the edges a step adds (a state's initial value and its Next to its phi, its
/// Next to its value after the loop, a written value to its sequence). The back edge Next→phi makes
/// the graph cyclic, so every property is a fixpoint: iterated until nothing changes.</para>
/// </remarks>
internal sealed class Activity
{
    private readonly HashSet<string> _needsGradient = new();
    private readonly HashSet<string> _outputLayers = new();
    private readonly HashSet<string> _live = new();
    private readonly Dictionary<string, int> _uses = new();

    public Activity(ModelSpec model)
    {
        var edges = new List<(string From, string To, bool Linear)>();
        var linearOps = new List<Operation>();
        var layerResults = new List<string>();
        void Walk(IReadOnlyList<Operation> operations)
        {
            foreach (Operation op in operations)
            {
                switch (op.Kind)
                {
                    case OpKind.Loop:
                        LoopSpec loop = op.Loop!;
                        foreach (LoopState state in loop.States)
                        {
                            edges.Add((state.Initial, state.Phi, false));
                            edges.Add((state.Next, state.Phi, false));
                            edges.Add((state.Next, state.Final, false));
                        }
                        foreach (LoopOutput output in loop.Outputs)
                            edges.Add((output.Value, output.Sequence, false));
                        Walk(loop.Body);
                        break;
                    case OpKind.Zeros:
                        break; // reads only its input's example count
                    case OpKind.Call:
                        // Before linking: the layer has parameters and (as far as this model can
                        // tell) linear operations, so its result is varied and lies past a linear one.
                        layerResults.Add(op.Result);
                        foreach (string operand in op.Operands)
                            edges.Add((operand, op.Result, true));
                        break;
                    default:
                        if (op.Kind == OpKind.Linear) linearOps.Add(op);
                        foreach (string operand in op.Operands)
                            edges.Add((operand, op.Result, op.Kind == OpKind.Linear));
                        break;
                }
            }
        }
        Walk(model.Operations);

        // Forward: values that depend on a parameter.
        var varied = new HashSet<string>(model.Parameters.Select(p => p.Name).Concat(layerResults));
        Fixpoint(() => edges.Aggregate(false, (changed, e) => varied.Contains(e.From) && varied.Add(e.To) || changed));

        // Backward: values the output depends on, and whether a linear operation lies in between.
        _live.Add(model.Output);
        Fixpoint(() => edges.Aggregate(false, (changed, e) => _live.Contains(e.To) && _live.Add(e.From) || changed));
        var linearDownstream = new HashSet<string>();
        Fixpoint(() => edges.Aggregate(false, (changed, e) =>
            _live.Contains(e.To) && (e.Linear || linearDownstream.Contains(e.To)) && linearDownstream.Add(e.From) || changed));
        foreach (Operation op in linearOps)
            if (_live.Contains(op.Result) && !linearDownstream.Contains(op.Result)) _outputLayers.Add(op.Result);

        foreach (string value in _live)
            if (varied.Contains(value)) _needsGradient.Add(value);

        // Every edge out of a value is a use (a state's Next also feeds the next step).
        foreach (var edge in edges)
            _uses[edge.From] = _uses.TryGetValue(edge.From, out int n) ? n + 1 : 1;
    }

    private static void Fixpoint(System.Func<bool> pass)
    {
        while (pass()) { }
    }

    /// <summary>How many operand slots (and loop edges: a state's initial value and Next, a value written to a sequence) read <paramref name="value"/>.</summary>
    public int Uses(string value) => _uses.TryGetValue(value, out int n) ? n : 0;

    /// <summary>True when back propagation must form the gradient of <paramref name="value"/>.</summary>
    public bool NeedsGradient(string value) => _needsGradient.Contains(value);

    /// <summary>True when the output depends on <paramref name="value"/>.</summary>
    public bool IsLive(string value) => _live.Contains(value);

    /// <summary>True when the linear operation producing <paramref name="result"/> is an output layer.</summary>
    public bool IsOutputLayer(string result) => _outputLayers.Contains(result);
}
