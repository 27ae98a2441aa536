using MeProp.Accelerators;
using static MeProp.Ops;

namespace MeProp.Examples.Parser;

/// <summary>What the training loop and the decoder need of a parser network, whatever its activation.</summary>
/// <remarks>ForwardTrain and Backward come from the generator; Forward is the annotated method itself (inference).</remarks>
public interface IParserNetwork : IMePropModel<float>
{
    /// <summary>Inference: transition scores of each configuration (dropout is the identity).</summary>
    Batch<float> Forward(IdBatch words, IdBatch tags, IdBatch labels);

    /// <summary>Training forward pass, recorded for Backward (generated).</summary>
    Batch<float> ForwardTrain(IdBatch words, IdBatch tags, IdBatch labels);

    /// <summary>Dropout rate on the embedding layer and each hidden layer during training.</summary>
    double DropoutRate { get; set; }

    /// <summary>The generated device training pass on <paramref name="runtime"/>'s accelerator (each class's own OnAccelerator).</summary>
    IParserDevicePass OnDevice(DeviceRuntime runtime);
}

/// <summary>
/// What the device training loop needs of a parser network's generated device pass, whatever its
/// activation: each network's pass (a partial class) takes this interface below.
/// </summary>
public interface IParserDevicePass : IDevicePass
{
    /// <summary>The training forward on the device (ids stay on the host and go up per call), recorded for Backward.</summary>
    DeviceBatch ForwardTrain(IdBatch words, IdBatch tags, IdBatch labels);

    /// <summary>Back-propagates dL/dscores through the last ForwardTrain, leaving the gradients in Parameters.</summary>
    void Backward(DeviceBatch dOutput);
}

/// <summary>The parser network's sizes: vocabularies from the training data, widths from Chen and Manning.</summary>
public sealed record ParserShape(int WordTable, int TagTable, int LabelTable, int Transitions, int Hidden)
{
    /// <summary>Each feature's embedding width (the paper's 50).</summary>
    public const int Dimension = 50;

    /// <summary>48 features of 50: 2,400 inputs.</summary>
    public const int InputWidth = FeatureTemplate.Count * Dimension;
}

// The network of Chen and Manning (2014) as the paper trains it: the 48 embedded features side by
// side (2,400 inputs), two hidden layers (500 by default) and scores over the 2L + 1 transitions;
// meProp sparsifies every linear layer, the output included (k = 20 of 2L + 1 = 101 scores on EWT).
// A [MeProp] method is straight-line code with a fixed activation, so each activation that
// --activation offers is its own class; all share the parameter layout and initialisation.

/// <summary>ReLU hidden layers.</summary>
public sealed partial class ReluParserNetwork : IParserNetwork
{
    public IParserDevicePass OnDevice(DeviceRuntime runtime) => OnAccelerator(runtime);

    partial class __MePropDevicePass : IParserDevicePass { }

    private readonly Matrix<float> Words, Tags, Labels, W1, W2, W3;
    private readonly RowVector<float> b1, b2, b3;

    public ReluParserNetwork(ParserShape shape, int seed)
    {
        var p = ParserParameters.Create(shape, seed);
        (Words, Tags, Labels, W1, b1, W2, b2, W3, b3) = (p.Words, p.Tags, p.Labels, p.W1, p.B1, p.W2, p.B2, p.W3, p.B3);
    }

    public double DropoutRate { get; set; }

    [MeProp(K = 20)]
    public Batch<float> Forward(IdBatch words, IdBatch tags, IdBatch labels)
    {
        var x = Dropout(Concat(Embed(Words, words), Embed(Tags, tags), Embed(Labels, labels)), DropoutRate);
        var h1 = Dropout(Relu(W1 * x + b1), DropoutRate);
        var h2 = Dropout(Relu(W2 * h1 + b2), DropoutRate);
        return W3 * h2 + b3;
    }
}

