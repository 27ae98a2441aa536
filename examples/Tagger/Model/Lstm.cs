using static MeProp.Ops;

namespace MeProp.Examples.Tagger;

/// <summary>
/// One LSTM direction over a sentence: the gates read the step's input and the previous output
/// through one matrix each (z = [x_t; h_{t-1}]), as in the paper's tagger. Used twice by
/// <see cref="BiLstmTagger"/>, once on the reversed sentence.
/// </summary>
/// <remarks>
/// Members are internal, not private: the tagger's generated training pass inlines this forward
/// method and reads them through its <c>Forwards</c> and <c>Backwards</c> fields.
/// </remarks>
public sealed partial class Lstm
{
    internal readonly Matrix<float> Wi, Wf, Wo, Wg;
    internal readonly RowVector<float> bi, bf, bo, bg;

    public Lstm(int input, int hidden, SeededRandom random)
    {
        Hidden = hidden;
        Wi = Init.Glorot<float>(hidden, input + hidden, random); bi = Init.Zeros<float>(hidden);
        Wf = Init.Glorot<float>(hidden, input + hidden, random); bf = Init.Zeros<float>(hidden);
        Wo = Init.Glorot<float>(hidden, input + hidden, random); bo = Init.Zeros<float>(hidden);
        Wg = Init.Glorot<float>(hidden, input + hidden, random); bg = Init.Zeros<float>(hidden);
        // A forget gate that starts open (bias 1) lets the state carry across steps from the first
        // updates on, instead of halving at every step.
        bf.Span.Fill(1f);
    }

    /// <summary>Units per step.</summary>
    internal int Hidden { get; }

    [MeProp(K = 5)]
    public Sequence<float> Forward(Sequence<float> x)
    {
        var h = Zeros(x, Hidden);
        var c = Zeros(x, Hidden);
        var outputs = SequenceLike(x);
        for (int t = 0; t < x.Length; t++)
        {
            var z = Concat(x[t], h);
            var i = Sigmoid(Wi * z + bi);
            var f = Sigmoid(Wf * z + bf);
            var o = Sigmoid(Wo * z + bo);
            var g = Tanh(Wg * z + bg);
            c = f * c + i * g;
            h = o * Tanh(c);
            outputs[t] = h;
        }
        return outputs;
    }
}
