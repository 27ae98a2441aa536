using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace MeProp.Generators.Tests;

/// <summary>What one run of the generator produced.</summary>
/// <param name="Input">The compilation the generator ran on.</param>
/// <param name="Output">The input plus the generated trees.</param>
/// <param name="Driver">The driver after the run (run it again for caching tests).</param>
/// <param name="Sources">The generated files, by hint name, in output order.</param>
/// <param name="GeneratorDiagnostics">What the generator reported.</param>
/// <param name="OutputErrors">Errors anywhere in the output compilation, and warnings inside generated files.</param>
public sealed record GeneratorRun(
    CSharpCompilation Input,
    Compilation Output,
    GeneratorDriver Driver,
    ImmutableArray<(string HintName, string Text)> Sources,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<Diagnostic> OutputErrors)
{
    /// <summary>The single generated file.</summary>
    public string SingleSource => Assert.Single(Sources).Text;

    /// <summary>Fails with the diagnostics listed when the generated code does not compile cleanly.</summary>
    public void AssertCompilesCleanly()
        => Assert.True(OutputErrors.IsEmpty, "The output compilation has problems:\n" + string.Join("\n", OutputErrors));

    /// <summary>Fails with the diagnostics listed when the generator reported anything.</summary>
    public void AssertNoGeneratorDiagnostics()
        => Assert.True(GeneratorDiagnostics.IsEmpty, "The generator reported:\n" + string.Join("\n", GeneratorDiagnostics));
}

/// <summary>
/// Runs <see cref="MePropGenerator"/> in memory on source strings, against the real runtime and attribute
/// assemblies, with step tracking on (for the caching tests).
/// </summary>
public static class GeneratorHarness
{
    /// <summary>Marks the start of the span a diagnostic is expected at; stripped before compiling.</summary>
    public const string SpanStart = "/*<*/";

    /// <summary>Marks the end of the expected span; stripped before compiling.</summary>
    public const string SpanEnd = "/*>*/";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        // Not the device runtime, which this test project references too: only DeviceReferences hand it over.
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !Path.GetFileName(p).StartsWith("ILGPU", StringComparison.Ordinal) && Path.GetFileName(p) != "MeProp.Accelerators.dll")
            .Concat(new[] { typeof(MeProp.Ops).Assembly.Location, typeof(MeProp.MePropAttribute).Assembly.Location })
            .Distinct(StringComparer.Ordinal);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    // A project that also references the device runtime (MeProp.Accelerators and ILGPU): it gets device passes.
    private static readonly Lazy<ImmutableArray<MetadataReference>> DeviceReferences = new(() => References.Value
        .Concat(new[] { typeof(MeProp.Accelerators.DeviceRuntime).Assembly.Location, typeof(ILGPU.Context).Assembly.Location }
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)))
        .ToImmutableArray());

    /// <summary>Parses each source as its own file (Model0.cs, Model1.cs, ...) into one library compilation.</summary>
    public static CSharpCompilation Compile(params string[] sources) => Compile(device: false, sources);

    /// <summary>The same, referencing the device runtime too when <paramref name="device"/> is true.</summary>
    public static CSharpCompilation Compile(bool device, params string[] sources)
        => CSharpCompilation.Create(
            "MeProp.Generators.Tests.Input",
            sources.Select((s, i) => Parse(s, $"Model{i}.cs")),
            device ? DeviceReferences.Value : References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static SyntaxTree Parse(string source, string path)
        => CSharpSyntaxTree.ParseText(source, ParseOptions, path: path);

    public static GeneratorDriver CreateDriver()
        => CSharpGeneratorDriver.Create(
            new[] { new MePropGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator on the sources.</summary>
    public static GeneratorRun Run(params string[] sources) => Run(CreateDriver(), Compile(sources));

    /// <summary>Runs the generator on one model that must be accepted: no generator diagnostic, a clean compilation; returns the one generated file.</summary>
    public static string GenerateCleanly(string source)
    {
        GeneratorRun run = Run(source);
        run.AssertNoGeneratorDiagnostics();
        run.AssertCompilesCleanly();
        return run.SingleSource;
    }

    /// <summary>Runs <paramref name="driver"/> (new, or from an earlier run) on <paramref name="compilation"/>.</summary>
    public static GeneratorRun Run(GeneratorDriver driver, CSharpCompilation compilation)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        GeneratorDriverRunResult result = driver.GetRunResult();
        GeneratorRunResult single = Assert.Single(result.Results);
        Assert.Null(single.Exception);
        var sources = single.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())).ToImmutableArray();
        var generatedTrees = new HashSet<SyntaxTree>(single.GeneratedSources.Select(s => s.SyntaxTree));
        var problems = output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error
                        || (d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && generatedTrees.Contains(tree)))
            .ToImmutableArray();
        return new GeneratorRun(compilation, output, driver, sources, single.Diagnostics, problems);
    }

    /// <summary>Removes the <see cref="SpanStart"/>/<see cref="SpanEnd"/> markers and returns the span they enclosed.</summary>
    public static (string Source, TextSpan Span) Marked(string marked)
    {
        int start = marked.IndexOf(SpanStart, StringComparison.Ordinal);
        Assert.True(start >= 0, "The source has no " + SpanStart + " marker.");
        string source = marked.Remove(start, SpanStart.Length);
        int end = source.IndexOf(SpanEnd, start, StringComparison.Ordinal);
        Assert.True(end >= 0, "The source has no " + SpanEnd + " marker.");
        source = source.Remove(end, SpanEnd.Length);
        Assert.DoesNotContain(SpanStart, source, StringComparison.Ordinal);
        return (source, TextSpan.FromBounds(start, end));
    }
}
