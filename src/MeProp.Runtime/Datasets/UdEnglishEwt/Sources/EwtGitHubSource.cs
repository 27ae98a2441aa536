using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace MeProp.Datasets.UdEnglishEwt;

/// <summary>
/// The treebank's own GitHub repository at a release tag:
/// <c>https://raw.githubusercontent.com/UniversalDependencies/UD_English-EWT/&lt;tag&gt;/&lt;file&gt;</c>.
/// </summary>
/// <remarks>
/// A tag names one commit, so the files at it never change and their checksums can be pinned
/// (<see cref="EwtDownloader.CanonicalSha256"/>). Each file gets <see cref="Timeout"/> in all
/// (headers and body), on top of the client's own timeout, because <see cref="HttpClient.Timeout"/>
/// does not cover reading a streamed body: a stalled download must fail, not hang.
/// </remarks>
public sealed class EwtGitHubSource : IEwtSource
{
    /// <summary>Where the repository's files are served raw, by tag and path.</summary>
    public static Uri RawContentRoot { get; } = new("https://raw.githubusercontent.com/UniversalDependencies/UD_English-EWT/");

    private readonly HttpClient _client;

    /// <summary>
    /// The repository at <paramref name="tag"/> (default <see cref="EwtDownloader.ReleaseTag"/>),
    /// fetched with <paramref name="client"/> (not disposed here). <paramref name="baseUri"/> replaces
    /// the folder URL (default <see cref="RawContentRoot"/> + tag + '/'), for a mirror or a test server.
    /// </summary>
    public EwtGitHubSource(HttpClient client, string tag = EwtDownloader.ReleaseTag, Uri? baseUri = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        _client = client;
        Tag = tag;
        Uri folder = baseUri ?? new Uri(RawContentRoot, Uri.EscapeDataString(tag) + "/");
        // Without the trailing slash, new Uri(base, name) would replace the last path segment.
        BaseUri = folder.AbsoluteUri.EndsWith('/') ? folder : new Uri(folder.AbsoluteUri + "/");
        Timeout = timeout ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>The release tag fetched.</summary>
    public string Tag { get; }

    /// <summary>The folder URL the files are fetched from, ending in '/'.</summary>
    public Uri BaseUri { get; }

    /// <summary>The limit for one file, headers and body.</summary>
    public TimeSpan Timeout { get; }

    /// <inheritdoc/>
    public string Name => $"GitHub UD_English-EWT {Tag} ({BaseUri})";

    /// <inheritdoc/>
    public async Task<FetchResult> TryFetchAsync(string fileName, string destination, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(destination);
        var uri = new Uri(BaseUri, Uri.EscapeDataString(fileName));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Timeout);
        try
        {
            using var response = await _client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return FetchResult.Failed($"{uri} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            long? total = response.Content.Headers.ContentLength;
            await using var body = await response.Content.ReadAsStreamAsync(limit.Token).ConfigureAwait(false);
            await EwtCopy.CopyAsync(body, destination, fileName, total, Name, progress, limit.Token).ConfigureAwait(false);
            return FetchResult.Ok;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return FetchResult.Failed($"{uri} did not complete within {Timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return FetchResult.Failed($"{uri} failed: {e.Message}");
        }
    }
}
