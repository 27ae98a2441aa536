using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace MeProp.Generators.Tests;

/// <summary>
/// One minimal source per diagnostic (and per way of triggering it): the ID, the severity and the exact
/// span, marked in the source with /*&lt;*/ and /*&gt;*/, and no generated source for an error.
/// </summary>
public sealed partial class DiagnosticTests
{
    private const string Usings = "using MeProp;\nusing static MeProp.Ops;\n";

    /// <summary>
    /// Runs the generator on <paramref name="marked"/> and asserts it reported exactly one diagnostic,
    /// <paramref name="id"/> at the marked span, and generated nothing for an error beyond <paramref name="expectSources"/>
    /// files of other models in the source (and compiling output for a warning).
    /// </summary>
    private static GeneratorRun AssertSingle(string marked, string id, DiagnosticSeverity severity = DiagnosticSeverity.Error, int expectSources = 0)
    {
        (string source, TextSpan span) = GeneratorHarness.Marked(Usings + marked);
        GeneratorRun run = GeneratorHarness.Run(source);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        AssertAt(diagnostic, id, severity, span, source);
        if (severity == DiagnosticSeverity.Error)
            Assert.Equal(expectSources, run.Sources.Length); // other, valid models in the source still generate
        else
            run.AssertCompilesCleanly();
        return run;
    }

