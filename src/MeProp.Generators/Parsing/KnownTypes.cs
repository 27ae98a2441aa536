using Microsoft.CodeAnalysis;

namespace MeProp.Generators.Parsing;

/// <summary>Recognises the runtime types of the DSL by namespace and metadata name (the generator does not reference the runtime).</summary>
internal static class KnownTypes
{
    public const string AttributeMetadataName = "MeProp.MePropAttribute";

    public static bool Is(ITypeSymbol? type, string metadataName)
        => type is INamedTypeSymbol named
           && named.OriginalDefinition.MetadataName == metadataName
           && named.ContainingNamespace is { Name: "MeProp", ContainingNamespace.IsGlobalNamespace: true };

    public static bool IsBatch(ITypeSymbol? type) => Is(type, "Batch`1");

    public static bool IsMatrix(ITypeSymbol? type) => Is(type, "Matrix`1");

    public static bool IsRowVector(ITypeSymbol? type) => Is(type, "RowVector`1");

    public static bool IsIdBatch(ITypeSymbol? type) => Is(type, "IdBatch");

    public static bool IsSequence(ITypeSymbol? type) => Is(type, "Sequence`1");

    public static bool IsIdSequence(ITypeSymbol? type) => Is(type, "IdSequence");

    public static bool IsOps(ITypeSymbol? type) => Is(type, "Ops");

    public static bool IsInit(ITypeSymbol? type) => Is(type, "Init");

    public static bool IsTensor(ITypeSymbol? type) => IsBatch(type) || IsMatrix(type) || IsRowVector(type) || IsIdBatch(type) || IsSequence(type) || IsIdSequence(type);

    /// <summary>The element type argument of Batch/Matrix/RowVector/Sequence, or null.</summary>
    public static ITypeSymbol? ElementType(ITypeSymbol? type)
        => type is INamedTypeSymbol { TypeArguments.Length: 1 } named && (IsBatch(type) || IsMatrix(type) || IsRowVector(type) || IsSequence(type))
            ? named.TypeArguments[0]
            : null;
}
