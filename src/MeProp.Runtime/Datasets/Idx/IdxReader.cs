using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace MeProp.Datasets.Idx;

/// <summary>
/// Reads IDX files of unsigned bytes (the MNIST format), raw or gzip-compressed.
/// </summary>
/// <remarks>
/// <para>Compression is recognised by the gzip magic bytes 0x1f 0x8b, not by the file name: a
/// downloaded file is sometimes decompressed by a browser but keeps its <c>.gz</c> name, and an IDX
/// file never starts with 0x1f (its first byte is zero).</para>
/// <para>Every problem is a <see cref="DataFormatException"/> naming the file and the byte offset
/// (of the decompressed data, for gzip): a bad magic number, an unsupported type, an unexpected
/// number of dimensions, a header or data that ends early, and bytes after the data. Trailing bytes
/// are an error because the header then does not describe the file: the usual cause is a wrong or
/// corrupted file, and reading only the prefix would silently train on something else.</para>
/// </remarks>
public static class IdxReader
{
    private const int ChunkSize = 1 << 16;
    private const int FirstGrowingBuffer = 1 << 20;

    /// <summary>Reads the IDX file at <paramref name="path"/> (raw or gzip-compressed).</summary>
    /// <param name="path">The file.</param>
    /// <param name="expectedRank">The number of dimensions the caller needs (MNIST: 3 for images, 1 for labels), or null for any.</param>
    /// <exception cref="DataFormatException">The file is not a valid IDX file of unsigned bytes (of the expected rank).</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static IdxArray Read(string path, int? expectedRank = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkSize, FileOptions.SequentialScan);
        return Read(file, path, expectedRank);
    }

    /// <summary>Reads an IDX array (raw or gzip-compressed) from the current position of <paramref name="stream"/> to its end.</summary>
    /// <param name="stream">The data; left open.</param>
    /// <param name="displayName">The name used in error messages (usually the path).</param>
    /// <param name="expectedRank">The number of dimensions the caller needs, or null for any.</param>
    /// <exception cref="DataFormatException">The data is not a valid IDX array of unsigned bytes (of the expected rank).</exception>
    public static IdxArray Read(Stream stream, string displayName, int? expectedRank = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(displayName);
        if (expectedRank is < 0 or > byte.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(expectedRank), expectedRank, $"expectedRank must be in [0, 255], but is {expectedRank}.");

        // Sniff the first two bytes for gzip without losing them: seek back when we can, otherwise
        // put them in front of the rest of the stream.
        var sniff = new byte[2];
        int sniffed = ReadFully(stream, sniff, displayName, 0, false);
        bool gzip = sniffed == 2 && sniff[0] == IdxFormat.GzipMagic0 && sniff[1] == IdxFormat.GzipMagic1;
        long? rawLength = null;
        Stream source;
        if (stream.CanSeek)
        {
            stream.Seek(-sniffed, SeekOrigin.Current);
            source = stream;
            if (!gzip) rawLength = stream.Length - stream.Position;
        }
        else
        {
            source = new PrefixedStream(sniff.AsSpan(0, sniffed).ToArray(), stream);
        }

        if (!gzip) return ReadIdx(source, displayName, expectedRank, compressed: false, rawLength);
        using var decompressed = new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
        return ReadIdx(decompressed, displayName, expectedRank, compressed: true, knownLength: null);
    }

    private static IdxArray ReadIdx(Stream stream, string name, int? expectedRank, bool compressed, long? knownLength)
    {
        // Magic number: 0x00 0x00 <type> <rank>.
        var magic = new byte[4];
        int got = ReadFully(stream, magic, name, 0, compressed);
        if ((got >= 1 && magic[0] != 0) || (got >= 2 && magic[1] != 0))
            throw new DataFormatException(name, 0,
                $"bad magic number {Hex(magic.AsSpan(0, got))}: an IDX file starts with two zero bytes, then a type byte and a dimension count (MNIST images: 00 00 08 03, labels: 00 00 08 01).",
                compressed);
        if (got < 4)
            throw new DataFormatException(name, got,
                got == 0
                    ? "the file is empty; an IDX file starts with a 4-byte magic number (00 00, a type byte, a dimension count)."
                    : $"the file ends at byte {got}, inside the 4-byte magic number ({Hex(magic.AsSpan(0, got))} so far).",
                compressed);
        byte type = magic[2];
        if (type != IdxFormat.UnsignedByte)
            throw new DataFormatException(name, 2,
                $"unsupported element type {IdxFormat.TypeName(type)}; only {IdxFormat.TypeName(IdxFormat.UnsignedByte)} is supported.",
                compressed);
        int rank = magic[3];
        if (expectedRank is int expected && rank != expected)
            throw new DataFormatException(name, 3,
                $"the header declares {rank} dimension(s), but {expected} are expected here{RankHint(expected)}.",
                compressed);

        // Dimension sizes: big-endian int32 each.
        int headerLength = IdxFormat.HeaderLength(rank);
        var sizes = new byte[4 * rank];
        got = ReadFully(stream, sizes, name, 4, compressed);
        if (got < sizes.Length)
            throw new DataFormatException(name, 4 + got,
                $"the file ends at byte {4 + got}, inside the header: {rank} dimension(s) need a header of {headerLength} bytes.",
                compressed);
        var dimensions = new int[rank];
        long elements = 1;
        for (int i = 0; i < rank; i++)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(sizes.AsSpan(4 * i));
            if (size < 0)
                throw new DataFormatException(name, 4 + 4 * i,
                    $"dimension {i} has size {(uint)size} (0x{(uint)size:X8}), above the largest supported size {int.MaxValue}.",
                    compressed);
            dimensions[i] = size;
            elements *= size;
            if (elements > Array.MaxLength)
                throw new DataFormatException(name, 4,
                    $"the dimensions {IdxArray.FormatShape(dimensions.AsSpan(0, i + 1).ToArray())}... promise more than {Array.MaxLength} elements, more than one array can hold.",
                    compressed);
        }
        long promised = headerLength + elements;
        string shape = IdxArray.FormatShape(dimensions);

        // A raw file's length is known before reading, so a bad header fails before a huge allocation.
        if (knownLength is long length && length != promised)
            throw length < promised ? Truncated(name, length, promised, headerLength, shape, compressed)
                                    : Trailing(name, promised, length - promised, shape, compressed);

        // With the length known and checked, one buffer of the promised size; otherwise the header
        // alone must not size it (see ReadData).
        int firstBuffer = knownLength is null ? (int)Math.Min(elements, FirstGrowingBuffer) : (int)elements;
        byte[] data = ReadData(stream, (int)elements, firstBuffer, name, headerLength, compressed, out got);
        if (got < elements)
            throw Truncated(name, headerLength + got, promised, headerLength, shape, compressed);

        long extra = CountRemaining(stream, name, promised, compressed);
        if (extra > 0)
            throw Trailing(name, promised, extra, shape, compressed);
        return new IdxArray(dimensions, data, name, compressed);
    }

    // Reads up to `length` bytes into a buffer of `firstBuffer` bytes that doubles only as data
    // arrives. When the length is not known (gzip, or a stream that cannot seek), a corrupt dimension
    // in a 10 KB download would otherwise allocate gigabytes before the data runs out; this way the
    // buffer never exceeds twice what the stream really holds (or the first buffer). A valid file ends
    // in a buffer of exactly the promised length.
    private static byte[] ReadData(Stream stream, int length, int firstBuffer, string name, long offset, bool compressed, out int got)
    {
        var data = new byte[firstBuffer];
        got = 0;
        while (true)
        {
            got += ReadFully(stream, data.AsSpan(got), name, offset + got, compressed);
            if (got < data.Length || data.Length == length) return data;
            var larger = new byte[(int)Math.Min(length, 2L * data.Length)];
            data.AsSpan().CopyTo(larger);
            data = larger;
        }
    }

    private static DataFormatException Truncated(string name, long end, long promised, int headerLength, string shape, bool compressed)
        => new(name, end,
            $"the file ends at byte {end}, but its header ({shape}) promises {promised} bytes ({headerLength} of header, {promised - headerLength} of data); the file is truncated.",
            compressed);

    private static DataFormatException Trailing(string name, long promised, long extra, string shape, bool compressed)
        => new(name, promised,
            $"{extra} unexpected byte(s) after the {promised} bytes its header ({shape}) promises; the header does not describe this file (wrong or corrupted file?).",
            compressed);

    private static string RankHint(int expected) => expected switch
    {
        1 => " (a label file: count)",
        3 => " (an image file: count x rows x columns)",
        _ => "",
    };

    // Reads until the buffer is full or the stream ends; returns the bytes read. Corrupt gzip data
    // surfaces as InvalidDataException from GZipStream and becomes a DataFormatException here.
    private static int ReadFully(Stream stream, Span<byte> buffer, string name, long offset, bool compressed)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int read = stream.Read(buffer[total..]);
                if (read == 0) break;
                total += read;
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(name, offset + total, $"the gzip data is corrupt: {e.Message}", compressed, e);
        }
        return total;
    }

    private static long CountRemaining(Stream stream, string name, long offset, bool compressed)
    {
        var chunk = new byte[ChunkSize];
        long count = 0;
        int read;
        while ((read = ReadFully(stream, chunk, name, offset + count, compressed)) > 0) count += read;
        return count;
    }

    private static string Hex(ReadOnlySpan<byte> bytes)
        => bytes.Length == 0 ? "(none)" : BitConverter.ToString(bytes.ToArray()).Replace('-', ' ');
}
