using System;
using System.Collections.Generic;
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
                var progress = new EpochProgress(observer, epoch, training.Count, Array.Empty<string>(), ProgressEvery);
                var clock = new DevicePhaseClock(runtime.Accelerator);

                foreach (int[] batch in batches)
                {
                    if (progress.Steps == maxStepsPerEpoch) break;
                    StepBuffers step = buffers.Fill(training, batch);
                    if (!gradients.TryGetValue(batch.Length, out DeviceSequence? gradient))
                        gradients[batch.Length] = gradient = new DeviceSequence(runtime.Accelerator, step.Words.Length, batch.Length, corpus.Tags.Count);
                    gradient.Resize(step.Words.Length);

                    clock.StepStarted();
                    DeviceSequence scores = pass.ForwardTrain(step.Words, step.Features);
                    float loss = runtime.Loss.LossAndGradient(scores.AllSteps, step.Labels, gradient.AllSteps);
                    clock.ForwardDone();
                    pass.Backward(gradient);
                    clock.BackwardDone();
                    optimizer.Step(pass.Parameters);
                    clock.UpdateDone();
                    progress.Add(loss, step.Labels.Length, batch.Length);
                }

                pass.CopyParametersToHost();
                var result = new EpochResult(epoch, progress.MeanLoss,
                    evaluate ? TaggerTrainer.Accuracy(model, corpus.Development) : 0,
                    evaluate ? TaggerTrainer.Accuracy(model, corpus.Test) : 0,
                    clock.Seconds, Array.Empty<double>());
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
}
