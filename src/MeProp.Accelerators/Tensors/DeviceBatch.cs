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
        : this(accelerator, rows, cols, zeroed: true)
    {
    }

    // A batch that From fills at once needs no zeroing first: a copy is the only write.
    private DeviceBatch(Accelerator accelerator, int rows, int cols, bool zeroed)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        Accelerator = accelerator;
        Rows = rows;
        Cols = cols;
        _owned = accelerator.Allocate1D<float>((long)rows * cols);
        if (zeroed) _owned.MemSetToZero();
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
        var device = new DeviceBatch(accelerator, batch.Rows, batch.Cols, zeroed: false);
        device.CopyFrom(batch);
        return device;
    }

    /// <summary>A device copy of <paramref name="rows"/> x <paramref name="cols"/> host values, row-major (a parameter's Data).</summary>
    /// <exception cref="ArgumentException">values does not hold rows·cols elements.</exception>
    public static DeviceBatch From(Accelerator accelerator, int rows, int cols, ReadOnlySpan<float> values)
    {
        var device = new DeviceBatch(accelerator, rows, cols, zeroed: false);
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
        DeviceMemory.Upload(View, values);
    }

    /// <summary>Overwrites Rows·Cols host values, row-major, with this batch.</summary>
    /// <exception cref="ArgumentException">values does not hold Rows·Cols elements.</exception>
    public void CopyTo(Span<float> values)
    {
        if (values.Length != Rows * Cols)
            throw new ArgumentException($"{values.Length} values cannot take a {Rows}x{Cols} device batch.", nameof(values));
        DeviceMemory.Download(View, values);
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

    public void Dispose() => DeviceMemory.Release(_owned);
}

/// <summary>
/// The rules for every copy between host and device memory in this library, and for every buffer
/// freed: the accelerator is synchronised first, so that no queued kernel still reads the buffer a
/// copy overwrites, still writes the buffer a copy reads, or still uses memory being freed (which
/// the next allocation may be given); and the host memory of a copy is pinned while it runs.
/// </summary>
/// <remarks>
/// On CUDA, kernels and memsets are queued and run later, so the synchronisation is what orders
/// them with a copy or a free. ILGPU 1.5's CPU accelerator runs each launch to completion and its
/// Synchronize does nothing; there the failures once blamed on ordering (a dropout mask read back
/// as zeros, a fresh upload found zeroed, about one test run in ten under load) were unpinned copies,
/// now pinned (see <see cref="Upload{T}"/>). A synchronisation when nothing is queued costs microseconds.
/// </remarks>
internal static class DeviceMemory
{
    public static void BeforeHostAccess(Accelerator accelerator) => accelerator.Synchronize();

    /// <summary>Copies <paramref name="values"/> into <paramref name="view"/> (of the same length), after the queued work.</summary>
    /// <remarks>
    /// Through ILGPU's span overloads, which pin the host memory for the copy. Its <c>ref T</c>
    /// overloads take "the base address of a pinned buffer": given an element of a managed array that
    /// is not pinned, a garbage collection during the copy moves the array, and the copy reads or
    /// writes where it was. On the CPU accelerator that showed as results read back as all zeros and
    /// as lost uploads, about one test run in ten when other test assemblies ran beside it (more
    /// collections). HostCopyTests repeats copies while another thread collects.
    /// </remarks>
    public static void Upload<T>(ArrayView1D<T, Stride1D.Dense> view, ReadOnlySpan<T> values) where T : unmanaged
    {
        if (view.Length != values.Length)
            throw new ArgumentException($"{values.Length} values cannot fill a device view of {view.Length}.", nameof(values));
        Accelerator accelerator = view.GetAccelerator();
        BeforeHostAccess(accelerator);
        view.CopyFromCPU(accelerator.DefaultStream, values);
    }

    /// <summary>Copies <paramref name="view"/> into <paramref name="values"/> (of the same length), after the queued work; pinned as <see cref="Upload{T}"/> says.</summary>
    public static void Download<T>(ArrayView1D<T, Stride1D.Dense> view, Span<T> values) where T : unmanaged
    {
        if (view.Length != values.Length)
            throw new ArgumentException($"A device view of {view.Length} cannot fill {values.Length} values.", nameof(values));
        Accelerator accelerator = view.GetAccelerator();
        BeforeHostAccess(accelerator);
        view.CopyToCPU(accelerator.DefaultStream, values);
    }

    /// <summary>Frees <paramref name="buffer"/> (if any) once the work queued before is done.</summary>
    public static void Release(MemoryBuffer? buffer)
    {
        if (buffer is null || buffer.IsDisposed) return;
        buffer.Accelerator.Synchronize();
        buffer.Dispose();
    }
}
