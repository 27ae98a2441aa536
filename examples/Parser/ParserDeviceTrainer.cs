using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using MeProp.Accelerators;

namespace MeProp.Examples.Parser;

/// <summary>
/// Trains the parser network with its generated device pass (<c>--accelerator</c>): the same model,
/// seed, examples and order as <see cref="ParserTrainer"/>, with the forward pass, the loss, the
/// meProp backward and the optimizer's update on the accelerator. Each step sends its feature ids
/// up and reads the mean loss back; the parameters come back to the host model for each epoch's
/// greedy parses (the annotated method, on the CPU).
/// </summary>
/// <remarks>
/// Phases are timed with the accelerator synchronised at their ends (the report's linearBackward
/// is not split out on the device: 0; no rows-updated shares, since the device updates every row).
/// Dropout draws the device's own masks, so a device run with dropout differs from a CPU run.
/// </remarks>
public static class ParserDeviceTrainer
{
    private const int ProgressEvery = 4;

    public static RunResult Train(ParserOptions options, ParsingCorpus corpus, TrainingExamples examples, ITrainingObserver observer, OpenedAccelerator device)
        => Train(options, corpus, examples, observer, device, int.MaxValue, evaluate: true);

    /// <summary>A few steps of each run on throwaway models, so that the kernels are compiled before anything is timed.</summary>
    public static void WarmUp(IEnumerable<ParserOptions> runs, ParsingCorpus corpus, TrainingExamples examples, OpenedAccelerator device, int steps = 3)
    {
        foreach (ParserOptions options in runs)
            Train(options with { Epochs = 1 }, corpus, examples, NullObserver.Instance, device, steps, evaluate: false);
    }

    private static RunResult Train(ParserOptions options, ParsingCorpus corpus, TrainingExamples examples, ITrainingObserver observer,
        OpenedAccelerator device, int maxStepsPerEpoch, bool evaluate)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(device);
        if (options.Problem() is string problem) throw new ArgumentException(problem, nameof(options));
        if (examples.Count == 0) throw new ArgumentException("There are no training examples (no projective training sentence).", nameof(examples));
        options = options with { Device = device.Description };

        IParserNetwork model = ParserTrainer.CreateModel(options, corpus);
        DeviceRuntime runtime = device.Runtime;
        runtime.Kernels.ReseedDropout(options.Seed);
        using IParserDevicePass pass = model.OnDevice(runtime);
        using DeviceOptimizer optimizer = options.CreateDeviceOptimizer(runtime);
        var shuffle = new SeededRandom(options.Seed ^ 0x5EED);
        int count = examples.Count;
        int[] order = Enumerable.Range(0, count).ToArray();
        int batch = Math.Min(options.Batch, count);
        using var full = new DeviceStepBuffers(runtime, batch, corpus.Transitions.Count);
        using var last = new DeviceStepBuffers(runtime, Math.Max(1, count % batch), corpus.Transitions.Count);
        var epochs = new List<EpochResult>();

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            shuffle.Shuffle(order.AsSpan());
            var progress = new EpochProgress(observer, epoch, count, Array.Empty<string>(), ProgressEvery);
            var clock = new DevicePhaseClock(runtime.Accelerator);

            for (int start = 0; start < count && progress.Steps < maxStepsPerEpoch; start += batch)
            {
                int size = Math.Min(batch, count - start);
                DeviceStepBuffers step = size == batch ? full : last;
                step.Ids.Fill(examples, order.AsSpan(start, size));

                clock.StepStarted();
                float loss = runtime.Loss.LossAndGradient(pass.ForwardTrain(step.Ids.Words, step.Ids.Tags, step.Ids.Labels), step.Ids.Gold, step.Gradient);
                clock.ForwardDone();
                pass.Backward(step.Gradient);
                clock.BackwardDone();
                optimizer.Step(pass.Parameters);
                clock.UpdateDone();
                progress.Add(loss, size, size);
            }

            pass.CopyParametersToHost();
            long parseStart = Stopwatch.GetTimestamp();
            AttachmentScores dev = evaluate ? ParserTrainer.Evaluate(model, corpus, corpus.Development) : default;
            AttachmentScores test = evaluate ? ParserTrainer.Evaluate(model, corpus, corpus.Test) : default;
            // Parsing speed: greedy decoding of dev and test on the CPU, as in a CPU run.
            double parseSeconds = Stopwatch.GetElapsedTime(parseStart).TotalSeconds;
            double sentencesPerSecond = evaluate ? (corpus.Development.Count + corpus.Test.Count) / Math.Max(parseSeconds, 1e-9) : 0;
            var result = new EpochResult(epoch, progress.MeanLoss, dev.Uas, test.Uas, clock.Seconds, Array.Empty<double>())
            {
                Metrics = new Dictionary<string, double> { ["devLas"] = dev.Las, ["testLas"] = test.Las },
                Measures = new Dictionary<string, double> { ["parseSentencesPerSecond"] = sentencesPerSecond },
            };
            epochs.Add(result);
            observer.EpochCompleted(result);
        }
        return new RunResult(options, epochs, Array.Empty<string>());
    }

    /// <summary>A batch size's host ids and gold transitions, and its loss gradient on the device.</summary>
    private sealed class DeviceStepBuffers : IDisposable
    {
        public DeviceStepBuffers(DeviceRuntime runtime, int size, int transitions)
        {
            Ids = new ParserStepIds(size);
            Gradient = new DeviceBatch(runtime.Accelerator, size, transitions);
        }

        public ParserStepIds Ids { get; }

        public DeviceBatch Gradient { get; }

        public void Dispose() => Gradient.Dispose();
    }
}
