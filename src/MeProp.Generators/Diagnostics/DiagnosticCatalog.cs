using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace MeProp.Generators.Diagnostics;

/// <summary>Looks descriptors up by ID (a DiagnosticInfo carries only the ID through the pipeline).</summary>
internal static class DiagnosticCatalog
{
    private static readonly Dictionary<string, DiagnosticDescriptor> ById =
        typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToDictionary(d => d.Id);

    public static IEnumerable<DiagnosticDescriptor> All => ById.Values.OrderBy(d => d.Id);

    public static DiagnosticDescriptor Find(string id) => ById[id];
}
