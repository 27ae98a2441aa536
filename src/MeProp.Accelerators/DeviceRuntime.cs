using System;
using ILGPU.Runtime;

namespace MeProp.Accelerators;

/// <summary>
/// Everything a GPU training pass calls on one accelerator, loaded once: the element-wise kernels,
/// embeddings and concatenation, the products, top-k selection, softmax cross-entropy and the
/// optimizers' updates, and each linear operation's backward state (<see cref="NewLinearBackward"/>).
/// </summary>
/// <remarks>Loading compiles every kernel for the accelerator (seconds on a GPU, the first time): make one per accelerator and keep it.</remarks>
public sealed class DeviceRuntime : IDisposable
{
    public DeviceRuntime(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        Accelerator = accelerator;
        Kernels = new DeviceKernels(accelerator);
        Embeddings = new DeviceEmbeddings(accelerator);
        Gemm = new DeviceGemm(accelerator);
        TopK = new DeviceTopK(accelerator);
        Loss = new DeviceSoftmaxCrossEntropy(accelerator);
        Optimizers = new DeviceOptimizers(accelerator);
    }

    public Accelerator Accelerator { get; }

    public DeviceKernels Kernels { get; }

    public DeviceEmbeddings Embeddings { get; }

    public DeviceGemm Gemm { get; }

    public DeviceTopK TopK { get; }

    public DeviceSoftmaxCrossEntropy Loss { get; }

    public DeviceOptimizers Optimizers { get; }

    /// <summary>A linear operation's backward state (its selections and scratch buffers) on this accelerator.</summary>
    public DeviceLinearBackward NewLinearBackward() => new(Accelerator, Gemm);

    /// <summary>y = x·Wᵀ (+ b in every row): W is n x m, x B x m, y B x n, b 1 x n or null.</summary>
    /// <exception cref="ArgumentException">The shapes do not fit together.</exception>
    public void Linear(DeviceBatch w, DeviceBatch x, DeviceBatch? bias, DeviceBatch y)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Cols != w.Cols)
            throw new ArgumentException($"W is {w.Rows}x{w.Cols} but is applied to an input of {x.Cols} columns.", nameof(x));
        y.RequireShape(x.Rows, w.Rows, nameof(y));
        Gemm.MultiplyTransposedB(x.View, w.View, y.View, x.Rows, w.Cols, w.Rows, accumulate: false);
        if (bias is not null) Kernels.AddBias(y, bias, y);
    }

    public void Dispose()
    {
        Embeddings.Dispose();
        Loss.Dispose();
    }
}
