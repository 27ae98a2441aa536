using System;
using System.IO;

namespace MeProp.Examples;

/// <summary>
/// Checks, before a run starts, that a file the run will write at its end (a --report) or after each
/// epoch (a --save), or a folder it fills (Reproduce's --out), can be written, so that hours of
/// training do not end in a failed write.
/// </summary>
public static class WritablePath
{
    /// <summary>The problem with writing a file at <paramref name="path"/>, in one line naming <paramref name="option"/>; null when there is none.</summary>
    /// <param name="createsFolders">Whether the writer creates missing folders (then the nearest existing one must be writable).</param>
    public static string? Problem(string option, string path, bool createsFolders)
    {
        var (full, problem) = FullPath(option, path, "file");
        if (full is null) return problem;
        if (Directory.Exists(full)) return $"{option}: '{path}' is a folder; give a file name.";
        return Writable(option, Path.GetDirectoryName(full)!, path, createsFolders);
    }

    /// <summary>The problem with writing files into <paramref name="folder"/>, created where missing; null when there is none.</summary>
    public static string? FolderProblem(string option, string folder)
    {
        var (full, problem) = FullPath(option, folder, "folder");
        if (full is null) return problem;
        if (File.Exists(full)) return $"{option}: '{folder}' is a file, not a folder.";
        return Writable(option, full, folder, createsFolders: true);
    }

    // The absolute path, or the problem with a path the system cannot resolve (an empty or malformed one).
    private static (string? Full, string? Problem) FullPath(string option, string path, string what)
    {
        try
        {
            return (Path.GetFullPath(path), null);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return (null, $"{option}: '{path}' is not a {what} path ({e.Message}).");
        }
    }

    private static string? Writable(string option, string folder, string given, bool createsFolders)
    {
        string? existing = folder;
        while (existing is not null && !Directory.Exists(existing))
        {
            if (File.Exists(existing)) return $"{option}: '{existing}' is a file, so '{given}' cannot be made there.";
            if (!createsFolders) return $"{option}: the folder '{folder}' does not exist.";
            existing = Path.GetDirectoryName(existing);
        }
        if (existing is null) return $"{option}: no folder on the way to '{given}' exists.";
        // Writing a file is the only reliable test (permissions, read-only mounts, ACLs, running as root
        // all differ): a uniquely named probe, deleted when closed. Writers replace their target by a
        // rename within this folder (AtomicFile), so the folder, not the target, must be writable.
        string probe = Path.Combine(existing, $".meprop-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            return $"{option}: cannot write in the folder '{existing}'.";
        }
        catch (UnauthorizedAccessException)
        {
            return $"{option}: cannot write in the folder '{existing}' (permission denied).";
        }
        return null;
    }
}
