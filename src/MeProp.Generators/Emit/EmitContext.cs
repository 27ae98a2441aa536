using System.Collections.Generic;
using System.Linq;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Model;

namespace MeProp.Generators.Emit;

/// <summary>
/// What a primitive needs to write its forward and backward code: the C# expression for every
/// forward value and gradient, the accumulate-or-overwrite decision for each gradient contribution,
/// and unique names for the members the generated code adds.
/// </summary>
/// <remarks>
/// <para>Where each kind of value lives in generated code:</para>
/// <list type="bullet">
/// <item>inputs: recorded on the tape under their own names; parameters: members of the model (<c>this.W</c>);</item>
/// <item>values outside loops: one batch each on the tape; their gradients likewise;</item>
/// <item>values a loop body defines: a sequence on the tape, one step per iteration (<c>tape.h[t]</c>),
/// resized to each call's length; their gradients: one batch each, reused by every step of the
/// backward loop, because a step's gradient is complete before the previous step starts;</item>
/// <item>a state's value when a step starts (its phi): a local of the loop body, the initial value at
/// the first step and the previous step's Next after that;</item>
/// <item>a step read <c>x[t]</c>: step t of the sequence, and its gradient step t of the sequence's gradient;</item>
/// <item>a sequence a loop fills: the storage of the value written to it (no copy); its gradient a sequence;</item>
/// <item>a loop's product whose input part is formed before the loop (<see cref="InputPartBeforeLoop"/>): that part is
/// written into the product's own per-step storage, to which each step adds the rest.</item>
/// </list>
/// </remarks>
internal sealed class EmitContext
{
    public const string Runtime = "global::MeProp";
    public const string Tape = "tape";
    public const string Gradients = "gradients";
    public const string OutputGradient = "dOutput";

    private readonly Dictionary<string, ValueSpec> _inputs;
    private readonly Dictionary<string, ParameterSpec> _parameters;
    private readonly HashSet<string> _taken;
    private readonly Dictionary<string, string> _memberNames = new();
    private readonly HashSet<string> _contributed = new();

    // Per value: the loop whose body defines it, phis with their state, step reads with their
    // sequence, filled sequences with the value written, finals with their state and loop.
    private readonly Dictionary<string, LoopSpec> _bodyOf = new();
    private readonly Dictionary<string, (LoopState State, LoopSpec Loop)> _phis = new();
    private readonly Dictionary<string, string> _stepReads = new();
    private readonly Dictionary<string, string> _filled = new();
    private readonly Dictionary<string, (LoopState State, LoopSpec Loop)> _finals = new();
    private readonly HashSet<string> _sequenceResults = new(); // operations outside loops whose result is a sequence (Reverse)
    private readonly Dictionary<string, Operation> _bodyDefinitions = new();

    public EmitContext(ModelSpec model, IndentedWriter writer, bool device = false)
    {
        Model = model;
        Writer = writer;
        Activity = new Activity(model);
        Device = device;
        Fusion = device ? new DeviceFusion(model, Activity) : new CpuFusion(model, Activity);
        _inputs = model.Inputs.ToDictionary(i => i.Name);
        _parameters = model.Parameters.ToDictionary(p => p.Name);
        _taken = new HashSet<string>(_inputs.Keys.Concat(_parameters.Keys).Concat(AllOperations(model.Operations).Select(o => o.Result)).Concat(GeneratedNames.Reserved));
        foreach (Operation op in model.Operations.Where(o => o.Kind == OpKind.Reverse))
            _sequenceResults.Add(op.Result);
        foreach (Operation op in model.Operations.Where(o => o.Kind == OpKind.Loop))
        {
            LoopSpec loop = op.Loop!;
            foreach (Operation inner in loop.Body)
            {
                _bodyOf[inner.Result] = loop;
                _bodyDefinitions[inner.Result] = inner;
                if (inner.Kind == OpKind.StepRead) _stepReads[inner.Result] = inner.Operands[0];
            }
            foreach (LoopState state in loop.States)
            {
                _bodyOf[state.Phi] = loop;
                _phis[state.Phi] = (state, loop);
                _finals[state.Final] = (state, loop);
                _taken.Add(state.Phi);
                _taken.Add(state.Final);
            }
            foreach (LoopOutput output in loop.Outputs)
            {
                _filled[output.Sequence] = output.Value;
                _taken.Add(output.Sequence);
            }
            _taken.Add(loop.Index);
        }
    }

