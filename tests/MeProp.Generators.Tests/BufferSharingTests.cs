using Xunit;

namespace MeProp.Generators.Tests;

/// <summary>
/// Where the generated pass shares a buffer instead of copying (an Embed written into its Concat, a
/// Dropout that may return its operand at rate 0), and where it must not: a value with a second use
/// keeps a buffer of its own, or the other use would see the shared one.
/// </summary>
public sealed class BufferSharingTests
{
    private static string Model(string body) => $$"""
        using MeProp;
        using static MeProp.Ops;
        partial class M
        {
            Matrix<float> E = new(10, 3);
            Matrix<float> T = new(5, 3);
            Matrix<float> W = new(4, 12);
            Matrix<float> V = new(4, 6);
            Matrix<float> U = new(2, 4);
            double Rate = 0.1;
            [MeProp(K = 2)]
            Batch<float> F(IdBatch words, IdBatch tags)
            {
        {{body}}
            }
        }
        """;

    [Fact]
    public void AnEmbedUsedOnlyByAConcatIsWrittenIntoIt()
    {
        string source = GeneratorHarness.GenerateCleanly(Model("""
                var x = Concat(Embed(E, words), Embed(T, tags));
                return U * Tanh(W * x);
            """));
        Assert.Contains("ForwardKernels.Embed(this.E, tape.words, tape.x, offset: 0);", source, System.StringComparison.Ordinal);
        Assert.Contains("ForwardKernels.Embed(this.T, tape.tags, tape.x, offset: tape.words.Cols * this.E.Cols);", source, System.StringComparison.Ordinal);
        Assert.Contains("BackwardKernels.Embed(tape.d_x, offset: tape.words.Cols * this.E.Cols, tape.tags, gradients.d_T);", source, System.StringComparison.Ordinal);
        Assert.DoesNotContain("ConcatInto", source, System.StringComparison.Ordinal);
        Assert.DoesNotContain("BackwardKernels.Concat(", source, System.StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmbedWithAnotherUseKeepsItsOwnBuffer()
    {
        string source = GeneratorHarness.GenerateCleanly(Model("""
                var e = Embed(E, words);
                var x = Concat(e, Embed(T, tags));
                return U * Tanh(W * x + V * e);
            """));
        Assert.Contains("ForwardKernels.Embed(this.E, tape.words, tape.e);", source, System.StringComparison.Ordinal);
        Assert.Contains("ForwardKernels.ConcatInto(tape.e, tape.x, offset: 0);", source, System.StringComparison.Ordinal);
        Assert.Contains("BackwardKernels.Concat(tape.d_x, offset: 0, tape.d_e,", source, System.StringComparison.Ordinal);
        // The other operand still goes straight into the Concat, after e's columns.
        Assert.Contains("ForwardKernels.Embed(this.T, tape.tags, tape.x, offset: tape.e.Cols);", source, System.StringComparison.Ordinal);
    }

    [Fact]
    public void ADropoutOfASingleUseValueMayReturnIt()
    {
        string source = GeneratorHarness.GenerateCleanly(Model("""
                var h = Dropout(Tanh(W * Concat(Embed(E, words), Embed(T, tags))), Rate);
                return U * h;
            """));
        Assert.Contains("tape.h = global::MeProp.Kernels.ForwardKernels.DropoutOrSame(tape.h_tanh, this.Rate, __mepropRandom, tape.h_mask, tape.h_storage);", source, System.StringComparison.Ordinal);
        Assert.Contains("tape.d_h = global::System.Object.ReferenceEquals(tape.h, tape.h_tanh) ? tape.d_h_tanh : tape.d_h_storage;", source, System.StringComparison.Ordinal);
        Assert.Contains("if (!global::System.Object.ReferenceEquals(tape.d_h, tape.d_h_tanh))", source, System.StringComparison.Ordinal);
    }

    [Fact]
    public void ADropoutOfAValueWithAnotherUseCopies()
    {
        string source = GeneratorHarness.GenerateCleanly(Model("""
                var a = Tanh(W * Concat(Embed(E, words), Embed(T, tags)));
                var h = Dropout(a, Rate);
                return U * h + U * a;
            """));
        Assert.Contains("ForwardKernels.Dropout(tape.a, this.Rate, __mepropRandom, tape.h_mask, tape.h);", source, System.StringComparison.Ordinal);
        Assert.DoesNotContain("DropoutOrSame", source, System.StringComparison.Ordinal);
    }
}
