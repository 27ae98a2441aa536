using System.Collections.Generic;
using System.Linq;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Model;

namespace MeProp.Generators.Emit;

/// <summary>
/// What the CPU pass fuses or shares, decided from the activity analysis' facts: these follow from
/// the CPU runtime's kernels (a ReLU-aware top-k, an embedding written at a column offset, a dropout
/// that may return its operand), so another backend decides its own.
/// </summary>
/// <remarks>
/// Everything here is outside loops: a loop's linear operations defer their dense weight gradients
/// to one product after the loop (LinearBackward.RunStep), which the fused form does not do, and a
/// body's values are per-step storage, which cannot be another value's columns.
/// </remarks>
internal sealed class CpuFusion : IFusion
{
    private readonly Dictionary<string, Operation> _fusedRelu;
    private readonly Dictionary<string, (Operation Concat, int Index)> _embedInConcat = new();
    private readonly HashSet<string> _dropoutMaySkip = new();

    public CpuFusion(ModelSpec model, Activity activity)
    {
        _fusedRelu = ReluFusions(model, activity);
        IReadOnlyList<Operation> list = model.Operations;
        var defined = list.Where(o => o.Kind != OpKind.Loop).ToDictionary(o => o.Result);
        var position = new Dictionary<string, int>();
        for (int p = 0; p < list.Count; p++)
            if (list[p].Kind != OpKind.Loop) position[list[p].Result] = p;
        var inputs = new HashSet<string>(model.Inputs.Select(i => i.Name));
        bool SingleUseEmbed(string name) => defined.TryGetValue(name, out Operation? part) && part.Kind == OpKind.Embed && activity.Uses(name) == 1;
        // An Embed written into a Concat runs where the Embed stands, and its column offset adds up
        // the widths of the Concat's earlier parts from their values: each must exist by then. An
        // input does; a value of an earlier statement does (a Dropout's result, for one, is only set
        // when its statement runs); an Embed's width is positions x dimension, known at any time; a
        // later statement's value or a loop's result would be read before it is made.
        bool WidthKnownAt(string earlier, int at) => SingleUseEmbed(earlier) || inputs.Contains(earlier)
                                                     || (position.TryGetValue(earlier, out int p) && p < at);
        foreach (Operation op in list)
        {
            // Buffers shared instead of copied (at the parser's batch of 10,000 each copy was a 96 MB pass):
            // - an Embed whose only use is a Concat writes its lookup straight into the Concat's columns,
            //   and its table's gradient reads them from the Concat's gradient: no copy either way;
            // - a Dropout whose operand has no other use may return the operand itself when its rate is
            //   0 at run time (the rate is an expression, known only then), and then shares the
            //   operand's gradient buffer too: nothing else reads or writes either buffer, so sharing
            //   cannot be observed.
            if (op.Kind == OpKind.Concat)
                for (int i = 0; i < op.Operands.Count; i++)
                    if (SingleUseEmbed(op.Operands[i]) && op.Operands.Take(i).All(earlier => WidthKnownAt(earlier, position[op.Operands[i]])))
                        _embedInConcat[op.Operands[i]] = (op, i);
            if (op.Kind == OpKind.Dropout && defined.ContainsKey(op.Operands[0]) && activity.Uses(op.Operands[0]) == 1
                && op.Operands[0] != model.Output && op.Result != model.Output)
                _dropoutMaySkip.Add(op.Result);
        }
    }

    /// <summary>
    /// The Relus whose gradient the linear operation feeding them forms (both backends' rule), by the
    /// linear operation's result: a linear operation whose result feeds only a Relu forms dL/dy and
    /// selects its top-k in one pass (the runtimes' RunThroughRelu) instead of writing dL/dy and
    /// reading it again. Relu only: the fused pass applies ReLU's derivative (d = y > 0 ? g : 0);
    /// every other activation, Cube included, runs its own backward kernel first.
    /// </summary>
    public static Dictionary<string, Operation> ReluFusions(ModelSpec model, Activity activity)
    {
        var fused = new Dictionary<string, Operation>();
        var defined = model.Operations.Where(o => o.Kind != OpKind.Loop).ToDictionary(o => o.Result);
        foreach (Operation op in model.Operations)
            if (op.Kind == OpKind.Relu && defined.TryGetValue(op.Operands[0], out Operation? linear) && linear.Kind == OpKind.Linear
                && activity.Uses(op.Operands[0]) == 1 && activity.NeedsGradient(op.Result) && op.Operands[0] != model.Output)
                fused[op.Operands[0]] = op;
        return fused;
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
}

/// <summary>What a backend fuses or shares; the primitives' rules ask it (through <see cref="EmitContext.Fusion"/>).</summary>
internal interface IFusion
{
    /// <summary>The Relu fused into the backward of the linear operation producing <paramref name="linearResult"/>, or null.</summary>
    Operation? FusedRelu(string linearResult);

    /// <summary>True when <paramref name="op"/> is a Relu whose gradient its linear operation forms.</summary>
    bool IsFusedIntoLinear(Operation op);

    /// <summary>The Concat that an Embed's result is written into, or null.</summary>
    (Operation Concat, int Index)? ConcatHolding(string embedResult);

    /// <summary>True when the Dropout producing <paramref name="result"/> may return its operand's buffer.</summary>
    bool DropoutMaySkip(string result);
}

/// <summary>
/// What the device pass fuses: a Relu into the backward of the linear operation feeding it, by the
/// CPU's rule (DeviceLinearBackward.RunThroughRelu: in unified meProp the derivative is applied where
/// the scores and the compaction read dL/dy, which is never written). It shares no buffers: an
/// Embed writes its own, and a Dropout at rate 0 still runs.
/// </summary>
internal sealed class DeviceFusion : IFusion
{
    private readonly Dictionary<string, Operation> _fusedRelu;

    public DeviceFusion(ModelSpec model, Activity activity) => _fusedRelu = CpuFusion.ReluFusions(model, activity);

    public Operation? FusedRelu(string linearResult) => _fusedRelu.TryGetValue(linearResult, out Operation? relu) ? relu : null;

    public bool IsFusedIntoLinear(Operation op) => op.Kind == OpKind.Relu && FusedRelu(op.Operands[0]) == op;

    public (Operation Concat, int Index)? ConcatHolding(string embedResult) => null;

    public bool DropoutMaySkip(string result) => false;
}
