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
    }

    /// <summary>True when back propagation must form the gradient of <paramref name="value"/>.</summary>
    public bool NeedsGradient(string value) => _needsGradient.Contains(value);

    /// <summary>True when the output depends on <paramref name="value"/>.</summary>
    public bool IsLive(string value) => _live.Contains(value);

    /// <summary>True when the linear operation producing <paramref name="result"/> is an output layer.</summary>
    public bool IsOutputLayer(string result) => _outputLayers.Contains(result);
}
