using System;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace MeProp.Datasets;

// The pieces every data set's acquisition shares (MNIST, UD English EWT): progress reports, a
// source's answer, the per-user cache root and the checksum of a stored file. They live here rather
// than in one data set's namespace so that each data set's downloader reports progress the same way
// and a program can show one progress display for all of them.

/// <summary>Progress of one file's acquisition: bytes received so far and the total when known.</summary>
/// <param name="FileName">The file being fetched, by its name in the data folder (e.g. train-images-idx3-ubyte).</param>
/// <param name="BytesReceived">Bytes received so far (compressed bytes for a .gz download).</param>
/// <param name="TotalBytes">The bytes to expect, or null when the source does not say.</param>
/// <param name="SourceName">The source delivering it.</param>
public sealed record DownloadProgress(string FileName, long BytesReceived, long? TotalBytes, string SourceName)
{
    /// <summary>BytesReceived / TotalBytes in [0, 1], or null when the total is unknown.</summary>
    public double? Fraction => TotalBytes is > 0 and long total ? Math.Min(1.0, (double)BytesReceived / total) : null;
}

/// <summary>What a source's attempt gave: success, or the reason it could not deliver.</summary>
public readonly record struct FetchResult(bool Success, string? Failure)
{
    /// <summary>The file was written.</summary>
    public static FetchResult Ok => new(true, null);

    /// <summary>The source could not deliver; <paramref name="reason"/> is shown to the user.</summary>
    public static FetchResult Failed(string reason) => new(false, reason);
}

/// <summary>Where downloaded data sets are kept for the user, and how stored files are verified.</summary>
public static class DataCache
{
    /// <summary>
    /// The platform's per-user cache root: LocalApplicationData on Windows; elsewhere
    /// <c>$XDG_CACHE_HOME</c> when it is an absolute path (the XDG rule), else <c>$HOME/.cache</c>.
    /// Each data set has its folder under <c>MeProp/</c> in it.
    /// </summary>
    public static string DefaultRoot(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (OperatingSystem.IsWindows())
            return Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        string? xdg = environment("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)) return xdg;
        string? home = environment("HOME");
        if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify);
        return Path.Combine(home, ".cache");
    }

    /// <summary>
    /// Creates the data folder a download writes into, or explains in one sentence why it cannot: the
    /// system's own messages name neither the folder's role nor, for a path through a file, the file.
    /// </summary>
    /// <exception cref="IOException">The folder cannot be created; the message names it and the cause.</exception>
    public static void CreateDataFolder(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string full = Path.GetFullPath(directory);
        for (string? part = full; part is not null; part = Path.GetDirectoryName(part))
            if (File.Exists(part))
                throw new IOException(part == full
                    ? $"The data folder '{directory}' cannot be made: a file of that name is in its place."
                    : $"The data folder '{directory}' cannot be made: '{part}' is a file, not a folder.");
        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"The data folder '{directory}' cannot be created: {e.Message}", e);
        }
    }

    /// <summary>The SHA-256 of a file as lower-case hex.</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        byte[] hash = await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(hash);
    }
}
