using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using static MeProp.Ops;

namespace MeProp.Benchmarks;

/// <summary>The paper's POS tagger shape: 50 + 7 x 20 inputs, a BiLSTM of 500 per direction, 45 tags, dense output layer.</summary>
public sealed partial class TaggerShapedBiLstm
{
    public const int Hidden = 500, Input = 190, Tags = 45, Vocabulary = 20000, FeatureValues = 600;
    private readonly Matrix<float> Words, Features;
    private readonly Matrix<float> Fi, Ff, Fo, Fg, Bi, Bf, Bo, Bg, Out;
    private readonly RowVector<float> fi, ff, fo, fg, bi, bf, bo, bg, outBias;

    public TaggerShapedBiLstm(SeededRandom random)
    {
        Words = Init.Glorot<float>(Vocabulary, 50, random); Features = Init.Glorot<float>(FeatureValues, 20, random);
        Matrix<float> Gate() => Init.Glorot<float>(Hidden, Input + Hidden, random);
        (Fi, Ff, Fo, Fg, Bi, Bf, Bo, Bg) = (Gate(), Gate(), Gate(), Gate(), Gate(), Gate(), Gate(), Gate());
        (fi, ff, fo, fg, bi, bf, bo, bg) = (new(Hidden), new(Hidden), new(Hidden), new(Hidden), new(Hidden), new(Hidden), new(Hidden), new(Hidden));
        Out = Init.Glorot<float>(Tags, 2 * Hidden, random);
        outBias = new(Tags);
    }

    [MeProp(K = 5, DenseOutput = true)]
    public Sequence<float> Scores(IdSequence words, IdSequence features)
    {
        var inputs = SequenceLike<float>(words);
        for (int t = 0; t < words.Length; t++)
            inputs[t] = Concat(Embed(Words, words[t]), Embed(Features, features[t]));

        var h = Zeros<float>(words, Hidden);
        var c = Zeros<float>(words, Hidden);
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

        var hb = Zeros<float>(words, Hidden);
        var cb = Zeros<float>(words, Hidden);
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

/// <summary>
/// One sentence of the BiLSTM tagger at batch 1, as the tagger example trains it: the forward
/// pass, the backward pass (back propagation through time, meProp k = 5 in the LSTM), and a whole
/// step with Adam. Length 1 is one LSTM step per direction; 16 is EWT's mean sentence length.
/// Each of the 8 gate matrices is 500 x 690 floats (1.38 MB, 11 MB in all). The forward pass forms
/// the input columns' part (500 x 190 per gate) for the whole sentence as one product before each
/// loop, so at batch 1 every step streams only the state columns (500 x 500, 8 MB in all) once:
/// forward (and dense dx, which reads all of W) are bound by the rate at which a core reads those
/// megabytes (see <see cref="MemoryBandwidthBenchmarks"/>). The allocation column must read 0 B.
/// </summary>
public class RecurrentBenchmarks
{
    private TaggerShapedBiLstm _model = null!;
    private Adam<float> _adam = null!;
    private IdSequence _words = null!, _features = null!;
    private Sequence<float> _gradient = null!;
    private int[] _labels = null!;

    [Params(1, 16)]
    public int Length { get; set; }

    [Params(MePropMode.Dense, MePropMode.TopK)]
    public MePropMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(5);
        _model = new TaggerShapedBiLstm(random);
        _model.MePropSettings.Mode = Mode;
        _adam = new Adam<float>(scope: UpdateScope.TouchedRowsOnly);
        _words = new IdSequence(Length, 1, 1);
        _features = new IdSequence(Length, 1, 7);
        for (int i = 0; i < _words.Data.Length; i++) _words.Data[i] = random.NextInt(TaggerShapedBiLstm.Vocabulary);
        for (int i = 0; i < _features.Data.Length; i++) _features.Data[i] = random.NextInt(TaggerShapedBiLstm.FeatureValues);
        _labels = new int[Length];
        for (int i = 0; i < Length; i++) _labels[i] = random.NextInt(TaggerShapedBiLstm.Tags);
        _gradient = new Sequence<float>(Length, 1, TaggerShapedBiLstm.Tags);
        SoftmaxCrossEntropy.LossAndGradient(_model.ForwardTrain(_words, _features).AllSteps, _labels, _gradient.AllSteps);
    }

    [Benchmark]
    public Sequence<float> Forward() => _model.ForwardTrain(_words, _features);

    /// <summary>Back propagation through time of the last forward pass (repeatable: it only reads the tape).</summary>
    [Benchmark]
    public void Backward() => _model.Backward(_gradient);

    /// <summary>Forward, loss, backward and Adam on the touched rows: a training step of the tagger example with --touched-rows-only.</summary>
    [Benchmark]
    public float Step()
    {
        float loss = SoftmaxCrossEntropy.LossAndGradient(_model.ForwardTrain(_words, _features).AllSteps, _labels, _gradient.AllSteps);
        _model.Backward(_gradient);
        _adam.Step(_model.Parameters);
        return loss;
    }
}

/// <summary>
/// The rate at which one core reads memory: a sum over an array of 11 MB (the tagger's gate
/// matrices: in the last-level cache if it is large enough) and of 256 MB (main memory). The bound
/// the batch-1 recurrent products are measured against.
/// </summary>
public class MemoryBandwidthBenchmarks
{
    private float[] _data = null!;

    [Params(11, 256)]
    public int Megabytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new float[Megabytes * 1024 * 1024 / 4];
        for (int i = 0; i < _data.Length; i++) _data[i] = i % 7;
    }

    [Benchmark]
    public float Read() => TensorPrimitives.Sum<float>(_data);
}
