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

    // A view of rows*cols ids of data starting at offset (a step of an IdSequence); no copy.
    internal IdBatch(int[] data, int offset, int examples, int positions)
    {
        Rows = examples;
        Cols = positions;
        Data = data;
        Offset = offset;
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

    /// <summary>The array holding the ids, row-major from <see cref="Offset"/> (0 unless the batch is a step of an <see cref="IdSequence"/>).</summary>
    public int[] Data { get; }

    /// <summary>Where the ids start in <see cref="Data"/>.</summary>
    public int Offset { get; }

    /// <summary>The Rows x Cols ids as a span.</summary>
    public Span<int> Span => Data.AsSpan(Offset, Rows * Cols);

    /// <summary>The ids of example <paramref name="example"/>.</summary>
    public Span<int> Row(int example)
    {
        if ((uint)example >= (uint)Rows)
            throw new ArgumentOutOfRangeException(nameof(example), example, $"Example {example} is outside an id batch of {Rows}.");
        return Data.AsSpan(Offset + example * Cols, Cols);
    }

    /// <summary>Element access.</summary>
    public ref int this[int example, int position]
    {
        get
        {
            if ((uint)example >= (uint)Rows || (uint)position >= (uint)Cols)
                throw new IndexOutOfRangeException($"[{example}, {position}] is outside an id batch of {Rows}x{Cols}.");
            return ref Data[Offset + example * Cols + position];
        }
    }
}
