using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace MeProp.Datasets.UdEnglishEwt;

/// <summary>
/// Takes the files from a local folder (an unpacked release, a clone of the repository): for
/// installing from a copy without network, and for tests of the downloader.
/// </summary>
public sealed class EwtFolderSource : IEwtSource
{
    /// <summary>A source reading <paramref name="folder"/>.</summary>
    public EwtFolderSource(string folder)
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
        string path = Path.Combine(Folder, fileName);
        if (!File.Exists(path)) return FetchResult.Failed($"{Folder} has no {fileName}");
        try
        {
            await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await EwtCopy.CopyAsync(input, destination, fileName, input.Length, Name, progress, cancellationToken).ConfigureAwait(false);
            return FetchResult.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return FetchResult.Failed($"reading {path} failed: {e.Message}");
        }
    }
}
