using MeProp.Accelerators;
using static MeProp.Ops;

namespace MeProp.Examples.Mnist;

/// <summary>What the training loop needs of an MNIST model, whatever its depth.</summary>
/// <remarks>ForwardTrain comes from the generator; Forward is the annotated method itself (inference).</remarks>
public interface IMnistModel : IMePropModel<float>
{
    /// <summary>Inference: the annotated forward method, called directly (dropout is the identity).</summary>
    Batch<float> Forward(Batch<float> x);

    /// <summary>Training forward pass, recorded for Backward (generated).</summary>
    Batch<float> ForwardTrain(Batch<float> x);

    /// <summary>Dropout rate applied after each hidden layer during training.</summary>
    double DropoutRate { get; set; }

    /// <summary>The generated device training pass on <paramref name="runtime"/>'s accelerator (each class's own OnAccelerator).</summary>
    IDeviceBatchPass OnDevice(DeviceRuntime runtime);
}

// The paper's MNIST model is the two-hidden-layer MLP (784-500-500-10, ReLU). A [MeProp] method is
// straight-line code, so each depth that --layers offers is its own class; all five share the
// parameter layout: W[i] is hidden x input (rows = output units), b[i] its bias.

/// <summary>784-h-10.</summary>
public sealed partial class MlpOneHidden : IMnistModel
{
    public IDeviceBatchPass OnDevice(DeviceRuntime runtime) => OnAccelerator(runtime);

    private readonly Matrix<float> W1, W2;
    private readonly RowVector<float> b1, b2;

    public MlpOneHidden(int hidden, SeededRandom random)
    {
        W1 = Init.Glorot<float>(hidden, MnistShape.Pixels, random); b1 = Init.Zeros<float>(hidden);
        W2 = Init.Glorot<float>(MnistShape.Classes, hidden, random); b2 = Init.Zeros<float>(MnistShape.Classes);
    }

    public double DropoutRate { get; set; }

    [MeProp(K = 20)]
    public Batch<float> Forward(Batch<float> x)
    {
        var h1 = Dropout(Relu(W1 * x + b1), DropoutRate);
        return W2 * h1 + b2;
    }
}

/// <summary>784-h-h-10: the paper's model.</summary>
public sealed partial class MlpTwoHidden : IMnistModel
{
    public IDeviceBatchPass OnDevice(DeviceRuntime runtime) => OnAccelerator(runtime);

    private readonly Matrix<float> W1, W2, W3;
    private readonly RowVector<float> b1, b2, b3;

    public MlpTwoHidden(int hidden, SeededRandom random)
    {
        W1 = Init.Glorot<float>(hidden, MnistShape.Pixels, random); b1 = Init.Zeros<float>(hidden);
        W2 = Init.Glorot<float>(hidden, hidden, random); b2 = Init.Zeros<float>(hidden);
        W3 = Init.Glorot<float>(MnistShape.Classes, hidden, random); b3 = Init.Zeros<float>(MnistShape.Classes);
    }

    public double DropoutRate { get; set; }

    [MeProp(K = 20)]
    public Batch<float> Forward(Batch<float> x)
    {
        var h1 = Dropout(Relu(W1 * x + b1), DropoutRate);
        var h2 = Dropout(Relu(W2 * h1 + b2), DropoutRate);
        return W3 * h2 + b3;
    }
}

/// <summary>784-h-h-h-10.</summary>
public sealed partial class MlpThreeHidden : IMnistModel
{
    public IDeviceBatchPass OnDevice(DeviceRuntime runtime) => OnAccelerator(runtime);

    private readonly Matrix<float> W1, W2, W3, W4;
    private readonly RowVector<float> b1, b2, b3, b4;

    public MlpThreeHidden(int hidden, SeededRandom random)
    {
        W1 = Init.Glorot<float>(hidden, MnistShape.Pixels, random); b1 = Init.Zeros<float>(hidden);
        W2 = Init.Glorot<float>(hidden, hidden, random); b2 = Init.Zeros<float>(hidden);
        W3 = Init.Glorot<float>(hidden, hidden, random); b3 = Init.Zeros<float>(hidden);
        W4 = Init.Glorot<float>(MnistShape.Classes, hidden, random); b4 = Init.Zeros<float>(MnistShape.Classes);
    }

    public double DropoutRate { get; set; }

