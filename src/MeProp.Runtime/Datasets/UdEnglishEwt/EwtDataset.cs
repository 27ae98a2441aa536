using System;
using System.Collections.Generic;
using System.IO;
using MeProp.Datasets.Conllu;

namespace MeProp.Datasets.UdEnglishEwt;

/// <summary>
/// The UD English EWT treebank as three lists of sentences: the released training, development and
/// test sets, read with <see cref="ConlluReader"/> (multiword tokens and empty nodes left out).
/// </summary>
public sealed class EwtDataset
{
    private EwtDataset(string directory, IReadOnlyList<ConlluSentence> training, IReadOnlyList<ConlluSentence> development, IReadOnlyList<ConlluSentence> test)
    {
        Directory = directory;
        Training = training;
        Development = development;
        Test = test;
    }

    /// <summary>The folder the files were read from.</summary>
    public string Directory { get; }

    /// <summary>The sentences of <see cref="EwtFiles.Train"/>.</summary>
    public IReadOnlyList<ConlluSentence> Training { get; }

    /// <summary>The sentences of <see cref="EwtFiles.Development"/>.</summary>
    public IReadOnlyList<ConlluSentence> Development { get; }

    /// <summary>The sentences of <see cref="EwtFiles.Test"/>.</summary>
    public IReadOnlyList<ConlluSentence> Test { get; }

    /// <summary>Reads the three files from <paramref name="directory"/> (see <see cref="EwtLocator"/> to find one).</summary>
    /// <exception cref="FileNotFoundException">A file is missing; the message names the folder and the missing files.</exception>
    /// <exception cref="ConlluFormatException">A file is malformed; the message names the file and line.</exception>
    public static EwtDataset Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var missing = EwtFiles.Missing(directory);
        if (missing.Count > 0)
            throw new FileNotFoundException(
                $"The UD English EWT folder {directory} lacks {string.Join(", ", missing)}. EwtDownloader can fetch them; see also --data and MEPROP_DATA.",
                Path.Combine(directory, missing[0]));
        return new EwtDataset(directory,
            ConlluReader.ReadFile(Path.Combine(directory, EwtFiles.Train)),
            ConlluReader.ReadFile(Path.Combine(directory, EwtFiles.Development)),
            ConlluReader.ReadFile(Path.Combine(directory, EwtFiles.Test)));
    }
}
