using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace MeProp.Generators.Tests;

/// <summary>
/// The pipeline's incrementality: an unrelated edit leaves every tracked step Cached or Unchanged, an
/// edit of the forward method re-runs it, and nothing the pipeline caches holds a Roslyn object.
/// </summary>
public sealed class CachingTests
{
    private static readonly string[] TrackedSteps = { TrackingNames.Parse, TrackingNames.Diagnostics, TrackingNames.Models, TrackingNames.Linked };

    private const string ModelSource = """
        using MeProp;
        using static MeProp.Ops;

        namespace App;

        public partial class Mlp
        {
            public Matrix<float> W1 = new(50, 20), W2 = new(10, 50);
            public RowVector<float> b1 = new(50);

            [MeProp(K = 5)]
            public Batch<float> Forward(Batch<float> x) => W2 * Relu(W1 * x + b1);
        }

        public partial class Warned
        {
            public Matrix<float> W1 = new(50, 20), W2 = new(10, 50);

            [MeProp(K = 60)]
            public Batch<float> Forward(Batch<float> x) => W2 * Dropout(Relu(W1 * x), 0.5);
        }

        public partial class Rnn
        {
            public Matrix<float> Wx = new(8, 3), Wh = new(8, 8), Wo = new(2, 8);

            [MeProp(K = 2)]
            public Sequence<float> Forward(Sequence<float> x)
            {
                var h = Zeros(x, 8);
                var ys = SequenceLike(x);
                for (int t = 0; t < x.Length; t++)
                {
                    h = Tanh(Wx * x[t] + Wh * h);
                    ys[t] = Wo * h;
                }
                return ys;
            }
        }
        """;

    private const string OtherSource = """
        namespace App;

        public static class Program
        {
            public static int Main() => 0;
        }
        """;

    private const string EditedOtherSource = """
        namespace App;

        public static class Program
        {
            public static int Main() => Answer();

            private static int Answer() => 42;
        }
        """;

    [Fact]
    public void UnrelatedEditLeavesEveryStepCachedOrUnchanged()
    {
        GeneratorRun first = GeneratorHarness.Run(ModelSource, OtherSource);
        Assert.Equal(3, first.Sources.Length);
        Assert.Single(first.GeneratorDiagnostics); // MEPROP007 for Warned: the diagnostics step has something to cache
        AssertStepsRan(first.Driver, TrackedSteps);

        CSharpCompilation edited = Replace(first.Input, "Model1.cs", EditedOtherSource);
        GeneratorRun second = GeneratorHarness.Run(first.Driver, edited);

        GeneratorRunResult result = second.Driver.GetRunResult().Results.Single();
        foreach (string step in TrackedSteps)
        {
            var outputs = StepOutputs(result, step);
            Assert.NotEmpty(outputs);
            Assert.All(outputs, output => Assert.True(
                output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"{step} output {output.Value} is {output.Reason} after an unrelated edit."));
        }
        Assert.Equal(first.Sources.ToArray(), second.Sources.ToArray());
    }

    [Fact]
    public void CachedStepOutputsHoldNoRoslynObjects()
    {
        GeneratorRun first = GeneratorHarness.Run(ModelSource, OtherSource);
        GeneratorRun second = GeneratorHarness.Run(first.Driver, first.Input.Clone());
        foreach (GeneratorRun run in new[] { first, second })
        {
            GeneratorRunResult result = run.Driver.GetRunResult().Results.Single();
            foreach (string step in TrackedSteps)
            {
                var outputs = StepOutputs(result, step);
                Assert.NotEmpty(outputs);
                foreach (var output in outputs)
                    AssertHoldsNoRoslynObjects(output.Value, step);
            }
        }
    }

