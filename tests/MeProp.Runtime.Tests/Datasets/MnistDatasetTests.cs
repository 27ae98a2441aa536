using System;
using System.IO;
using MeProp.Datasets;
using MeProp.Datasets.Idx;
using MeProp.Datasets.Mnist;
using Xunit;

namespace MeProp.Runtime.Tests.Datasets;

public class MnistDatasetTests
{
    [Fact]
    public void Splits_the_development_set_off_the_start_of_the_training_file()
    {
        using var temp = new TempFolder();
        SyntheticMnist.Write(temp.Path, trainCount: 12, testCount: 4);
        var data = MnistDataset.Load(temp.Path, developmentSize: 5);

        Assert.Equal(SyntheticMnist.Rows, data.ImageRows);
        Assert.Equal(SyntheticMnist.Cols, data.ImageColumns);
        Assert.Equal(12, data.Features);
        Assert.Equal(5, data.Development.Count);
        Assert.Equal(7, data.Training.Count);
        Assert.Equal(7, data.TrainingAvailable);
        Assert.Equal(4, data.Test.Count);
        // Development = training-file examples 0..4, training = 5..11, test = its own file.
        Assert.Equal(SyntheticMnist.Pixel(0, 1), data.Development.RawPixels(0)[1]);
        Assert.Equal(SyntheticMnist.Pixel(5, 1), data.Training.RawPixels(0)[1]);
        Assert.Equal(5, data.Training.Label(0));
        Assert.Equal(new byte[] { 5, 6, 7, 8, 9, 0, 1 }, data.Training.RawLabels.ToArray());
        Assert.Equal(3, data.Test.Label(3));
    }

    [Fact]
    public void Default_split_is_the_papers_5000_and_the_rest()
    {
        using var temp = new TempFolder();
        SyntheticMnist.Write(temp.Path, trainCount: 5010, testCount: 3, gzipTrain: false, gzipTest: true);
        var data = MnistDataset.Load(temp.Path);
        Assert.Equal(MnistDataset.PaperDevelopmentSize, data.Development.Count);
        Assert.Equal(10, data.Training.Count);
        Assert.Equal(3, data.Test.Count);
        Assert.Equal(SyntheticMnist.Pixel(5000, 0), data.Training.RawPixels(0)[0]);
    }

    [Fact]
    public void FillBatch_scales_pixels_to_the_unit_interval_and_copies_labels()
    {
        using var temp = new TempFolder();
        SyntheticMnist.Write(temp.Path, trainCount: 40, testCount: 4);
        var data = MnistDataset.Load(temp.Path, developmentSize: 5);
        var x = new Batch<float>(3, data.Features);
        var labels = new int[3];
        int[] indices = { 34, 0, 7 };
        data.Training.FillBatch(indices, x, labels);
        for (int row = 0; row < 3; row++)
        {
            int fileExample = 5 + indices[row];
            Assert.Equal(fileExample % 10, labels[row]);
            for (int p = 0; p < data.Features; p++)
                Assert.Equal(SyntheticMnist.Pixel(fileExample, p) / 255f, x[row, p]);
        }
        // Every value is in [0, 1], and both ends occur for a byte of 0 and of 255.
        var all = new Batch<double>(35, data.Features);
        var allLabels = new int[35];
        data.Training.FillBatch(0, all, allLabels);
        Assert.All(all.Data, v => Assert.InRange(v, 0.0, 1.0));
        Assert.Contains(1.0, all.Data);
        Assert.Contains(0.0, all.Data);
    }

