using System;

namespace MeProp;

/// <summary>
/// A mini-batch of id sequences (words, features): <see cref="Length"/> steps, each an
/// <see cref="IdBatch"/> of <see cref="Examples"/> rows and <see cref="Positions"/> ids. The input of
/// an embedding lookup inside a loop over steps: <c>Embed(E, words[t])</c>.
/// </summary>
/// <remarks>Step-major in one array, like <see cref="Sequence{T}"/>; steps are views made once.</remarks>
public sealed class IdSequence
{
    private readonly IdBatch[] _steps;

    /// <summary>Creates a sequence of zero ids.</summary>
    public IdSequence(int length, int examples, int positions)
        : this(length, examples, positions, new int[checked(Math.Max(length, 0) * Math.Max(examples, 0) * Math.Max(positions, 0))])
    {
    }

    /// <summary>Wraps <paramref name="data"/> (step-major: step, then example, then position) without copying.</summary>
    public IdSequence(int length, int examples, int positions, int[] data)
    {
        Shape.RequirePositive(length, nameof(length));
        Shape.RequirePositive(examples, nameof(examples));
        Shape.RequirePositive(positions, nameof(positions));
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != checked(length * examples * positions))
            throw new ArgumentException($"An id sequence of {length} steps of {examples}x{positions} needs {length * examples * positions} ids, but the array has {data.Length}.", nameof(data));
        Length = length;
        Examples = examples;
        Positions = positions;
        Data = data;
        _steps = new IdBatch[length];
        for (int t = 0; t < length; t++)
            _steps[t] = new IdBatch(data, t * examples * positions, examples, positions);
    }

    /// <summary>Number of time steps.</summary>
    public int Length { get; }

    /// <summary>Number of sequences side by side.</summary>
    public int Examples { get; }

    /// <summary>Ids per example and step.</summary>
    public int Positions { get; }

    /// <summary>The ids, step-major.</summary>
    public int[] Data { get; }

    /// <summary>Step <paramref name="t"/> (a view).</summary>
    public IdBatch this[int t]
    {
        get
        {
            if ((uint)t >= (uint)Length)
                throw new ArgumentOutOfRangeException(nameof(t), t, $"Step {t} is outside an id sequence of {Length} steps.");
            return _steps[t];
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"IdSequence[{Length} steps x {Examples}x{Positions}]";
}
