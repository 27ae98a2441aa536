using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace MeProp.Datasets.UdEnglishEwt;

/// <summary>
/// Puts the three UD English EWT files into a folder that lacks them: each from the first source
/// that delivers it with the pinned SHA-256, atomically. By default the source is the treebank's
/// GitHub repository at release <see cref="ReleaseTag"/>.
/// </summary>
/// <remarks>
/// <para>Each file is written to a temporary name in the target folder, verified, then renamed: a
/// reader never sees a partial or unverified file, and an interrupted download leaves no file under
/// the real name. A file with the wrong hash is deleted and the next source tried; a source that could
/// not deliver one file (unreachable, timeout) is not asked for the following ones, so an offline
/// machine pays its failure once.</para>
/// <para>Call it only for the user cache or an explicit <c>--data</c> folder (what
/// <see cref="EwtLocator"/> returns when files are missing), never for shared data.</para>
/// </remarks>
public sealed class EwtDownloader : IDisposable
{
    /// <summary>The UD release whose files <see cref="CreateDefault"/> downloads and <see cref="CanonicalSha256"/> pins.</summary>
    public const string ReleaseTag = "r2.16";

    /// <summary>
    /// SHA-256 of the three files at <see cref="ReleaseTag"/>, lower-case hex.
    /// </summary>
    /// <remarks>
    /// Obtained from a clone of https://github.com/UniversalDependencies/UD_English-EWT: r2.16 is its
    /// newest release tag (commit 4c89b5833a70aa5ed3a00bad2f23f57992cc7df8, 2025-05-09), and
    /// <c>git show r2.16:&lt;file&gt; | sha256sum</c> gave the dev and test sums. The clone lacked the
    /// 14 MB train blob (34731d23bafeeff233fdcee18ffc0254b1aa0e28 in the r2.16 tree), so its sum is
    /// that of the file rebuilt by concatenating, in order, the per-document files that r2.16's
    /// <c>not-to-release/file-lists/files.train</c> lists from <c>not-to-release/sources/</c>: the
    /// rebuilt file has exactly that git blob id (<c>git hash-object</c>), so it is byte for byte the
    /// released one. The same blob ids identify the copies in the project's shared data folder.
    /// </remarks>
    public static IReadOnlyDictionary<string, string> CanonicalSha256 { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [EwtFiles.Train] = "3fb78e2b55482c8ee00caa653af436c88c9e5bc9a73ce26e4ae3ddc79d2b7e7b",
        [EwtFiles.Development] = "531a54ff90d6ab12201c5a50c3e78e6ddac4de69abc4bce5d275d3cd29efe2b6",
        [EwtFiles.Test] = "e266e515a0a7547657ed3d90d9ba46487d6bd251f27ad4269d4e8a427c8555cd",
    };

    private readonly IReadOnlyDictionary<string, string> _expected;
    private readonly List<IDisposable> _owned = new();

    /// <summary>
    /// A downloader trying <paramref name="sources"/> in order and checking against
    /// <paramref name="expectedSha256"/> (file name → lower-case hex; default <see cref="CanonicalSha256"/>).
    /// The sources are not disposed by it.
    /// </summary>
    /// <exception cref="ArgumentException">A checksum for one of the three files is missing.</exception>
    public EwtDownloader(IReadOnlyList<IEwtSource> sources, IReadOnlyDictionary<string, string>? expectedSha256 = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        Sources = sources.ToArray();
        _expected = expectedSha256 ?? CanonicalSha256;
        foreach (string name in EwtFiles.All)
            if (!_expected.ContainsKey(name))
                throw new ArgumentException($"No expected SHA-256 for {name}; give one for each of {string.Join(", ", EwtFiles.All)}.", nameof(expectedSha256));
    }

    /// <summary>
    /// The standard chain: the treebank's GitHub repository at <see cref="ReleaseTag"/>. Without
    /// <paramref name="httpClient"/> it creates one (15 s to connect) and disposes it with itself.
    /// </summary>
    public static EwtDownloader CreateDefault(HttpClient? httpClient = null)
    {
        HttpClient? owned = null;
        if (httpClient is null)
        {
            var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) };
            owned = httpClient = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(5) };
        }
        var downloader = new EwtDownloader(new IEwtSource[] { new EwtGitHubSource(httpClient) });
        if (owned is not null) downloader._owned.Add(owned);
        return downloader;
    }

    /// <summary>The sources, in the order tried.</summary>
    public IReadOnlyList<IEwtSource> Sources { get; }

    /// <summary>
    /// Fetches every file <paramref name="directory"/> lacks, creating the folder if needed, and
    /// returns the names fetched (none when all were there; files present are not checked).
    /// </summary>
    /// <exception cref="EwtAcquisitionException">No source delivered a file with the expected checksum; the message says what each source answered and which files to put in which folder by hand.</exception>
    public async Task<IReadOnlyList<string>> EnsureFilesAsync(string directory, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var missing = EwtFiles.Missing(directory);
        if (missing.Count == 0) return Array.Empty<string>();
        DataCache.CreateDataFolder(directory);

        var unavailable = new HashSet<IEwtSource>();
        var unreachableReasons = new List<string>();
        var fetched = new List<string>();
        foreach (string name in missing)
        {
            var failures = new List<string>(unreachableReasons);
            bool done = false;
            foreach (IEwtSource source in Sources)
            {
                if (unavailable.Contains(source)) continue;
                string temp = Path.Combine(directory, $"{name}.{Guid.NewGuid():N}.part");
                try
                {
                    FetchResult result = await source.TryFetchAsync(name, temp, progress, cancellationToken).ConfigureAwait(false);
                    if (!result.Success)
                    {
                        string reason = $"{source.Name}: {result.Failure}";
                        failures.Add(reason);
                        unreachableReasons.Add(reason);
                        unavailable.Add(source);
                        continue;
                    }
                    string actual = await DataCache.Sha256Async(temp, cancellationToken).ConfigureAwait(false);
                    string expected = _expected[name];
                    if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                    {
                        failures.Add($"{source.Name}: checksum mismatch for {name}: expected SHA-256 {expected}, actual {actual}; the file was rejected and deleted");
                        continue;
                    }
                    File.Move(temp, Path.Combine(directory, name), overwrite: false);
                    fetched.Add(name);
                    done = true;
                    break;
                }
                finally
                {
                    // Whatever happened (failure, mismatch, cancellation), no partial or unverified file stays.
                    if (File.Exists(temp)) File.Delete(temp);
                }
            }
            if (!done)
                throw new EwtAcquisitionException(directory, name, EwtFiles.Missing(directory), failures);
        }
        return fetched;
    }

    /// <summary>Disposes what <see cref="CreateDefault"/> created (the HTTP client).</summary>
    public void Dispose()
    {
        foreach (IDisposable owned in _owned) owned.Dispose();
        _owned.Clear();
    }
}
