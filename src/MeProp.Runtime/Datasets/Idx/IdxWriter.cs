using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace MeProp.Datasets.Idx;

/// <summary>
/// Writes IDX files of unsigned bytes, raw or gzip-compressed: for tests (synthetic data sets) and
/// tools (subsets of MNIST). The output is what <see cref="IdxReader"/> reads back unchanged.
/// </summary>
public static class IdxWriter
{
    /// <summary>Writes <paramref name="array"/> to <paramref name="path"/>, replacing any file there.</summary>
    public static void Write(string path, IdxArray array, bool gzip = false)
    {
        ArgumentNullException.ThrowIfNull(array);
        Write(path, array.Dimensions, array.Data, gzip);
    }

    /// <summary>Writes an array of the given dimensions to <paramref name="path"/>, gzip-compressed if <paramref name="gzip"/>.</summary>
    public static void Write(string path, IReadOnlyList<int> dimensions, ReadOnlySpan<byte> data, bool gzip = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        if (gzip)
        {
            using var compressed = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true);
            Write(compressed, dimensions, data);
        }
        else
        {
            Write(file, dimensions, data);
        }
    }

    /// <summary>Writes the raw IDX bytes (header, then data) to <paramref name="stream"/>, which is left open.</summary>
    /// <exception cref="ArgumentException">The data's length is not the product of the dimensions, or a size is negative, or there are more than 255 dimensions.</exception>
    public static void Write(Stream stream, IReadOnlyList<int> dimensions, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Count > byte.MaxValue)
            throw new ArgumentException($"An IDX file has at most 255 dimensions, but {dimensions.Count} were given.", nameof(dimensions));
        long product = 1;
        for (int i = 0; i < dimensions.Count; i++)
        {
            if (dimensions[i] < 0)
                throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions[i], $"Dimension {i} has size {dimensions[i]}; sizes must be at least 0.");
            product *= dimensions[i];
        }
        if (product != data.Length)
            throw new ArgumentException($"Dimensions {IdxArray.FormatShape(dimensions)} hold {product} elements, but the data has {data.Length}.", nameof(data));

        var header = new byte[IdxFormat.HeaderLength(dimensions.Count)];
        header[2] = IdxFormat.UnsignedByte;
        header[3] = (byte)dimensions.Count;
        for (int i = 0; i < dimensions.Count; i++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dimensions[i]);
        stream.Write(header);
        stream.Write(data);
    }
}