    /// <summary>Every operation, loop bodies included, in program order.</summary>
    public static IEnumerable<Operation> AllOperations(IEnumerable<Operation> operations)
    {
        foreach (Operation op in operations)
        {
            yield return op;
            if (op.Loop is not null)
                foreach (Operation inner in op.Loop.Body) yield return inner;
        }
    }

    public ModelSpec Model { get; }

    /// <summary>Where generated code goes; the emitter points it elsewhere while it writes a loop that runs on the side thread.</summary>
    public IndentedWriter Writer { get; set; }

    /// <summary>The loops ForwardTrain runs on the side thread, in order (filled while ForwardTrain is written).</summary>
    public List<SideLoop> SideLoops { get; } = new();

    public Activity Activity { get; }

    /// <summary>What this backend fuses or shares (<see cref="CpuFusion"/>, <see cref="DeviceFusion"/>).</summary>
    public IFusion Fusion { get; }

    /// <summary>
    /// True while the device pass is written: parameters are then the pass's device copies, named by
    /// their IR names (<c>this.W1</c>), rather than the model's members.
    /// </summary>
    public bool Device { get; }

    /// <summary>The element type as C# source ("float", "double" or a type parameter).</summary>
    public string T => Model.ElementType;

    /// <summary>True when the model returns a sequence.</summary>
    public bool ReturnsSequence => Model.OutputKind == ValueKind.Sequence;

    /// <summary>True when back propagation forms a gradient buffer for this forward value (parameters have ParameterGradients instead).</summary>
    public bool NeedsGradient(string name) => Activity.NeedsGradient(name) && !IsParameter(name);

    public bool IsInput(string name) => _inputs.ContainsKey(name);

    public ValueKind InputKind(string name) => _inputs[name].Kind;

    public bool IsParameter(string name) => _parameters.ContainsKey(name);

    public ParameterSpec Parameter(string name) => _parameters[name];

    /// <summary>True for values a loop body defines (one instance per step), phis included.</summary>
    public bool IsStepValue(string name) => _bodyOf.ContainsKey(name);

    /// <summary>True for a body value stored on the tape as a sequence (not a phi, not a step read).</summary>
    public bool HasStepStorage(string name) => _bodyOf.ContainsKey(name) && !_phis.ContainsKey(name) && !_stepReads.ContainsKey(name);

    public bool IsStepRead(string name) => _stepReads.ContainsKey(name);

    public bool IsPhi(string name) => _phis.ContainsKey(name);

    /// <summary>True for sequences: sequence inputs and sequences a loop fills.</summary>
    public bool IsSequence(string name)
        => _filled.ContainsKey(name) || _sequenceResults.Contains(name) || (_inputs.TryGetValue(name, out ValueSpec? input) && input.Kind is ValueKind.Sequence or ValueKind.IdSequence);

    /// <summary>The C# expression of a whole sequence: an input on the tape, or the storage of the value a loop wrote to it.</summary>
    public string SequenceValue(string name) => _filled.TryGetValue(name, out string? value) ? Tape + "." + value : Tape + "." + name;

