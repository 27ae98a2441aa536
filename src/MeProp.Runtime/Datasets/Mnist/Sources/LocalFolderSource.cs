using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace MeProp.Datasets.Mnist;

/// <summary>
/// Takes the files from a local folder (raw, or .gz decompressed on the way): for offline
/// installation from a copy, and for tests of the downloader without a network.
/// </summary>
public sealed class LocalFolderSource : IMnistSource
{
    /// <summary>A source reading <paramref name="folder"/>.</summary>
    public LocalFolderSource(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        Folder = Path.GetFullPath(folder);
    }

    /// <summary>The folder read.</summary>
    public string Folder { get; }

    /// <inheritdoc/>
    public string Name => $"folder {Folder}";

    /// <inheritdoc/>
    public async Task<FetchResult> TryFetchAsync(string fileName, string destination, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(destination);
        string? path = MnistFiles.Find(Folder, fileName);
        if (path is null) return FetchResult.Failed($"{Folder} has neither {fileName} nor {fileName}{MnistFiles.GzipSuffix}");
        try
        {
            await SourceFiles.CopyFileAsync(path, destination, fileName, Name, progress, cancellationToken).ConfigureAwait(false);
            return FetchResult.Ok;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return FetchResult.Failed($"reading {path} failed: {e.Message}");
        }
    }
}