    [MeProp(K = 20)]
    public Batch<float> Forward(Batch<float> x)
    {
        var h1 = Dropout(Relu(W1 * x + b1), DropoutRate);
        var h2 = Dropout(Relu(W2 * h1 + b2), DropoutRate);
        var h3 = Dropout(Relu(W3 * h2 + b3), DropoutRate);
        return W4 * h3 + b4;
    }
}

/// <summary>784-h-h-h-h-10 (the paper's Table 5).</summary>
public sealed partial class MlpFourHidden : IMnistModel
{
    public IDeviceBatchPass OnDevice(DeviceRuntime runtime) => OnAccelerator(runtime);

    private readonly Matrix<float> W1, W2, W3, W4, W5;
    private readonly RowVector<float> b1, b2, b3, b4, b5;

    public MlpFourHidden(int hidden, SeededRandom random)
    {
        W1 = Init.Glorot<float>(hidden, MnistShape.Pixels, random); b1 = Init.Zeros<float>(hidden);
        W2 = Init.Glorot<float>(hidden, hidden, random); b2 = Init.Zeros<float>(hidden);
        W3 = Init.Glorot<float>(hidden, hidden, random); b3 = Init.Zeros<float>(hidden);
        W4 = Init.Glorot<float>(hidden, hidden, random); b4 = Init.Zeros<float>(hidden);
        W5 = Init.Glorot<float>(MnistShape.Classes, hidden, random); b5 = Init.Zeros<float>(MnistShape.Classes);
    }

    public double DropoutRate { get; set; }

    [MeProp(K = 20)]
    public Batch<float> Forward(Batch<float> x)
    {
        var h1 = Dropout(Relu(W1 * x + b1), DropoutRate);
        var h2 = Dropout(Relu(W2 * h1 + b2), DropoutRate);
        var h3 = Dropout(Relu(W3 * h2 + b3), DropoutRate);
        var h4 = Dropout(Relu(W4 * h3 + b4), DropoutRate);
        return W5 * h4 + b5;
    }
}

/// <summary>784-h-h-h-h-h-10 (the paper's Table 5).</summary>
public sealed partial class MlpFiveHidden : IMnistModel
{
    public IDeviceBatchPass OnDevice(DeviceRuntime runtime) => OnAccelerator(runtime);

    private readonly Matrix<float> W1, W2, W3, W4, W5, W6;
    private readonly RowVector<float> b1, b2, b3, b4, b5, b6;

    public MlpFiveHidden(int hidden, SeededRandom random)
    {
        W1 = Init.Glorot<float>(hidden, MnistShape.Pixels, random); b1 = Init.Zeros<float>(hidden);
        W2 = Init.Glorot<float>(hidden, hidden, random); b2 = Init.Zeros<float>(hidden);
        W3 = Init.Glorot<float>(hidden, hidden, random); b3 = Init.Zeros<float>(hidden);
        W4 = Init.Glorot<float>(hidden, hidden, random); b4 = Init.Zeros<float>(hidden);
        W5 = Init.Glorot<float>(hidden, hidden, random); b5 = Init.Zeros<float>(hidden);
        W6 = Init.Glorot<float>(MnistShape.Classes, hidden, random); b6 = Init.Zeros<float>(MnistShape.Classes);
    }

    public double DropoutRate { get; set; }

    [MeProp(K = 20)]
    public Batch<float> Forward(Batch<float> x)
    {
        var h1 = Dropout(Relu(W1 * x + b1), DropoutRate);
        var h2 = Dropout(Relu(W2 * h1 + b2), DropoutRate);
        var h3 = Dropout(Relu(W3 * h2 + b3), DropoutRate);
        var h4 = Dropout(Relu(W4 * h3 + b4), DropoutRate);
        var h5 = Dropout(Relu(W5 * h4 + b5), DropoutRate);
        return W6 * h5 + b6;
    }
}

public static class MnistShape
{
    public const int Pixels = 28 * 28;
    public const int Classes = 10;

    /// <summary>The model for <paramref name="layers"/> hidden layers of <paramref name="hidden"/> units, initialised from <paramref name="seed"/>.</summary>
    public static IMnistModel Create(int layers, int hidden, int seed)
    {
        var random = new SeededRandom(seed);
        return layers switch
        {
            1 => new MlpOneHidden(hidden, random),
            2 => new MlpTwoHidden(hidden, random),
            3 => new MlpThreeHidden(hidden, random),
            4 => new MlpFourHidden(hidden, random),
            5 => new MlpFiveHidden(hidden, random),
            _ => throw new System.ArgumentOutOfRangeException(nameof(layers), layers, $"--layers must be 1 to 5, but is {layers}."),
        };
    }
}
