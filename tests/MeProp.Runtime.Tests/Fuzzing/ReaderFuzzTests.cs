using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using MeProp.Checkpoints;
using MeProp.Datasets;
using MeProp.Datasets.Conllu;
using MeProp.Datasets.Idx;
using MeProp.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MeProp.Runtime.Tests.Fuzzing;

/// <summary>
/// The IDX, CoNLL-U and checkpoint readers against mutated files, real ones where MEPROP_DATA has
/// them: every case ends in a correct read or in the reader's typed error naming the input; never
/// another exception, a hang, or an allocation out of proportion to the input. A fixed-seed few
/// hundred cases per reader here; MEPROP_FUZZ_CASES=100000 runs the long form (docs/reliability.md).
/// </summary>
public sealed class ReaderFuzzTests(ITestOutputHelper output)
{
    private const int CiCases = 300;

    private void Check(FuzzReport report)
    {
        output.WriteLine(report.ToString());
        Assert.True(report.Failures.Count == 0, report.ToString());
        Assert.True(report.Rejected > 0, $"no case was rejected: the mutations did not reach the reader's checks. {report}");
    }

    private static bool IsDataFormatError(Exception e) => e is DataFormatException;

    private static void ReadIdx(byte[] bytes, string name)
    {
        using var stream = new MemoryStream(bytes);
        IdxReader.Read(stream, name);
    }

    private static byte[] Idx(int[] dimensions, byte[] data)
    {
        using var stream = new MemoryStream();
        IdxWriter.Write(stream, dimensions, data);
        return stream.ToArray();
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(raw);
        return stream.ToArray();
    }

    [Fact]
    public void The_idx_reader_survives_mutated_synthetic_files()
    {
        var random = new SeededRandom(3);
        byte[] images = Idx(new[] { 20, 28, 28 }, Enumerable.Range(0, 20 * 784).Select(_ => (byte)random.NextInt(256)).ToArray());
        Check(ReaderFuzzer.Run("idx-raw", images, Mutations.Bytes, ReadIdx, IsDataFormatError, seed: 1, ReaderFuzzer.Cases(CiCases)));
        Check(ReaderFuzzer.Run("idx-gzip", Gzip(images), Mutations.Bytes, ReadIdx, IsDataFormatError, seed: 2, ReaderFuzzer.Cases(CiCases), allocationBase: images.Length));
    }

    [DataFact(RealData.Mnist)]
    public void The_idx_reader_survives_mutated_real_mnist_files()
    {
        string folder = RealData.Folder(RealData.Mnist);
        IdxArray labels = IdxReader.Read(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"));
        IdxArray images = IdxReader.Read(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"));
        // The real headers and the first 50 real images (the whole 7.8 MB file per case would be slow, not harder).
        byte[] someImages = Idx(new[] { 50, images.Dimensions[1], images.Dimensions[2] }, images.Data[..(50 * 784)].ToArray());
        byte[] allLabels = Idx(new[] { labels.Dimensions[0] }, labels.Data.ToArray());
        Check(ReaderFuzzer.Run("mnist-images", someImages, Mutations.Bytes, ReadIdx, IsDataFormatError, seed: 3, ReaderFuzzer.Cases(CiCases)));
        Check(ReaderFuzzer.Run("mnist-labels", allLabels, Mutations.Bytes, ReadIdx, IsDataFormatError, seed: 4, ReaderFuzzer.Cases(CiCases)));
        Check(ReaderFuzzer.Run("mnist-labels-gzip", File.ReadAllBytes(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz")), Mutations.Bytes, ReadIdx,
            IsDataFormatError, seed: 5, ReaderFuzzer.Cases(CiCases), allocationBase: allLabels.Length));
    }

    private static void ReadConllu(byte[] bytes, string name)
    {
        using var stream = new MemoryStream(bytes);
        ConlluReader.Read(stream, name);
    }

    [DataFact(RealData.UdEnglishEwt)]
    public void The_conllu_reader_survives_mutated_real_ewt_sentences()
    {
        // The first 40 sentences of the real development file: comments, multiword tokens, empty nodes and all.
        string path = Path.Combine(RealData.Folder(RealData.UdEnglishEwt), "en_ewt-ud-dev.conllu");
        var text = new StringBuilder();
        int sentences = 0;
        foreach (string line in File.ReadLines(path))
        {
            text.Append(line).Append('\n');
            if (line.Length == 0 && ++sentences == 40) break;
        }
        byte[] seedFile = Encoding.UTF8.GetBytes(text.ToString());
        Check(ReaderFuzzer.Run("ewt-dev", seedFile, Mutations.Lines, ReadConllu, e => e is ConlluFormatException, seed: 6, ReaderFuzzer.Cases(CiCases)));
    }

    private static void ReadCheckpoint(byte[] bytes, string name)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(new MemoryStream(bytes), name);
        foreach (SafeTensorsEntry tensor in file.Tensors)
        {
            switch (tensor.DType)
            {
                case SafeTensorsDType.F32: file.ReadArray<float>(tensor.Name); break;
                case SafeTensorsDType.F64: file.ReadArray<double>(tensor.Name); break;
                case SafeTensorsDType.I32: file.ReadArray<int>(tensor.Name); break;
                case SafeTensorsDType.I64: file.ReadArray<long>(tensor.Name); break;
                case SafeTensorsDType.U8: file.ReadArray<byte>(tensor.Name); break;
            }
        }
    }

    [Fact]
    public void The_checkpoint_reader_survives_mutated_checkpoints()
    {
        var random = new SeededRandom(8);
        var parameters = new[]
        {
            new Parameter<float>("W1", new Matrix<float>(6, 5, Enumerable.Range(0, 30).Select(_ => (float)random.NextGaussian()).ToArray())),
            new Parameter<float>("b1", new RowVector<float>(Enumerable.Range(0, 6).Select(_ => (float)random.NextGaussian()).ToArray())),
        };
        var adam = new Adam<float>();
        var writer = new SafeTensorsWriter();
        writer.Metadata["run.epochs"] = "[{\"Epoch\":1}]";
        Checkpoint.AddTo(writer, parameters, adam);
        writer.Add<int>("run.order", new[] { 3, 1, 2, 0 }, 4);
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        byte[] seedFile = stream.ToArray();
        // Byte mutations, and text mutations of the JSON header (numbers in shapes and offsets, fields).
        Check(ReaderFuzzer.Run("checkpoint", seedFile, Mutations.Bytes, ReadCheckpoint, IsDataFormatError, seed: 7, ReaderFuzzer.Cases(CiCases)));
        Check(ReaderFuzzer.Run("checkpoint-header", seedFile, Mutations.Lines, ReadCheckpoint, IsDataFormatError, seed: 9, ReaderFuzzer.Cases(CiCases)));
    }
}
