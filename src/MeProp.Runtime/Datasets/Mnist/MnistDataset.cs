using System;
using System.IO;
using MeProp.Datasets.Idx;

namespace MeProp.Datasets.Mnist;

/// <summary>
/// MNIST as the meProp paper uses it: the first 5,000 training images are the development set,
/// the other 55,000 the training set, and the 10,000 test images the test set.
/// </summary>
/// <remarks>
/// The four files are read once (raw or gzip, see <see cref="MnistFiles"/>) and validated: images
/// N x R x C with the same R x C in both image files, as many labels as images, labels 0 to 9.
/// The splits are views of those arrays, so the data costs one byte per pixel.
/// </remarks>
public sealed class MnistDataset
{
    /// <summary>The paper's development set: this many images from the start of the training file.</summary>
    public const int PaperDevelopmentSize = 5000;

    /// <summary>Number of classes (the digits 0 to 9).</summary>
    public const int Classes = 10;

    private MnistDataset(string directory, int rows, int columns, int trainingAvailable, MnistSplit training, MnistSplit development, MnistSplit test)
    {
        Directory = directory;
        ImageRows = rows;
        ImageColumns = columns;
        TrainingAvailable = trainingAvailable;
        Training = training;
        Development = development;
        Test = test;
    }

    /// <summary>The folder the files were read from.</summary>
    public string Directory { get; }

    /// <summary>Pixel rows per image (28).</summary>
    public int ImageRows { get; }

    /// <summary>Pixel columns per image (28).</summary>
    public int ImageColumns { get; }

    /// <summary>Pixels per image (784): the columns of a batch.</summary>
    public int Features => ImageRows * ImageColumns;

    /// <summary>Training images after the development set, before any limit (55,000).</summary>
    public int TrainingAvailable { get; }

    /// <summary>The training set: training images after the development set (55,000), or the first trainLimit of them.</summary>
    public MnistSplit Training { get; }

    /// <summary>The development set: the first 5,000 training images.</summary>
    public MnistSplit Development { get; }

    /// <summary>The 10,000 test images.</summary>
    public MnistSplit Test { get; }

    /// <summary>
    /// Loads the four MNIST files (each raw or <c>.gz</c>) from <paramref name="directory"/>.
    /// </summary>
    /// <param name="directory">A folder holding the four files (see <see cref="MnistLocator"/> to find one).</param>
    /// <param name="trainLimit">Keep only the first this-many training examples (a <c>--train-limit</c> option); null keeps all.</param>
    /// <param name="developmentSize">Training images held out, from the start, as the development set; the paper's 5,000 unless a test needs a tiny set.</param>
    /// <exception cref="FileNotFoundException">A file is missing in both forms; the message names the folder and the missing files.</exception>
    /// <exception cref="DataFormatException">A file is malformed, or the files disagree (counts, image sizes, labels out of range); the message names the file(s) and the byte offset.</exception>
    /// <exception cref="ArgumentOutOfRangeException">trainLimit is below 1 or above the training images available, or developmentSize is negative.</exception>
    public static MnistDataset Load(string directory, int? trainLimit = null, int developmentSize = PaperDevelopmentSize)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (developmentSize < 0)
            throw new ArgumentOutOfRangeException(nameof(developmentSize), developmentSize, $"developmentSize must be at least 0, but is {developmentSize}.");
        var missing = MnistFiles.Missing(directory);
        if (missing.Count > 0)
            throw new FileNotFoundException(
                $"The MNIST folder {directory} lacks {string.Join(", ", missing)} (each may be raw or end in .gz). MnistDownloader can fetch them; see also --data and MEPROP_DATA.",
                Path.Combine(directory, missing[0]));

        var (trainImages, trainLabels) = ReadPair(directory, MnistFiles.TrainImages, MnistFiles.TrainLabels);
        var (testImages, testLabels) = ReadPair(directory, MnistFiles.TestImages, MnistFiles.TestLabels);
        int rows = trainImages.Dimensions[1], columns = trainImages.Dimensions[2];
        if (testImages.Dimensions[1] != rows || testImages.Dimensions[2] != columns)
            throw new DataFormatException(testImages.SourceName, 8,
                $"the test images are {testImages.Dimensions[1]} x {testImages.Dimensions[2]} pixels, but the training images in {trainImages.SourceName} are {rows} x {columns}.",
                testImages.WasCompressed);

        int trainCount = trainImages.Count;
        if (trainCount <= developmentSize)
            throw new DataFormatException(trainImages.SourceName, 4,
                $"the file holds {trainCount} images, but the first {developmentSize} are the development set and at least one must remain for training.",
                trainImages.WasCompressed);
        int available = trainCount - developmentSize;
        int trainingCount = available;
        if (trainLimit is int limit)
        {
            if (limit < 1 || limit > available)
                throw new ArgumentOutOfRangeException(nameof(trainLimit), limit, $"The training limit must be between 1 and the {available} training images available, but is {limit}.");
            trainingCount = limit;
        }

        int features = rows * columns;
        var development = new MnistSplit("development", trainImages.Data, trainLabels.Data, 0, developmentSize, features);
        var training = new MnistSplit("training", trainImages.Data, trainLabels.Data, developmentSize, trainingCount, features);
        var test = new MnistSplit("test", testImages.Data, testLabels.Data, 0, testImages.Count, features);
        return new MnistDataset(directory, rows, columns, available, training, development, test);
    }

    // Reads one images file and its labels file and checks that they belong together.
    private static (IdxArray Images, IdxArray Labels) ReadPair(string directory, string imagesName, string labelsName)
    {
        string imagesPath = MnistFiles.Find(directory, imagesName)!;
        string labelsPath = MnistFiles.Find(directory, labelsName)!;
        IdxArray images = IdxReader.Read(imagesPath, expectedRank: 3);
        for (int d = 1; d <= 2; d++)
            if (images.Dimensions[d] < 1)
                throw new DataFormatException(imagesPath, 4 + 4 * d,
                    $"images of {images.ShapeText} pixels have no pixels; rows and columns must be at least 1.",
                    images.WasCompressed);
        IdxArray labels = IdxReader.Read(labelsPath, expectedRank: 1);
        if (labels.Count != images.Count)
            throw new DataFormatException(labelsPath, 4,
                $"{labelsPath} holds {labels.Count} labels, but {imagesPath} holds {images.Count} images; they must match one to one.",
                labels.WasCompressed);
        byte[] data = labels.Data;
        for (int i = 0; i < data.Length; i++)
            if (data[i] >= Classes)
                throw new DataFormatException(labelsPath, labels.HeaderLength + i,
                    $"label {i} is {data[i]}; MNIST labels are the digits 0 to {Classes - 1}.",
                    labels.WasCompressed);
        return (images, labels);
    }
}
