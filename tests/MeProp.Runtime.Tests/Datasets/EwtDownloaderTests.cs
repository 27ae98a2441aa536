using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using MeProp.Datasets;
using MeProp.Datasets.UdEnglishEwt;
using Xunit;

namespace MeProp.Runtime.Tests.Datasets;

public class EwtDownloaderTests
{
    [Fact]
    public async Task Folder_source_delivers_verified_files_atomically_and_reports_progress()
    {
        using var temp = new TempFolder();
        string source = temp.Sub("source");
        SyntheticEwt.Write(source);
        string target = Path.Combine(temp.Path, "target", "ud-english-ewt"); // created by the downloader
        var progress = new Recorder();
        var downloader = new EwtDownloader(new IEwtSource[] { new EwtFolderSource(source) }, ChecksumsOf(SyntheticEwt.Content));

        var fetched = await downloader.EnsureFilesAsync(target, progress);

        Assert.Equal(EwtFiles.All, fetched);
        foreach (string name in EwtFiles.All)
            Assert.Equal(SyntheticEwt.Content(name), File.ReadAllBytes(Path.Combine(target, name)));
        Assert.Empty(Directory.GetFiles(target, "*.part"));
        var data = EwtDataset.Load(target);
        Assert.Equal((3, 2, 1), (data.Training.Count, data.Development.Count, data.Test.Count));
        Assert.Contains(progress.Reports, r => r.FileName == EwtFiles.Train && r.SourceName.StartsWith("folder ", StringComparison.Ordinal) && r.BytesReceived > 0);
        // Nothing is missing the second time.
        Assert.Empty(await downloader.EnsureFilesAsync(target));
    }

    [Fact]
    public async Task Http_source_asks_GitHub_for_the_pinned_tag()
    {
        using var temp = new TempFolder();
        var server = new FakeServer(path => SyntheticEwt.Content(Path.GetFileName(path)));
        using var client = new HttpClient(server);
        var downloader = new EwtDownloader(new IEwtSource[] { new EwtGitHubSource(client) }, ChecksumsOf(SyntheticEwt.Content));

        var fetched = await downloader.EnsureFilesAsync(temp.Path);

        Assert.Equal(EwtFiles.All, fetched);
        Assert.Equal(
            EwtFiles.All.Select(name => $"https://raw.githubusercontent.com/UniversalDependencies/UD_English-EWT/r2.16/{name}"),
            server.Requests);
        foreach (string name in EwtFiles.All)
            Assert.Equal(SyntheticEwt.Content(name), File.ReadAllBytes(Path.Combine(temp.Path, name)));
    }

    [Fact]
    public async Task Default_downloader_checks_the_pinned_checksums()
    {
        // The default chain, against a server that serves other bytes under the real names: the
        // pinned r2.16 sums must reject them.
        using var temp = new TempFolder();
        var server = new FakeServer(path => SyntheticEwt.Content(Path.GetFileName(path)));
        using var client = new HttpClient(server);
        using var downloader = EwtDownloader.CreateDefault(client);

        var e = await Assert.ThrowsAsync<EwtAcquisitionException>(() => downloader.EnsureFilesAsync(temp.Path));

        Assert.Equal(EwtFiles.Train, e.FileName);
        string actual = Sha256(SyntheticEwt.Content(EwtFiles.Train));
        Assert.Contains($"checksum mismatch for {EwtFiles.Train}: expected SHA-256 {EwtDownloader.CanonicalSha256[EwtFiles.Train]}, actual {actual}", e.Message);
        Assert.Empty(Directory.GetFiles(temp.Path));
        Assert.Equal(64, EwtDownloader.CanonicalSha256[EwtFiles.Development].Length);
    }

    [Fact]
    public async Task Checksum_mismatch_rejects_and_deletes_the_file_naming_both_hashes()
    {
        using var temp = new TempFolder();
        string source = temp.Sub("source");
        SyntheticEwt.Write(source);
        string target = temp.Sub("target");
        var checksums = new Dictionary<string, string>(ChecksumsOf(SyntheticEwt.Content));
        string wrong = new string('0', 64);
        checksums[EwtFiles.Test] = wrong;
        var downloader = new EwtDownloader(new IEwtSource[] { new EwtFolderSource(source) }, checksums);

        var e = await Assert.ThrowsAsync<EwtAcquisitionException>(() => downloader.EnsureFilesAsync(target));

        Assert.Equal(EwtFiles.Test, e.FileName);
        Assert.Contains($"checksum mismatch for {EwtFiles.Test}: expected SHA-256 {wrong}, actual {Sha256(SyntheticEwt.Content(EwtFiles.Test))}; the file was rejected and deleted", e.Message);
        Assert.False(File.Exists(Path.Combine(target, EwtFiles.Test)));
        Assert.Empty(Directory.GetFiles(target, "*.part"));
        Assert.Equal(new[] { EwtFiles.Test }, e.MissingFiles);
        // The files before it were verified and kept.
        Assert.True(File.Exists(Path.Combine(target, EwtFiles.Train)));
        Assert.True(File.Exists(Path.Combine(target, EwtFiles.Development)));
    }

