using System;
using System.Numerics;

namespace MeProp;

/// <summary>
/// A mini-batch of sequences: <see cref="Length"/> time steps, each a batch of <see cref="Examples"/>
/// rows and <see cref="Features"/> columns. Every example of the batch has the same length (group
/// sequences of equal length into a batch, or use batches of one sequence).
/// </summary>
/// <remarks>
/// <para>The steps lie one after another in one array, so <see cref="AllSteps"/> is the whole
/// sequence as one batch of Length·Examples rows (step-major: rows [t·Examples, (t+1)·Examples)
/// are step t). A step (<c>x[t]</c>) is a view of its rows, not a copy; the views are made once,
/// so indexing allocates nothing.</para>
/// <para>In a <c>[MeProp]</c> method a sequence is read one step at a time inside a
/// <c>for</c> loop over its steps, and a sequence made by <see cref="Ops.SequenceLike{T}(Sequence{T})"/>
/// collects one value per step (<c>hs[t] = h;</c>).</para>
/// </remarks>
public sealed class Sequence<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private T[] _data;
    private Batch<T>[] _steps;
    private Batch<T>?[] _wholes = Array.Empty<Batch<T>?>(); // AllSteps views by length, made once each

    /// <summary>Creates a zero sequence of <paramref name="length"/> steps of <paramref name="examples"/> x <paramref name="features"/>.</summary>
    public Sequence(int length, int examples, int features)
        : this(length, examples, features, new T[checked(Positive(length, nameof(length)) * Positive(examples, nameof(examples)) * Positive(features, nameof(features)))])
    {
    }

    /// <summary>Wraps <paramref name="data"/> (step-major: step, then example, then feature; length·examples·features elements) without copying.</summary>
    public Sequence(int length, int examples, int features, T[] data)
    {
        Shape.RequirePositive(length, nameof(length));
        Shape.RequirePositive(examples, nameof(examples));
        Shape.RequirePositive(features, nameof(features));
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != checked(length * examples * features))
            throw new ArgumentException($"A sequence of {length} steps of {examples}x{features} needs {length * examples * features} elements, but the array has {data.Length}.", nameof(data));
        Examples = examples;
        Features = features;
        _data = data;
        _steps = Array.Empty<Batch<T>>();
        SetLength(length, data.Length);
    }

    // A sequence whose width is set by its first step assignment (what SequenceLike returns for a
    // plain, inference call of a forward method).
    private Sequence(int length, int examples)
    {
        Examples = examples;
        Length = length;
        _data = Array.Empty<T>();
        _steps = Array.Empty<Batch<T>>();
    }

    /// <summary>A sequence of <paramref name="length"/> steps of <paramref name="examples"/> rows whose width is set by the first step assigned to it.</summary>
    public static Sequence<T> Empty(int length, int examples)
    {
        Shape.RequirePositive(length, nameof(length));
        Shape.RequirePositive(examples, nameof(examples));
        return new Sequence<T>(length, examples);
    }

    /// <summary>Number of time steps.</summary>
    public int Length { get; private set; }

    /// <summary>Number of sequences side by side (rows of every step).</summary>
    public int Examples { get; }

    /// <summary>Features per example and step (0 until the first step of an <see cref="Empty"/> sequence is assigned).</summary>
    public int Features { get; private set; }

    /// <summary>Step <paramref name="t"/> (a view: writes to it write the sequence). Assigning a batch copies it into step t.</summary>
    public Batch<T> this[int t]
    {
        get
        {
            if ((uint)t >= (uint)Length)
                throw new ArgumentOutOfRangeException(nameof(t), t, $"Step {t} is outside a sequence of {Length} steps.");
            if (Features == 0)
                throw new InvalidOperationException("This sequence has no values yet: assign its steps first.");
            return _steps[t];
        }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if ((uint)t >= (uint)Length)
                throw new ArgumentOutOfRangeException(nameof(t), t, $"Step {t} is outside a sequence of {Length} steps.");
            if (Features == 0)
            {
                Features = value.Cols;
                _data = new T[checked(Length * Examples * Features)];
                SetLength(Length, _data.Length);
            }
            if (value.Rows != Examples || value.Cols != Features)
                throw new ArgumentException($"Step {t} of a sequence of {Examples}x{Features} steps cannot take a batch of {value.Rows}x{value.Cols}.", nameof(value));
            value.Span.CopyTo(_steps[t].Span);
        }
    }

    /// <summary>Every step as one batch of Length·Examples rows, step-major (a view).</summary>
    public Batch<T> AllSteps
    {
        get
        {
            if (Features == 0)
                throw new InvalidOperationException("This sequence has no values yet: assign its steps first.");
            return _wholes[Length] ??= new Batch<T>(_data, 0, Length * Examples, Features);
        }
    }

    /// <summary>
    /// Makes this sequence <paramref name="length"/> steps long, keeping its array when it is large
    /// enough (the values are then whatever the array held). Generated training passes keep one
    /// sequence per recorded value and resize it to each input's length, so that sequences of
    /// varying length allocate only when a longer one than any before arrives.
    /// </summary>
    public void Resize(int length)
    {
        Shape.RequirePositive(length, nameof(length));
        if (Features == 0)
            throw new InvalidOperationException("Resize needs a sequence whose width is known.");
        if (length == Length) return;
        long needed = (long)length * Examples * Features;
        if (needed > _data.Length)
        {
            // Grow by half again so that a run of slowly increasing lengths reallocates rarely.
            long grown = Math.Max(needed, Math.Min(int.MaxValue, (long)_data.Length * 3 / 2));
            grown = grown / ((long)Examples * Features) * Examples * Features;
            if (grown < needed) grown = needed;
            _data = new T[checked((int)grown)];
            _steps = Array.Empty<Batch<T>>();   // views of the old array
            _wholes = Array.Empty<Batch<T>?>();
        }
        SetLength(length, _data.Length);
    }

    private void SetLength(int length, int capacityElements)
    {
        Length = length;
        int stepSize = Examples * Features;
        int capacitySteps = capacityElements / stepSize;
        if (_wholes.Length < capacitySteps + 1)
        {
            var wholes = new Batch<T>?[capacitySteps + 1];
            Array.Copy(_wholes, wholes, _wholes.Length);
            _wholes = wholes;
        }
        if (_steps.Length < capacitySteps)
        {
            var steps = new Batch<T>[capacitySteps];
            Array.Copy(_steps, steps, _steps.Length);
            for (int t = _steps.Length; t < capacitySteps; t++)
                steps[t] = new Batch<T>(_data, t * stepSize, Examples, Features);
            _steps = steps;
        }
    }

    private static int Positive(int value, string name)
    {
        Shape.RequirePositive(value, name);
        return value;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Sequence<{typeof(T).Name}>[{Length} steps x {Examples}x{Features}]";
}
