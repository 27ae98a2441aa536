using System;
using System.IO;
using System.IO.Compression;
using System.Security.Cryptography;
using MeProp.Datasets.Mnist;
using MeProp.TestSupport;
using Xunit;

namespace MeProp.Runtime.Tests.Datasets;

// Runs on the real MNIST when MEPROP_DATA points at a data folder (CI: ../shared/data); skipped otherwise.
public class RealMnistTests
{
    [DataFact(RealData.Mnist)]
    public void Real_MNIST_has_the_papers_split_and_the_canonical_checksums()
    {
        var location = new MnistLocator().Locate(null);
        Assert.Equal(MnistDataSource.EnvironmentVariable, location.Source);
        var data = MnistDataset.Load(location.Directory);
        Assert.Equal(28, data.ImageRows);
        Assert.Equal(28, data.ImageColumns);
        Assert.Equal(5000, data.Development.Count);
        Assert.Equal(55000, data.Training.Count);
        Assert.Equal(10000, data.Test.Count);
        Assert.Equal(5, data.Development.Label(0)); // the first training image is a 5
        Assert.Equal(7, data.Test.Label(0));        // the first test image is a 7

        foreach (string name in MnistFiles.All)
        {
            string path = MnistFiles.Find(location.Directory, name)!;
            using Stream file = File.OpenRead(path);
            using Stream raw = path.EndsWith(MnistFiles.GzipSuffix, StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
            Assert.Equal(MnistDownloader.CanonicalSha256[name], Convert.ToHexStringLower(SHA256.HashData(raw)));
        }
    }
}
