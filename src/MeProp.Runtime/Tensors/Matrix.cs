using System;
using System.Numerics;

namespace MeProp;

/// <summary>
/// A dense row-major matrix: the type of weight matrices (rows = output units, columns = inputs)
/// and embedding tables (rows = vocabulary entries).
/// </summary>
/// <remarks>
/// Row-major with one row per output unit means that meProp's sparse backward, which touches only
/// the k kept output units, reads and writes whole contiguous rows.
/// </remarks>
public sealed class Matrix<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates a zero matrix.</summary>
    public Matrix(int rows, int cols)
    {
        Shape.RequirePositive(rows, nameof(rows));
        Shape.RequirePositive(cols, nameof(cols));
        Rows = rows;
        Cols = cols;
        Data = new T[checked(rows * cols)];
    }

    /// <summary>Wraps <paramref name="data"/> (row-major, length rows*cols) without copying.</summary>
    public Matrix(int rows, int cols, T[] data)
    {
        Shape.RequirePositive(rows, nameof(rows));
        Shape.RequirePositive(cols, nameof(cols));
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != checked(rows * cols))
            throw new ArgumentException($"A {rows}x{cols} matrix needs {rows * cols} elements, but the array has {data.Length}.", nameof(data));
        Rows = rows;
        Cols = cols;
        Data = data;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; }

    /// <summary>The elements, row-major.</summary>
    public T[] Data { get; }

    /// <summary>The elements as a span.</summary>
    public Span<T> Span => Data;

    /// <summary>Row <paramref name="row"/>.</summary>
    public Span<T> Row(int row) => Data.AsSpan(row * Cols, Cols);

    /// <summary>Element access.</summary>
    public ref T this[int row, int col] => ref Data[row * Cols + col];

    /// <summary>Applies this weight matrix to every example of <paramref name="x"/>: row b of the result is W·x_b.</summary>
    public static Batch<T> operator *(Matrix<T> w, Batch<T> x) => Ops.Linear(w, x);

    /// <inheritdoc/>
    public override string ToString() => $"Matrix<{typeof(T).Name}>[{Rows}x{Cols}]";
}