/// <summary>Tanh hidden layers (the default: see <see cref="ParserActivation"/>).</summary>
public sealed partial class TanhParserNetwork : IParserNetwork
{
    public IParserDevicePass OnDevice(DeviceRuntime runtime) => OnAccelerator(runtime);

    partial class __MePropDevicePass : IParserDevicePass { }

    private readonly Matrix<float> Words, Tags, Labels, W1, W2, W3;
    private readonly RowVector<float> b1, b2, b3;

    public TanhParserNetwork(ParserShape shape, int seed)
    {
        var p = ParserParameters.Create(shape, seed);
        (Words, Tags, Labels, W1, b1, W2, b2, W3, b3) = (p.Words, p.Tags, p.Labels, p.W1, p.B1, p.W2, p.B2, p.W3, p.B3);
    }

    public double DropoutRate { get; set; }

    [MeProp(K = 20)]
    public Batch<float> Forward(IdBatch words, IdBatch tags, IdBatch labels)
    {
        var x = Dropout(Concat(Embed(Words, words), Embed(Tags, tags), Embed(Labels, labels)), DropoutRate);
        var h1 = Dropout(Tanh(W1 * x + b1), DropoutRate);
        var h2 = Dropout(Tanh(W2 * h1 + b2), DropoutRate);
        return W3 * h2 + b3;
    }
}

/// <summary>Cube hidden layers, x³, as Chen and Manning's parser.</summary>
public sealed partial class CubeParserNetwork : IParserNetwork
{
    public IParserDevicePass OnDevice(DeviceRuntime runtime) => OnAccelerator(runtime);

    partial class __MePropDevicePass : IParserDevicePass { }

    private readonly Matrix<float> Words, Tags, Labels, W1, W2, W3;
    private readonly RowVector<float> b1, b2, b3;

    public CubeParserNetwork(ParserShape shape, int seed)
    {
        var p = ParserParameters.Create(shape, seed);
        (Words, Tags, Labels, W1, b1, W2, b2, W3, b3) = (p.Words, p.Tags, p.Labels, p.W1, p.B1, p.W2, p.B2, p.W3, p.B3);
    }

    public double DropoutRate { get; set; }

    [MeProp(K = 20)]
    public Batch<float> Forward(IdBatch words, IdBatch tags, IdBatch labels)
    {
        var x = Dropout(Concat(Embed(Words, words), Embed(Tags, tags), Embed(Labels, labels)), DropoutRate);
        var h1 = Dropout(Cube(W1 * x + b1), DropoutRate);
        var h2 = Dropout(Cube(W2 * h1 + b2), DropoutRate);
        return W3 * h2 + b3;
    }
}

/// <summary>The initial parameters every parser network starts from: the same seed, the same weights, whatever the activation.</summary>
internal readonly record struct ParserParameters(
    Matrix<float> Words, Matrix<float> Tags, Matrix<float> Labels,
    Matrix<float> W1, RowVector<float> B1, Matrix<float> W2, RowVector<float> B2, Matrix<float> W3, RowVector<float> B3)
{
    public static ParserParameters Create(ParserShape shape, int seed)
    {
        var random = new SeededRandom(seed);
        // Embeddings uniform in ±0.01, as Chen and Manning initialise the ones without pre-trained vectors.
        const double embeddingRange = 0.01;
        return new ParserParameters(
            Init.Uniform<float>(shape.WordTable, ParserShape.Dimension, embeddingRange, random),
            Init.Uniform<float>(shape.TagTable, ParserShape.Dimension, embeddingRange, random),
            Init.Uniform<float>(shape.LabelTable, ParserShape.Dimension, embeddingRange, random),
            Init.Glorot<float>(shape.Hidden, ParserShape.InputWidth, random), Init.Zeros<float>(shape.Hidden),
            Init.Glorot<float>(shape.Hidden, shape.Hidden, random), Init.Zeros<float>(shape.Hidden),
            Init.Glorot<float>(shape.Transitions, shape.Hidden, random), Init.Zeros<float>(shape.Transitions));
    }
}
