using System;
using System.Collections.Generic;
using System.Linq;

namespace MeProp.Datasets.Idx;

/// <summary>
/// The contents of an IDX file of unsigned bytes (type 0x08): its dimension sizes and its elements,
/// row-major (the last dimension varies fastest), exactly as stored.
/// </summary>
public sealed class IdxArray
{
    private readonly int[] _dimensions;

    /// <summary>
    /// Wraps <paramref name="data"/> (not copied) as an array of the given dimensions.
    /// </summary>
    /// <param name="dimensions">Sizes, outermost first; each at least 0.</param>
    /// <param name="data">The elements; the length must be the product of the sizes.</param>
    /// <param name="sourceName">Where the array came from (a path, for messages).</param>
    /// <param name="wasCompressed">True when it was read from gzip-compressed data.</param>
    public IdxArray(IReadOnlyList<int> dimensions, byte[] data, string sourceName = "(memory)", bool wasCompressed = false)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (dimensions.Count > byte.MaxValue)
            throw new ArgumentException($"An IDX file stores the number of dimensions in one byte, so at most 255, but {dimensions.Count} were given.", nameof(dimensions));
        long product = 1;
        for (int i = 0; i < dimensions.Count; i++)
        {
            if (dimensions[i] < 0)
                throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions[i], $"Dimension {i} has size {dimensions[i]}; sizes must be at least 0.");
            product = checked(product * dimensions[i]);
        }
        if (product != data.Length)
            throw new ArgumentException($"Dimensions {FormatShape(dimensions)} hold {product} elements, but the data has {data.Length}.", nameof(data));
        _dimensions = dimensions.ToArray();
        Data = data;
        SourceName = sourceName;
        WasCompressed = wasCompressed;
    }

    /// <summary>Dimension sizes, outermost first (MNIST images: count, rows, columns).</summary>
    public IReadOnlyList<int> Dimensions => _dimensions;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dimensions.Length;

    /// <summary>The elements, row-major.</summary>
    public byte[] Data { get; }

    /// <summary>The file (or display name) the array was read from.</summary>
    public string SourceName { get; }

    /// <summary>True when the array was read from gzip-compressed data (offsets then count decompressed bytes).</summary>
    public bool WasCompressed { get; }

    /// <summary>Bytes of the header in the (decompressed) file: the 4-byte magic number and 4 per dimension.</summary>
    public int HeaderLength => IdxFormat.HeaderLength(Rank);

    /// <summary>Size of the first dimension: the number of items (images, labels); 1 for a scalar.</summary>
    public int Count => Rank == 0 ? 1 : _dimensions[0];

    /// <summary>Elements per item: the product of all but the first dimension (784 for MNIST images).</summary>
    public int ItemLength
    {
        get
        {
            int length = 1;
            for (int i = 1; i < _dimensions.Length; i++) length *= _dimensions[i];
            return length;
        }
    }

    /// <summary>The sizes written as <c>60000 x 28 x 28</c>.</summary>
    public string ShapeText => FormatShape(_dimensions);

    /// <inheritdoc/>
    public override string ToString() => $"IdxArray[{ShapeText}] from {SourceName}";

    internal static string FormatShape(IReadOnlyList<int> dimensions)
        => dimensions.Count == 0 ? "(scalar)" : string.Join(" x ", dimensions);
}
