using System;
using System.IO;
using MeProp.Datasets.Idx;
using MeProp.Datasets.Mnist;

namespace MeProp.Runtime.Tests.Datasets;

// A fresh folder under the system temp folder, deleted at the end of the test.
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "meprop-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Sub(string name)
    {
        string folder = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(folder);
        return folder;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

// A tiny MNIST-shaped data set: images of Rows x Cols with pixel (n, p) = (7n + p) mod 256 and
// label n mod 10, so every value can be checked from its position.
internal static class SyntheticMnist
{
    public const int Rows = 4, Cols = 3;

    public static byte Pixel(int example, int pixel) => (byte)((7 * example + pixel) % 256);

    public static byte[] Images(int count)
    {
        var data = new byte[count * Rows * Cols];
        for (int n = 0; n < count; n++)
            for (int p = 0; p < Rows * Cols; p++) data[n * Rows * Cols + p] = Pixel(n, p);
        return data;
    }

    public static byte[] Labels(int count)
    {
        var data = new byte[count];
        for (int n = 0; n < count; n++) data[n] = (byte)(n % 10);
        return data;
    }

    // Writes the four files; training files gzip-compressed and test files raw, so both forms are read.
    public static void Write(string folder, int trainCount = 12, int testCount = 4, bool gzipTrain = true, bool gzipTest = false)
    {
        IdxWriter.Write(Name(folder, MnistFiles.TrainImages, gzipTrain), new[] { trainCount, Rows, Cols }, Images(trainCount), gzipTrain);
        IdxWriter.Write(Name(folder, MnistFiles.TrainLabels, gzipTrain), new[] { trainCount }, Labels(trainCount), gzipTrain);
        IdxWriter.Write(Name(folder, MnistFiles.TestImages, gzipTest), new[] { testCount, Rows, Cols }, Images(testCount), gzipTest);
        IdxWriter.Write(Name(folder, MnistFiles.TestLabels, gzipTest), new[] { testCount }, Labels(testCount), gzipTest);
    }

    public static string Name(string folder, string file, bool gzip)
        => System.IO.Path.Combine(folder, gzip ? file + MnistFiles.GzipSuffix : file);
}
