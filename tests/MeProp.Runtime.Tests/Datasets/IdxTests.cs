using System;
using System.IO;
using System.IO.Compression;
using MeProp.Datasets;
using MeProp.Datasets.Idx;
using Xunit;

namespace MeProp.Runtime.Tests.Datasets;

public class IdxTests
{
    private static readonly byte[] Data = { 0, 1, 2, 3, 250, 251, 252, 253, 254, 255, 9, 8 };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Round_trip_raw_and_gzip(bool gzip)
    {
        using var temp = new TempFolder();
        // The name does not say .gz either way: compression is detected from the bytes.
        string path = temp.File("array-idx3-ubyte");
        IdxWriter.Write(path, new[] { 2, 3, 2 }, Data, gzip);
        Assert.Equal(gzip, IsGzip(path));

        IdxArray array = IdxReader.Read(path, expectedRank: 3);
        Assert.Equal(new[] { 2, 3, 2 }, array.Dimensions);
        Assert.Equal(Data, array.Data);
        Assert.Equal(2, array.Count);
        Assert.Equal(6, array.ItemLength);
        Assert.Equal(16, array.HeaderLength);
        Assert.Equal(gzip, array.WasCompressed);
        Assert.Equal(path, array.SourceName);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_from_a_non_seekable_stream(bool gzip)
    {
        var buffer = new MemoryStream();
        if (gzip)
        {
            using var compressed = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true);
            IdxWriter.Write(compressed, new[] { 12 }, Data);
        }
        else
        {
            IdxWriter.Write(buffer, new[] { 12 }, Data);
        }
        IdxArray array = IdxReader.Read(new ForwardOnlyStream(buffer.ToArray()), "stream", expectedRank: 1);
        Assert.Equal(Data, array.Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Bad_magic_names_the_file_offset_zero_and_the_bytes_found(bool gzip)
    {
        var e = ReadBytes(new byte[] { 0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 1, 7 }, gzip);
        Assert.Equal(0, e.Offset);
        Assert.Contains("bad magic number 50 4B 03 04", e.Message);
        Assert.Contains("at byte 0", e.Message);
        Assert.Equal(gzip, e.Message.Contains("decompressed", StringComparison.Ordinal));
    }

    [Fact]
    public void Unsupported_type_is_named_at_offset_two()
    {
        var e = ReadBytes(new byte[] { 0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0 }, false);
        Assert.Equal(2, e.Offset);
        Assert.Contains("0x0D (32-bit float)", e.Message);
        Assert.Contains("0x08 (unsigned byte)", e.Message);
    }

    [Fact]
    public void Wrong_number_of_dimensions_is_reported_at_offset_three()
    {
        using var temp = new TempFolder();
        string path = temp.File("labels-idx1-ubyte");
        IdxWriter.Write(path, new[] { 12 }, Data);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path, expectedRank: 3));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(3, e.Offset);
        Assert.Contains(path, e.Message);
        Assert.Contains("declares 1 dimension(s), but 3 are expected", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_data_gives_where_the_file_ends_and_what_the_header_promises(bool gzip)
    {
        // Header 2 x 3 x 2 = 12 data bytes, 16 header bytes; only 5 data bytes follow.
        var bytes = new byte[] { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2, 1, 2, 3, 4, 5 };
        var e = ReadBytes(bytes, gzip);
        Assert.Equal(21, e.Offset);
        Assert.Contains("ends at byte 21", e.Message);
        Assert.Contains("promises 28 bytes", e.Message);
        Assert.Contains("2 x 3 x 2", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_header_is_reported(bool gzip)
    {
        var e = ReadBytes(new byte[] { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0 }, gzip);
        Assert.Equal(10, e.Offset);
        Assert.Contains("ends at byte 10, inside the header", e.Message);
        Assert.Contains("16 bytes", e.Message);

        var empty = ReadBytes(Array.Empty<byte>(), false);
        Assert.Equal(0, empty.Offset);
        Assert.Contains("empty", empty.Message);

        var shortMagic = ReadBytes(new byte[] { 0, 0, 8 }, false);
        Assert.Equal(3, shortMagic.Offset);
        Assert.Contains("inside the 4-byte magic number", shortMagic.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Trailing_bytes_are_an_error_at_the_promised_end(bool gzip)
    {
        var bytes = new byte[] { 0, 0, 8, 1, 0, 0, 0, 2, 7, 7, 99, 98, 97 };
        var e = ReadBytes(bytes, gzip);
        Assert.Equal(10, e.Offset);
        Assert.Contains("3 unexpected byte(s) after the 10 bytes", e.Message);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    public void A_huge_header_over_little_data_fails_without_allocating_what_it_promises(bool gzip, bool seekable)
    {
        // 40000 x 40000 images of 1 x 1 promise 1.6e9 data bytes; 12 follow. With the length unknown
        // (gzip, or a stream that cannot seek), the reader must not size its buffer by the header.
        var bytes = new byte[] { 0, 0, 8, 3, 0, 0, 0x9C, 0x40, 0, 0, 0x9C, 0x40, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
        byte[] file = gzip ? Gzip(bytes) : bytes;
        Stream stream = seekable ? new MemoryStream(file) : new ForwardOnlyStream(file);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(stream, "huge"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(28, e.Offset);
        Assert.Contains("promises 1600000016 bytes", e.Message);
        Assert.True(allocated < 4 << 20, $"allocated {allocated:N0} bytes for a {file.Length}-byte file");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_large_array_of_unknown_length_reads_whole_through_the_growing_buffer(bool gzip)
    {
        // 5 MiB + 3 bytes: the growing buffer (1 MiB, then doubling) takes four steps and ends at
        // exactly the promised length, odd sizes included.
        int length = (5 << 20) + 3;
        var data = new byte[length];
        new Random(7).NextBytes(data);
        var buffer = new MemoryStream();
        if (gzip)
        {
            using var compressed = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true);
            IdxWriter.Write(compressed, new[] { length }, data);
        }
        else
        {
            IdxWriter.Write(buffer, new[] { length }, data);
        }
        IdxArray array = IdxReader.Read(new ForwardOnlyStream(buffer.ToArray()), "large", expectedRank: 1);
        Assert.Equal(length, array.Data.Length);
        Assert.True(data.AsSpan().SequenceEqual(array.Data));
    }

    [Fact]
    public void Corrupt_gzip_is_a_data_format_error()
    {
        using var temp = new TempFolder();
        string path = temp.File("corrupt.gz");
        var bytes = Gzip(new byte[200]);
        // Keep the gzip header, scramble the deflate body.
        for (int i = 10; i < bytes.Length; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("at byte", e.Message);
    }

    [Fact]
    public void Writer_rejects_data_that_does_not_match_the_dimensions()
    {
        var e = Assert.Throws<ArgumentException>(() => IdxWriter.Write(new MemoryStream(), new[] { 2, 5 }, new byte[9]));
        Assert.Contains("2 x 5 hold 10 elements, but the data has 9", e.Message);
    }

    // Writes the bytes (optionally gzip-compressed) to a file and returns the reader's error.
    private static DataFormatException ReadBytes(byte[] bytes, bool gzip)
    {
        using var temp = new TempFolder();
        string path = temp.File("bad-idx-ubyte");
        File.WriteAllBytes(path, gzip ? Gzip(bytes) : bytes);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": at byte " + e.Offset, e.Message);
        Assert.Equal(gzip, e.InDecompressedData);
        return e;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        var buffer = new MemoryStream();
        using (var compressed = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) compressed.Write(bytes);
        return buffer.ToArray();
    }

    private static bool IsGzip(string path)
    {
        byte[] head = File.ReadAllBytes(path);
        return head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    // A stream that cannot seek, like a network body.
    private sealed class ForwardOnlyStream : MemoryStream
    {
        public ForwardOnlyStream(byte[] data) : base(data) { }
        public override bool CanSeek => false;
    }
}