    /// <summary>The forward value; inside a loop body the current step's.</summary>
    public string Value(string name)
    {
        if (_parameters.TryGetValue(name, out ParameterSpec? parameter)) return "this." + (Device ? parameter.Name : parameter.Access);
        if (_phis.ContainsKey(name)) return name;
        if (_stepReads.TryGetValue(name, out string? sequence)) return SequenceValue(sequence) + "[" + _bodyOf[name].Index + "]";
        if (_bodyOf.TryGetValue(name, out LoopSpec? loop)) return Tape + "." + name + "[" + loop.Index + "]";
        if (_finals.TryGetValue(name, out var final)) return Tape + "." + final.State.Next + "[" + LastStep(final.Loop) + "]";
        if (_filled.ContainsKey(name)) return SequenceValue(name);
        return Tape + "." + name;
    }

    /// <summary>
    /// The number of columns of a value outside loops, as C# in ForwardTrain and Backward: its batch's
    /// Cols, or for an Embed written into a Concat (which has no batch of its own) positions x dimension.
    /// </summary>
    public string Columns(string name)
    {
        if (Fusion.ConcatHolding(name) is not null)
        {
            Operation embed = Model.Operations.First(o => o.Result == name);
            return $"{Value(embed.Operands[1])}.Cols * {Value(embed.Operands[0])}.Cols";
        }
        return Value(name) + ".Cols";
    }

    /// <summary>The first column of operand <paramref name="index"/> in a Concat's result, as C#.</summary>
    public string ConcatOffset(Operation concat, int index)
        => index == 0 ? "0" : string.Join(" + ", concat.Operands.Take(index).Select(Columns));

    /// <summary>The value of <paramref name="phi"/> at the current step: the initial value at the first step, else the previous step's Next.</summary>
    public string PhiInitializer(string phi)
    {
        (LoopState state, LoopSpec loop) = _phis[phi];
        string first = loop.Reverse ? SequenceValue(loop.Sequence) + ".Length - 1" : "0";
        string previous = loop.Index + (loop.Reverse ? " + 1" : " - 1");
        return $"{loop.Index} == {first} ? {Value(state.Initial)} : {Tape}.{state.Next}[{previous}]";
    }

    /// <summary>A tape member kept per step when <paramref name="value"/> is a value of a loop body (a dropout mask): <c>tape.m[t]</c>, else <c>tape.m</c>.</summary>
    public string StepMember(string member, string value)
        => Tape + "." + member + (_bodyOf.TryGetValue(value, out LoopSpec? loop) ? "[" + loop.Index + "]" : "");

    /// <summary>
    /// True for a linear operation in a loop body whose input has storage for every step (a value
    /// of the body or a step of a sequence): its dense weight gradient is then formed once after the
    /// loop, from every step's dy and x (LinearBackward.RunStep and FinishSteps).
    /// </summary>
    /// <remarks>The CPU backend's form (LinearBackward.RunStep); the device pass forms each step's gradients as it goes.</remarks>
    public bool DefersWeightGradient(Operation op)
        => !Device && op.Kind == OpKind.Linear && _bodyOf.ContainsKey(op.Result) && (HasStepStorage(op.Operands[1]) || IsStepRead(op.Operands[1]));

    /// <summary>
    /// For a linear operation of a loop body whose input is, or begins with, a step of a sequence
    /// computed before the loop (<c>W * x[t]</c>, <c>W * Concat(x[t], h)</c>): that step read. The
    /// product with it does not depend on the loop's state, so ForwardTrain forms it for every step
    /// at once before the loop, one matrix product instead of one matrix-vector product per step;
    /// <paramref name="whole"/> says whether that is the whole product or only its leading columns
    /// (the rest, the state's part, is added at each step). Null for every other operation.
    /// </summary>
    /// <remarks>
    /// Forward only: back propagation reads the recorded input as before. The CPU backend's form
    /// (its kernels take a column range of W); the device pass forms each step's whole product.
    /// </remarks>
    public string? InputPartBeforeLoop(Operation op, out bool whole)
    {
        whole = false;
        if (Device || op.Kind != OpKind.Linear || !_bodyOf.TryGetValue(op.Result, out LoopSpec? loop)) return null;
        string input = op.Operands[1];
        if (IsStepOfEarlierSequence(input, loop))
        {
            whole = true;
            return input;
        }
        if (_bodyDefinitions.TryGetValue(input, out Operation? definition) && definition.Kind == OpKind.Concat
            && IsStepOfEarlierSequence(definition.Operands[0], loop))
            return definition.Operands[0];
        return null;
    }