    [Fact]
    public void EditingTheForwardMethodModifiesItsModel()
    {
        GeneratorRun first = GeneratorHarness.Run(ModelSource, OtherSource);
        CSharpCompilation edited = Replace(first.Input, "Model0.cs", ModelSource.Replace("[MeProp(K = 5)]", "[MeProp(K = 6)]"));
        GeneratorRun second = GeneratorHarness.Run(first.Driver, edited);

        GeneratorRunResult result = second.Driver.GetRunResult().Results.Single();
        var models = StepOutputs(result, TrackingNames.Models);
        Assert.Equal(3, models.Count);
        // Mlp's model changed (K); Warned's and Rnn's (a loop: nested records) are equal to the one before, so it stays Unchanged and is not re-emitted.
        Assert.Contains(models, o => o.Reason == IncrementalStepRunReason.Modified && o.Value.ToString()!.Contains("Mlp", StringComparison.Ordinal));
        Assert.Single(models, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("new(k: 6,", second.Sources.Single(s => s.HintName == "App.Mlp.Forward.MeProp.g.cs").Text, StringComparison.Ordinal);
        // Linking re-runs for every model (the collected models changed), but only Mlp's result differs.
        var linked = StepOutputs(result, TrackingNames.Linked);
        Assert.Equal(3, linked.Count);
        Assert.Single(linked, o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void EditingOnlyTriviaOfTheForwardMethodDoesNotReEmit()
    {
        GeneratorRun first = GeneratorHarness.Run(ModelSource, OtherSource);
        CSharpCompilation edited = Replace(first.Input, "Model0.cs", ModelSource.Replace("public partial class Mlp", "// a comment\npublic partial class Mlp"));
        GeneratorRun second = GeneratorHarness.Run(first.Driver, edited);

        GeneratorRunResult result = second.Driver.GetRunResult().Results.Single();
        // The spans of Warned's diagnostic moved, so the diagnostics may change; the models must not.
        Assert.All(StepOutputs(result, TrackingNames.Models), o => Assert.True(
            o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{o.Value} is {o.Reason}."));
    }

    /// <summary>The walker itself must find a Roslyn object hidden in a record, a collection or a field.</summary>
    [Fact]
    public void TheWalkerFindsRoslynObjects()
    {
        SyntaxTree tree = CSharpSyntaxTree.ParseText("class C { }");
        Assert.ThrowsAny<Exception>(() => AssertHoldsNoRoslynObjects(new Holder(new object[] { 1, "a", tree.GetRoot() }), "test"));
        Assert.ThrowsAny<Exception>(() => AssertHoldsNoRoslynObjects(new Holder(new List<object> { Location.None }), "test"));
        Assert.ThrowsAny<Exception>(() => AssertHoldsNoRoslynObjects(GeneratorHarness.Compile("class C { }"), "test"));
        AssertHoldsNoRoslynObjects(new Holder(new object[] { 1, "a", new Holder(Array.Empty<object>()) }), "test");
    }

    private sealed record Holder(IEnumerable Items);

    private static void AssertStepsRan(GeneratorDriver driver, IEnumerable<string> steps)
    {
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        foreach (string step in steps)
            Assert.True(result.TrackedSteps.ContainsKey(step), $"The step {step} did not run (is its tracking name set?).");
    }

    private static List<(object Value, IncrementalStepRunReason Reason)> StepOutputs(GeneratorRunResult result, string step)
    {
        Assert.True(result.TrackedSteps.TryGetValue(step, out var runs), $"No tracked step named {step}.");
        return runs.SelectMany(run => run.Outputs).ToList();
    }

    private static CSharpCompilation Replace(CSharpCompilation compilation, string path, string source)
    {
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, GeneratorHarness.Parse(source, path));
    }

    private static readonly Type[] Forbidden = { typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel), typeof(Location) };

    /// <summary>Walks <paramref name="value"/>: the fields of objects and structs, the elements of collections.</summary>
    private static void AssertHoldsNoRoslynObjects(object? value, string step)
    {
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        void Walk(object? node, string path, int depth)
        {
            if (node is null) return;
            Type type = node.GetType();
            if (Forbidden.FirstOrDefault(f => f.IsAssignableFrom(type)) is { } forbidden)
                Assert.Fail($"The output of {step} holds a {forbidden.Name} ({type.Name}) at {path}: it keeps Roslyn objects alive and defeats caching.");
            if (type.IsPrimitive || type.IsEnum || node is string || node is decimal || type.IsPointer) return;
            if (!type.IsValueType && !visited.Add(node)) return;
            Assert.True(depth < 64, $"The output of {step} is nested too deeply at {path}.");
            if (node is IEnumerable items)
            {
                int i = 0;
                foreach (object? item in items) Walk(item, $"{path}[{i++}]", depth + 1);
                return;
            }
            for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
            {
                foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.FieldType.IsPointer || field.FieldType.IsByRefLike) continue;
                    Walk(field.GetValue(node), path + "." + field.Name, depth + 1);
                }
            }
        }
        Walk(value, "output", 0);
    }
}
