using System;
using System.Collections.Generic;
using System.Linq;
using MeProp.Accelerators;
using MeProp.Datasets.Mnist;

namespace MeProp.Examples.Mnist;

/// <summary>
/// Trains one MNIST model with its generated device pass (<c>--accelerator</c>): the same model,
/// seed, data order and epochs as <see cref="MnistTrainer"/>, with the forward pass, the loss, the
/// meProp backward and the optimizer's update on the accelerator. Only each step's batch goes up
/// and its mean loss comes back; the parameters come back to the host model for each epoch's
/// evaluation (the annotated forward method, on the CPU).
/// </summary>
/// <remarks>
/// The phases are timed with the accelerator synchronised at their ends, so that the forward,
/// backward and update seconds are the device's work (the report's linearBackward is not split out
/// on the device: 0). Dropout draws the device's own masks, so a device run and a CPU run with
/// dropout differ; the touched-rows update is a CPU option.
/// </remarks>
public static class MnistDeviceTrainer
{
    private const int ProgressEvery = 50;

    public static RunResult Train(TrainingOptions options, MnistDataset data, ITrainingObserver observer, OpenedAccelerator device)
        => Train(options, data, observer, device, maxStepsPerEpoch: int.MaxValue);

    /// <summary>A few steps of each run on throwaway models, so that the kernels are compiled before anything is timed.</summary>
    public static void WarmUp(IEnumerable<TrainingOptions> runs, MnistDataset data, OpenedAccelerator device, int steps = 20)
    {
        foreach (TrainingOptions options in runs)
            Train(options with { Epochs = 1 }, data, NullObserver.Instance, device, steps);
    }

    private static RunResult Train(TrainingOptions options, MnistDataset data, ITrainingObserver observer, OpenedAccelerator device, int maxStepsPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(device);
        if (options.Problem() is string problem) throw new ArgumentException(problem, nameof(options));
        options = options with { Device = device.Description };

        IMnistModel model = MnistShape.Create(options.Layers, options.Hidden, options.Seed);
        model.MePropSettings.Mode = options.Mode;
        if (options.Mode != MePropMode.Dense) model.MePropSettings.K = options.K;
        model.DropoutRate = options.Dropout;
        DeviceRuntime runtime = device.Runtime;
        runtime.Kernels.ReseedDropout(options.Seed);
        using IDeviceBatchPass pass = model.OnDevice(runtime);
        using DeviceOptimizer optimizer = options.CreateDeviceOptimizer(runtime);
        var shuffle = new SeededRandom(options.Seed ^ 0x5EED);

        int trainCount = data.Training.Count;
        int[] order = Enumerable.Range(0, trainCount).ToArray();
        using var full = new StepBuffers(runtime.Accelerator, options.Batch);
        using var last = new StepBuffers(runtime.Accelerator, Math.Max(1, trainCount % options.Batch));
        var epochs = new List<EpochResult>();

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            shuffle.Shuffle(order.AsSpan());
            var progress = new EpochProgress(observer, epoch, trainCount, Array.Empty<string>(), ProgressEvery);
            var clock = new DevicePhaseClock(runtime.Accelerator);

            for (int start = 0; start < trainCount && progress.Steps < maxStepsPerEpoch; start += options.Batch)
            {
                int size = Math.Min(options.Batch, trainCount - start);
                StepBuffers buffers = size == options.Batch ? full : last;
                data.Training.FillBatch(order.AsSpan(start, size), buffers.HostX, buffers.Labels);

                clock.StepStarted();
                buffers.X.CopyFrom(buffers.HostX);
                float loss = runtime.Loss.LossAndGradient(pass.ForwardTrain(buffers.X), buffers.Labels, buffers.Gradient);
                clock.ForwardDone();
                pass.Backward(buffers.Gradient);
                clock.BackwardDone();
                optimizer.Step(pass.Parameters);
                clock.UpdateDone();
                progress.Add(loss, size, size);
            }

            pass.CopyParametersToHost();
            var result = new EpochResult(epoch, progress.MeanLoss, MnistTrainer.Accuracy(model, data.Development), MnistTrainer.Accuracy(model, data.Test),
                clock.Seconds, Array.Empty<double>());
            epochs.Add(result);
            observer.EpochCompleted(result);
        }
        return new RunResult(options, epochs, Array.Empty<string>());
    }

    // One set per batch size in use (the last batch of an epoch may be shorter).
    private sealed class StepBuffers : IDisposable
    {
        public StepBuffers(ILGPU.Runtime.Accelerator accelerator, int size)
        {
            HostX = new Batch<float>(size, MnistShape.Pixels);
            X = new DeviceBatch(accelerator, size, MnistShape.Pixels);
            Gradient = new DeviceBatch(accelerator, size, MnistShape.Classes);
            Labels = new int[size];
        }

        public Batch<float> HostX { get; }

        public DeviceBatch X { get; }

        public DeviceBatch Gradient { get; }

        public int[] Labels { get; }

        public void Dispose()
        {
            X.Dispose();
            Gradient.Dispose();
        }
    }
}
