using System.Collections.Generic;
using System.Linq;
using MeProp.Generators.Model;

namespace MeProp.Generators.Differentiation;

/// <summary>
/// Activity analysis: which forward values need a gradient, and which linear operations are output
/// layers.
/// </summary>
/// <remarks>
/// A value needs a gradient when it lies on a path from a parameter to the returned value: it must
/// depend on a parameter (inputs do not, so the first layer never forms dx) and the output must
/// depend on it (dead values get no backward code). A linear operation is an output layer when no
/// other linear operation lies between its result and the returned value.
/// </remarks>
internal sealed class Activity
{
    private readonly HashSet<string> _needsGradient = new();
    private readonly HashSet<string> _outputLayers = new();
    private readonly HashSet<string> _live = new();
    private readonly Dictionary<string, Operation> _fusedRelu = new();

    public Activity(ModelSpec model)
    {
        var parameters = new HashSet<string>(model.Parameters.Select(p => p.Name));

        // Forward: values that depend on a parameter.
        var varied = new HashSet<string>(parameters);
        foreach (Operation op in model.Operations)
            if (op.Operands.Any(varied.Contains)) varied.Add(op.Result);

        // Backward: values the output depends on, and whether a linear operation lies in between.
        _live.Add(model.Output);
        var linearDownstream = new HashSet<string>();
        foreach (Operation op in model.Operations.Reverse())
        {
            if (!_live.Contains(op.Result)) continue;
            bool downstream = linearDownstream.Contains(op.Result);
            if (op.Kind == OpKind.Linear && !downstream) _outputLayers.Add(op.Result);
            foreach (string operand in op.Operands)
            {
                _live.Add(operand);
                if (downstream || op.Kind == OpKind.Linear) linearDownstream.Add(operand);
            }
        }

        foreach (string value in _live)
            if (varied.Contains(value)) _needsGradient.Add(value);

        // A linear operation whose result feeds only a Relu can form dL/dy and select its top-k in
        // one pass (LinearBackward.RunThroughRelu) instead of writing dL/dy and reading it again.
        var uses = new Dictionary<string, int>();
        foreach (Operation op in model.Operations)
            foreach (string operand in op.Operands)
                uses[operand] = uses.TryGetValue(operand, out int n) ? n + 1 : 1;
        var linear = new HashSet<string>(model.Operations.Where(o => o.Kind == OpKind.Linear).Select(o => o.Result));
        foreach (Operation op in model.Operations)
        {
            if (op.Kind == OpKind.Relu && linear.Contains(op.Operands[0]) && uses[op.Operands[0]] == 1
                && _needsGradient.Contains(op.Result) && op.Operands[0] != model.Output)
                _fusedRelu[op.Operands[0]] = op;
        }
    }

    /// <summary>The Relu fused into the backward of the linear operation producing <paramref name="linearResult"/>, or null.</summary>
    public Operation? FusedRelu(string linearResult) => _fusedRelu.TryGetValue(linearResult, out Operation? relu) ? relu : null;

    /// <summary>True when <paramref name="op"/> is a Relu whose gradient its linear operation forms (so it emits none itself).</summary>
    public bool IsFusedIntoLinear(Operation op) => op.Kind == OpKind.Relu && FusedRelu(op.Operands[0]) == op;

    /// <summary>True when back propagation must form the gradient of <paramref name="value"/>.</summary>
    public bool NeedsGradient(string value) => _needsGradient.Contains(value);

    /// <summary>True when the output depends on <paramref name="value"/>.</summary>
    public bool IsLive(string value) => _live.Contains(value);

    /// <summary>True when the linear operation producing <paramref name="result"/> is an output layer.</summary>
    public bool IsOutputLayer(string result) => _outputLayers.Contains(result);
}
