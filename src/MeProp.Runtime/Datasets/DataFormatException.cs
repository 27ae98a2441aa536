using System;

namespace MeProp.Datasets;

/// <summary>
/// A data file is not what its format promises. The message names the file and the byte offset
/// where the problem was found, so a user can look at the bytes (for example with <c>xxd -s</c>).
/// </summary>
/// <remarks>
/// For a gzip-compressed file the offset counts bytes of the decompressed data, which is where the
/// format lives; <see cref="InDecompressedData"/> says so, and so does the message.
/// </remarks>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception; <paramref name="detail"/> says what is wrong at <paramref name="offset"/>.</summary>
    public DataFormatException(string filePath, long offset, string detail, bool inDecompressedData = false, Exception? innerException = null)
        : base(Compose(filePath, offset, detail, inDecompressedData), innerException)
    {
        FilePath = filePath;
        Offset = offset;
        Detail = detail;
        InDecompressedData = inDecompressedData;
    }

    /// <summary>The file (or the display name of the stream) that holds the bad data.</summary>
    public string FilePath { get; }

    /// <summary>The byte offset of the problem from the start of the (decompressed) data.</summary>
    public long Offset { get; }

    /// <summary>What is wrong, without the file name and offset.</summary>
    public string Detail { get; }

    /// <summary>True when <see cref="Offset"/> counts decompressed bytes of a gzip file.</summary>
    public bool InDecompressedData { get; }

    private static string Compose(string filePath, long offset, string detail, bool inDecompressedData)
        => inDecompressedData
            ? $"{filePath}: at byte {offset} of the decompressed data: {detail}"
            : $"{filePath}: at byte {offset}: {detail}";
}
