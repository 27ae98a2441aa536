using MeProp;
using static MeProp.Ops;

namespace MeProp.Gradients.Tests;

// Recurrent models for the gradient tests, written as a user would: the loop reads like the equations.

/// <summary>A plain tanh RNN over a sequence, one output per step.</summary>
public sealed partial class TanhRnn
{
    public Matrix<double> Wx, Wh, Wo;
    public RowVector<double> bh, bo;
    public int Hidden { get; }

    public TanhRnn(int input, int hidden, int output, int seed)
    {
        var random = new SeededRandom(seed);
        Hidden = hidden;
        Wx = TestTensors.Matrix(hidden, input, random);
        Wh = TestTensors.Matrix(hidden, hidden, random);
        bh = TestTensors.Vector(hidden, random);
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
            h = Tanh(Wx * x[t] + Wh * h + bh);
            outputs[t] = Wo * h + bo;
        }
        return outputs;
    }
}

/// <summary>An LSTM (gates from the concatenated input and state), classifying the whole sequence from its last state.</summary>
public sealed partial class LstmClassifier
{
    public Matrix<double> Wi, Wf, Wo, Wg, Out;
    public RowVector<double> bi, bf, bo, bg, outBias;
    public int Hidden { get; }

    public LstmClassifier(int input, int hidden, int classes, int seed)
    {
        var random = new SeededRandom(seed);
        Hidden = hidden;
        Wi = TestTensors.Matrix(hidden, input + hidden, random); bi = TestTensors.Vector(hidden, random);
        Wf = TestTensors.Matrix(hidden, input + hidden, random); bf = TestTensors.Vector(hidden, random);
        Wo = TestTensors.Matrix(hidden, input + hidden, random); bo = TestTensors.Vector(hidden, random);
        Wg = TestTensors.Matrix(hidden, input + hidden, random); bg = TestTensors.Vector(hidden, random);
        Out = TestTensors.Matrix(classes, hidden, random); outBias = TestTensors.Vector(classes, random);
    }

    [MeProp(K = 2)]
    public Batch<double> Forward(Sequence<double> x)
    {
        var h = Zeros(x, Hidden);
        var c = Zeros(x, Hidden);
        for (int t = 0; t < x.Length; t++)
        {
            var z = Concat(x[t], h);
            var i = Sigmoid(Wi * z + bi);
            var f = Sigmoid(Wf * z + bf);
            var o = Sigmoid(Wo * z + bo);
            var g = Tanh(Wg * z + bg);
            c = f * c + i * g;
            h = o * Tanh(c);
        }
        return Out * h + outBias;
    }
}

/// <summary>
/// The tagger's shape: word embeddings, a forward and a backward LSTM, and a dense output layer on
/// both directions' states at every step.
/// </summary>
public sealed partial class BiLstmTagger
{
    public Matrix<double> E;
    public Matrix<double> Fi, Ff, Fo, Fg, Bi, Bf, Bo, Bg, Out;
    public RowVector<double> fi, ff, fo, fg, bi, bf, bo, bg, outBias;
    public int Hidden { get; }

    public BiLstmTagger(int vocabulary, int dimension, int hidden, int tags, int seed)
    {
        var random = new SeededRandom(seed);
        Hidden = hidden;
        E = TestTensors.Matrix(vocabulary, dimension, random);
        int width = dimension + hidden;
        Fi = TestTensors.Matrix(hidden, width, random); fi = TestTensors.Vector(hidden, random);
        Ff = TestTensors.Matrix(hidden, width, random); ff = TestTensors.Vector(hidden, random);
        Fo = TestTensors.Matrix(hidden, width, random); fo = TestTensors.Vector(hidden, random);
        Fg = TestTensors.Matrix(hidden, width, random); fg = TestTensors.Vector(hidden, random);
        Bi = TestTensors.Matrix(hidden, width, random); bi = TestTensors.Vector(hidden, random);
        Bf = TestTensors.Matrix(hidden, width, random); bf = TestTensors.Vector(hidden, random);
        Bo = TestTensors.Matrix(hidden, width, random); bo = TestTensors.Vector(hidden, random);
        Bg = TestTensors.Matrix(hidden, width, random); bg = TestTensors.Vector(hidden, random);
        Out = TestTensors.Matrix(tags, 2 * hidden, random); outBias = TestTensors.Vector(tags, random);
    }

    [MeProp(K = 2, DenseOutput = true)]
    public Sequence<double> Forward(IdSequence words)
    {
        var inputs = SequenceLike<double>(words);
        for (int t = 0; t < words.Length; t++)
            inputs[t] = Embed(E, words[t]);

        var h = Zeros<double>(words, Hidden);
        var c = Zeros<double>(words, Hidden);
        var forward = SequenceLike<double>(words);
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

        var hb = Zeros<double>(words, Hidden);
        var cb = Zeros<double>(words, Hidden);
        var backward = SequenceLike<double>(words);
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

        var scores = SequenceLike<double>(words);
        for (int t = 0; t < words.Length; t++)
            scores[t] = Out * Concat(forward[t], backward[t]) + outBias;
        return scores;
    }
}

/// <summary>
/// What the other recurrent models do not reach: a value from outside the loop read by every step
/// (and after the loop), an initial state that depends on parameters, a state assigned twice per
/// step, dropout inside the loop (one mask per step), and the final state used after the loop.
/// </summary>
public sealed partial class ContextRnn
{
    public Matrix<double> Wx, Wh, C, H0;
    public double Rate { get; set; } = 0.3;

    public ContextRnn(int input, int hidden, int context, int seed)
    {
        var random = new SeededRandom(seed);
        Wx = TestTensors.Matrix(hidden, input, random);
        Wh = TestTensors.Matrix(hidden, hidden, random);
        C = TestTensors.Matrix(hidden, context, random);
        H0 = TestTensors.Matrix(hidden, context, random);
    }

    [MeProp(K = 2)]
    public Batch<double> Forward(Sequence<double> x, Batch<double> context)
    {
        var ctx = Tanh(C * context);
        var h = Tanh(H0 * context);
        for (int t = 0; t < x.Length; t++)
        {
            var a = Dropout(Wx * x[t], Rate);
            h = Tanh(a + Wh * h + ctx);
            h = h * ctx;
        }
        return h + ctx;
    }
}
