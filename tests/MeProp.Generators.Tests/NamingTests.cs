using Microsoft.CodeAnalysis;
using Xunit;

namespace MeProp.Generators.Tests;

/// <summary>
/// User names that could collide with the names the generated code uses: the generated code must still
/// compile (or the generator must say which name to change).
/// </summary>
public sealed class NamingTests
{
    private static string Model(string w, string x, string h, string rateDeclaration = "double Rate = 0.1;", string rate = "Rate") => $$"""
        using MeProp;
        using static MeProp.Ops;
        partial class M
        {
            Matrix<float> {{w}} = new(4, 4);
            {{rateDeclaration}}
            [MeProp(K = 2)]
            Batch<float> F(Batch<float> {{x}})
            {
                var {{h}} = Relu({{w}} * {{x}});
                {{h}} = Dropout({{h}}, {{rate}});
                return {{w}} * {{h}};
            }
        }
        """;

    [Theory]
    [InlineData("All", "x", "h")]                 // members of the generated parameter set
    [InlineData("d_W", "x", "h")]
    [InlineData("W", "x", "Fits")]                // members and locals of the generated tape class
    [InlineData("W", "x", "__examples")]
    [InlineData("W", "x", "__owner")]
    [InlineData("W", "x", "x__width")]
    [InlineData("W", "x", "tape")]                // locals of the generated methods
    [InlineData("W", "x", "start")]
    [InlineData("W", "x", "d_h")]
    [InlineData("W", "dOutput", "h")]
    [InlineData("W", "settings", "gradients")]
    public void CollidingNamesStillCompile(string w, string x, string h)
    {
        GeneratorRun run = GeneratorHarness.Run(Model(w, x, h));
        run.AssertNoGeneratorDiagnostics();
        run.AssertCompilesCleanly();
    }

    [Theory]
    [InlineData("tape")]
    [InlineData("start")]
    [InlineData("__owner")]
    [InlineData("__examples")]
    public void InputNamesTheGeneratedCodeUsesAreReported(string x)
    {
        GeneratorRun run = GeneratorHarness.Run(Model("W", x, "h"));
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("MEPROP008", diagnostic.Id);
        Assert.Contains($"input '{x}'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
        Assert.Empty(run.Sources);
    }

    /// <summary>
    /// A static rate is read through its type: a bare 'start' bound to ForwardTrain's timestamp local (a long,
    /// which converts to double silently), so the model trained with a dropout rate of some billions.
    /// </summary>
    [Fact]
    public void StaticDropoutRateIsQualified()
    {
        GeneratorRun run = GeneratorHarness.Run(Model("W", "x", "h", "static double start = 0.1;", "start"));
        run.AssertNoGeneratorDiagnostics();
        run.AssertCompilesCleanly();
        Assert.Contains("ForwardKernels.DropoutOrSame(tape.h, global::M.start, __mepropRandom,", run.SingleSource, System.StringComparison.Ordinal);
    }
}
