using MeProp;
using static MeProp.Ops;

namespace MeProp.Gradients.Tests;

// Models used as layers of other models: their parameters join the caller's.

/// <summary>An LSTM over a sequence, usable on its own or as a layer.</summary>
public sealed partial class LstmLayer
{
    public Matrix<double> Wi, Wf, Wo, Wg;
    public RowVector<double> bi, bf, bo, bg;
    public int Hidden { get; }

    public LstmLayer(int input, int hidden, SeededRandom random)
    {
        Hidden = hidden;
        Wi = TestTensors.Matrix(hidden, input + hidden, random); bi = TestTensors.Vector(hidden, random);
        Wf = TestTensors.Matrix(hidden, input + hidden, random); bf = TestTensors.Vector(hidden, random);
        Wo = TestTensors.Matrix(hidden, input + hidden, random); bo = TestTensors.Vector(hidden, random);
        Wg = TestTensors.Matrix(hidden, input + hidden, random); bg = TestTensors.Vector(hidden, random);
    }

    [MeProp(K = 2)]
    public Sequence<double> Forward(Sequence<double> x)
    {
        var h = Zeros(x, Hidden);
        var c = Zeros(x, Hidden);
        var states = SequenceLike(x);
        for (int t = 0; t < x.Length; t++)
        {
            var z = Concat(x[t], h);
            var i = Sigmoid(Wi * z + bi);
            var f = Sigmoid(Wf * z + bf);
            var o = Sigmoid(Wo * z + bo);
            var g = Tanh(Wg * z + bg);
            c = f * c + i * g;
            h = o * Tanh(c);
            states[t] = h;
        }
        return states;
    }
}

/// <summary>The BiLSTM tagger of <see cref="BiLstmTagger"/> built from two <see cref="LstmLayer"/>s, the second running on the reversed sentence.</summary>
public sealed partial class ComposedBiLstmTagger
{
    public Matrix<double> E, Out;
    public RowVector<double> outBias;
    public LstmLayer Forwards, Backwards;

    /// <summary>The same weights as <paramref name="flat"/>, shared (not copied).</summary>
    public ComposedBiLstmTagger(BiLstmTagger flat, int dimension)
    {
        E = flat.E; Out = flat.Out; outBias = flat.outBias;
        Forwards = new LstmLayer(dimension, flat.Hidden, new SeededRandom(1))
        {
            Wi = flat.Fi, Wf = flat.Ff, Wo = flat.Fo, Wg = flat.Fg, bi = flat.fi, bf = flat.ff, bo = flat.fo, bg = flat.fg,
        };
        Backwards = new LstmLayer(dimension, flat.Hidden, new SeededRandom(1))
        {
            Wi = flat.Bi, Wf = flat.Bf, Wo = flat.Bo, Wg = flat.Bg, bi = flat.bi, bf = flat.bf, bo = flat.bo, bg = flat.bg,
        };
    }

    [MeProp(K = 2, DenseOutput = true)]
    public Sequence<double> Forward(IdSequence words)
    {
        var inputs = SequenceLike<double>(words);
        for (int t = 0; t < words.Length; t++)
            inputs[t] = Embed(E, words[t]);
        var forward = Forwards.Forward(inputs);
        var backward = Reverse(Backwards.Forward(Reverse(inputs)));
        var scores = SequenceLike<double>(words);
        for (int t = 0; t < words.Length; t++)
            scores[t] = Out * Concat(forward[t], backward[t]) + outBias;
        return scores;
    }
}

/// <summary>A tanh layer, applied twice by <see cref="TwiceModel"/>: one set of weights, two uses.</summary>
public sealed partial class TanhLayer
{
    public Matrix<double> W;
    public RowVector<double> b;

    public TanhLayer(int width, SeededRandom random)
    {
        W = TestTensors.Matrix(width, width, random);
        b = TestTensors.Vector(width, random);
    }

    [MeProp]
    public Batch<double> Forward(Batch<double> x) => Tanh(W * x + b);
}

public sealed partial class TwiceModel
{
    public TanhLayer Layer;
    public Matrix<double> Out;

    public TwiceModel(int width, int output, int seed)
    {
        var random = new SeededRandom(seed);
        Layer = new TanhLayer(width, random);
        Out = TestTensors.Matrix(output, width, random);
    }

    [MeProp(K = 3)]
    public Batch<double> Forward(Batch<double> x) => Out * Layer.Forward(Layer.Forward(x));
}
