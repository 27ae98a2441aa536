using System.Collections.Generic;

namespace MeProp.Examples.Tagger;

/// <summary>A tagging run: the common options with the paper's POS-tagging defaults.</summary>
public sealed record TaggerOptions : RunOptions
{
    public TaggerOptions()
    {
        K = 5;
        Batch = 1;      // sentences, as in the paper
        Epochs = 5;     // the paper's best epochs were 2 (dense) and 5 (meProp) with Adam
        Hidden = 500;   // per direction
        Dropout = 0;
    }

    /// <summary>The paper's POS rates: Adam 0.001, AdaGrad 0.01 (and 0.1 for plain SGD).</summary>
    protected override double DefaultLearningRate(OptimizerKind optimizer) => optimizer switch
    {
        OptimizerKind.Adam => 0.001,
        OptimizerKind.AdaGrad => 0.01,
        _ => 0.1,
    };

    public override IReadOnlyDictionary<string, object> ReportFields => new Dictionary<string, object>
    {
        ["wordDimension"] = TaggerShape.WordDimension,
        ["featureDimension"] = TaggerShape.FeatureDimension,
        ["features"] = WordFeatures.Count,
    };
}
