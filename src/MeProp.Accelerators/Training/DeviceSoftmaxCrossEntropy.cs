using System;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace MeProp.Accelerators;

/// <summary>
/// Softmax cross-entropy on an accelerator, as MeProp.SoftmaxCrossEntropy on the host: the mean over
/// the batch of −log softmax(logits_b)[label_b], and its gradient (softmax − onehot) / B written to a
/// device batch, one thread per example (each row's maximum subtracted before exponentiating).
/// </summary>
/// <remarks>The labels come from the host each step (they are checked there: a kernel cannot throw); the per-example losses stay on the device until <see cref="LossAndGradient"/> reads their mean.</remarks>
public sealed class DeviceSoftmaxCrossEntropy : IDisposable
{
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, float> _kernel;
    private MemoryBuffer1D<int, Stride1D.Dense>? _labels;
    private MemoryBuffer1D<float, Stride1D.Dense>? _losses;
    private float[] _hostLosses = Array.Empty<float>();

    public DeviceSoftmaxCrossEntropy(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        Accelerator = accelerator;
        _kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, float>(Kernel);
    }

    public Accelerator Accelerator { get; }

    /// <summary>Writes the gradient of the mean loss to <paramref name="gradient"/> and returns the mean loss.</summary>
    /// <exception cref="ArgumentException">labels' length is not the number of examples, or the gradient's shape differs from the logits'.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, classes); the message names the example and the label.</exception>
    public float LossAndGradient(DeviceBatch logits, ReadOnlySpan<int> labels, DeviceBatch gradient)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(gradient);
        if (labels.Length != logits.Rows)
            throw new ArgumentException($"There are {labels.Length} labels for {logits.Rows} examples.", nameof(labels));
        gradient.RequireShape(logits.Rows, logits.Cols, nameof(gradient));
        for (int b = 0; b < labels.Length; b++)
            if ((uint)labels[b] >= (uint)logits.Cols)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[b], $"Label {labels[b]} of example {b} is outside the {logits.Cols} classes.");
        int batch = logits.Rows;
        if (_labels is null || _labels.Length < batch)
        {
            DeviceMemory.Release(_labels);
            DeviceMemory.Release(_losses);
            _labels = Accelerator.Allocate1D<int>(batch);
            _losses = Accelerator.Allocate1D<float>(batch);
        }
        var deviceLabels = _labels.View.SubView(0, batch);
        DeviceMemory.Upload(deviceLabels, labels.Slice(0, batch));
        var losses = _losses!.View.SubView(0, batch);
        _kernel(batch, logits.View, deviceLabels, gradient.View, losses, logits.Cols, 1f / batch);
        if (_hostLosses.Length < batch) _hostLosses = new float[batch];
        Span<float> host = _hostLosses.AsSpan(0, batch);
        DeviceMemory.Download(losses, host);
        float total = 0f;
        foreach (float loss in host) total += loss;
        return total * (1f / batch);
    }

    // One row: max, Σ exp(z − max), the gradient, and log Σ − (z_label − max) as the row's loss.
    private static void Kernel(Index1D b, ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> gradient, ArrayView<float> losses, int classes, float invBatch)
    {
        long start = (long)(int)b * classes;
        float max = logits[start];
        for (int j = 1; j < classes; j++) max = XMath.Max(max, logits[start + j]);
        int label = labels[b];
        float labelLogit = logits[start + label];
        float sum = 0f;
        for (int j = 0; j < classes; j++)
        {
            float e = XMath.Exp(logits[start + j] - max);
            gradient[start + j] = e;
            sum += e;
        }
        float scale = invBatch / sum;
        for (int j = 0; j < classes; j++) gradient[start + j] = gradient[start + j] * scale;
        gradient[start + label] = gradient[start + label] - invBatch;
        losses[b] = XMath.Log(sum) - (labelLogit - max);
    }

    public void Dispose()
    {
        DeviceMemory.Release(_labels);
        DeviceMemory.Release(_losses);
    }
}
