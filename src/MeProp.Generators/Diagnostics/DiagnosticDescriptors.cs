using Microsoft.CodeAnalysis;

namespace MeProp.Generators.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports. IDs are stable and documented in docs/diagnostics.md;
/// AnalyzerReleases.*.md track them. An unsupported construct is always an error: the generator
/// never emits a backward pass it cannot prove matches the forward method.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "MeProp";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedStatement = Error("MEPROP001",
        "Unsupported statement in a [MeProp] method",
        "'{0}' is not supported in a [MeProp] forward method: use local declarations ('var h = ...;'), assignments to locals and one final 'return'");

    public static readonly DiagnosticDescriptor UnsupportedExpression = Error("MEPROP002",
        "Unsupported expression in a [MeProp] method",
        "'{0}' is not supported in a [MeProp] forward method: {1}");

    public static readonly DiagnosticDescriptor UnknownOperation = Error("MEPROP003",
        "Unknown operation in a [MeProp] method",
        "'{0}' is not a MeProp operation, so its gradient is unknown: use the operators on Batch/Matrix/RowVector or the methods of MeProp.Ops ({1})");

    public static readonly DiagnosticDescriptor NotPartial = Error("MEPROP004",
        "Model type must be partial",
        "'{0}' must be declared 'partial' so that the generator can add the training pass to it");

    public static readonly DiagnosticDescriptor OptionOutOfRange = Error("MEPROP005",
        "MeProp option out of range",
        "{0} = {1} is out of range: {2}");

    public static readonly DiagnosticDescriptor ShapeMismatch = Error("MEPROP006",
        "Shapes do not match",
        "{0}");

    public static readonly DiagnosticDescriptor KNotBelowWidth = Warning("MEPROP007",
        "K is not below the layer width",
        "K = {0} is not below the {1} output units of '{2}': this layer back-propagates densely");

    public static readonly DiagnosticDescriptor UnsupportedSignature = Error("MEPROP008",
        "Unsupported [MeProp] method signature",
        "'{0}' cannot be a [MeProp] forward method: {1}");

    public static readonly DiagnosticDescriptor MultipleForwardMethods = Error("MEPROP009",
        "More than one [MeProp] method in a type",
        "'{0}' already has the [MeProp] method '{1}': a model type has one annotated forward method");

    public static readonly DiagnosticDescriptor NothingToTrain = Error("MEPROP010",
        "The result does not depend on any parameter",
        "The value returned by '{0}' does not depend on any Matrix or RowVector member of '{1}', so there is nothing to train");

    public static readonly DiagnosticDescriptor InvalidDropoutRate = Error("MEPROP011",
        "Unsupported dropout rate",
        "The dropout rate '{0}' must be a constant in [0, 1) or a field or property of the model: {1}");

    public static readonly DiagnosticDescriptor ParameterNotMember = Error("MEPROP012",
        "Parameters must be members of the model",
        "'{0}' is a {1}, but trainable parameters must be fields or properties of '{2}' so that the generator can pair them with gradients");

    public static readonly DiagnosticDescriptor MemberNameTaken = Error("MEPROP013",
        "Generated member name already in use",
        "'{0}' already declares a member named '{1}', which the generator adds for training: rename it");

    public static readonly DiagnosticDescriptor UnsupportedLoop = Error("MEPROP014",
        "Unsupported loop in a [MeProp] method",
        "'{0}' is not a supported loop: {1}");

    public static readonly DiagnosticDescriptor LoopControlFlow = Error("MEPROP015",
        "Control flow inside a loop body",
        "'{0}' cannot appear in the body of a loop over steps: every step runs the whole body, so that back propagation through time can replay it");

    public static readonly DiagnosticDescriptor NestedLoop = Error("MEPROP016",
        "Nested loop",
        "'{0}' is a loop inside a loop over steps, which the training pass does not support: write the loops one after the other");

    public static readonly DiagnosticDescriptor InvalidStepAccess = Error("MEPROP017",
        "Unsupported step access",
        "'{0}' is not supported: {1}");

    public static readonly DiagnosticDescriptor InvalidSequenceUse = Error("MEPROP018",
        "Unsupported use of a sequence",
        "'{0}': {1}");

    public static readonly DiagnosticDescriptor NoInitialValue = Error("MEPROP019",
        "Local without an initial value",
        "'{0}' is declared without a value: give it one where it is declared (a recurrent state starts from a value, e.g. 'var {0} = Zeros(x, 500);')");

    public static readonly DiagnosticDescriptor InvalidZeros = Error("MEPROP020",
        "Unsupported Zeros arguments",
        "'{0}': {1}");

    public static readonly DiagnosticDescriptor UnsupportedLayerCall = Error("MEPROP021",
        "Unsupported use of a model as a layer",
        "'{0}' cannot be used as a layer: {1}");
}