    [Fact]
    public async Task A_failing_or_wrong_source_is_followed_by_the_next_one()
    {
        using var temp = new TempFolder();
        string good = temp.Sub("good"), bad = temp.Sub("bad");
        SyntheticEwt.Write(good);
        SyntheticEwt.Write(bad, variant: "-corrupted");
        using var client = new HttpClient(new FakeServer(_ => null)); // answers 404
        var sources = new IEwtSource[] { new EwtGitHubSource(client), new EwtFolderSource(bad), new EwtFolderSource(good) };
        string target = temp.Sub("target");

        var fetched = await new EwtDownloader(sources, ChecksumsOf(SyntheticEwt.Content)).EnsureFilesAsync(target);

        Assert.Equal(3, fetched.Count);
        foreach (string name in EwtFiles.All)
            Assert.Equal(SyntheticEwt.Content(name), File.ReadAllBytes(Path.Combine(target, name)));
    }

    [Fact]
    public async Task Offline_the_error_says_which_files_go_in_which_folder()
    {
        using var temp = new TempFolder();
        string target = temp.Sub("target");
        using var client = new HttpClient(new FakeServer(_ => throw new HttpRequestException("Name or service not known (raw.githubusercontent.com:443)")));
        var sources = new IEwtSource[] { new EwtGitHubSource(client), new EwtFolderSource(temp.Sub("empty")) };

        var e = await Assert.ThrowsAsync<EwtAcquisitionException>(() => new EwtDownloader(sources).EnsureFilesAsync(target));

        Assert.Equal(EwtFiles.All, e.MissingFiles);
        Assert.Equal(2, e.Failures.Count);
        Assert.Contains("en_ewt-ud-train.conllu failed: Name or service not known", e.Message);
        Assert.Contains("has no en_ewt-ud-train.conllu", e.Message);
        foreach (string name in EwtFiles.All) Assert.Contains($"    {name}\n", e.Message.ReplaceLineEndings("\n"));
        Assert.Contains($"put them in {target}", e.Message);
        Assert.Contains("put them in a folder DIR (or DIR/ud-english-ewt/) and pass --data DIR", e.Message);
        Assert.Contains("put them in DIR/ud-english-ewt/ and set the environment variable MEPROP_DATA=DIR", e.Message);
        Assert.Contains("git clone --depth 1 --branch r2.16 https://github.com/UniversalDependencies/UD_English-EWT.git", e.Message);
        Assert.Contains("https://raw.githubusercontent.com/UniversalDependencies/UD_English-EWT/r2.16/<file>", e.Message);
        Assert.Empty(Directory.GetFiles(target));
    }

    [Fact]
    public async Task A_stalled_download_fails_after_its_timeout()
    {
        using var temp = new TempFolder();
        using var client = new HttpClient(new FakeServer(_ => Array.Empty<byte>(), stall: true));
        var source = new EwtGitHubSource(client, timeout: TimeSpan.FromMilliseconds(200));

        FetchResult result = await source.TryFetchAsync(EwtFiles.Test, temp.File("x.part"), null, CancellationToken.None);

        Assert.False(result.Success);
        Assert.Contains("did not complete within 0 s", result.Failure);
    }

    [Fact]
    public void Another_tag_or_base_address_is_used_as_given()
    {
        using var client = new HttpClient();
        Assert.Equal("https://raw.githubusercontent.com/UniversalDependencies/UD_English-EWT/r2.15/", new EwtGitHubSource(client, "r2.15").BaseUri.AbsoluteUri);
        Assert.Equal("http://mirror.example/ewt/", new EwtGitHubSource(client, baseUri: new Uri("http://mirror.example/ewt")).BaseUri.AbsoluteUri);
        Assert.Throws<ArgumentException>(() => new EwtDownloader(Array.Empty<IEwtSource>(), new Dictionary<string, string> { [EwtFiles.Train] = "00" }));
    }

    private static IReadOnlyDictionary<string, string> ChecksumsOf(Func<string, string, byte[]> content)
        => EwtFiles.All.ToDictionary(name => name, name => Sha256(content(name, "")));

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private sealed class Recorder : IProgress<DownloadProgress>
    {
        public List<DownloadProgress> Reports { get; } = new();
        public void Report(DownloadProgress value) { lock (Reports) Reports.Add(value); }
    }

    // An HTTP server in memory: serve(path) gives a body (null: 404) or throws as a network failure
    // would; with stall the body never arrives.
    private sealed class FakeServer : HttpMessageHandler
    {
        private readonly Func<string, byte[]?> _serve;
        private readonly bool _stall;

        public FakeServer(Func<string, byte[]?> serve, bool stall = false)
        {
            _serve = serve;
            _stall = stall;
        }

        public List<string> Requests { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Requests) Requests.Add(request.RequestUri!.AbsoluteUri);
            if (_stall) await Task.Delay(Timeout.Infinite, cancellationToken);
            byte[]? body = _serve(request.RequestUri!.AbsolutePath);
            if (body is null) return new HttpResponseMessage(HttpStatusCode.NotFound) { ReasonPhrase = "Not Found" };
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };
        }
    }
}
