using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace MeProp.Generators.Tests;

// Diagnostics of loops over steps, sequences and recurrent states (MEPROP014-MEPROP020).
public sealed partial class DiagnosticTests
{
    private static string Recurrent(string body, string returned = "W * h") => $$"""
        partial class R
        {
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Batch<float> F(Sequence<float> x)
            {
                var h = Zeros(x, 4);
                {{body}}
                return {{returned}};
            }
        }
        """;

    // ---- MEPROP014: loops that are not over the steps of a sequence ----

    [Theory]
    [InlineData("/*<*/for (int i = 0; i < 2; i++) h = Relu(W * h);/*>*/")]
    [InlineData("/*<*/for (int t = 1; t < x.Length; t++) h = Relu(W * h);/*>*/")]
    [InlineData("/*<*/for (int t = 0; t < x.Length; t += 2) h = Relu(W * h);/*>*/")]
    [InlineData("/*<*/for (int t = x.Length - 1; t > 0; t--) h = Relu(W * h);/*>*/")]
    [InlineData("/*<*/while (h.Rows > 5) h = Relu(W * h);/*>*/")]
    [InlineData("/*<*/foreach (var r in new[] { 1, 2 }) h = Relu(W * h);/*>*/")]
    public void MEPROP014_UnsupportedLoop(string loop) => AssertSingle(Recurrent(loop), "MEPROP014");

    // ---- MEPROP015: control flow inside a loop body ----

    [Theory]
    [InlineData("/*<*/break;/*>*/")]
    [InlineData("/*<*/continue;/*>*/")]
    public void MEPROP015_LoopControlFlow(string statement) => AssertSingle(Recurrent(
        "for (int t = 0; t < x.Length; t++) { h = Relu(W * h + W * x[t]); " + statement + " }"), "MEPROP015");

    // ---- MEPROP016: a loop in a loop ----

    [Fact]
    public void MEPROP016_NestedLoop() => AssertSingle(Recurrent(
        "for (int t = 0; t < x.Length; t++) { /*<*/for (int u = 0; u < x.Length; u++) h = Relu(W * h);/*>*/ }"), "MEPROP016");

    // ---- MEPROP017: steps read or written other than at the loop variable ----

    [Fact]
    public void MEPROP017_StepReadOutsideALoop() => AssertSingle(Recurrent("", "W * /*<*/x[0]/*>*/"), "MEPROP017");

    [Fact]
    public void MEPROP017_StepReadAtAnotherIndex() => AssertSingle(Recurrent(
        "for (int t = 0; t < x.Length; t++) h = Relu(W * h + W * /*<*/x[x.Length - 1 - t]/*>*/);"), "MEPROP017");

    [Fact]
    public void MEPROP017_StepWrittenAtAnotherIndex() => AssertSingle("""
        partial class R
        {
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Sequence<float> F(Sequence<float> x)
            {
                var ys = SequenceLike(x);
                for (int t = 0; t < x.Length; t++)
                    /*<*/ys[0] = W * x[t]/*>*/;
                return ys;
            }
        }
        """, "MEPROP017");

    // ---- MEPROP018: sequences read before they are filled, or filled twice ----

    [Fact]
    public void MEPROP018_SequenceReadBeforeItIsFilled() => AssertSingle("""
        partial class R
        {
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Sequence<float> F(Sequence<float> x)
            {
                var ys = SequenceLike(x);
                return /*<*/ys/*>*/;
            }
        }
        """, "MEPROP018");

    [Fact]
    public void MEPROP018_SequenceFilledTwice() => AssertSingle("""
        partial class R
        {
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Sequence<float> F(Sequence<float> x)
            {
                var ys = SequenceLike(x);
                for (int t = 0; t < x.Length; t++)
                {
                    ys[t] = W * x[t];
                    /*<*/ys[t] = Relu(W * x[t])/*>*/;
                }
                return ys;
            }
        }
        """, "MEPROP018");

    // ---- MEPROP019: a local without a value where it is declared ----

