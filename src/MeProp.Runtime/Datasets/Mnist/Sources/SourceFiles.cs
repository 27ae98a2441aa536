using System;
using System.IO;
using System.IO.Compression;
using System.Threading;
using System.Threading.Tasks;
using MeProp.Datasets.Idx;

namespace MeProp.Datasets.Mnist;

/// <summary>Copying helpers shared by the sources.</summary>
internal static class SourceFiles
{
    /// <summary>
    /// Copies <paramref name="source"/> to a new file <paramref name="destination"/>, decompressing
    /// when <paramref name="gzip"/>; progress counts the bytes read from <paramref name="source"/>.
    /// </summary>
    public static async Task CopyAsync(Stream source, bool gzip, string destination, string fileName, long? total, string sourceName,
        IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new DownloadProgress(fileName, 0, total, sourceName));
        var counted = new ProgressStream(source, read => progress?.Report(new DownloadProgress(fileName, read, total, sourceName)));
        await using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        if (gzip)
        {
            await using var decompressed = new GZipStream(counted, CompressionMode.Decompress, leaveOpen: true);
            await decompressed.CopyToAsync(output, 1 << 16, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await counted.CopyToAsync(output, 1 << 16, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Copies a local file, decompressing it when it starts with the gzip magic bytes.</summary>
    public static async Task CopyFileAsync(string path, string destination, string fileName, string sourceName,
        IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var magic = new byte[2];
        int got = await input.ReadAtLeastAsync(magic, 2, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        input.Position = 0;
        bool gzip = got == 2 && magic[0] == IdxFormat.GzipMagic0 && magic[1] == IdxFormat.GzipMagic1;
        await CopyAsync(input, gzip, destination, fileName, input.Length, sourceName, progress, cancellationToken).ConfigureAwait(false);
    }
}
