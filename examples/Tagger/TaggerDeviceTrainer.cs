using System;
using System.Collections.Generic;
using System.Diagnostics;
using MeProp.Accelerators;

namespace MeProp.Examples.Tagger;

/// <summary>
/// Trains the BiLSTM tagger with its generated device pass (<c>--accelerator</c>): the same model,
/// seed and sentence batches as <see cref="TaggerTrainer"/>, with both LSTMs, the loss over every
/// word, the meProp backward through time and the optimizer's update on the accelerator. Word and
/// feature ids go up per step, the mean loss comes back; the parameters come back to the host
/// model for each epoch's accuracy (the annotated method, on the CPU).
/// </summary>
/// <remarks>
/// Phases are timed with the accelerator synchronised at their ends (linearBackward is not split
/// out on the device: 0; no rows-updated shares, since the device updates every row). Dropout
/// draws the device's own masks, so a device run with dropout differs from a CPU run.
/// </remarks>
public static class TaggerDeviceTrainer
{
    private const int ProgressEvery = 100;

    public static RunResult Train(TaggerOptions options, TaggingCorpus corpus, ITrainingObserver observer, OpenedAccelerator device)
        => Train(options, corpus, observer, device, int.MaxValue, evaluate: true);

    /// <summary>Some steps of each run on throwaway models, so that the kernels are compiled before anything is timed.</summary>
    public static void WarmUp(IEnumerable<TaggerOptions> runs, TaggingCorpus corpus, OpenedAccelerator device, int steps = 20)
    {
        foreach (TaggerOptions options in runs)
            Train(options with { Epochs = 1 }, corpus, NullObserver.Instance, device, steps, evaluate: false);
    }

    private static RunResult Train(TaggerOptions options, TaggingCorpus corpus, ITrainingObserver observer, OpenedAccelerator device, int maxStepsPerEpoch, bool evaluate)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(device);
        if (options.Problem() is string problem) throw new ArgumentException(problem, nameof(options));
        options = options with { Device = device.Description };

        BiLstmTagger model = TaggerTrainer.CreateModel(options, corpus);
        DeviceRuntime runtime = device.Runtime;
        runtime.Kernels.ReseedDropout(options.Seed);
        using BiLstmTagger.__MePropDevicePass pass = model.OnAccelerator(runtime);
        using DeviceOptimizer optimizer = options.CreateDeviceOptimizer(runtime);
        var shuffle = new SeededRandom(options.Seed ^ 0x5EED);
        var buffers = new StepBufferCache(corpus.Tags.Count);
        // dL/dscores on the device, one sequence per number of sentences (a batch holds sentences of one length; the sequence is resized to it).
        var gradients = new Dictionary<int, DeviceSequence>();
        IReadOnlyList<EncodedSentence> training = corpus.Training;
        var epochs = new List<EpochResult>();

        try
        {
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                List<int[]> batches = SentenceBatches.Shuffled(training, options.Batch, shuffle);
                long forwardTicks = 0, backwardTicks = 0, updateTicks = 0;
                double lossSum = 0;
                int sentences = 0, words = 0, steps = 0;
                observer.EpochStarted(epoch, training.Count, Array.Empty<string>());

                foreach (int[] batch in batches)
                {
                    if (steps == maxStepsPerEpoch) break;
                    StepBuffers step = buffers.Fill(training, batch);
                    if (!gradients.TryGetValue(batch.Length, out DeviceSequence? gradient))
                        gradients[batch.Length] = gradient = new DeviceSequence(runtime.Accelerator, step.Words.Length, batch.Length, corpus.Tags.Count);
                    gradient.Resize(step.Words.Length);

                    long t0 = Stopwatch.GetTimestamp();
                    DeviceSequence scores = pass.ForwardTrain(step.Words, step.Features);
                    // Reading the mean loss back waits for the forward pass and the loss: the forward phase's end.
                    float loss = runtime.Loss.LossAndGradient(scores.AllSteps, step.Labels, gradient.AllSteps);
                    long t1 = Stopwatch.GetTimestamp();
                    pass.Backward(gradient);
                    runtime.Accelerator.Synchronize();
                    long t2 = Stopwatch.GetTimestamp();
                    optimizer.Step(pass.Parameters);
                    runtime.Accelerator.Synchronize();
                    long t3 = Stopwatch.GetTimestamp();
                    forwardTicks += t1 - t0;
                    backwardTicks += t2 - t1;
                    updateTicks += t3 - t2;

                    lossSum += loss * step.Labels.Length;
                    words += step.Labels.Length;
                    sentences += batch.Length;
                    steps++;
                    if (steps % ProgressEvery == 0 || sentences == training.Count)
                        observer.Progress(sentences, lossSum / words);
                }

                pass.CopyParametersToHost();
                var seconds = new PhaseSeconds(Seconds(forwardTicks), 0, Seconds(backwardTicks), Seconds(updateTicks));
                var result = new EpochResult(epoch, lossSum / Math.Max(1, words),
                    evaluate ? TaggerTrainer.Accuracy(model, corpus.Development) : 0,
                    evaluate ? TaggerTrainer.Accuracy(model, corpus.Test) : 0,
                    seconds, Array.Empty<double>());
                epochs.Add(result);
                observer.EpochCompleted(result);
            }
        }
        finally
        {
            foreach (DeviceSequence gradient in gradients.Values) gradient.Dispose();
        }
        return new RunResult(options, epochs, Array.Empty<string>());
    }

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
}
