using System;
using System.Collections.Generic;

namespace MeProp.Examples;

/// <summary>
/// One epoch's running mean loss and its progress reports, the same for every trainer (CPU or
/// device, image, transition or word): each step adds its mean loss, weighted by the number of items
/// it was averaged over, and the observer hears of it every few steps and after the epoch's last.
/// </summary>
public sealed class EpochProgress
{
    private readonly ITrainingObserver _observer;
    private readonly int _examples;
    private readonly int _reportEvery;
    private double _lossSum;
    private long _lossItems;

    /// <summary>Starts an epoch of <paramref name="examples"/> training examples (tells the observer).</summary>
    /// <param name="reportEvery">Steps between progress reports: frequent enough for a live view, rare enough to cost nothing.</param>
    public EpochProgress(ITrainingObserver observer, int epoch, int examples, IReadOnlyList<string> layerNames, int reportEvery)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentOutOfRangeException.ThrowIfLessThan(reportEvery, 1);
        _observer = observer;
        _examples = examples;
        _reportEvery = reportEvery;
        observer.EpochStarted(epoch, examples, layerNames);
    }

    /// <summary>Steps taken so far.</summary>
    public int Steps { get; private set; }

    /// <summary>Training examples seen so far (images, configurations, sentences).</summary>
    public int ExamplesDone { get; private set; }

    /// <summary>The mean loss per item over the steps so far (0 before the first).</summary>
    public double MeanLoss => _lossItems == 0 ? 0 : _lossSum / _lossItems;

    /// <summary>Records one step.</summary>
    /// <param name="meanLoss">The step's loss, a mean over <paramref name="lossItems"/> items.</param>
    /// <param name="lossItems">What the loss was averaged over: the batch's examples, or its words for the tagger.</param>
    /// <param name="examples">Training examples the step consumed.</param>
    public void Add(float meanLoss, int lossItems, int examples)
    {
        _lossSum += (double)meanLoss * lossItems;
        _lossItems += lossItems;
        ExamplesDone += examples;
        Steps++;
        if (Steps % _reportEvery == 0 || ExamplesDone == _examples) _observer.Progress(ExamplesDone, MeanLoss);
    }
}
