using MeProp;
using static MeProp.Ops;

namespace MeProp.Gradients.Tests;

// Models with the cube activation, Cube(z) = z³, whose backward rule reads its input z (not its
// result, as Relu, Tanh and Sigmoid do). Weights are scaled down: a cube of a cube grows fast, and
// moderate values keep the finite differences tight.

/// <summary>
/// Chen &amp; Manning's parser network, two hidden layers deep: word and tag embeddings side by side,
/// then linear -> cube -> linear -> cube -> linear. Each cube reads a linear operation's result that
/// nothing else reads: the shape in which a Relu would be fused into the linear operation's top-k.
/// </summary>
public sealed partial class CubeParserNet
{
    public Matrix<double> Words, Tags, Hidden1, Hidden2, Output;
    public RowVector<double> bias1, bias2, outputBias;

    public CubeParserNet(int vocabulary, int tagCount, int dimension, int positions, int hidden, int classes, int seed)
    {
        var random = new SeededRandom(seed);
        Words = TestTensors.Matrix(vocabulary, dimension, random);
        Tags = TestTensors.Matrix(tagCount, dimension, random);
        Hidden1 = CubeModels.Scaled(TestTensors.Matrix(hidden, 2 * positions * dimension, random), 0.5);
        bias1 = TestTensors.Vector(hidden, random);
        Hidden2 = CubeModels.Scaled(TestTensors.Matrix(hidden, hidden, random), 0.5);
        bias2 = TestTensors.Vector(hidden, random);
        Output = TestTensors.Matrix(classes, hidden, random);
        outputBias = TestTensors.Vector(classes, random);
    }

    [MeProp(K = 3)]
    public Batch<double> Forward(IdBatch words, IdBatch tags)
    {
        var features = Concat(Embed(Words, words), Embed(Tags, tags));
        var h1 = Cube(Linear(Hidden1, features, bias1));
        var h2 = Cube(Hidden2 * h1 + bias2);
        return Output * h2 + outputBias;
    }
}

/// <summary>
/// Cube's input read elsewhere too (by a product, twice), the cube of an input (no gradient to form),
/// and a cube as the returned value (its gradient is the caller's dOutput).
/// </summary>
public sealed partial class CubeShared
{
    public Matrix<double> A, B;
    public RowVector<double> a, b;

    public CubeShared(int input, int hidden, int output, int seed)
    {
        var random = new SeededRandom(seed);
        A = CubeModels.Scaled(TestTensors.Matrix(hidden, input, random), 0.5);
        a = TestTensors.Vector(hidden, random);
        B = CubeModels.Scaled(TestTensors.Matrix(output, hidden + input, random), 0.3);
        b = TestTensors.Vector(output, random);
    }

    [MeProp(K = 2)]
    public Batch<double> Forward(Batch<double> x)
    {
        var z = A * x + a;
        var h = Cube(z) + z * z;   // z's gradient: the cube's contribution and the product's two
        var g = Concat(h, Cube(x));
        return Cube(B * g + b);
    }
}

/// <summary>
/// Cubes inside a loop over steps: of a product formed for every step before the loop, of the state
/// when the step starts (a local of the step, not a tape member), and of the step's new state (stored
/// per step), which the next step reads again as its starting state.
/// </summary>
public sealed partial class CubeRnn
{
    public Matrix<double> Wx, Wh, Wo;
    public RowVector<double> bx, bo;
    public int Hidden { get; }

    public CubeRnn(int input, int hidden, int output, int seed)
    {
        var random = new SeededRandom(seed);
        Hidden = hidden;
        Wx = CubeModels.Scaled(TestTensors.Matrix(hidden, input, random), 0.7);
        bx = TestTensors.Vector(hidden, random);
        Wh = TestTensors.Matrix(hidden, hidden, random);
        Wo = TestTensors.Matrix(output, hidden, random);
        bo = TestTensors.Vector(output, random);
    }

    [MeProp(K = 2)]
    public Sequence<double> Forward(Sequence<double> x)
    {
        var h = Zeros(x, Hidden);
        var outputs = SequenceLike(x);
        for (int t = 0; t < x.Length; t++)
        {
            var u = Cube(Wx * x[t] + bx);
            h = Tanh(u + Wh * Cube(h));
            outputs[t] = Wo * Cube(h) + bo;
        }
        return outputs;
    }
}

/// <summary>The parser network in float, as the parser example trains it.</summary>
public sealed partial class FloatCubeParser
{
    public Matrix<float> Words, Hidden, Output;
    public RowVector<float> hiddenBias, outputBias;

    public FloatCubeParser(int vocabulary, int dimension, int positions, int hidden, int classes, int seed)
    {
        var random = new SeededRandom(seed);
        Words = Init.Uniform<float>(vocabulary, dimension, 0.5, random);
        Hidden = Init.Glorot<float>(hidden, positions * dimension, random);
        hiddenBias = Init.Zeros<float>(hidden);
        Output = Init.Glorot<float>(classes, hidden, random);
        outputBias = Init.Zeros<float>(classes);
    }

    [MeProp(K = 4)]
    public Batch<float> Forward(IdBatch words) => Output * Cube(Hidden * Embed(Words, words) + hiddenBias) + outputBias;
}

internal static class CubeModels
{
    public static Matrix<double> Scaled(Matrix<double> m, double scale)
    {
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] *= scale;
        return m;
    }
}
