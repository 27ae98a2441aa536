using System.Collections.Generic;

namespace MeProp.Examples.Mnist;

/// <summary>An MNIST run: the common options with the paper's MNIST defaults, and the depth.</summary>
public sealed record TrainingOptions : RunOptions
{
    public TrainingOptions()
    {
        K = 20;
        Batch = 10;
        Epochs = 20;
        Hidden = 500;
        // 0.1 is the rate of the authors' released MNIST setup; without it, per-example meProp with
        // Adam at batch 10 grew unstable in our runs (docs/results.md).
        Dropout = 0.1;
    }

    /// <summary>Hidden layers: 1 to 5 (2 is the paper's main model; Table 5 goes to 5).</summary>
    public int Layers { get; init; } = 2;

    public override string? Problem()
        => Layers is < 1 or > 5 ? $"--layers must be 1 to 5, but is {Layers}." : base.Problem();

    /// <summary>The paper's MNIST rates: Adam 0.001, AdaGrad 0.1 (and 0.1 for plain SGD).</summary>
    protected override double DefaultLearningRate(OptimizerKind optimizer) => optimizer switch
    {
        OptimizerKind.Adam => 0.001,
        _ => 0.1,
    };

    public override IReadOnlyDictionary<string, object> ReportFields => new Dictionary<string, object> { ["layers"] = Layers };
}
