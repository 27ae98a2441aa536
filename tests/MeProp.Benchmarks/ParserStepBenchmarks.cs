using BenchmarkDotNet.Attributes;
using MeProp.Examples.Parser;

namespace MeProp.Benchmarks;

/// <summary>
/// One training step of the parser network at the paper's settings: 10,000 transition examples of
/// 48 features (2,400 inputs), two tanh layers of 500, 103 transitions (UD English EWT's 51 labels),
/// AdaGrad; ForwardTrain, the loss, Backward and the update, as the parser example runs them. The
/// ids are drawn uniformly from tables of about EWT's sizes, so most table rows are looked up each step.
/// The allocation column must read 0 B.
/// </summary>
/// <remarks>
/// The machine bound of a step: a dense step is 90.1 GFLOP (forward 30.0: 2·10,000·(2,400·500 +
/// 500·500 + 500·103); backward twice that, dx included down to the embeddings), so two cores at
/// their FMA peak (MachinePeak) set its least time; docs/benchmarks.md gives each row's ratio to it.
/// </remarks>
public class ParserStepBenchmarks
{
    public const int Examples = 10_000, Hidden = 500, Transitions = 103;
    public const int WordTable = 8_591, TagTable = 51, LabelTable = 53; // about EWT's vocabularies with their special entries

    private IParserNetwork _model = null!;
    private AdaGrad<float> _optimizer = null!;
    private IdBatch _words = null!, _tags = null!, _labels = null!;
    private Batch<float> _gradient = null!;
    private readonly int[] _gold = new int[Examples];

    [Params(MePropMode.Dense, MePropMode.TopK, MePropMode.Unified)]
    public MePropMode Mode { get; set; }

    [Params(UpdateScope.AllRows, UpdateScope.TouchedRowsOnly)]
    public UpdateScope Update { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(12);
        _model = new TanhParserNetwork(new ParserShape(WordTable, TagTable, LabelTable, Transitions, Hidden), seed: 1);
        _model.MePropSettings.Mode = Mode;
        _model.MePropSettings.K = 20;
        _optimizer = new AdaGrad<float>(learningRate: 0.01, scope: Update);
        _words = Ids(FeatureTemplate.WordFeatures, WordTable, random);
        _tags = Ids(FeatureTemplate.TagFeatures, TagTable, random);
        _labels = Ids(FeatureTemplate.LabelFeatures, LabelTable, random);
        _gradient = new Batch<float>(Examples, Transitions);
        for (int i = 0; i < Examples; i++) _gold[i] = random.NextInt(Transitions);
    }

    private static IdBatch Ids(int features, int table, SeededRandom random)
    {
        var ids = new IdBatch(Examples, features);
        for (int b = 0; b < Examples; b++)
            for (int f = 0; f < features; f++) ids[b, f] = random.NextInt(table);
        return ids;
    }

    [Benchmark]
    public float Step()
    {
        float loss = SoftmaxCrossEntropy.LossAndGradient(_model.ForwardTrain(_words, _tags, _labels), _gold, _gradient);
        _model.Backward(_gradient);
        _optimizer.Step(_model.Parameters);
        return loss;
    }
}
