using System;
using System.Collections.Generic;
using System.Text;

namespace MeProp.Datasets.UdEnglishEwt;

/// <summary>
/// No source could deliver a UD English EWT file (or every delivery failed its checksum). The message
/// lists what each source answered and then exactly which files to put in which folder by hand.
/// </summary>
public sealed class EwtAcquisitionException : Exception
{
    /// <summary>Creates the exception for <paramref name="fileName"/>, missing from <paramref name="directory"/>.</summary>
    public EwtAcquisitionException(string directory, string fileName, IReadOnlyList<string> missingFiles, IReadOnlyList<string> failures)
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
        string tag = EwtDownloader.ReleaseTag;
        var text = new StringBuilder();
        text.AppendLine($"To provide UD English EWT yourself, get the three files of release {tag}");
        foreach (string name in EwtFiles.All) text.AppendLine($"    {name}");
        text.AppendLine("and do one of:");
        text.AppendLine($"  - put them in {directory}");
        text.AppendLine($"  - put them in a folder DIR (or DIR/{EwtLocator.Subfolder}/) and pass --data DIR");
        text.AppendLine($"  - put them in DIR/{EwtLocator.Subfolder}/ and set the environment variable {EwtLocator.EnvironmentVariable}=DIR");
        text.AppendLine("On a machine that can reach GitHub, for example:");
        text.AppendLine($"    git clone --depth 1 --branch {tag} https://github.com/UniversalDependencies/UD_English-EWT.git");
        text.AppendLine($"    then copy UD_English-EWT/{{{string.Join(",", EwtFiles.All)}}} into {directory}");
        text.AppendLine("or download each file from");
        text.Append($"    {EwtGitHubSource.RawContentRoot}{tag}/<file>");
        return text.ToString();
    }

    private static string Compose(string directory, string fileName, IReadOnlyList<string> missingFiles, IReadOnlyList<string> failures)
    {
        var text = new StringBuilder();
        text.AppendLine($"UD English EWT is incomplete in {directory} (missing: {string.Join(", ", missingFiles)}), and no source delivered {fileName}:");
        if (failures.Count == 0) text.AppendLine("  (no sources were configured)");
        foreach (string failure in failures) text.AppendLine($"  - {failure}");
        text.Append(Instructions(directory));
        return text.ToString();
    }
}
