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
internal sealed class EmitContext
{
    public const string Runtime = "global::MeProp";
    public const string Tape = "tape";
    public const string Gradients = "gradients";
    public const string OutputGradient = "dOutput";

    private readonly HashSet<string> _inputs;
    private readonly Dictionary<string, ParameterSpec> _parameters;
    private readonly HashSet<string> _taken;
    private readonly Dictionary<string, string> _memberNames = new();
    private readonly HashSet<string> _contributed = new();

    public EmitContext(ModelSpec model, IndentedWriter writer)
    {
        Model = model;
        Writer = writer;
        Activity = new Activity(model);
        _inputs = new HashSet<string>(model.Inputs.Select(i => i.Name));
        _parameters = model.Parameters.ToDictionary(p => p.Name);
        _taken = new HashSet<string>(_inputs.Concat(_parameters.Keys).Concat(model.Operations.Select(o => o.Result)));
    }

    public ModelSpec Model { get; }

    public IndentedWriter Writer { get; }

    public Activity Activity { get; }

    /// <summary>The element type as C# source ("float", "double" or a type parameter).</summary>
    public string T => Model.ElementType;

    /// <summary>True when back propagation forms a gradient buffer for this forward value (parameters have ParameterGradients instead).</summary>
    public bool NeedsGradient(string name) => Activity.NeedsGradient(name) && !IsParameter(name);

    public bool IsInput(string name) => _inputs.Contains(name);

    public bool IsParameter(string name) => _parameters.ContainsKey(name);

    public ParameterSpec Parameter(string name) => _parameters[name];

    /// <summary>The forward value: a parameter member, or a tape member (inputs are recorded on the tape too).</summary>
    public string Value(string name) => IsParameter(name) ? "this." + name : Tape + "." + name;

    /// <summary>The gradient buffer of a forward value; the returned value's gradient is the caller's dOutput.</summary>
    public string Gradient(string name) => name == Model.Output ? OutputGradient : Tape + "." + GradientMember(name);

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
    /// buffer is ever zeroed.
    /// </summary>
    public string Accumulate(string name) => _contributed.Add(name) ? "false" : "true";
}
