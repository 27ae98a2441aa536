using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace MeProp.Generators.Tests.RandomPrograms;

/// <summary>
/// Random programs with one statement from outside the DSL put in at a random place: the generator
/// must answer with an error diagnostic (an ID, a location in the method) and write no training
/// pass, never a silently wrong gradient.
/// </summary>
public sealed class FenceTests(ITestOutputHelper output)
{
    // C# that compiles in a forward method but is no DSL construct.
    private static readonly string[] Outsiders =
    {
        "System.Console.WriteLine(\"side effect\");",
        "var root = System.Math.Sqrt(2.0);",
        "if (x.Rows > 0) { }",
        "while (x.Rows < 0) { }",
        "x.Span[0] = 1.0;",
        "var copy = x.Span.ToArray();",
        "try { } finally { }",
        "var fresh = new Batch<double>(1, 1);",
        "int count = 0;",
        "var twice = Relu(x) ?? x;",
        "System.Func<int> lambda = () => 1;",
        "var rows = x.Rows;",
    };

    [Fact]
    public void A_statement_outside_the_dsl_is_an_error_diagnostic_and_no_generated_pass()
    {
        int checkedPrograms = ProgramBatch.Run("MEPROP_RANDOM_PROGRAMS", 60, CheckOne, choices => WithOutsider(choices).Source);
        output.WriteLine($"{checkedPrograms} programs with a statement outside the DSL: each an error diagnostic, no generated pass");
    }

    // The program of the choices with one outsider statement, both chosen by the last two choices, put before one of its statements.
    private static (string Source, string Outsider) WithOutsider(int[] choices)
    {
        int outsider = choices.Length > 0 ? (int)((uint)choices[^1] % (uint)Outsiders.Length) : 0;
        int place = choices.Length > 1 ? choices[^2] : 0;
        string valid = RandomProgram.Build(choices, batchOnly: true).Source(k: 2);
        string[] lines = valid.Split('\n');
        int first = Array.FindLastIndex(lines, l => l.Contains("public Batch<double> Forward", StringComparison.Ordinal)) + 2;
        int last = Array.FindIndex(lines, first, l => l.TrimStart().StartsWith("return ", StringComparison.Ordinal));
        int at = first + place % (last - first + 1);
        return (string.Join('\n', lines.Take(at).Append("        " + Outsiders[outsider]).Concat(lines.Skip(at))), Outsiders[outsider]);
    }

    private static void CheckOne(int[] choices)
    {
        var (source, outsider) = WithOutsider(choices);
        GeneratorRun run = GeneratorHarness.Run(source);
        Diagnostic[] errors = run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length > 0, $"no error diagnostic for '{outsider}':\n{source}");
        Assert.All(errors, d =>
        {
            Assert.StartsWith("MEPROP", d.Id);
            // The generator recreates locations from file, span and lines (it keeps no syntax trees between steps).
            FileLinePositionSpan where = d.Location.GetLineSpan();
            Assert.True(where.Path == "Model0.cs" && where.StartLinePosition.Line > 0, $"{d.Id} has no location in the source: {d.Location}");
        });
        // The model's own pass is missing; a layer it calls, whose method is valid, still gets its own.
        Assert.DoesNotContain(run.Sources, s => s.HintName.StartsWith(RandomProgram.ClassName + ".", StringComparison.Ordinal) && s.Text.Contains("ForwardTrain", StringComparison.Ordinal));
    }
}
