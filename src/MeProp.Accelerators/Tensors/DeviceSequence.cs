using System;
using ILGPU;
using ILGPU.Runtime;

namespace MeProp.Accelerators;

/// <summary>
/// A mini-batch of sequences in an accelerator's memory, laid out as <see cref="Sequence{T}"/> is on
/// the host: <see cref="Length"/> steps of <see cref="Examples"/> x <see cref="Features"/>, step-major
/// in one buffer, so a step (<c>x[t]</c>) and every step at once (<see cref="AllSteps"/>) are views.
/// </summary>
/// <remarks>
/// The views are made once per buffer, so indexing allocates nothing. A generated device pass keeps
/// one sequence per recorded value and resizes it to each call's length (<see cref="Resize"/>): the
/// buffer grows only when a longer sequence than any before arrives.
/// </remarks>
public sealed class DeviceSequence : IDisposable
{
    private MemoryBuffer1D<float, Stride1D.Dense> _buffer;
    private DeviceBatch[] _steps = Array.Empty<DeviceBatch>();
    private DeviceBatch?[] _wholes = Array.Empty<DeviceBatch?>(); // AllSteps views by length

    /// <summary>Allocates a zeroed sequence.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is below 1.</exception>
    public DeviceSequence(Accelerator accelerator, int length, int examples, int features)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(examples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        Accelerator = accelerator;
        Examples = examples;
        Features = features;
        _buffer = Allocate(length);
        SetLength(length);
    }

    /// <summary>A device copy of <paramref name="sequence"/>.</summary>
    public static DeviceSequence From(Accelerator accelerator, Sequence<float> sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        var device = new DeviceSequence(accelerator, sequence.Length, sequence.Examples, sequence.Features);
        device.CopyFrom(sequence);
        return device;
    }

    public Accelerator Accelerator { get; }

    /// <summary>Number of time steps.</summary>
    public int Length { get; private set; }

    /// <summary>Rows of every step.</summary>
    public int Examples { get; }

    /// <summary>Columns of every step.</summary>
    public int Features { get; }

    /// <summary>Step <paramref name="t"/>, a view: writes to it write the sequence.</summary>
    /// <exception cref="ArgumentOutOfRangeException">t is outside the sequence.</exception>
    public DeviceBatch this[int t]
    {
        get
        {
            if ((uint)t >= (uint)Length)
                throw new ArgumentOutOfRangeException(nameof(t), t, $"Step {t} is outside a device sequence of {Length} steps.");
            return _steps[t];
        }
    }

    /// <summary>Every step as one batch of Length·Examples rows, step-major (a view).</summary>
    public DeviceBatch AllSteps
        => _wholes[Length] ??= new DeviceBatch(Accelerator, Length * Examples, Features, _buffer.View.SubView(0, (long)Length * Examples * Features));

    /// <summary>
    /// Makes this sequence <paramref name="length"/> steps long, keeping its buffer when it is large
    /// enough (the values are then whatever it held); a longer one gets a new, zeroed buffer.
    /// </summary>
    public void Resize(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (length == Length) return;
        if ((long)length * Examples * Features > _buffer.Length)
        {
            // Grow by half again so that slowly increasing lengths reallocate rarely.
            int steps = (int)Math.Max(length, Math.Min(int.MaxValue / ((long)Examples * Features), _buffer.Length / ((long)Examples * Features) * 3 / 2));
            DeviceMemory.Release(_buffer);
            _buffer = Allocate(steps);
            _steps = Array.Empty<DeviceBatch>(); // views of the old buffer
            _wholes = Array.Empty<DeviceBatch?>();
        }
        SetLength(length);
    }

    /// <summary>Resizes this sequence to the host <paramref name="sequence"/>'s length and copies its values.</summary>
    /// <exception cref="ArgumentException">The examples or features differ.</exception>
    public void CopyFrom(Sequence<float> sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        RequireStepShape(sequence.Examples, sequence.Features, nameof(sequence));
        Resize(sequence.Length);
        AllSteps.CopyFrom(sequence.AllSteps.Span);
    }

    /// <summary>Overwrites the host <paramref name="sequence"/> of the same shape with this sequence.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void CopyTo(Sequence<float> sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        RequireStepShape(sequence.Examples, sequence.Features, nameof(sequence));
        if (sequence.Length != Length)
            throw new ArgumentException($"{nameof(sequence)} has {sequence.Length} steps, but the device sequence has {Length}.", nameof(sequence));
        AllSteps.CopyTo(sequence.AllSteps.Span);
    }

    /// <summary>A new host sequence holding this sequence's values.</summary>
    public Sequence<float> ToSequence()
    {
        var sequence = new Sequence<float>(Length, Examples, Features);
        CopyTo(sequence);
        return sequence;
    }

    /// <summary>Sets every step to zero.</summary>
    public void Clear() => AllSteps.Clear();

    internal void RequireSameShape(DeviceSequence other, string name)
    {
        if (other.Length != Length || other.Examples != Examples || other.Features != Features)
            throw new ArgumentException($"{name} is {other.Length} steps of {other.Examples}x{other.Features}, but the device sequence is {Length} steps of {Examples}x{Features}.", name);
    }

    private void RequireStepShape(int examples, int features, string name)
    {
        if (examples != Examples || features != Features)
            throw new ArgumentException($"{name} has steps of {examples}x{features}, but the device sequence's are {Examples}x{Features}.", name);
    }

    private MemoryBuffer1D<float, Stride1D.Dense> Allocate(int steps)
    {
        var buffer = Accelerator.Allocate1D<float>(checked((long)steps * Examples * Features));
        buffer.MemSetToZero();
        return buffer;
    }

    private void SetLength(int length)
    {
        Length = length;
        long stepSize = (long)Examples * Features;
        int capacity = (int)(_buffer.Length / stepSize);
        if (_wholes.Length < capacity + 1) Array.Resize(ref _wholes, capacity + 1);
        if (_steps.Length < capacity)
        {
            var steps = new DeviceBatch[capacity];
            Array.Copy(_steps, steps, _steps.Length);
            for (int t = _steps.Length; t < capacity; t++)
                steps[t] = new DeviceBatch(Accelerator, Examples, Features, _buffer.View.SubView(t * stepSize, stepSize));
            _steps = steps;
        }
    }

    public void Dispose() => DeviceMemory.Release(_buffer);
}
