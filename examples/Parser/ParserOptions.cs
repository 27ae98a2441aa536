using System.Collections.Generic;

namespace MeProp.Examples.Parser;

/// <summary>The hidden layers' activation; each is its own generated network class.</summary>
/// <remarks>
/// Tanh is the default because it is the one with which meProp trains this network at the paper's
/// settings (AdaGrad 0.01, batch 10,000, embeddings learned from ±0.01). With ReLU, dense training
/// works but per-example top-k k = 20 diverges on EWT: the gradient is exact (tested against a masked
/// double-precision reference at the real sizes), yet the few units that win the top-k early keep
/// winning, their activations grow without the saturation tanh has, and the loss climbs to 8 and
/// more within two epochs (docs/results-parsing.md). The cube of Chen and Manning, with these initial
/// scales, has two layers of vanishing activations (z³ of about 0.01) and learned nothing in three
/// epochs (loss 4.4 of 4.6); with embeddings of ±1 it overflows instead.
/// </remarks>
public enum ParserActivation
{
    Tanh,
    Relu,
    Cube,
}

/// <summary>A parsing run: the common options with the paper's parsing defaults.</summary>
public sealed record ParserOptions : RunOptions
{
    public ParserOptions()
    {
        K = 20;
        Optimizer = OptimizerKind.AdaGrad; // the paper's parser: AdaGrad, lr 0.01
        Batch = 10_000;                    // transition examples per mini-batch
        Epochs = 10;
        Hidden = 500;
        Dropout = 0;
    }

    public ParserActivation Activation { get; init; } = ParserActivation.Tanh;

    /// <summary>Back-propagate the output layer densely (the paper sparsifies it too, with the same k).</summary>
    public bool DenseOutput { get; init; }

    /// <summary>The best epoch is the one with the best development UAS.</summary>
    public override string MetricName => "uas";

    /// <summary>The paper's parsing rates: AdaGrad 0.01, Adam 0.001 (and 0.1 for plain SGD).</summary>
    protected override double DefaultLearningRate(OptimizerKind optimizer) => optimizer switch
    {
        OptimizerKind.Adam => 0.001,
        OptimizerKind.AdaGrad => 0.01,
        _ => 0.1,
    };

    public override IReadOnlyDictionary<string, object> ReportFields => new Dictionary<string, object>
    {
        ["activation"] = Activation.ToString().ToLowerInvariant(),
        ["denseOutput"] = DenseOutput,
        ["embeddingDimension"] = ParserShape.Dimension,
        ["features"] = FeatureTemplate.Count,
    };
}
