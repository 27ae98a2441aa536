using System;
using System.Collections.Generic;
using System.IO;

namespace MeProp.Datasets.Mnist;

/// <summary>The names of the four MNIST files and how to find each in a folder.</summary>
public static class MnistFiles
{
    /// <summary>The 60,000 training images (IDX, 60000 x 28 x 28).</summary>
    public const string TrainImages = "train-images-idx3-ubyte";

    /// <summary>The 60,000 training labels (IDX, 60000).</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";

    /// <summary>The 10,000 test images (IDX, 10000 x 28 x 28).</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";

    /// <summary>The 10,000 test labels (IDX, 10000).</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>The suffix of the gzip-compressed form, as distributed by the MNIST mirrors.</summary>
    public const string GzipSuffix = ".gz";

    /// <summary>All four names, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } = new[] { TrainImages, TrainLabels, TestImages, TestLabels };

    /// <summary>
    /// The path of <paramref name="name"/> in <paramref name="directory"/>, raw or with
    /// <c>.gz</c>, or null when neither exists. The raw file wins when both exist: it reads faster.
    /// </summary>
    public static string? Find(string directory, string name)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(name);
        string raw = Path.Combine(directory, name);
        if (File.Exists(raw)) return raw;
        string gz = raw + GzipSuffix;
        return File.Exists(gz) ? gz : null;
    }

    /// <summary>The names of the four files that <paramref name="directory"/> lacks (in either form).</summary>
    public static IReadOnlyList<string> Missing(string directory)
    {
        var missing = new List<string>();
        foreach (string name in All)
            if (Find(directory, name) is null) missing.Add(name);
        return missing;
    }
}
