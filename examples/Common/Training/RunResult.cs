using System.Collections.Generic;
using System.Linq;

namespace MeProp.Examples;

/// <summary>Seconds spent in each training phase (summed over steps).</summary>
/// <param name="Forward">ForwardTrain.</param>
/// <param name="LinearBackward">The linear operations' backward, top-k selection included: the paper's "backprop time".</param>
/// <param name="Backward">The whole backward pass, activations included (contains LinearBackward).</param>
/// <param name="Update">The optimizer step.</param>
public sealed record PhaseSeconds(double Forward, double LinearBackward, double Backward, double Update)
{
    /// <summary>Forward + backward + update: the training computation.</summary>
    public double Total => Forward + Backward + Update;

    public static PhaseSeconds operator +(PhaseSeconds a, PhaseSeconds b)
        => new(a.Forward + b.Forward, a.LinearBackward + b.LinearBackward, a.Backward + b.Backward, a.Update + b.Update);

    public static PhaseSeconds Zero { get; } = new(0, 0, 0, 0);

    /// <summary>This epoch's phases from a model's timings and the optimizer's measured ticks.</summary>
    public static PhaseSeconds From(MePropTimings timings, long updateTicks)
        => new(timings.Forward.TotalSeconds, timings.LinearBackward.TotalSeconds, timings.Backward.TotalSeconds,
            System.Diagnostics.Stopwatch.GetElapsedTime(0, updateTicks).TotalSeconds);
}

/// <summary>One epoch's outcome; accuracies are the task's metric (per image, per word) on the development and test sets.</summary>
/// <remarks>DevAccuracy and TestAccuracy hold the metric the best epoch is chosen by (<see cref="RunOptions.MetricName"/>; the parser's UAS).</remarks>
public sealed record EpochResult(int Epoch, double TrainLoss, double DevAccuracy, double TestAccuracy, PhaseSeconds Seconds, IReadOnlyList<double> UpdatedRowFraction)
{
    /// <summary>Further metrics of the task, by their report names (the parser's "devLas", "testLas"): fractions, shown as percentages.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Further measurements with their unit in the name (the parser's "parseSentencesPerSecond"), shown and reported as they are.</summary>
    public IReadOnlyDictionary<string, double> Measures { get; init; } = new Dictionary<string, double>();
}

/// <summary>A whole run: the paper's protocol reports the test accuracy of the epoch with the best dev accuracy.</summary>
/// <param name="LayerNames">The weight matrices (or groups of them) <see cref="EpochResult.UpdatedRowFraction"/> reports, in order.</param>
public sealed record RunResult(RunOptions Options, IReadOnlyList<EpochResult> Epochs, IReadOnlyList<string> LayerNames)
{
    public EpochResult Best => Epochs.OrderByDescending(e => e.DevAccuracy).ThenBy(e => e.Epoch).First();

    public PhaseSeconds Seconds => Epochs.Aggregate(PhaseSeconds.Zero, (sum, e) => sum + e.Seconds);

    /// <summary>Mean over all steps of the fraction of each weight matrix's rows updated per step.</summary>
    public IReadOnlyList<double> UpdatedRowFraction =>
        Enumerable.Range(0, LayerNames.Count).Select(i => Epochs.Average(e => e.UpdatedRowFraction[i])).ToArray();
}

/// <summary>Receives progress, so that the console view and the tests can each watch a run their own way.</summary>
public interface ITrainingObserver
{
    void EpochStarted(int epoch, int examples, IReadOnlyList<string> layerNames);

    void Progress(int examplesDone, double meanLoss);

    void EpochCompleted(EpochResult result);
}

/// <summary>An observer that ignores everything (warm-up runs).</summary>
public sealed class NullObserver : ITrainingObserver
{
    public static readonly NullObserver Instance = new();

    private NullObserver()
    {
    }

    public void EpochStarted(int epoch, int examples, IReadOnlyList<string> layerNames) { }

    public void Progress(int examplesDone, double meanLoss) { }

    public void EpochCompleted(EpochResult result) { }
}
