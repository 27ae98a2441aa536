using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace MeProp.Examples.Tagger;

/// <summary>Trains the BiLSTM tagger with the generated meProp training pass and measures per-word accuracy.</summary>
public static class TaggerTrainer
{
    private const int EvaluationBatch = 64;
    private const int ProgressEvery = 100;

    /// <summary>What the row-update share is reported for: the eight gate matrices together, and the output layer.</summary>
    public static readonly IReadOnlyList<string> LayerNames = new[] { "LSTM gates", "Out" };

    /// <summary>Trains a run; with <paramref name="checkpoints"/>, resumes from one and saves one after every epoch.</summary>
    public static RunResult Train(TaggerOptions options, TaggingCorpus corpus, ITrainingObserver observer, CheckpointPaths? checkpoints = null)
        => Train(options, corpus, observer, maxStepsPerEpoch: int.MaxValue, checkpoints: checkpoints ?? CheckpointPaths.None);

    /// <summary>
    /// Runs a few hundred steps of each mode a run will use, on throwaway models, so that the JIT has
    /// compiled and optimised every hot path before anything is timed.
    /// </summary>
    public static void WarmUp(IEnumerable<TaggerOptions> runs, TaggingCorpus corpus, int steps = 200)
    {
        foreach (TaggerOptions options in runs)
            Train(options with { Epochs = 1 }, corpus, NullObserver.Instance, steps, evaluate: false, checkpoints: CheckpointPaths.None);
    }

    /// <summary>The model a run starts from: the same seed gives the same weights, so a --compare pair differs only in its backward pass.</summary>
    public static BiLstmTagger CreateModel(TaggerOptions options, TaggingCorpus corpus)
    {
        var model = new BiLstmTagger(corpus.Shape(options.Hidden), options.Seed);
        model.MePropSettings.Mode = options.Mode;
        if (options.Mode != MePropMode.Dense) model.MePropSettings.K = options.K;
        model.DropoutRate = options.Dropout;
        model.MePropRandom.Reseed(options.Seed);
        return model;
    }

    private static RunResult Train(TaggerOptions options, TaggingCorpus corpus, ITrainingObserver observer, int maxStepsPerEpoch, bool evaluate = true, CheckpointPaths? checkpoints = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(observer);
        if (options.Problem() is string problem) throw new ArgumentException(problem, nameof(options));

        BiLstmTagger model = CreateModel(options, corpus);
        Optimizer<float> optimizer = options.CreateOptimizer();
        var shuffle = new SeededRandom(options.Seed ^ 0x5EED);
        var buffers = new StepBufferCache(corpus.Tags.Count);
        IReadOnlyList<EncodedSentence> training = corpus.Training;
        // The gate matrices first, the output layer last (see the report's groups below).
        Parameter<float>[] weights = model.LinearWeights.Where(p => p.Name != "Out").Append(model.LinearWeights.Single(p => p.Name == "Out")).ToArray();
        checkpoints ??= CheckpointPaths.None;
        // The tagger draws each epoch's batch order afresh from the shuffle's state: no order to save.
        List<EpochResult> epochs = checkpoints.Resume is null ? new()
            : RunCheckpoint.Restore(checkpoints.Resume, options, model, optimizer, shuffle, order: null);

        for (int epoch = epochs.Count + 1; epoch <= options.Epochs; epoch++)
        {
            List<int[]> batches = SentenceBatches.Shuffled(training, options.Batch, shuffle);
            model.MePropTimings.Reset();
            long updateTicks = 0;
            var progress = new EpochProgress(observer, epoch, training.Count, LayerNames, ProgressEvery);
            var rows = new UpdatedRowShares(weights);

            foreach (int[] batch in batches)
            {
                if (progress.Steps == maxStepsPerEpoch) break;
                StepBuffers step = buffers.Fill(training, batch);
                Sequence<float> scores = model.ForwardTrain(step.Words, step.Features);
                float loss = SoftmaxCrossEntropy.LossAndGradient(scores.AllSteps, step.Labels, step.Gradient.AllSteps);
                model.Backward(step.Gradient);
                long before = Stopwatch.GetTimestamp();
                optimizer.Step(model.Parameters);
                updateTicks += Stopwatch.GetTimestamp() - before;

                rows.Add();
                progress.Add(loss, step.Labels.Length, batch.Length);
            }

            // The report's two groups: the gate matrices of both LSTMs together, then the output layer.
            double[] shares = rows.Means();
            var result = new EpochResult(epoch, progress.MeanLoss,
                evaluate ? Accuracy(model, corpus.Development) : 0,
                evaluate ? Accuracy(model, corpus.Test) : 0,
                PhaseSeconds.From(model.MePropTimings, updateTicks), new[] { shares[..^1].Average(), shares[^1] });
            epochs.Add(result);
            RunCheckpoint.AfterEpoch(checkpoints, options, model, optimizer, shuffle, order: null, epochs);
            observer.EpochCompleted(result);
        }
        return new RunResult(options, epochs, LayerNames);
    }

    /// <summary>
    /// Per-word accuracy on <paramref name="sentences"/> (inference: the annotated method itself, on
    /// batches of equally long sentences). A word whose gold tag never occurred in training counts as wrong.
    /// </summary>
    public static double Accuracy(BiLstmTagger model, IReadOnlyList<EncodedSentence> sentences)
    {
        long correct = 0, total = 0;
        foreach (int[] batch in SentenceBatches.InLengthOrder(sentences, EvaluationBatch))
        {
            var step = new StepBuffers(sentences[batch[0]].Length, batch.Length, model.Shape.Tags);
            step.Fill(sentences, batch);
            Batch<float> scores = model.Forward(step.Words, step.Features).AllSteps;
            for (int row = 0; row < scores.Rows; row++)
            {
                int gold = step.Labels[row];
                if (gold != Vocabulary.Unknown && SoftmaxCrossEntropy.Argmax(scores.Row(row)) == gold) correct++;
            }
            total += scores.Rows;
        }
        return total == 0 ? 0 : (double)correct / total;
    }
}
