using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using MeProp.Generators.Model;

namespace MeProp.Generators.Diagnostics;

/// <summary>
/// A diagnostic waiting to be reported: the descriptor's ID, a location as plain values and the
/// message arguments.
/// </summary>
/// <remarks>
/// Immutable and structurally equatable: holds no ISymbol, SyntaxNode, Compilation or Location, so
/// it can travel through the incremental pipeline; the Location is rebuilt at report time.
/// </remarks>
internal sealed record DiagnosticInfo(string Id, string? FilePath, TextSpan Span, LinePositionSpan LineSpan, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
    {
        FileLinePositionSpan lineSpan = location?.GetLineSpan() ?? default;
        return new DiagnosticInfo(
            descriptor.Id,
            location is { IsInSource: true } ? lineSpan.Path : null,
            location?.SourceSpan ?? default,
            lineSpan.Span,
            arguments.ToEquatableArray());
    }

    public Diagnostic ToDiagnostic()
    {
        Location location = FilePath is null ? Location.None : Location.Create(FilePath, Span, LineSpan);
        return Diagnostic.Create(DiagnosticCatalog.Find(Id), location, Arguments.AsImmutableArray().ToArray());
    }
}
