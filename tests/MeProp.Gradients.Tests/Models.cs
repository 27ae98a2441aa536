using MeProp;
using static MeProp.Ops;

namespace MeProp.Gradients.Tests;

// The models the gradient tests differentiate, in double so that finite differences are tight.
// Each is written exactly as a user would write it; the generator writes their training passes.

/// <summary>The paper's MNIST MLP shape, small: two ReLU hidden layers and a linear output.</summary>
public sealed partial class Mlp
{
    public Matrix<double> W1, W2, W3;
    public RowVector<double> b1, b2, b3;

    public Mlp(int input, int hidden, int output, int seed)
    {
        var random = new SeededRandom(seed);
        W1 = TestTensors.Matrix(hidden, input, random); b1 = TestTensors.Vector(hidden, random);
        W2 = TestTensors.Matrix(hidden, hidden, random); b2 = TestTensors.Vector(hidden, random);
        W3 = TestTensors.Matrix(output, hidden, random); b3 = TestTensors.Vector(output, random);
    }

    [MeProp(K = 3)]
    public Batch<double> Forward(Batch<double> x)
    {
        var h1 = Relu(W1 * x + b1);
        var h2 = Relu(W2 * h1 + b2);
        return W3 * h2 + b3;
    }
}

/// <summary>A Chen &amp; Manning-style parser MLP: word and tag embeddings, concatenated, a tanh layer, an output layer.</summary>
public sealed partial class ParserNet
{
    public Matrix<double> Words, Tags, Hidden, Output;
    public RowVector<double> hiddenBias, outputBias;

    public ParserNet(int vocabulary, int tagCount, int dimension, int positions, int hidden, int classes, int seed)
    {
        var random = new SeededRandom(seed);
        Words = TestTensors.Matrix(vocabulary, dimension, random);
        Tags = TestTensors.Matrix(tagCount, dimension, random);
        Hidden = TestTensors.Matrix(hidden, 2 * positions * dimension, random);
        hiddenBias = TestTensors.Vector(hidden, random);
        Output = TestTensors.Matrix(classes, hidden, random);
        outputBias = TestTensors.Vector(classes, random);
    }

    [MeProp(K = 4, Mode = MePropMode.Unified, DenseOutput = true)]
    public Batch<double> Forward(IdBatch words, IdBatch tags)
    {
        var features = Concat(Embed(Words, words), Embed(Tags, tags));
        var h = Tanh(Linear(Hidden, features, hiddenBias));
        return Linear(Output, h, outputBias);
    }
}

/// <summary>Every other primitive: element-wise add, subtract, multiply, sigmoid, a bias on its own, a reassigned local, a value used twice, dropout.</summary>
public sealed partial class Mixed
{
    public Matrix<double> A, B, O;
    public RowVector<double> bb, c, ob;

    public double Rate { get; set; } = 0.25;

    public Mixed(int input, int hidden, int output, int seed)
    {
        var random = new SeededRandom(seed);
        A = TestTensors.Matrix(hidden, input, random);
        B = TestTensors.Matrix(hidden, input, random);
        bb = TestTensors.Vector(hidden, random);
        c = TestTensors.Vector(hidden, random);
        O = TestTensors.Matrix(output, 2 * hidden, random);
        ob = TestTensors.Vector(output, random);
    }

    [MeProp(K = 2, OutputK = 3)]
    public Batch<double> Forward(Batch<double> x, Batch<double> z)
    {
        var a = Sigmoid(A * x);
        var b = Tanh(B * x + bb);
        var h = a * b + (a - z);
        h = Relu(h + c);
        h = Dropout(h, Rate);
        var g = Concat(h, a);
        return O * g + ob;
    }
}

/// <summary>
/// A Concat whose last part is an embedding looked up in an earlier statement, after a part made by
/// a Dropout: the lookup is written straight into the Concat's columns where it stands, so its
/// column offset must not read the later part's value (found by the random programs: the first
/// ForwardTrain threw a NullReferenceException).
/// </summary>
public sealed partial class EmbedBeforeItsConcat
{
    public Matrix<double> A, B, C, Output;
    public RowVector<double> outputBias;
    public double Rate = 0.25;

    public EmbedBeforeItsConcat(int vocabulary, int positions, int classes, int seed)
    {
        var random = new SeededRandom(seed);
        A = TestTensors.Matrix(vocabulary, 2, random);
        B = TestTensors.Matrix(vocabulary, 1, random);
        C = TestTensors.Matrix(vocabulary, 3, random);
        Output = TestTensors.Matrix(classes, positions * 6, random);
        outputBias = TestTensors.Vector(classes, random);
    }

    [MeProp(K = 2)]
    public Batch<double> Forward(IdBatch ids)
    {
        var a = Embed(A, ids);
        var b = Dropout(Embed(B, ids), Rate);
        var features = Concat(Embed(C, ids), b, a);
        return Linear(Output, features, outputBias);
    }
}

internal static class TestTensors
{
    public static Matrix<double> Matrix(int rows, int cols, SeededRandom random)
    {
        var m = new Matrix<double>(rows, cols);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = random.NextDouble() * 2 - 1;
        return m;
    }

    public static RowVector<double> Vector(int n, SeededRandom random)
    {
        var v = new RowVector<double>(n);
        for (int i = 0; i < n; i++) v.Data[i] = random.NextDouble() - 0.5;
        return v;
    }

    public static Batch<double> Batch(int rows, int cols, SeededRandom random)
    {
        var b = new Batch<double>(rows, cols);
        for (int i = 0; i < b.Data.Length; i++) b.Data[i] = random.NextDouble() * 2 - 1;
        return b;
    }

    public static IdBatch Ids(int rows, int cols, int range, SeededRandom random)
    {
        var ids = new IdBatch(rows, cols);
        for (int i = 0; i < ids.Data.Length; i++) ids.Data[i] = random.NextInt(range);
        return ids;
    }
}
