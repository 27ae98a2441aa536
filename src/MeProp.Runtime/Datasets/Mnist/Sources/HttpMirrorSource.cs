using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace MeProp.Datasets.Mnist;

/// <summary>
/// An MNIST mirror serving the four standard gzip files (<c>{base}/train-images-idx3-ubyte.gz</c>
/// …): downloads one, decompressing while it streams, so only the raw file touches the disk.
/// </summary>
/// <remarks>
/// Each file gets <see cref="Timeout"/> in all (headers and body), on top of the client's own
/// timeout, because <see cref="HttpClient.Timeout"/> does not cover reading a streamed body: a
/// stalled mirror must fail so that the next one is tried.
/// </remarks>
public sealed class HttpMirrorSource : IMnistSource
{
    private readonly HttpClient _client;

    /// <summary>A mirror at <paramref name="baseUri"/>, fetched with <paramref name="client"/> (not disposed here).</summary>
    public HttpMirrorSource(Uri baseUri, HttpClient client, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        ArgumentNullException.ThrowIfNull(client);
        // Without the trailing slash, new Uri(base, name) would replace the last path segment.
        BaseUri = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        _client = client;
        Timeout = timeout ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>The folder URL of the mirror, ending in '/'.</summary>
    public Uri BaseUri { get; }

    /// <summary>The limit for one file, headers and body.</summary>
    public TimeSpan Timeout { get; }

    /// <inheritdoc/>
    public string Name => $"mirror {BaseUri}";

    /// <inheritdoc/>
    public async Task<FetchResult> TryFetchAsync(string fileName, string destination, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(destination);
        var uri = new Uri(BaseUri, fileName + MnistFiles.GzipSuffix);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Timeout);
        try
        {
            using var response = await _client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return FetchResult.Failed($"{uri} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            long? total = response.Content.Headers.ContentLength;
            await using var body = await response.Content.ReadAsStreamAsync(limit.Token).ConfigureAwait(false);
            await SourceFiles.CopyAsync(body, gzip: true, destination, fileName, total, Name, progress, limit.Token).ConfigureAwait(false);
            return FetchResult.Ok;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return FetchResult.Failed($"{uri} did not complete within {Timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException)
        {
            return FetchResult.Failed($"{uri} failed: {e.Message}");
        }
    }
}
