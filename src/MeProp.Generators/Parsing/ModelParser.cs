using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using MeProp.Generators.Diagnostics;
using MeProp.Generators.Differentiation;
using MeProp.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MeProp.Generators.Parsing;

/// <summary>What parsing one annotated method yields: a model to emit (null when any error was found) and the diagnostics.</summary>
/// <remarks>Immutable and structurally equatable: holds no ISymbol, SyntaxNode, Compilation or Location.</remarks>
internal sealed record ParseResult(ModelSpec? Model, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// Turns an annotated method into a <see cref="ModelSpec"/>: checks the declaration (partial type,
/// one annotated method, signature, options, free member names), lowers the body, then checks what
/// can be checked about shapes at compile time.
/// </summary>
internal static class ModelParser
{
    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellation)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var method = (IMethodSymbol)context.TargetSymbol;
        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        INamedTypeSymbol type = method.ContainingType;

        // Code that does not compile yet (the user is typing) gets no model and no diagnostics of
        // ours: the compiler's own errors say what is wrong, and ours would only add noise.
        if (context.SemanticModel.GetDiagnostics(syntax.Span, cancellation).Any(d => d.Severity == DiagnosticSeverity.Error))
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);

        CheckDeclaration(syntax, method, type, diagnostics);
        MePropOptions options = ReadOptions(context.Attributes[0], diagnostics);
        string? elementType = CheckSignature(syntax, method, diagnostics);
        if (diagnostics.Any(IsError) || elementType is null)
            return new ParseResult(null, diagnostics.ToEquatableArray());

        var lowering = new ForwardLowering(context.SemanticModel, type, method.Parameters, cancellation);
        lowering.LowerBody(syntax);
        diagnostics.AddRange(lowering.Diagnostics);
        if (diagnostics.Any(IsError) || lowering.Output is null)
            return new ParseResult(null, diagnostics.ToEquatableArray());

        var parameters = lowering.ParameterMembers
            .Select(member => MemberShapes.Describe(member, context.SemanticModel.Compilation, cancellation))
            .ToEquatableArray();
        var model = new ModelSpec(
            DescribeType(type, syntax),
            method.Name,
            SyntaxFacts.GetText(method.DeclaredAccessibility == Accessibility.NotApplicable ? Accessibility.Private : method.DeclaredAccessibility),
            elementType,
            options,
            method.Parameters.Select(p => new ValueSpec(p.Name, lowering.Inputs[p.Name])).ToEquatableArray(),
            parameters,
            lowering.Operations.ToEquatableArray(),
            lowering.Output,
            lowering.OutputKind,
            lowering.MembersHiddenFromOtherTypes.ToEquatableArray());

        var activity = new Activity(model);
        if (!model.Parameters.Any(p => activity.IsLive(p.Name)))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NothingToTrain, syntax.Identifier.GetLocation(), method.Name, type.Name));
        ShapeCheck.Run(model, lowering.OperationSyntax, activity, context.Attributes[0], diagnostics);

        return new ParseResult(diagnostics.Any(IsError) ? null : model, diagnostics.ToEquatableArray());
    }

    private static bool IsError(DiagnosticInfo diagnostic) => DiagnosticCatalog.Find(diagnostic.Id).DefaultSeverity == DiagnosticSeverity.Error;

    private static void CheckDeclaration(MethodDeclarationSyntax syntax, IMethodSymbol method, INamedTypeSymbol type, List<DiagnosticInfo> diagnostics)
    {
        foreach (TypeDeclarationSyntax declaration in syntax.Ancestors().OfType<TypeDeclarationSyntax>())
        {
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, declaration.Identifier.GetLocation(), declaration.Identifier.Text));
        }

        IMethodSymbol? first = type.GetMembers().OfType<IMethodSymbol>()
            .Where(m => m.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownTypes.AttributeMetadataName))
            .OrderBy(m => m.Locations.FirstOrDefault()?.SourceTree?.FilePath, System.StringComparer.Ordinal)
            .ThenBy(m => m.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0)
            .FirstOrDefault();
        if (first is not null && !SymbolEqualityComparer.Default.Equals(first, method))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MultipleForwardMethods, syntax.Identifier.GetLocation(), type.Name, first.Name));

        foreach (string name in GeneratedNames.ModelMembers.Concat(GeneratedNames.PrivateModelMembers))
        {
            ISymbol? taken = type.GetMembers(name).FirstOrDefault(m => !m.IsImplicitlyDeclared);
            if (taken is not null)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberNameTaken, taken.Locations.FirstOrDefault(), type.Name, name));
        }
    }

    private static string? CheckSignature(MethodDeclarationSyntax syntax, IMethodSymbol method, List<DiagnosticInfo> diagnostics)
    {
        Location at = syntax.Identifier.GetLocation();
        void Reject(string reason) => diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedSignature, at, method.Name, reason));

        if (method.ContainingType.TypeKind != TypeKind.Class) Reject("the model must be a class (the training pass keeps state in it)");
        if (method.IsStatic) Reject("it must be an instance method, since parameters are members of the model");
        if (method.IsGenericMethod) Reject("it must not be generic; make the model class generic instead");
        if (method.IsAsync) Reject("it must not be async");
        ITypeSymbol? element = KnownTypes.ElementType(method.ReturnType);
        if (element is null || !(KnownTypes.IsBatch(method.ReturnType) || KnownTypes.IsSequence(method.ReturnType)))
        {
            Reject($"it must return Batch<T> or Sequence<T>, not {method.ReturnType.ToDisplayString()}");
            return null;
        }
        if (method.Parameters.Length == 0) Reject("it needs at least one input (Batch<T>, IdBatch, Sequence<T> or IdSequence)");
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (System.Array.IndexOf(GeneratedNames.NotForInputs, parameter.Name) >= 0 || parameter.Name.Contains("__"))
                Reject($"input '{parameter.Name}' has a name the generated training pass uses itself ({string.Join(", ", GeneratedNames.NotForInputs.Select(n => "'" + n + "'"))} and names containing '__'); rename it");
            else if (parameter.RefKind != RefKind.None || parameter.IsParams)
                Reject($"input '{parameter.Name}' must be a plain parameter (no ref, out, in or params)");
            else if (KnownTypes.IsBatch(parameter.Type) || KnownTypes.IsSequence(parameter.Type))
            {
                if (!SymbolEqualityComparer.Default.Equals(KnownTypes.ElementType(parameter.Type), element))
                    Reject($"input '{parameter.Name}' has element type {KnownTypes.ElementType(parameter.Type)!.ToDisplayString()}, but the method returns {element.ToDisplayString()}");
            }
            else if (!KnownTypes.IsIdBatch(parameter.Type) && !KnownTypes.IsIdSequence(parameter.Type))
                Reject($"input '{parameter.Name}' must be a Batch<T>, an IdBatch, a Sequence<T> or an IdSequence, not {parameter.Type.ToDisplayString()}");
        }
        return element.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
    }

    private static MePropOptions ReadOptions(AttributeData attribute, List<DiagnosticInfo> diagnostics)
    {
        int k = 20, outputK = 0, seed = 1;
        var mode = MePropMode.TopK;
        bool denseOutput = false;
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            switch (argument.Key)
            {
                case "K": k = (int)argument.Value.Value!; break;
                case "OutputK": outputK = (int)argument.Value.Value!; break;
                case "DenseOutput": denseOutput = (bool)argument.Value.Value!; break;
                case "Mode": mode = (MePropMode)(int)argument.Value.Value!; break;
                case "Seed": seed = (int)argument.Value.Value!; break;
            }
        }
        Location? Where(string name)
        {
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax;
            AttributeArgumentSyntax? argument = syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.Text == name);
            return (SyntaxNode?)argument?.Expression is { } node ? node.GetLocation() : syntax?.GetLocation();
        }
        if (!System.Enum.IsDefined(typeof(MePropMode), mode))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OptionOutOfRange, Where("Mode"), "Mode", ((int)mode).ToString(System.Globalization.CultureInfo.InvariantCulture), "use TopK, Unified, Random or Dense"));
        if (k < 1 && mode != MePropMode.Dense)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OptionOutOfRange, Where("K"), "K", k.ToString(System.Globalization.CultureInfo.InvariantCulture), "K must be at least 1 (or use Mode = MePropMode.Dense)"));
        if (outputK < 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OptionOutOfRange, Where("OutputK"), "OutputK", outputK.ToString(System.Globalization.CultureInfo.InvariantCulture), "OutputK must be at least 1, or 0 for \"same as K\""));
        return new MePropOptions(k, outputK, denseOutput, mode, seed);
    }

    private static TypeDeclarationSpec DescribeType(INamedTypeSymbol type, MethodDeclarationSyntax syntax)
    {
        string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
        var enclosing = new List<string>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            enclosing.Insert(0, Declaration(outer));
        return new TypeDeclarationSpec(ns, enclosing.ToEquatableArray(), Declaration(type), type.Name,
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
    }

    // A partial declaration may leave out accessibility, base types and constraints: the other part has them.
    private static string Declaration(INamedTypeSymbol type)
    {
        string keyword = type.IsRecord ? (type.TypeKind == TypeKind.Struct ? "record struct" : "record")
            : type.TypeKind switch { TypeKind.Struct => "struct", TypeKind.Interface => "interface", _ => "class" };
        string typeParameters = type.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";
        return "partial " + keyword + " " + type.Name + typeParameters;
    }
}