    private static void AssertAt(Diagnostic diagnostic, string id, DiagnosticSeverity severity, TextSpan span, string source)
    {
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.True(diagnostic.Location.IsInSource || diagnostic.Location.Kind == LocationKind.ExternalFile, $"{diagnostic} has no source location.");
        Assert.Equal("Model0.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.True(span == diagnostic.Location.SourceSpan,
            $"{id} is at '{source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length)}' {diagnostic.Location.SourceSpan}, expected '{source.Substring(span.Start, span.Length)}' {span}.");
        // The line span travels separately through the pipeline: it must agree with the span.
        Assert.Equal(SourceText.From(source).Lines.GetLinePositionSpan(span), diagnostic.Location.GetLineSpan().Span);
        Assert.False(string.IsNullOrWhiteSpace(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
    }

    // ---- MEPROP001: statements outside the fence ----

    [Theory]
    [InlineData("/*<*/if (x.Rows > 0) h = Relu(h);/*>*/")]
    [InlineData("/*<*/Batch<float> a = h, c = h;/*>*/")]
    [InlineData("/*<*/h += h;/*>*/")]
    public void MEPROP001_UnsupportedStatement(string statement) => AssertSingle($$"""
        partial class M
        {
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x)
            {
                var h = W * x;
                {{statement}}
                return h;
            }
        }
        """, "MEPROP001");

    [Fact]
    public void MEPROP001_ReturnBeforeTheEnd() => AssertSingle("""
        partial class M
        {
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x)
            {
                var h = W * x;
                /*<*/return h;/*>*/
                return W * h;
            }
        }
        """, "MEPROP001");

    // ---- MEPROP002: expressions outside the fence ----

    [Fact]
    public void MEPROP002_Literal() => AssertSingle("""
        partial class M
        {
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x)
            {
                Batch<float> unused = /*<*/null/*>*/;
                return W * x;
            }
        }
        """, "MEPROP002");

    [Fact]
    public void MEPROP002_Conditional() => AssertSingle("""
        partial class M
        {
            Matrix<float> W = new(4, 4), V = new(4, 4);
            bool useV;
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x)
            {
                var h = /*<*/useV ? V * x : W * x/*>*/;
                return W * h;
            }
        }
        """, "MEPROP002");

    [Fact]
    public void MEPROP002_NewTensor() => AssertSingle("""
        partial class M
        {
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x) => W * /*<*/new Batch<float>(1, 4)/*>*/;
        }
        """, "MEPROP002");

    // ---- MEPROP003: calls with no known gradient ----

    [Theory]
    [InlineData("/*<*/Square(W * x)/*>*/")]
    [InlineData("/*<*/Helpers.Twice(W * x)/*>*/")]
    [InlineData("/*<*/(W * x).Twice()/*>*/")]
    [InlineData("/*<*/Activation(W * x)/*>*/")]
    public void MEPROP003_UnknownOperation(string call) => AssertSingle($$"""
        partial class M
        {
            Matrix<float> W = new(4, 4);
            System.Func<Batch<float>, Batch<float>> Activation = Relu;
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x)
            {
                var h = {{call}};
                return W * h;
            }
            Batch<float> Square(Batch<float> a) => Multiply(a, a);
        }
        static class Helpers
        {
            public static Batch<float> Twice(this Batch<float> a) => Add(a, a);
        }
        """, "MEPROP003");

    // ---- MEPROP004: the model and every enclosing type must be partial ----

    [Fact]
    public void MEPROP004_ModelNotPartial() => AssertSingle("""
        class /*<*/M/*>*/
        {
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x) => W * x;
        }
        """, "MEPROP004");

    [Fact]
    public void MEPROP004_EnclosingTypeNotPartial() => AssertSingle("""
        class /*<*/Outer/*>*/
        {
            partial class M
            {
                Matrix<float> W = new(4, 4);
                [MeProp(K = 2)]
                Batch<float> F(Batch<float> x) => W * x;
            }
        }
        """, "MEPROP004");

    // ---- MEPROP005: options out of range ----

    [Theory]
    [InlineData("K = /*<*/0/*>*/")]
    [InlineData("K = /*<*/-3/*>*/")]
    [InlineData("K = 2, OutputK = /*<*/-1/*>*/")]
    [InlineData("Mode = /*<*/(MePropMode)7/*>*/")]
    public void MEPROP005_OptionOutOfRange(string options) => AssertSingle($$"""
        partial class M
        {
            Matrix<float> W = new(4, 4);
            [MeProp({{options}})]
            Batch<float> F(Batch<float> x) => W * x;
        }
        """, "MEPROP005");

    [Fact]
    public void MEPROP005_NotReportedForKZeroWhenDense()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
            partial class M
            {
                Matrix<float> W = new(4, 4);
                [MeProp(K = 0, Mode = MePropMode.Dense)]
                Batch<float> F(Batch<float> x) => W * x;
            }
            """);
        run.AssertNoGeneratorDiagnostics();
        run.AssertCompilesCleanly();
        Assert.Single(run.Sources);
    }

    // ---- MEPROP006: shapes known at compile time that do not fit ----

    [Fact]
    public void MEPROP006_WeightColumnsDoNotMatchInputWidth() => AssertSingle("""
        partial class M
        {
            Matrix<float> W1 = new(500, 784), W2, W3 = new Matrix<float>(10, 400);
            RowVector<float> b1 = new(500), b2 = new(400);
            M() { W2 = new Matrix<float>(400, 400); }
            [MeProp(K = 20)]
            Batch<float> F(Batch<float> x)
            {
                var h1 = Relu(W1 * x + b1);
                var h2 = Relu(/*<*/W2 * h1 + b2/*>*/);
                return W3 * h2;
            }
        }
        """, "MEPROP006");

    [Fact]
    public void MEPROP006_BiasLengthDoesNotMatchOutputUnits() => AssertSingle("""
        partial class M
        {
            Matrix<float> W = new(10, 8);
            RowVector<float> b = new(300);
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x) => /*<*/Linear(W, x, b)/*>*/;
        }
        """, "MEPROP006");

    [Fact]
    public void MEPROP006_ElementwiseWidthsDiffer() => AssertSingle("""
        partial class M
        {
            Matrix<float> A = new(10, 8), B = new(12, 8), C = new(3, 10);
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x) => C * /*<*/Add(A * x, B * x)/*>*/;
        }
        """, "MEPROP006");

    // ---- MEPROP007: K not below a hidden layer's width (a warning: the model is still generated) ----

    [Fact]
    public void MEPROP007_KNotBelowHiddenWidth()
    {
        GeneratorRun run = AssertSingle("""
            partial class M
            {
                Matrix<float> W1 = new(500, 784), W2 = new(10, 500);
                [/*<*/MeProp(K = 600)/*>*/]
                Batch<float> F(Batch<float> x) => W2 * Relu(W1 * x);
            }
            """, "MEPROP007", DiagnosticSeverity.Warning);
        Assert.Single(run.Sources);
    }

    [Fact]
    public void MEPROP007_NotReportedForTheOutputLayerOrDenseMode()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
            partial class M
            {
                Matrix<float> W1 = new(500, 784), W2 = new(10, 500);
                [MeProp(K = 200)]
                Batch<float> F(Batch<float> x) => W2 * Relu(W1 * x);
            }
            partial class D
            {
                Matrix<float> W1 = new(500, 784), W2 = new(10, 500);
                [MeProp(K = 600, Mode = MePropMode.Dense)]
                Batch<float> F(Batch<float> x) => W2 * Relu(W1 * x);
            }
            """);
        run.AssertNoGeneratorDiagnostics();
        Assert.Equal(2, run.Sources.Length);
    }

    // ---- MEPROP008: signatures the training pass cannot have ----

    [Theory]
    [InlineData("static Batch<float> /*<*/F/*>*/(Batch<float> x) => Relu(x);")]
    [InlineData("Matrix<float> /*<*/F/*>*/(Batch<float> x) => W;")]
    [InlineData("Batch<float> /*<*/F/*>*/(Batch<float> x, int n) => W * x;")]
    [InlineData("Batch<float> /*<*/F/*>*/(ref Batch<float> x) => W * x;")]
    [InlineData("Batch<float> /*<*/F/*>*/(Batch<double> x) => W * W2x;")]
    [InlineData("Batch<float> /*<*/F/*>*/() => W * W2x;")]
    [InlineData("Batch<float> /*<*/F/*>*/<U>(Batch<float> x) => W * x;")]
    public void MEPROP008_UnsupportedSignature(string method) => AssertSingle($$"""
        partial class M
        {
            Matrix<float> W = new(4, 4);
            Batch<float> W2x = new(1, 4);
            [MeProp(K = 2)]
            {{method}}
        }
        """, "MEPROP008");

    [Fact]
    public void MEPROP008_StructModel() => AssertSingle("""
        partial struct M
        {
            Matrix<float> W;
            [MeProp(K = 2)]
            Batch<float> /*<*/F/*>*/(Batch<float> x) => W * x;
        }
        """, "MEPROP008");

    // ---- MEPROP009: one forward method per model ----

    [Fact]
    public void MEPROP009_TwoForwardMethods()
    {
        (string source, TextSpan span) = GeneratorHarness.Marked(Usings + """
            partial class M
            {
                Matrix<float> W = new(4, 4);
                [MeProp(K = 2)]
                Batch<float> F(Batch<float> x) => W * x;
                [MeProp(K = 3)]
                Batch<float> /*<*/G/*>*/(Batch<float> x) => W * Relu(x);
            }
            """);
        GeneratorRun run = GeneratorHarness.Run(source);
        AssertAt(Assert.Single(run.GeneratorDiagnostics), "MEPROP009", DiagnosticSeverity.Error, span, source);
        // The first method still gets its training pass; the second gets none.
        Assert.Equal("M.F.MeProp.g.cs", Assert.Single(run.Sources).HintName);
        run.AssertCompilesCleanly();
    }

    // ---- MEPROP010: nothing to train ----

    [Theory]
    [InlineData("Batch<float> /*<*/F/*>*/(Batch<float> x) => x;")]
    [InlineData("Batch<float> /*<*/F/*>*/(Batch<float> x) => Relu(x);")]
    [InlineData("Batch<float> /*<*/F/*>*/(Batch<float> x) { var unused = W * x; return Tanh(x); }")]
    public void MEPROP010_NothingToTrain(string method) => AssertSingle($$"""
        partial class M
        {
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            {{method}}
        }
        """, "MEPROP010");

    // ---- MEPROP011: dropout rates ----

    [Theory]
    [InlineData("/*<*/1.5/*>*/")]
    [InlineData("/*<*/-0.1/*>*/")]
    [InlineData("/*<*/1/*>*/")]
    [InlineData("/*<*/1.0 - Rate/*>*/")]
    [InlineData("/*<*/System.Math.Max(0.1, Rate)/*>*/")]
    public void MEPROP011_InvalidDropoutRate(string rate) => AssertSingle($$"""
        partial class M
        {
            Matrix<float> W = new(4, 4);
            double Rate = 0.5;
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x) => W * Dropout(Relu(W * x), {{rate}});
        }
        """, "MEPROP011");

    [Fact]
    public void MEPROP011_RateFromALocal()
    {
        (string source, TextSpan span) = GeneratorHarness.Marked(Usings + """
            partial class M
            {
                Matrix<float> W = new(4, 4);
                [MeProp(K = 2)]
                Batch<float> F(Batch<float> x)
                {
                    double p = 0.5;
                    var h = Dropout(W * x, /*<*/p/*>*/);
                    return W * h;
                }
            }
            """);
        GeneratorRun run = GeneratorHarness.Run(source);
        // The local itself is outside the fence (MEPROP002, at its declarator); its use as a rate is MEPROP011.
        Diagnostic[] diagnostics = run.GeneratorDiagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToArray();
        Assert.Equal(new[] { "MEPROP002", "MEPROP011" }, diagnostics.Select(d => d.Id));
        Assert.Equal("p = 0.5", source.Substring(diagnostics[0].Location.SourceSpan.Start, diagnostics[0].Location.SourceSpan.Length));
        AssertAt(diagnostics[1], "MEPROP011", DiagnosticSeverity.Error, span, source);
        Assert.Empty(run.Sources);
    }

    // ---- MEPROP012: parameters that are not members of the model ----

    [Fact]
    public void MEPROP012_MatrixLocal() => AssertSingle("""
        partial class M
        {
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x)
            {
                var /*<*/V = W/*>*/;
                return V * x;
            }
        }
        """, "MEPROP012");

    [Fact]
    public void MEPROP012_StaticMatrixField() => AssertSingle("""
        partial class M
        {
            static Matrix<float> Shared = new(4, 4);
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x) => W * (/*<*/Shared/*>*/ * x);
        }
        """, "MEPROP012");

    [Fact]
    public void MEPROP012_InheritedMatrixField() => AssertSingle("""
        class Base
        {
            protected Matrix<float> V = new(4, 4);
        }
        partial class M : Base
        {
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x) => W * (/*<*/V/*>*/ * x);
        }
        """, "MEPROP012");

    // ---- MEPROP013: names the generator adds ----

    [Theory]
    [InlineData("public void /*<*/Backward/*>*/() { }")]
    [InlineData("public int /*<*/Parameters/*>*/ => 0;")]
    [InlineData("int /*<*/ForwardTrain/*>*/;")]
    [InlineData("class /*<*/MePropSettings/*>*/ { }")]
    [InlineData("int /*<*/__mepropSettings/*>*/;")]       // private members of the training pass
    [InlineData("void /*<*/__MePropBind/*>*/() { }")]
    [InlineData("class /*<*/__MePropTape/*>*/ { }")]
    public void MEPROP013_MemberNameTaken(string member) => AssertSingle($$"""
        partial class M
        {
            Matrix<float> W = new(4, 4);
            {{member}}
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x) => W * x;
        }
        """, "MEPROP013");

    // ---- Code that does not compile gets the compiler's errors only ----

    [Theory]
    [InlineData("var h = Relu(W * x + missing); if (h.Rows > 0) return h; return h;")]
    [InlineData("var h = W * x; for (;;) { } return h")]
    [InlineData("return Undefined(W * x);")]
    [InlineData("int n = \"text\"; return W * x;")]
    public void NoMePropDiagnosticsForCodeThatDoesNotCompile(string body)
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + $$"""
            partial class M
            {
                Matrix<float> W = new(4, 4);
                RowVector<float> b = new(4);
                [MeProp(K = 0)]
                Batch<float> F(Batch<float> x)
                {
                    {{body}}
                }
            }
            """);
        Assert.Contains(run.Input.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        run.AssertNoGeneratorDiagnostics();
        Assert.Empty(run.Sources);
    }

    /// <summary>Every descriptor has a test above, with the severity it is released with: a new ID without a test fails here.</summary>
    [Fact]
    public void EveryDiagnosticIdIsCovered()
    {
        var descriptors = typeof(MePropGenerator).Assembly.GetType("MeProp.Generators.Diagnostics.DiagnosticDescriptors", throwOnError: true)!
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToArray();
        Assert.Equal(21, descriptors.Length);
        var tested = typeof(DiagnosticTests).GetMethods()
            .Select(m => m.Name)
            .Where(n => n.StartsWith("MEPROP", System.StringComparison.Ordinal))
            .Select(n => n.Substring(0, "MEPROP000".Length))
            .ToHashSet();
        Assert.Equal(descriptors.Select(d => d.Id).OrderBy(id => id), tested.OrderBy(id => id));
        foreach (DiagnosticDescriptor d in descriptors)
        {
            Assert.Equal("MeProp", d.Category);
            Assert.True(d.IsEnabledByDefault, d.Id);
            Assert.Equal(d.Id == "MEPROP007" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, d.DefaultSeverity);
        }
    }
}
