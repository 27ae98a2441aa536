using System;

namespace MeProp;

/// <summary>
/// A mini-batch of integer ids (words, tags, features): one row per example, one column per
/// position. The input of an embedding lookup.
/// </summary>
public sealed class IdBatch
{
    /// <summary>Creates a batch of zero ids.</summary>
    public IdBatch(int examples, int positions)
    {
        Shape.RequirePositive(examples, nameof(examples));
        Shape.RequirePositive(positions, nameof(positions));
        Rows = examples;
        Cols = positions;
        Data = new int[checked(examples * positions)];
    }

    /// <summary>Wraps <paramref name="data"/> (row-major) without copying.</summary>
    public IdBatch(int examples, int positions, int[] data)
    {
        Shape.RequirePositive(examples, nameof(examples));
        Shape.RequirePositive(positions, nameof(positions));
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != checked(examples * positions))
            throw new ArgumentException($"An id batch of {examples}x{positions} needs {examples * positions} ids, but the array has {data.Length}.", nameof(data));
        Rows = examples;
        Cols = positions;
        Data = data;
    }

    /// <summary>Number of examples.</summary>
    public int Rows { get; }

    /// <summary>Ids per example.</summary>
    public int Cols { get; }

    /// <summary>The ids, row-major.</summary>
    public int[] Data { get; }

    /// <summary>The ids of example <paramref name="example"/>.</summary>
    public Span<int> Row(int example) => Data.AsSpan(example * Cols, Cols);

    /// <summary>Element access.</summary>
    public ref int this[int example, int position] => ref Data[example * Cols + position];
}
