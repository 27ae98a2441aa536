using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using MeProp.Datasets.Mnist;

namespace MeProp.Examples.Mnist;

/// <summary>Trains one MNIST model with the generated meProp training pass.</summary>
public static class MnistTrainer
{
    private const int EvaluationBatch = 1000;
    private const int ProgressEvery = 50;

    /// <summary>Trains a run; with <paramref name="checkpoints"/>, resumes from one and saves one after every epoch.</summary>
    public static RunResult Train(TrainingOptions options, MnistDataset data, ITrainingObserver observer, CheckpointPaths? checkpoints = null)
        => Train(options, data, observer, maxStepsPerEpoch: int.MaxValue, checkpoints ?? CheckpointPaths.None);

    /// <summary>
    /// Runs a few hundred steps of each mode a run will use, on throwaway models, so that the JIT has
    /// compiled and optimised every hot path before anything is timed: otherwise the first run of a
    /// --compare pays for the warm-up and looks slower than it is.
    /// </summary>
    public static void WarmUp(IEnumerable<TrainingOptions> runs, MnistDataset data, int steps = 300)
    {
        foreach (TrainingOptions options in runs)
            Train(options with { Epochs = 1 }, data, NullObserver.Instance, steps, CheckpointPaths.None);
    }

    private static RunResult Train(TrainingOptions options, MnistDataset data, ITrainingObserver observer, int maxStepsPerEpoch, CheckpointPaths checkpoints)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(observer);
        if (options.Problem() is string problem) throw new ArgumentException(problem, nameof(options));

        // The same seed gives the same initial weights and the same data order, so a dense and a
        // meProp run of one --compare differ only in their backward pass.
        IMnistModel model = MnistShape.Create(options.Layers, options.Hidden, options.Seed);
        model.MePropSettings.Mode = options.Mode;
        if (options.Mode != MePropMode.Dense) model.MePropSettings.K = options.K;
        model.DropoutRate = options.Dropout;
        model.MePropRandom.Reseed(options.Seed);
        Optimizer<float> optimizer = options.CreateOptimizer();
        var shuffle = new SeededRandom(options.Seed ^ 0x5EED);

        int trainCount = data.Training.Count;
        int[] order = Enumerable.Range(0, trainCount).ToArray();
        var full = new StepBuffers(options.Batch);
        var last = new StepBuffers(Math.Max(1, trainCount % options.Batch));
        var layerNames = model.LinearWeights.Select(p => p.Name).ToArray();
        List<EpochResult> epochs = checkpoints.Resume is null ? new()
            : RunCheckpoint.Restore(checkpoints.Resume, options, model, optimizer, shuffle, order);

        for (int epoch = epochs.Count + 1; epoch <= options.Epochs; epoch++)
        {
            shuffle.Shuffle(order.AsSpan());
            model.MePropTimings.Reset();
            long updateTicks = 0;
            var progress = new EpochProgress(observer, epoch, trainCount, layerNames, ProgressEvery);
            var rows = new UpdatedRowShares(model.LinearWeights);

            for (int start = 0; start < trainCount && progress.Steps < maxStepsPerEpoch; start += options.Batch)
            {
                int size = Math.Min(options.Batch, trainCount - start);
                StepBuffers buffers = size == options.Batch ? full : last;
                data.Training.FillBatch(order.AsSpan(start, size), buffers.X, buffers.Labels);

                Batch<float> logits = model.ForwardTrain(buffers.X);
                float loss = SoftmaxCrossEntropy.LossAndGradient(logits, buffers.Labels, buffers.Gradient);
                model.Backward(buffers.Gradient);
                long before = Stopwatch.GetTimestamp();
                optimizer.Step(model.Parameters);
                updateTicks += Stopwatch.GetTimestamp() - before;

                rows.Add();
                progress.Add(loss, size, size);
            }

            var result = new EpochResult(epoch, progress.MeanLoss, Accuracy(model, data.Development), Accuracy(model, data.Test),
                PhaseSeconds.From(model.MePropTimings, updateTicks), rows.Means());
            epochs.Add(result);
            RunCheckpoint.AfterEpoch(checkpoints, options, model, optimizer, shuffle, order, epochs);
            observer.EpochCompleted(result);
        }
        return new RunResult(options, epochs, layerNames);
    }

    /// <summary>Fraction of <paramref name="split"/> the model classifies correctly (inference: the annotated method itself).</summary>
    public static double Accuracy(IMnistModel model, MnistSplit split)
    {
        if (split.Count == 0) return 0;
        int correct = 0;
        var indices = new int[EvaluationBatch];
        for (int start = 0; start < split.Count; start += EvaluationBatch)
        {
            int size = Math.Min(EvaluationBatch, split.Count - start);
            for (int i = 0; i < size; i++) indices[i] = start + i;
            var x = new Batch<float>(size, MnistShape.Pixels);
            var labels = new int[size];
            split.FillBatch(indices.AsSpan(0, size), x, labels);
            correct += SoftmaxCrossEntropy.CountCorrect(model.Forward(x), labels);
        }
        return (double)correct / split.Count;
    }

    // One set per batch size in use (the last batch of an epoch may be shorter): no allocation per step.
    private sealed class StepBuffers
    {
        public StepBuffers(int size)
        {
            X = new Batch<float>(size, MnistShape.Pixels);
            Gradient = new Batch<float>(size, MnistShape.Classes);
            Labels = new int[size];
        }

        public Batch<float> X { get; }

        public Batch<float> Gradient { get; }

        public int[] Labels { get; }
    }
}