    [Fact]
    public void FillBatch_checks_shapes_and_indices()
    {
        using var temp = new TempFolder();
        SyntheticMnist.Write(temp.Path);
        var data = MnistDataset.Load(temp.Path, developmentSize: 5);
        var labels = new int[2];
        var e1 = Assert.Throws<ArgumentException>(() => data.Test.FillBatch(new[] { 0, 1 }, new Batch<float>(2, 784), labels));
        Assert.Contains("2x784, expected 2x12", e1.Message);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => data.Test.FillBatch(new[] { 0, 4 }, new Batch<float>(2, 12), labels));
        Assert.Contains("indices[1] is 4, outside the 4 examples of the test split", e2.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Test.FillBatch(3, new Batch<float>(2, 12), labels));
    }

    [Fact]
    public void Train_limit_keeps_the_first_training_examples()
    {
        using var temp = new TempFolder();
        SyntheticMnist.Write(temp.Path, trainCount: 12);
        var data = MnistDataset.Load(temp.Path, trainLimit: 3, developmentSize: 5);
        Assert.Equal(3, data.Training.Count);
        Assert.Equal(5, data.Development.Count);
        Assert.Equal(7, data.TrainingAvailable);
        Assert.Equal(5, data.Training.Label(0));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MnistDataset.Load(temp.Path, trainLimit: 8, developmentSize: 5));
        Assert.Contains("between 1 and the 7 training images available, but is 8", e.Message);
    }

    [Fact]
    public void Label_count_different_from_image_count_names_both_files_and_counts()
    {
        using var temp = new TempFolder();
        SyntheticMnist.Write(temp.Path, trainCount: 12, gzipTrain: false);
        string labels = temp.File(MnistFiles.TrainLabels);
        IdxWriter.Write(labels, new[] { 11 }, SyntheticMnist.Labels(11));
        var e = Assert.Throws<DataFormatException>(() => MnistDataset.Load(temp.Path, developmentSize: 5));
        Assert.Equal(labels, e.FilePath);
        Assert.Equal(4, e.Offset);
        Assert.Contains($"{labels} holds 11 labels, but {temp.File(MnistFiles.TrainImages)} holds 12 images", e.Message);
    }

    [Fact]
    public void Label_out_of_range_names_the_file_the_index_and_the_offset()
    {
        using var temp = new TempFolder();
        SyntheticMnist.Write(temp.Path, testCount: 4);
        string labels = temp.File(MnistFiles.TestLabels);
        IdxWriter.Write(labels, new[] { 4 }, new byte[] { 1, 2, 10, 3 });
        var e = Assert.Throws<DataFormatException>(() => MnistDataset.Load(temp.Path, developmentSize: 5));
        Assert.Equal(labels, e.FilePath);
        Assert.Equal(8 + 2, e.Offset);
        Assert.Contains($"{labels}: at byte 10: label 2 is 10", e.Message);
    }

    [Fact]
    public void Images_with_two_dimensions_are_rejected_with_the_file_name()
    {
        using var temp = new TempFolder();
        SyntheticMnist.Write(temp.Path, testCount: 4);
        string images = temp.File(MnistFiles.TestImages);
        IdxWriter.Write(images, new[] { 4, 12 }, SyntheticMnist.Images(4));
        var e = Assert.Throws<DataFormatException>(() => MnistDataset.Load(temp.Path, developmentSize: 5));
        Assert.Equal(images, e.FilePath);
        Assert.Equal(3, e.Offset);
        Assert.Contains("but 3 are expected here (an image file: count x rows x columns)", e.Message);
    }

    [Fact]
    public void Test_images_of_another_size_than_training_images_are_rejected()
    {
        using var temp = new TempFolder();
        SyntheticMnist.Write(temp.Path, testCount: 4);
        string images = temp.File(MnistFiles.TestImages);
        IdxWriter.Write(images, new[] { 4, 3, 4 }, SyntheticMnist.Images(4));
        var e = Assert.Throws<DataFormatException>(() => MnistDataset.Load(temp.Path, developmentSize: 5));
        Assert.Contains("the test images are 3 x 4 pixels, but the training images", e.Message);
    }

    [Fact]
    public void Missing_files_are_named()
    {
        using var temp = new TempFolder();
        SyntheticMnist.Write(temp.Path);
        File.Delete(temp.File(MnistFiles.TestLabels));
        var e = Assert.Throws<FileNotFoundException>(() => MnistDataset.Load(temp.Path, developmentSize: 5));
        Assert.Contains(MnistFiles.TestLabels, e.Message);
        Assert.Contains(temp.Path, e.Message);
    }
}