    // A step read of a sequence that this loop does not fill: every step of it exists before the loop starts.
    private bool IsStepOfEarlierSequence(string name, LoopSpec loop)
        => _stepReads.TryGetValue(name, out string? sequence) && !loop.Outputs.Any(o => o.Sequence == sequence);

    /// <summary>The number of features of a step read's sequence, as C# (no per-step view).</summary>
    public string StepReadWidth(string stepRead) => SequenceValue(_stepReads[stepRead]) + ".Features";

    /// <summary>The sequence a step read reads (its name in the forward method).</summary>
    public string StepReadSequence(string stepRead) => _stepReads[stepRead];

    /// <summary>Every step of a body value or step read, as one batch (step-major).</summary>
    public string AllSteps(string name)
        => (_stepReads.TryGetValue(name, out string? sequence) ? SequenceValue(sequence) : Tape + "." + name) + ".AllSteps";

    /// <summary>The time index of a loop's last iteration.</summary>
    public string LastStep(LoopSpec loop) => loop.Reverse ? "0" : SequenceValue(loop.Sequence) + ".Length - 1";

    /// <summary>The gradient buffer of a forward value; the returned value's gradient is the caller's dOutput; a step read's is a step of its sequence's gradient.</summary>
    public string Gradient(string name)
    {
        if (name == Model.Output) return OutputGradient;
        if (_stepReads.TryGetValue(name, out string? sequence)) return Gradient(sequence) + "[" + _bodyOf[name].Index + "]";
        return Tape + "." + GradientMember(name);
    }

    /// <summary>The gradient of a parameter (a ParameterGradient&lt;T&gt;).</summary>
    public string ParameterGradient(string name) => Gradients + "." + GradientMember(name);

    /// <summary>The member holding the gradient of <paramref name="name"/>, on the tape or the parameter set.</summary>
    public string GradientMember(string name) => Member(name, "d_", "");

    /// <summary>A tape member derived from a value's name (a dropout mask, a linear op's backward state), unique among all names.</summary>
    public string Member(string name, string prefix, string suffix)
    {
        string key = prefix + "|" + name + "|" + suffix;
        if (_memberNames.TryGetValue(key, out string? member)) return member;
        member = prefix + name + suffix;
        while (_taken.Contains(member)) member += "_";
        _taken.Add(member);
        _memberNames[key] = member;
        return member;
    }

    /// <summary>
    /// "false" for the first gradient contribution to <paramref name="name"/> in the backward pass and
    /// "true" for the others: the first overwrites the buffer, the rest add to it, so no gradient
    /// buffer is zeroed unless nothing writes it. A step read counts as its sequence: every loop that
    /// reads the sequence contributes to the same gradient.
    /// </summary>
    public string Accumulate(string name)
    {
        if (_stepReads.TryGetValue(name, out string? sequence)) name = sequence;
        return _contributed.Add(name) ? "false" : "true";
    }

    /// <summary>True when a contribution to <paramref name="name"/>'s gradient has been written already.</summary>
    public bool HasContribution(string name) => _contributed.Contains(_stepReads.TryGetValue(name, out string? sequence) ? sequence : name);

    /// <summary>Records that <paramref name="name"/>'s gradient buffer holds a value already (a loop's carried gradient, a zeroed accumulator).</summary>
    public void MarkContributed(string name) => _contributed.Add(name);
}

/// <summary>A loop ForwardTrain runs on the side thread: the tape's delegate member that starts it, its case in __MePropSideLoop, its header and its code.</summary>
internal sealed record SideLoop(string Member, int Index, string Header, string Code);
