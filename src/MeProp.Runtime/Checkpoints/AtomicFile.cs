using System;
using System.IO;

namespace MeProp.Checkpoints;

/// <summary>
/// Replaces a file so that a crash, a kill or a full disk at any moment leaves either the old file
/// or the complete new one at its path, never a mix or a truncated file.
/// </summary>
/// <remarks>
/// The content goes to a temporary file in the same folder (so that the final rename stays within
/// one file system, where POSIX and Windows rename a file over another atomically), is flushed to
/// the disk (<see cref="FileStream.Flush(bool)"/> with <c>true</c>: fsync, so a power loss after the
/// rename cannot leave the new name pointing at unwritten blocks), and only then renamed over the
/// target. On failure the temporary file is deleted and the target is untouched. .NET offers no way
/// to fsync the folder itself, so after a power loss the rename may be undone, leaving the old
/// file: still whole.
/// </remarks>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>, atomically.</summary>
    public static void Write(string path, Action<Stream> write) => Write(path, write, beforeRename: null);

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/>, atomically (a kill mid-copy leaves the old destination).</summary>
    public static void Copy(string source, string destination)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        Write(destination, stream =>
        {
            using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20);
            input.CopyTo(stream);
        });
    }

    /// <summary>
    /// As <see cref="Write(string, Action{Stream})"/>; <paramref name="beforeRename"/> runs with the
    /// temporary file's path once it is complete and on disk, before the rename: tests throw there
    /// to simulate a kill between the write and the rename.
    /// </summary>
    internal static void Write(string path, Action<Stream> write, Action<string>? beforeRename)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        // The process id and a random part keep two writers of one path (or a stale leftover) apart.
        string temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            beforeRename?.Invoke(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original failure is what the caller needs to see; a leftover temporary file is
            // harmless (hidden, uniquely named, never read).
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
