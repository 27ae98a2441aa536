using System.Collections.Generic;
using System.Linq;
using MeProp.Generators.Model;

namespace MeProp.Generators.Differentiation;

/// <summary>
/// Activity analysis: which forward values need a gradient, which linear operations are output
/// layers, and which ReLUs fold into their linear operation's backward.
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
    private readonly Dictionary<string, Operation> _fusedRelu = new();
    private readonly Dictionary<string, (Operation Concat, int Index)> _embedInConcat = new();
    private readonly HashSet<string> _dropoutMaySkip = new();

    public Activity(ModelSpec model)
    {
        var edges = new List<(string From, string To, bool Linear)>();
        var linearOps = new List<Operation>();
        var lists = new List<IReadOnlyList<Operation>>();
        var layerResults = new List<string>();
        void Walk(IReadOnlyList<Operation> operations)
        {
            lists.Add(operations);
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

        // A linear operation whose result feeds only a Relu can form dL/dy and
        // select its top-k in one pass (LinearBackward.RunThroughRelu) instead of writing dL/dy and
        // reading it again. Every edge out of a value is a use (a state's Next also feeds the next step).
        // Relu only: the fused pass applies ReLU's derivative (d = y > 0 ? g : 0); every other
        // activation, Cube included, runs its own backward kernel before the linear operation's.
        var uses = new Dictionary<string, int>();
        foreach (var edge in edges)
            uses[edge.From] = uses.TryGetValue(edge.From, out int n) ? n + 1 : 1;
        // Not inside loops: a loop's linear operations defer their dense weight gradients to one
        // product after the loop (LinearBackward.RunStep), which the fused form does not do.
        foreach (IReadOnlyList<Operation> list in lists.Take(1))
        {
            var linear = new HashSet<string>(list.Where(o => o.Kind == OpKind.Linear).Select(o => o.Result));
            foreach (Operation op in list)
            {
                if (op.Kind == OpKind.Relu && linear.Contains(op.Operands[0]) && uses[op.Operands[0]] == 1
                    && _needsGradient.Contains(op.Result) && op.Operands[0] != model.Output)
                    _fusedRelu[op.Operands[0]] = op;
            }

            // Buffers shared instead of copied, outside loops (a body's values are per-step storage):
            // - an Embed whose only use is a Concat writes its lookup straight into the Concat's columns,
            //   and its table's gradient reads them from the Concat's gradient: no copy either way;
            // - a Dropout whose operand has no other use may return the operand itself when its rate is
            //   0 at run time (the rate is an expression, known only then), and then shares the
            //   operand's gradient buffer too: nothing else reads or writes either buffer, so sharing
            //   cannot be observed. At the parser's batch of 10,000 these copies were 96 MB passes.
            var defined = list.Where(o => o.Kind != OpKind.Loop).ToDictionary(o => o.Result);
            foreach (Operation op in list)
            {
                if (op.Kind == OpKind.Concat)
                    for (int i = 0; i < op.Operands.Count; i++)
                        if (defined.TryGetValue(op.Operands[i], out Operation? part) && part.Kind == OpKind.Embed && uses[part.Result] == 1)
                            _embedInConcat[part.Result] = (op, i);
                if (op.Kind == OpKind.Dropout && defined.ContainsKey(op.Operands[0]) && uses[op.Operands[0]] == 1
                    && op.Operands[0] != model.Output && op.Result != model.Output)
                    _dropoutMaySkip.Add(op.Result);
            }
        }
    }

    private static void Fixpoint(System.Func<bool> pass)
    {
        while (pass()) { }
    }

    /// <summary>The Relu fused into the backward of the linear operation producing <paramref name="linearResult"/>, or null.</summary>
    public Operation? FusedRelu(string linearResult) => _fusedRelu.TryGetValue(linearResult, out Operation? relu) ? relu : null;

    /// <summary>True when <paramref name="op"/> is a Relu whose gradient its linear operation forms (so it emits none itself).</summary>
    public bool IsFusedIntoLinear(Operation op) => op.Kind == OpKind.Relu && FusedRelu(op.Operands[0]) == op;

    /// <summary>The Concat that an Embed's result is written into (and the operand's index there), when that is the result's only use; else null.</summary>
    public (Operation Concat, int Index)? ConcatHolding(string embedResult)
        => _embedInConcat.TryGetValue(embedResult, out var place) ? place : null;

    /// <summary>True when the Dropout producing <paramref name="result"/> returns its operand's buffer at rate 0, sharing its gradient buffer too.</summary>
    public bool DropoutMaySkip(string result) => _dropoutMaySkip.Contains(result);

    /// <summary>True when back propagation must form the gradient of <paramref name="value"/>.</summary>
    public bool NeedsGradient(string value) => _needsGradient.Contains(value);

    /// <summary>True when the output depends on <paramref name="value"/>.</summary>
    public bool IsLive(string value) => _live.Contains(value);

    /// <summary>True when the linear operation producing <paramref name="result"/> is an output layer.</summary>
    public bool IsOutputLayer(string result) => _outputLayers.Contains(result);
}
