using MeProp.Generators.Diagnostics;
using MeProp.Generators.Emit;
using MeProp.Generators.Linking;
using MeProp.Generators.Parsing;
using Microsoft.CodeAnalysis;

namespace MeProp.Generators;

/// <summary>
/// The MeProp source generator: for each method annotated with [MeProp], adds to its partial class a
/// recording forward pass, a backward pass with top-k sparsification fused into every linear operation,
/// and the parameter/gradient enumeration the optimizers use.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class MePropGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // 1. Find annotated methods and parse each into an equatable model plus diagnostics.
        //    Only the annotated method's syntax tree is re-parsed on an edit; an unchanged result is
        //    cached and nothing downstream runs.
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypes.AttributeMetadataName,
                predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
                transform: static (ctx, ct) => ModelParser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Parse);

        // 2. Diagnostics flow on their own, so they keep real locations (and #pragma suppressions work).
        var diagnostics = parsed
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (DiagnosticInfo diagnostic in list) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        // 3. Models without errors are linked: a call of another model used as a layer is replaced by
        //    that model's operations, taken from the collected models (so an edit to a layer re-links
        //    its callers; an unchanged link result is cached and not re-emitted).
        var models = parsed
            .Where(static result => result.Model is not null)
            .Select(static (result, _) => result.Model!)
            .WithTrackingName(TrackingNames.Models);
        var linked = models
            .Combine(models.Collect())
            .Select(static (pair, _) => ModelLinker.Link(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Linked);

        // 4. Linked models are emitted, one file per model class; linking errors are reported at their calls.
        context.RegisterSourceOutput(linked, static (spc, result) =>
        {
            foreach (DiagnosticInfo diagnostic in result.Diagnostics) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            if (result.Model is { } model) spc.AddSource(CpuEmitter.HintName(model), CpuEmitter.Emit(model));
        });

        // 5. Where the compilation references the device runtime (MeProp.Accelerators), a second file per
        //    supported model adds its device pass; other projects never see a device type.
        var deviceRuntime = context.CompilationProvider
            .Select(static (compilation, _) => compilation.GetTypeByMetadataName("MeProp.Accelerators.DeviceRuntime") is not null)
            .WithTrackingName(TrackingNames.DeviceRuntime);
        context.RegisterSourceOutput(linked.Combine(deviceRuntime), static (spc, pair) =>
        {
            if (pair.Right && pair.Left.Model is { } model && DeviceEmitter.Supports(model))
                spc.AddSource(DeviceEmitter.HintName(model), DeviceEmitter.Emit(model));
        });
    }
}
