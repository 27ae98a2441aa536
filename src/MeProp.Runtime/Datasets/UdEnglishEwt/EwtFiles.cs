using System;
using System.Collections.Generic;
using System.IO;

namespace MeProp.Datasets.UdEnglishEwt;

/// <summary>The names of the three UD English EWT files, as the treebank releases them, and which a folder lacks.</summary>
public static class EwtFiles
{
    /// <summary>The training set (12,544 sentences, 204,577 words in release r2.16).</summary>
    public const string Train = "en_ewt-ud-train.conllu";

    /// <summary>The development set (2,001 sentences, 25,147 words in release r2.16).</summary>
    public const string Development = "en_ewt-ud-dev.conllu";

    /// <summary>The test set (2,077 sentences, 25,094 words in release r2.16).</summary>
    public const string Test = "en_ewt-ud-test.conllu";

    /// <summary>All three names, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } = new[] { Train, Development, Test };

    /// <summary>The names of the three files that <paramref name="directory"/> lacks.</summary>
    public static IReadOnlyList<string> Missing(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var missing = new List<string>();
        foreach (string name in All)
            if (!File.Exists(Path.Combine(directory, name))) missing.Add(name);
        return missing;
    }
}
