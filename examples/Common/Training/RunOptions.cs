using System.Collections.Generic;
using System.Globalization;

namespace MeProp.Examples;

/// <summary>The optimizers the examples offer.</summary>
public enum OptimizerKind
{
    Adam,
    AdaGrad,
    Sgd,
}

/// <summary>
/// What every example's training run depends on; each example derives its own options with its
/// defaults and extras. A --compare run trains two that differ only in <see cref="Mode"/>.
/// </summary>
public abstract record RunOptions
{
    /// <summary>Entries of dL/dy kept at each sparsified linear operation.</summary>
    public int K { get; init; }

    public MePropMode Mode { get; init; } = MePropMode.TopK;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Learning rate; null means the paper's default for the task and optimizer.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Mini-batch size, in the task's examples (images, sentences).</summary>
    public int Batch { get; init; }

    public int Epochs { get; init; }
    public int Hidden { get; init; }

    /// <summary>Dropout rate during training (0: none).</summary>
    public double Dropout { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>Use only the first N training examples (null: all).</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Update only the weight rows the step touched (different semantics for Adam's moments).</summary>
    public bool TouchedRowsOnly { get; init; }

    /// <summary>Where the run trains, in words (the accelerator's description); null for the CPU runtime.</summary>
    public string? Device { get; init; }

    public const string DefaultMetricName = "accuracy";

    /// <summary>
    /// The name of the dev/test metric the best epoch is chosen by, in camelCase ("accuracy"; the
    /// parser's "uas"): the report writes it as devAccuracy/testAccuracy, or dev/test plus the name.
    /// </summary>
    public virtual string MetricName => DefaultMetricName;

    /// <summary>The paper's learning rate for <paramref name="optimizer"/> on this task.</summary>
    protected abstract double DefaultLearningRate(OptimizerKind optimizer);

    /// <summary>The learning rate in effect.</summary>
    public double EffectiveLearningRate => LearningRate ?? DefaultLearningRate(Optimizer);

    /// <summary>Task-specific settings the JSON report records besides the common ones (camelCase names).</summary>
    public virtual IReadOnlyDictionary<string, object> ReportFields => new Dictionary<string, object>();

    /// <summary>The first option out of range, as a message naming the option and its value; null when all are valid.</summary>
    public virtual string? Problem()
    {
        if (K < 1 && Mode != MePropMode.Dense) return $"--k must be at least 1, but is {K}.";
        if (Batch < 1) return $"--batch must be at least 1, but is {Batch}.";
        if (Epochs < 1) return $"--epochs must be at least 1, but is {Epochs}.";
        if (Hidden < 1) return $"--hidden must be at least 1, but is {Hidden}.";
        if (!(Dropout >= 0 && Dropout < 1)) return $"--dropout must be in [0, 1), but is {Dropout.ToString(CultureInfo.InvariantCulture)}.";
        if (LearningRate is <= 0) return $"--lr must be positive, but is {LearningRate.Value.ToString(CultureInfo.InvariantCulture)}.";
        if (TrainLimit is < 1) return $"--train-limit must be at least 1, but is {TrainLimit.Value}.";
        return null;
    }

    /// <summary>The optimizer these options ask for.</summary>
    public Optimizer<float> CreateOptimizer()
    {
        double lr = EffectiveLearningRate;
        UpdateScope scope = TouchedRowsOnly ? UpdateScope.TouchedRowsOnly : UpdateScope.AllRows;
        return Optimizer switch
        {
            OptimizerKind.Adam => new Adam<float>(learningRate: lr, scope: scope),
            OptimizerKind.AdaGrad => new AdaGrad<float>(learningRate: lr, scope: scope),
            _ => new Sgd<float>(learningRate: lr, scope: scope),
        };
    }

    /// <summary>A one-line description for a run's title: mode, k, optimizer, rate, batch.</summary>
    public string Title(string batchUnit)
    {
        string lr = EffectiveLearningRate.ToString(CultureInfo.InvariantCulture);
        string update = TouchedRowsOnly ? ", touched rows only" : "";
        return Mode == MePropMode.Dense
            ? $"dense back propagation, {Optimizer} lr {lr}, batch {Batch} {batchUnit}{update}"
            : $"meProp {Mode.ToString().ToLowerInvariant()} k={K}, {Optimizer} lr {lr}, batch {Batch} {batchUnit}{update}";
    }
}
