using System;
using System.Threading;
using System.Threading.Tasks;

namespace MeProp.Datasets.UdEnglishEwt;

/// <summary>
/// A place the UD English EWT files can come from (the treebank's GitHub repository, a local
/// folder). The downloader tries sources in order and verifies what they deliver; a source only fetches.
/// </summary>
public interface IEwtSource
{
    /// <summary>A name for messages and progress ("GitHub UniversalDependencies/UD_English-EWT r2.16", "folder /x").</summary>
    string Name { get; }

    /// <summary>
    /// Writes the bytes of <paramref name="fileName"/> (one of <see cref="EwtFiles.All"/>) to
    /// <paramref name="destination"/>, a new file. Returns a failure (rather than throwing) when the
    /// source cannot deliver: unreachable, missing file, timeout. Throws
    /// <see cref="OperationCanceledException"/> only for <paramref name="cancellationToken"/>.
    /// </summary>
    Task<FetchResult> TryFetchAsync(string fileName, string destination, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken);
}
