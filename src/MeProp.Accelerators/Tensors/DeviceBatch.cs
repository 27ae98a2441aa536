using System;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;

namespace MeProp.Accelerators;

/// <summary>
/// A mini-batch of float activations in an accelerator's memory: <see cref="Rows"/> examples of
/// <see cref="Cols"/> features, row-major, as <see cref="Batch{T}"/> is on the host.
/// </summary>
/// <remarks>
/// A batch made with its constructor owns its buffer: dispose it (or the accelerator) to free the
/// device memory. A step of a <see cref="DeviceSequence"/> is a view of the sequence's buffer, which
/// its Dispose leaves alone.
/// </remarks>
public sealed class DeviceBatch : IDisposable
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _owned;
    private readonly ArrayView1D<float, Stride1D.Dense> _view;

    /// <summary>Allocates a zeroed batch on <paramref name="accelerator"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is below 1 (as for a host batch).</exception>
    public DeviceBatch(Accelerator accelerator, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        Accelerator = accelerator;
        Rows = rows;
        Cols = cols;
        _owned = accelerator.Allocate1D<float>((long)rows * cols);
        _owned.MemSetToZero();
        _view = _owned.View;
    }

    // A view of rows·cols elements of a buffer another object owns.
    internal DeviceBatch(Accelerator accelerator, int rows, int cols, ArrayView1D<float, Stride1D.Dense> view)
    {
        if (view.Length != (long)rows * cols)
            throw new ArgumentException($"A view of {view.Length} elements cannot be a {rows}x{cols} batch.", nameof(view));
        Accelerator = accelerator;
        Rows = rows;
        Cols = cols;
        _view = view;
    }

    /// <summary>A device copy of <paramref name="batch"/>.</summary>
    public static DeviceBatch From(Accelerator accelerator, Batch<float> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var device = new DeviceBatch(accelerator, batch.Rows, batch.Cols);
        device.CopyFrom(batch);
        return device;
    }

    /// <summary>A device copy of <paramref name="rows"/> x <paramref name="cols"/> host values, row-major (a parameter's Data).</summary>
    /// <exception cref="ArgumentException">values does not hold rows·cols elements.</exception>
    public static DeviceBatch From(Accelerator accelerator, int rows, int cols, ReadOnlySpan<float> values)
    {
        var device = new DeviceBatch(accelerator, rows, cols);
        device.CopyFrom(values);
        return device;
    }

    public Accelerator Accelerator { get; }

    public int Rows { get; }

    public int Cols { get; }

    /// <summary>The elements, row-major (Rows·Cols of them).</summary>
    public ArrayView1D<float, Stride1D.Dense> View => _view;

    /// <summary>Overwrites this batch with the host <paramref name="batch"/> of the same shape.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void CopyFrom(Batch<float> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        RequireShape(batch.Rows, batch.Cols, nameof(batch));
        CopyFrom(batch.Span);
    }

    /// <summary>Overwrites this batch with Rows·Cols host values, row-major.</summary>
    /// <exception cref="ArgumentException">values does not hold Rows·Cols elements.</exception>
    public void CopyFrom(ReadOnlySpan<float> values)
    {
        if (values.Length != Rows * Cols)
            throw new ArgumentException($"{values.Length} values cannot fill a {Rows}x{Cols} device batch.", nameof(values));
        View.CopyFromCPU(ref MemoryMarshal.GetReference(values), values.Length);
    }

    /// <summary>Overwrites Rows·Cols host values, row-major, with this batch.</summary>
    /// <exception cref="ArgumentException">values does not hold Rows·Cols elements.</exception>
    public void CopyTo(Span<float> values)
    {
        if (values.Length != Rows * Cols)
            throw new ArgumentException($"{values.Length} values cannot take a {Rows}x{Cols} device batch.", nameof(values));
        View.CopyToCPU(ref MemoryMarshal.GetReference(values), values.Length);
    }

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => _view.MemSetToZero();

    /// <summary>Overwrites the host <paramref name="batch"/> of the same shape with this batch.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void CopyTo(Batch<float> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        RequireShape(batch.Rows, batch.Cols, nameof(batch));
        CopyTo(batch.Span);
    }

    /// <summary>A new host batch holding this batch's values.</summary>
    public Batch<float> ToBatch()
    {
        var batch = new Batch<float>(Rows, Cols);
        CopyTo(batch);
        return batch;
    }

    internal void RequireShape(int rows, int cols, string name)
    {
        if (rows != Rows || cols != Cols)
            throw new ArgumentException($"{name} is {rows}x{cols}, but the device batch is {Rows}x{Cols}.", name);
    }

    public void Dispose() => _owned?.Dispose();
}
