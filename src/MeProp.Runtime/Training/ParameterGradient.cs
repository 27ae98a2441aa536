using System;
using System.Numerics;

namespace MeProp;

/// <summary>
/// The gradient buffer of one parameter, viewed as rows x cols, that remembers which rows the last
/// backward pass wrote.
/// </summary>
/// <remarks>
/// meProp's point is that a step writes only a few rows of each weight gradient. Remembering them
/// lets <see cref="Clear"/> zero just those rows (instead of the whole matrix, which is memory-bound
/// and can cost as much as the sparse backward itself), gives the per-layer statistics, and lets an
/// optimizer update only touched rows when asked to.
/// </remarks>
public sealed class ParameterGradient<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly bool[] _touched;
    private readonly int[] _touchedRows;
    private int _touchedCount;
    private bool _allTouched;

    /// <summary>Creates a zero gradient of <paramref name="rows"/> x <paramref name="cols"/>.</summary>
    public ParameterGradient(int rows, int cols)
    {
        Shape.RequirePositive(rows, nameof(rows));
        Shape.RequirePositive(cols, nameof(cols));
        Rows = rows;
        Cols = cols;
        Data = new T[checked(rows * cols)];
        _touched = new bool[rows];
        _touchedRows = new int[rows];
    }

    /// <summary>Number of rows (output units of a weight matrix or bias, entries of an embedding table).</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; }

    /// <summary>The gradient, row-major.</summary>
    public T[] Data { get; }

    /// <summary>Row <paramref name="row"/>.</summary>
    public Span<T> Row(int row) => Data.AsSpan(row * Cols, Cols);

    /// <summary>How many rows were written since the last <see cref="Clear"/>.</summary>
    public int TouchedRowCount => _allTouched ? Rows : _touchedCount;

    /// <summary>True when every row may have been written (a dense contribution).</summary>
    public bool AllRowsTouched => _allTouched;

    /// <summary>The rows written since the last <see cref="Clear"/>, in the order first written; meaningful only when <see cref="AllRowsTouched"/> is false.</summary>
    public ReadOnlySpan<int> TouchedRows => _touchedRows.AsSpan(0, _touchedCount);

    /// <summary>Records that row <paramref name="row"/> is about to be written.</summary>
    /// <exception cref="ArgumentOutOfRangeException">row is outside [0, Rows).</exception>
    public void MarkRow(int row)
    {
        if ((uint)row >= (uint)Rows)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Row {row} is outside the gradient's {Rows} rows.");
        if (_allTouched || _touched[row]) return;
        _touched[row] = true;
        _touchedRows[_touchedCount++] = row;
    }

    /// <summary>Records that every row may be written.</summary>
    public void MarkAllRows() => _allTouched = true;

    /// <summary>Zeroes the rows written since the last call, and forgets them.</summary>
    public void Clear()
    {
        if (_allTouched)
        {
            Array.Clear(Data);
            Array.Clear(_touched);
        }
        else
        {
            foreach (int row in TouchedRows)
            {
                Row(row).Clear();
                _touched[row] = false;
            }
        }
        _touchedCount = 0;
        _allTouched = false;
    }
}
