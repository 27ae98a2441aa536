using System.Collections.Generic;
using System.Linq;
using System;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Emit;
using MeProp.Generators.Model;

namespace MeProp.Generators.Primitives;

/// <summary>Shared defaults and the table of primitives.</summary>
internal abstract class Primitive : IPrimitive
{
    /// <summary>The name the tape's constructor gives the model instance, for width expressions.</summary>
    public const string Owner = "__owner";

    private static readonly Dictionary<OpKind, IPrimitive> Table = new IPrimitive[]
    {
        new LinearPrimitive(),
        new AddBiasPrimitive(),
        new ElementwisePrimitive(OpKind.Add),
        new ElementwisePrimitive(OpKind.Subtract),
        new ElementwisePrimitive(OpKind.Multiply),
        new ActivationPrimitive(OpKind.Relu),
        new ActivationPrimitive(OpKind.Tanh),
        new ActivationPrimitive(OpKind.Sigmoid),
        new CubePrimitive(),
        new ConcatPrimitive(),
        new EmbedPrimitive(),
        new DropoutPrimitive(),
        new ZerosPrimitive(),
        new CopyPrimitive(),
        new StepReadPrimitive(),
        new ReversePrimitive(),
    }.ToDictionary(p => p.Kind);

    public static IPrimitive For(OpKind kind) => Table[kind];

    /// <summary>The primitive an Ops method lowers to directly, or null.</summary>
    public static IPrimitive? ForOpsMethod(string name) => Table.Values.FirstOrDefault(p => p.OpsMethod == name);

    /// <summary>What users can write, for the message of an unknown operation: every primitive's surface, in table order.</summary>
    public static string KnownOperations { get; } =
        string.Join(", ", Table.Values.Select(p => p.Surface).Where(s => s is not null)) + ", x[t] and hs[t] = h in a loop over steps, SequenceLike";

    protected const int Unknown = -1;

    /// <summary>A parameter reached from the model instance in the tape's constructor ("__owner.W", "__owner.layer.W").</summary>
    protected static string OwnerMember(EmitContext c, string parameter) => Owner + "." + c.Parameter(parameter).Access;

    protected static string N(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public abstract OpKind Kind { get; }

    public virtual string? Surface => null;

    public virtual string? OpsMethod => null;

    public virtual int KnownWidth(Operation op, int[] widths, Func<string, ParameterSpec> parameter, Action<string> mismatch) => widths[0];

    public virtual string Describe(Operation op) => op.Result + " = " + Kind + "(" + string.Join(", ", op.Operands) + ")";

    public virtual string Width(Operation op, Func<string, string> width, EmitContext c) => width(op.Operands[0]);

    public virtual IEnumerable<(string Type, string Name, string Initializer)> TapeMembers(Operation op, EmitContext context)
        => Array.Empty<(string, string, string)>();

    public abstract IEnumerable<Step> Forward(Operation op, EmitContext context);

    public abstract IEnumerable<Step> Backward(Operation op, EmitContext context);

    /// <summary>A forward kernel on <paramref name="operands"/>.</summary>
    protected static KernelStep ForwardCall(string kernel, params Operand[] operands) => new(Pass.Forward, kernel, operands);

    /// <summary>A backward kernel on <paramref name="operands"/>.</summary>
    protected static KernelStep BackwardCall(string kernel, params Operand[] operands) => new(Pass.Backward, kernel, operands);

    protected static Operand Value(string name) => new ValueOf(name);

    protected static Operand Gradient(string name) => new GradientOf(name);

    protected static Operand Into(string name) => new AccumulateInto(name);

    protected static IEnumerable<Step> None => Array.Empty<Step>();
}