    [Fact]
    public void MEPROP019_NoInitialValue() => AssertSingle("""
        partial class R
        {
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x)
            {
                Batch<float> /*<*/h/*>*/;
                h = W * x;
                return W * h;
            }
        }
        """, "MEPROP019");

    // ---- MEPROP020: Zeros with a width or an example count the training pass cannot evaluate ----

    [Theory]
    [InlineData("var h = /*<*/Zeros(x, x.Features)/*>*/;")]
    [InlineData("var g = Zeros(x, 4); var h = /*<*/Zeros(g, 4)/*>*/;")]
    public void MEPROP020_InvalidZeros(string declaration) => AssertSingle($$"""
        partial class R
        {
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Batch<float> F(Sequence<float> x)
            {
                {{declaration}}
                for (int t = 0; t < x.Length; t++) h = Relu(W * h + W * x[t]);
                return W * h;
            }
        }
        """, "MEPROP020");

    // ---- MEPROP021: models used as layers ----

    private const string Layers = """
        partial class Dense
        {
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            public Batch<float> Forward(Batch<float> x) => Tanh(W * x);
        }
        partial class Recurrent
        {
            Matrix<float> W = new(4, 8);
            [MeProp(K = 2)]
            public Sequence<float> Forward(Sequence<float> x)
            {
                var h = Zeros(x, 4);
                var hs = SequenceLike(x);
                for (int t = 0; t < x.Length; t++) { h = Tanh(W * Concat(x[t], h)); hs[t] = h; }
                return hs;
            }
        }
        """;

    [Fact]
    public void MEPROP021_LayerNotReachedThroughAnInstanceMember() => AssertSingle(Layers + """
        partial class M
        {
            static Dense Shared = new();
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x) => W * /*<*/Shared.Forward(x)/*>*/;
        }
        """, "MEPROP021", expectSources: 2);

    [Fact]
    public void MEPROP021_LayersFormingACycle() => AssertSingle("""
        partial class A
        {
            Matrix<float> W = new(4, 4);
            A? Next;
            [MeProp(K = 2)]
            public Batch<float> F(Batch<float> x) => W * /*<*/Next!.F(x)/*>*/;
        }
        """.Replace("Next!.F(x)", "Next.F(x)").Replace("A? Next;", "A Next = null!;"), "MEPROP021");

    [Fact]
    public void MEPROP021_LayerWithErrors()
    {
        (string source, Microsoft.CodeAnalysis.Text.TextSpan span) = GeneratorHarness.Marked(Usings + """
            partial class Broken
            {
                Matrix<float> W = new(4, 4);
                [MeProp(K = 2)]
                public Batch<float> Forward(Batch<float> x) { var h = W * x; if (x.Rows > 1) h = Relu(h); return h; }
            }
            partial class M
            {
                Broken Layer = new();
                Matrix<float> W = new(4, 4);
                [MeProp(K = 2)]
                Batch<float> F(Batch<float> x) => W * /*<*/Layer.Forward(x)/*>*/;
            }
            """);
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Equal(new[] { "MEPROP001", "MEPROP021" }, run.GeneratorDiagnostics.Select(d => d.Id).OrderBy(i => i));
        AssertAt(run.GeneratorDiagnostics.Single(d => d.Id == "MEPROP021"), "MEPROP021", DiagnosticSeverity.Error, span, source);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void MEPROP021_LayerReadingPrivateMembers() => Assert.Contains("reads W, Width, which other types cannot access", AssertSingle("""
        partial class Hidden
        {
            private Matrix<float> W = new(4, 4);
            private int Width { get; } = 4;
            [MeProp(K = 2)]
            public Batch<float> Forward(Batch<float> x) => Tanh(W * x + Zeros(x, Width));
        }
        partial class M
        {
            internal Hidden Layer = new();
            Matrix<float> W = new(4, 4);
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> x) => W * /*<*/Layer.Forward(x)/*>*/;
        }
        """, "MEPROP021", expectSources: 1).GeneratorDiagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
}
