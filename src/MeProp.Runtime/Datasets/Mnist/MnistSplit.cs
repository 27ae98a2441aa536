using System;
using System.Numerics;

namespace MeProp.Datasets.Mnist;

/// <summary>
/// One part of MNIST (training, development or test): a view of images and labels held once by
/// <see cref="MnistDataset"/>, never a copy. Pixels are stored as bytes and scaled to [0, 1]
/// (byte / 255) only when a batch is filled, so the whole set costs one byte per pixel.
/// </summary>
public sealed class MnistSplit
{
    private readonly byte[] _pixels;
    private readonly byte[] _labels;
    private readonly int _first;

    internal MnistSplit(string name, byte[] pixels, byte[] labels, int first, int count, int features)
    {
        Name = name;
        _pixels = pixels;
        _labels = labels;
        _first = first;
        Count = count;
        Features = features;
    }

    /// <summary>"training", "development" or "test".</summary>
    public string Name { get; }

    /// <summary>Number of examples.</summary>
    public int Count { get; }

    /// <summary>Pixels per image (784 for MNIST): the columns of a filled batch.</summary>
    public int Features { get; }

    /// <summary>The label (0 to 9) of example <paramref name="example"/>.</summary>
    public int Label(int example)
    {
        CheckExample(example, nameof(example));
        return _labels[_first + example];
    }

    /// <summary>The stored pixels (0 to 255, row-major) of example <paramref name="example"/>.</summary>
    public ReadOnlySpan<byte> RawPixels(int example)
    {
        CheckExample(example, nameof(example));
        return _pixels.AsSpan((_first + example) * Features, Features);
    }

    /// <summary>All labels of the split, in order.</summary>
    public ReadOnlySpan<byte> RawLabels => _labels.AsSpan(_first, Count);

    /// <summary>
    /// Writes the examples <paramref name="indices"/> (positions in this split) into the rows of
    /// <paramref name="x"/>, pixels scaled to [0, 1], and their labels into <paramref name="labels"/>.
    /// Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">x does not have indices.Length rows and <see cref="Features"/> columns, or labels' length differs from indices'.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, <see cref="Count"/>); the message names its position and value.</exception>
    public void FillBatch<T>(ReadOnlySpan<int> indices, Batch<T> x, Span<int> labels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBatch(indices.Length, x, labels.Length);
        for (int row = 0; row < indices.Length; row++)
        {
            int example = indices[row];
            if ((uint)example >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), example, $"indices[{row}] is {example}, outside the {Count} examples of the {Name} split.");
            CopyExample(example, x.Row(row));
            labels[row] = _labels[_first + example];
        }
    }

    /// <summary>
    /// Writes the <c>x.Rows</c> consecutive examples starting at <paramref name="start"/> into
    /// <paramref name="x"/> and <paramref name="labels"/> (evaluation in order). Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit (see the other overload).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range [start, start + x.Rows) is not inside the split.</exception>
    public void FillBatch<T>(int start, Batch<T> x, Span<int> labels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckBatch(x.Rows, x, labels.Length);
        if (start < 0 || start > Count - x.Rows)
            throw new ArgumentOutOfRangeException(nameof(start), start, $"Examples {start} to {start + x.Rows - 1} are not all inside the {Count} examples of the {Name} split.");
        for (int row = 0; row < x.Rows; row++)
        {
            CopyExample(start + row, x.Row(row));
            labels[row] = _labels[_first + start + row];
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"MNIST {Name}: {Count} examples of {Features} pixels";

    private void CopyExample<T>(int example, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ReadOnlySpan<byte> source = _pixels.AsSpan((_first + example) * Features, Features);
        ReadOnlySpan<T> scale = PixelScale<T>.Table;
        for (int i = 0; i < source.Length; i++) destination[i] = scale[source[i]];
    }

    private void CheckBatch<T>(int rows, Batch<T> x, int labelCount)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rows != rows || x.Cols != Features)
            throw new ArgumentException($"Shape mismatch: the batch is {x.Rows}x{x.Cols}, expected {rows}x{Features} (one row per example, one column per pixel).", nameof(x));
        if (labelCount != rows)
            throw new ArgumentException($"labels has {labelCount} elements, but the batch has {rows} examples.", "labels");
    }

    private void CheckExample(int example, string name)
    {
        if ((uint)example >= (uint)Count)
            throw new ArgumentOutOfRangeException(name, example, $"Example {example} is outside the {Count} examples of the {Name} split.");
    }

    // byte -> value / 255, computed once per element type: a table lookup is both faster than a
    // division per pixel and exactly the division's result.
    private static class PixelScale<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static readonly T[] Table = Build();

        private static T[] Build()
        {
            var table = new T[256];
            T max = T.CreateChecked(255);
            for (int i = 0; i < 256; i++) table[i] = T.CreateChecked(i) / max;
            return table;
        }
    }
}
