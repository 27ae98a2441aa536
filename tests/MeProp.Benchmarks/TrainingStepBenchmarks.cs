using BenchmarkDotNet.Attributes;
using MeProp.Examples.Mnist;

namespace MeProp.Benchmarks;

/// <summary>
/// One whole training step of the paper's MNIST MLP (784-500-500-10, batch 10): forward, loss,
/// meProp backward and Adam, as the example runs it. The allocation column must read 0 B.
/// </summary>
public class TrainingStepBenchmarks
{
    private IMnistModel _model = null!;
    private Adam<float> _optimizer = null!;
    private Batch<float> _x = null!, _gradient = null!;
    private readonly int[] _labels = new int[10];

    [Params(MePropMode.Dense, MePropMode.TopK, MePropMode.Unified)]
    public MePropMode Mode { get; set; }

    [Params(UpdateScope.AllRows, UpdateScope.TouchedRowsOnly)]
    public UpdateScope Update { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(9);
        _model = MnistShape.Create(layers: 2, hidden: 500, seed: 1);
        _model.MePropSettings.Mode = Mode;
        _model.DropoutRate = 0.1;
        _optimizer = new Adam<float>(scope: Update);
        _x = Data.Batch(10, MnistShape.Pixels, random, zeroFraction: 0.8); // MNIST images are mostly background
        _gradient = new Batch<float>(10, MnistShape.Classes);
        for (int i = 0; i < 10; i++) _labels[i] = random.NextInt(10);
    }

    [Benchmark]
    public float Step()
    {
        float loss = SoftmaxCrossEntropy.LossAndGradient(_model.ForwardTrain(_x), _labels, _gradient);
        _model.Backward(_gradient);
        _optimizer.Step(_model.Parameters);
        return loss;
    }
}
