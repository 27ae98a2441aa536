using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace MeProp.Datasets.UdEnglishEwt;

/// <summary>The copy every source ends with: a stream into a new file, with progress.</summary>
internal static class EwtCopy
{
    /// <summary>
    /// Copies <paramref name="source"/> to a new file <paramref name="destination"/> (CreateNew: the
    /// downloader's temporary name must not exist), reporting the bytes read.
    /// </summary>
    public static async Task CopyAsync(Stream source, string destination, string fileName, long? total, string sourceName,
        IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new DownloadProgress(fileName, 0, total, sourceName));
        var counted = new ProgressStream(source, read => progress?.Report(new DownloadProgress(fileName, read, total, sourceName)));
        await using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await counted.CopyToAsync(output, 1 << 16, cancellationToken).ConfigureAwait(false);
    }
}
