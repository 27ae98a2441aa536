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
    private const int CiPrograms = 60;

    // C# that compiles in any forward method but is no DSL construct.
    private static readonly string[] Anywhere =
    {
        "System.Console.WriteLine(\"side effect\");",
        "var root = System.Math.Sqrt(2.0);",
        "try { } finally { }",
        "var fresh = new Batch<double>(1, 1);",
        "int count = 0;",
        "System.Func<int> lambda = () => 1;",
    };

    // ... in a method whose input x is a batch.
    private static readonly string[] OnBatches =
    {
        "if (x.Rows > 0) { }",
        "while (x.Rows < 0) { }",
        "x.Span[0] = 1.0;",
        "var copy = x.Span.ToArray();",
        "var twice = Relu(x) ?? x;",
        "var rows = x.Rows;",
    };

    // ... in a method whose input is a sequence, written here as {s}: x, or ids when they are the only input.
    private static readonly string[] OnSequences =
    {
        "if ({s}.Length > 1) { }",
        "var steps = {s}.Length;",
        "{s}[0].Span[0] = 1;",
        "var first = {s}[0];",
    };

    // ... inside a loop over the steps: control flow the DSL's loops do not have, which would skip or repeat steps.
    private static readonly string[] InLoops =
    {
        "break;",
        "continue;",
        "if (t == 0) continue;",
        "t++;",
        "t = 0;",
        "var late = {s}[t - 1 < 0 ? 0 : t - 1];",
    };

    [Fact]
    public void A_statement_outside_the_dsl_is_an_error_diagnostic_and_no_generated_pass()
    {
        var loopBodies = 0;
        int checkedPrograms = ProgramBatch.Run("MEPROP_RANDOM_PROGRAMS", CiPrograms, choices =>
        {
            CheckOne(choices);
            if (IsIn(InLoops, WithOutsider(choices).Outsider)) System.Threading.Interlocked.Increment(ref loopBodies);
        }, choices => WithOutsider(choices).Source);
        output.WriteLine($"{checkedPrograms} programs with a statement outside the DSL ({loopBodies} with a loop-only outsider in a loop body): each an error diagnostic, no generated pass");
    }

    /// <summary>The CI batch reaches every group of outsiders, loop bodies included.</summary>
    [Fact]
    public void The_fixed_batch_puts_outsiders_of_every_group()
    {
        var placed = Enumerable.Range(0, CiPrograms).Select(i => WithOutsider(ProgramBatch.FixedChoices(i)).Outsider).ToArray();
        foreach (var (name, group) in new[] { ("anywhere", Anywhere), ("on batches", OnBatches), ("on sequences", OnSequences), ("in loops", InLoops) })
        {
            int count = placed.Count(o => IsIn(group, o));
            output.WriteLine($"{count,3} of {CiPrograms}: {name}");
            Assert.True(count > 0, $"No program of the fixed batch gets an outsider {name}.");
        }
    }

    // Whether the outsider comes from the group, with {s} written either way.
    private static bool IsIn(string[] group, string outsider) => group.Any(g => g == outsider
        || g.Replace("{s}", "x", StringComparison.Ordinal) == outsider || g.Replace("{s}", "ids", StringComparison.Ordinal) == outsider);

    // The program of the choices with one outsider statement put before one of its statements (inside
    // a loop body or not), both chosen by the last two choices from the outsiders that compile there.
    private static (string Source, string Outsider) WithOutsider(int[] choices)
    {
        RandomProgram program = RandomProgram.Build(choices);
        string valid = program.Source(k: 2);
        string[] lines = valid.Split('\n');
        int first = Array.FindLastIndex(lines, l => l.Contains(" Forward(", StringComparison.Ordinal)) + 2;
        int last = Array.FindLastIndex(lines, l => l.TrimStart().StartsWith("return ", StringComparison.Ordinal));
        int place = choices.Length > 1 ? choices[^2] : 0;
        int at = first + place % (last - first + 1);
        if (lines[at].Trim() == "{") at--; // before the loop, not between its header and its body
        // A line indented past the method body's statements is in a loop body (the loops' braces are at the statements' indentation).
        bool inLoop = lines[at].StartsWith("            ", StringComparison.Ordinal);
        string[] candidates = Anywhere.Concat(program.SequenceInput ? OnSequences : OnBatches).Concat(inLoop ? InLoops : Array.Empty<string>()).ToArray();
        string outsider = candidates[choices.Length > 0 ? (int)((uint)choices[^1] % (uint)candidates.Length) : 0]
            .Replace("{s}", program.IdsOnly ? "ids" : "x", StringComparison.Ordinal);
        string indent = inLoop ? "            " : "        ";
        return (string.Join('\n', lines.Take(at).Append(indent + outsider).Concat(lines.Skip(at))), outsider);
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
