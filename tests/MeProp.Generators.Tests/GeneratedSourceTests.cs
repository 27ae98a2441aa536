using Xunit;

namespace MeProp.Generators.Tests;

/// <summary>
/// One scenario per test: the generated training pass is compared with its approved snapshot, it must
/// compile with the model (no errors, no warnings in generated code), and the generator must report nothing.
/// </summary>
public sealed class GeneratedSourceTests
{
    private static void Check(string source, string hintName, string testMethod, int sources = 1, bool device = false)
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), GeneratorHarness.Compile(device, source));
        run.AssertNoGeneratorDiagnostics();
        run.AssertCompilesCleanly();
        Assert.Equal(sources, run.Sources.Length);
        var generated = Assert.Single(run.Sources, s => s.HintName == hintName);
        Assert.Equal(hintName, generated.HintName);
        Snapshot.Verify(generated.Text, testMethod: testMethod);
    }

    /// <summary>The paper's MNIST network: 784-500-500-10, ReLU, K = 20, shapes stated in the constructor.</summary>
    [Fact]
    public void MnistMlp() => Check("""
        using MeProp;
        using static MeProp.Ops;

        namespace Paper.Mnist;

        public sealed partial class MnistMlp
        {
            private readonly Matrix<float> W1, W2, W3;
            private readonly RowVector<float> b1, b2, b3;

            public MnistMlp()
            {
                W1 = new Matrix<float>(500, 784); b1 = new RowVector<float>(500);
                W2 = new Matrix<float>(500, 500); b2 = new RowVector<float>(500);
                W3 = new Matrix<float>(10, 500); b3 = new RowVector<float>(10);
            }

            [MeProp(K = 20)]
            public Batch<float> Forward(Batch<float> x)
            {
                var h1 = Relu(W1 * x + b1);
                var h2 = Relu(W2 * h1 + b2);
                return W3 * h2 + b3;
            }
        }
        """, "Paper.Mnist.MnistMlp.Forward.MeProp.g.cs", nameof(MnistMlp));

    /// <summary>
    /// The same network's device pass, in a project that references MeProp.Accelerators: the CPU file
    /// is unchanged and a second file adds OnAccelerator (the steps printed by DevicePrinter).
    /// </summary>
    [Fact]
    public void MnistMlpDevicePass() => Check("""
        using MeProp;
        using static MeProp.Ops;

        namespace Paper.Mnist;

        public sealed partial class MnistMlp
        {
            private readonly Matrix<float> W1, W2, W3;
            private readonly RowVector<float> b1, b2, b3;

            public MnistMlp()
            {
                W1 = new Matrix<float>(500, 784); b1 = new RowVector<float>(500);
                W2 = new Matrix<float>(500, 500); b2 = new RowVector<float>(500);
                W3 = new Matrix<float>(10, 500); b3 = new RowVector<float>(10);
            }

            [MeProp(K = 20)]
            public Batch<float> Forward(Batch<float> x)
            {
                var h1 = Relu(W1 * x + b1);
                var h2 = Relu(W2 * h1 + b2);
                return W3 * h2 + b3;
            }
        }
        """, "Paper.Mnist.MnistMlp.Forward.MePropDevice.g.cs", nameof(MnistMlpDevicePass), sources: 2, device: true);


    /// <summary>
    /// Chen and Manning's parser network: word and tag embeddings side by side, one hidden layer, the
    /// transition scores (with Tanh; <see cref="CubeParserMlp"/> has the paper's cube activation).
    /// </summary>
    [Fact]
    public void ParserMlp() => Check("""
        using MeProp;
        using static MeProp.Ops;

        namespace Paper.Parsing;

        public partial class ParserMlp
        {
            public Matrix<double> E = Init.Uniform<double>(10000, 50, 0.01, new SeededRandom(1));
            public Matrix<double> T = Init.Uniform<double>(45, 50, 0.01, new SeededRandom(2));
            public Matrix<double> W1 = new Matrix<double>(200, 36 * 50);
            public RowVector<double> b1 = new RowVector<double>(200);
            public Matrix<double> W2 = new Matrix<double>(79, 200);
            public RowVector<double> b2 = new RowVector<double>(79);

            [MeProp(K = 20)]
            public Batch<double> Scores(IdBatch words, IdBatch tags)
            {
                var a = Embed(E, words);
                var b = Embed(T, tags);
                var x = Concat(a, b);
                var h = Tanh(Linear(W1, x, b1));
                return Linear(W2, h, b2);
            }
        }
        """, "Paper.Parsing.ParserMlp.Scores.MeProp.g.cs", nameof(ParserMlp));

    /// <summary>
    /// The parser network with Chen and Manning's cube activation, two hidden layers deep: each Cube's
    /// backward reads its input (the linear operation's result) from the tape, and neither is fused
    /// into its linear operation's top-k as a Relu would be.
    /// </summary>
    [Fact]
    public void CubeParserMlp() => Check("""
        using MeProp;
        using static MeProp.Ops;

        namespace Paper.Parsing;

        public sealed partial class CubeParserMlp
        {
            public Matrix<float> E = new(10000, 50), T = new(45, 50);
            public Matrix<float> W1 = new(200, 36 * 50), W2 = new(200, 200), W3 = new(79, 200);
            public RowVector<float> b1 = new(200), b2 = new(200), b3 = new(79);

            [MeProp(K = 20)]
            public Batch<float> Scores(IdBatch words, IdBatch tags)
            {
                var x = Concat(Embed(E, words), Embed(T, tags));
                var h1 = Cube(W1 * x + b1);
                var h2 = Cube(W2 * h1 + b2);
                return W3 * h2 + b3;
            }
        }
        """, "Paper.Parsing.CubeParserMlp.Scores.MeProp.g.cs", nameof(CubeParserMlp));

    /// <summary>Unified top-k (one index set per mini-batch), a dense output layer and an OutputK; a property as a parameter.</summary>
    [Fact]
    public void UnifiedDenseOutput() => Check("""
        using MeProp;
        using static MeProp.Ops;

        namespace Gpu;

        internal partial class UnifiedNet
        {
            public Matrix<float> W1 { get; set; } = new(256, 100);
            public RowVector<float> b1 { get; } = new(256);
            public Matrix<float> W2 = new(10, 256);

            [MeProp(K = 32, Mode = MePropMode.Unified, DenseOutput = true, OutputK = 5, Seed = 7)]
            internal Batch<float> Forward(Batch<float> input)
            {
                var hidden = Sigmoid(W1 * input + b1);
                return W2 * hidden;
            }
        }
        """, "Gpu.UnifiedNet.Forward.MeProp.g.cs", nameof(UnifiedDenseOutput));

    /// <summary>
    /// Dropout with a constant rate and with a rate from a property; element-wise product, sum and
    /// difference; Sigmoid; a value used by two operations (its gradient accumulates); two inputs.
    /// </summary>
    [Fact]
    public void DropoutAndElementwise() => Check("""
        using MeProp;
        using static MeProp.Ops;

        namespace Zoo;

        public partial class Gated
        {
            public Matrix<float> W1 = new(64, 32), Wg = new(64, 32), Wz = new(64, 16), W2 = new(10, 64);
            public RowVector<float> b1 = new(64), bg = new(64), b2 = new(10);

            public double Rate { get; set; } = 0.5;

            [MeProp(K = 8)]
            public Batch<float> Forward(Batch<float> x, Batch<float> y)
            {
                var h = Relu(W1 * x + b1);
                var d = Dropout(h, 0.25);
                var g = Sigmoid(Wg * x + bg);
                var m = d * g;
                var s = Add(m, Dropout(h, Rate));
                var z = s - Wz * y;
                return W2 * z + b2;
            }
        }
        """, "Zoo.Gated.Forward.MeProp.g.cs", nameof(DropoutAndElementwise));

    /// <summary>A local reassigned layer after layer (each assignment is a new value), a separate bias add, no output bias.</summary>
    [Fact]
    public void ReassignedLocal() => Check("""
        using MeProp;
        using static MeProp.Ops;

        public partial class Deep
        {
            public Matrix<double> W1 = new(30, 20), W2 = new(30, 30), W3 = new(5, 30);
            public RowVector<double> b1 = new(30), b2 = new(30);

            [MeProp(K = 4)]
            public Batch<double> Forward(Batch<double> x)
            {
                var h = W1 * x + b1;
                h = Relu(h);
                h = Relu(W2 * h);
                h = h + b2;
                return W3 * h;
            }
        }
        """, "Deep.Forward.MeProp.g.cs", nameof(ReassignedLocal));

    /// <summary>A generic model class nested in a static partial class; an expression-bodied internal forward method.</summary>
    [Fact]
    public void GenericNestedModel() => Check("""
        using MeProp;
        using static MeProp.Ops;

        namespace Library.Models;

        public static partial class Networks
        {
            public sealed partial class Mlp<T> where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
            {
                public Matrix<T> W1 { get; set; } = new(64, 32);
                public RowVector<T> b1 { get; set; } = new(64);
                public Matrix<T> W2 { get; set; } = new(10, 64);

                [MeProp(K = 8)]
                internal Batch<T> Forward(Batch<T> x) => W2 * Relu(W1 * x + b1);
            }
        }
        """, "Library.Models.Networks.Mlp{T}.Forward.MeProp.g.cs", nameof(GenericNestedModel));

    /// <summary>
    /// The paper's POS tagger shape: word and feature embeddings, a forward and a backward LSTM over
    /// the sentence, and a dense output layer on both directions' states at every step.
    /// </summary>
    [Fact]
    public void BiLstmTagger() => Check(BiLstmTaggerSource, "Paper.Tagging.BiLstmTagger.Scores.MeProp.g.cs", nameof(BiLstmTagger));

    /// <summary>The same tagger's device pass: back propagation through time on device sequences (the steps printed by DevicePrinter).</summary>
    [Fact]
    public void BiLstmTaggerDevicePass() => Check(BiLstmTaggerSource, "Paper.Tagging.BiLstmTagger.Scores.MePropDevice.g.cs", nameof(BiLstmTaggerDevicePass), sources: 2, device: true);

    private const string BiLstmTaggerSource = """
        using MeProp;
        using static MeProp.Ops;

        namespace Paper.Tagging;

        public sealed partial class BiLstmTagger
        {
            private readonly Matrix<float> Words = new(20000, 50), Features = new(600, 20);
            private readonly Matrix<float> Fi = new(500, 690), Ff = new(500, 690), Fo = new(500, 690), Fg = new(500, 690);
            private readonly Matrix<float> Bi = new(500, 690), Bf = new(500, 690), Bo = new(500, 690), Bg = new(500, 690);
            private readonly RowVector<float> fi = new(500), ff = new(500), fo = new(500), fg = new(500);
            private readonly RowVector<float> bi = new(500), bf = new(500), bo = new(500), bg = new(500);
            private readonly Matrix<float> Out = new(45, 1000);
            private readonly RowVector<float> outBias = new(45);

            [MeProp(K = 5, DenseOutput = true)]
            public Sequence<float> Scores(IdSequence words, IdSequence features)
            {
                var inputs = SequenceLike<float>(words);
                for (int t = 0; t < words.Length; t++)
                    inputs[t] = Concat(Embed(Words, words[t]), Embed(Features, features[t]));

                var h = Zeros<float>(words, 500);
                var c = Zeros<float>(words, 500);
                var forward = SequenceLike<float>(words);
                for (int t = 0; t < words.Length; t++)
                {
                    var z = Concat(inputs[t], h);
                    var i = Sigmoid(Fi * z + fi);
                    var f = Sigmoid(Ff * z + ff);
                    var o = Sigmoid(Fo * z + fo);
                    var g = Tanh(Fg * z + fg);
                    c = f * c + i * g;
                    h = o * Tanh(c);
                    forward[t] = h;
                }

                var hb = Zeros<float>(words, 500);
                var cb = Zeros<float>(words, 500);
                var backward = SequenceLike<float>(words);
                for (int t = words.Length - 1; t >= 0; t--)
                {
                    var z = Concat(inputs[t], hb);
                    var i = Sigmoid(Bi * z + bi);
                    var f = Sigmoid(Bf * z + bf);
                    var o = Sigmoid(Bo * z + bo);
                    var g = Tanh(Bg * z + bg);
                    cb = f * cb + i * g;
                    hb = o * Tanh(cb);
                    backward[t] = hb;
                }

                var scores = SequenceLike<float>(words);
                for (int t = 0; t < words.Length; t++)
                    scores[t] = Out * Concat(forward[t], backward[t]) + outBias;
                return scores;
            }
        }
        """;

    /// <summary>A model with no linear operation (embeddings, a bias, element-wise operations only) still compiles.</summary>
    [Fact]
    public void NoLinearOperation() => Check("""
        using MeProp;
        using static MeProp.Ops;

        partial class Bag
        {
            Matrix<double> E = new(10, 4);
            RowVector<double> b = new(8);

            [MeProp]
            Batch<double> F(IdBatch ids, Batch<double> x) => Tanh(Embed(E, ids) + b) * x;
        }
        """, "Bag.F.MeProp.g.cs", nameof(NoLinearOperation));

    /// <summary>A model used as a layer, twice (shared weights): its operations are inlined, its parameters reached through the member.</summary>
    [Fact]
    public void LayerUsedTwice() => Check("""
        using MeProp;
        using static MeProp.Ops;

        namespace Composition;

        public sealed partial class Block
        {
            public Matrix<float> W = new(64, 64);
            public RowVector<float> b = new(64);
            public double Rate { get; set; } = 0.1;

            [MeProp(K = 8)]
            public Batch<float> Forward(Batch<float> x) => Dropout(Relu(W * x + b), Rate);
        }

        public sealed partial class Deep
        {
            public Block Shared = new();
            public Matrix<float> In = new(64, 32), Out = new(10, 64);

            [MeProp(K = 8)]
            public Batch<float> Forward(Batch<float> x)
            {
                var h = Shared.Forward(In * x);
                h = Shared.Forward(h);
                return Out * h;
            }
        }
        """, "Composition.Deep.Forward.MeProp.g.cs", nameof(LayerUsedTwice), sources: 2);
}
