using System;
using System.Numerics;

namespace MeProp;

/// <summary>
/// A vector added to every example of a batch: the type of bias parameters.
/// </summary>
/// <remarks>
/// Element i belongs to output unit i, like row i of the weight matrix it follows; the optimizers see
/// it as a matrix of <see cref="Length"/> rows and one column, so that "rows touched" means the same
/// for a weight matrix and its bias.
/// </remarks>
public sealed class RowVector<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates a zero vector.</summary>
    public RowVector(int length)
    {
        Shape.RequirePositive(length, nameof(length));
        Data = new T[length];
    }

    /// <summary>Wraps <paramref name="data"/> without copying.</summary>
    public RowVector(T[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length == 0)
            throw new ArgumentException("A row vector needs at least one element.", nameof(data));
        Data = data;
    }

    /// <summary>Number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>The elements.</summary>
    public T[] Data { get; }

    /// <summary>The elements as a span.</summary>
    public Span<T> Span => Data;

    /// <summary>Element access.</summary>
    public ref T this[int index] => ref Data[index];

    /// <summary>Adds the vector to every example (row) of <paramref name="x"/>.</summary>
    public static Batch<T> operator +(Batch<T> x, RowVector<T> b) => Ops.AddBias(x, b);

    /// <inheritdoc/>
    public override string ToString() => $"RowVector<{typeof(T).Name}>[{Length}]";
}
