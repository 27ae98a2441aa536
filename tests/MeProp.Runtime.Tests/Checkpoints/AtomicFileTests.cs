using System;
using System.IO;
using MeProp.Checkpoints;
using Xunit;

namespace MeProp.Runtime.Tests.Checkpoints;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("meprop-atomic-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_completed_write_replaces_the_file_and_leaves_no_temporary()
    {
        string path = Path.Combine(_folder, "c.bin");
        File.WriteAllText(path, "old");
        AtomicFile.Write(path, s => s.Write("new"u8));
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void A_kill_between_the_write_and_the_rename_leaves_the_old_file_whole()
    {
        string path = Path.Combine(_folder, "c.bin");
        File.WriteAllText(path, "old");
        string? temporary = null;
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s => s.Write("new, complete"u8), t =>
        {
            temporary = t;
            // The new content is complete on disk here, under another name in the same folder.
            Assert.Equal("new, complete", File.ReadAllText(t));
            throw new IOException("simulated kill");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.NotNull(temporary);
        Assert.False(File.Exists(temporary));
    }

    [Fact]
    public void A_failure_during_the_write_leaves_the_old_file_whole()
    {
        string path = Path.Combine(_folder, "c.bin");
        File.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("half of it"u8);
            throw new InvalidOperationException("disk full");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void A_missing_folder_is_an_error_not_a_partial_file()
    {
        string path = Path.Combine(_folder, "no-such-folder", "c.bin");
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(path, s => s.Write("x"u8)));
    }

    [Fact]
    public void A_copy_replaces_the_destination_whole()
    {
        string source = Path.Combine(_folder, "a.bin"), destination = Path.Combine(_folder, "b.bin");
        File.WriteAllBytes(source, new byte[3_000_000]);
        File.WriteAllText(destination, "old");
        AtomicFile.Copy(source, destination);
        Assert.Equal(3_000_000, new FileInfo(destination).Length);
        Assert.Equal(2, Directory.GetFiles(_folder).Length);
        Assert.Throws<FileNotFoundException>(() => AtomicFile.Copy(Path.Combine(_folder, "missing"), destination));
        Assert.Equal(3_000_000, new FileInfo(destination).Length);
    }
}
