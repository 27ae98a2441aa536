using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using MeProp.Checkpoints;
using MeProp.Datasets.Mnist;
using MeProp.Examples.Mnist;
using MeProp.Kernels;
using MeProp.TestSupport;
using Xunit;

namespace MeProp.Examples.Tests;

/// <summary>
/// The same seed gives the same bits: two runs in a row, and runs with matrix products on one thread
/// and on two, agree in every epoch's loss and scores and in every saved weight and optimizer state.
/// Not in parallel with other tests, because <see cref="Gemm.MaxThreads"/> is process-wide.
/// </summary>
[Collection(AllocationCounting.Name)]
public sealed class DeterminismTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("meprop-determinism-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [DataFact(RealData.Mnist)]
    public void A_small_mnist_run_is_bit_identical_across_runs_and_thread_counts()
    {
        MnistDataset data = MnistDataset.Load(RealData.Folder(RealData.Mnist), 600);
        // Hidden 300: the batch-10 forward products (784 x 300 x 10 x 2 flops) are above the size at
        // which they share columns with the second thread, so a thread count of 2 really splits them.
        var options = new TrainingOptions { Epochs = 2, TrainLimit = 600, Hidden = 300, Dropout = 0.1 };
        int saved = Gemm.MaxThreads;
        try
        {
            RunResult Train(int threads, string name)
            {
                Gemm.MaxThreads = threads;
                return MnistTrainer.Train(options, data, NullObserver.Instance, new CheckpointPaths(Path.Combine(_folder, name), null));
            }
            RunResult first = Train(2, "a.safetensors"), again = Train(2, "b.safetensors"), oneThread = Train(1, "c.safetensors");
            foreach (RunResult other in new[] { again, oneThread })
            {
                Assert.Equal(first.Epochs.Select(e => (e.TrainLoss, e.DevAccuracy, e.TestAccuracy)), other.Epochs.Select(e => (e.TrainLoss, e.DevAccuracy, e.TestAccuracy)));
                Assert.Equal(first.UpdatedRowFraction, other.UpdatedRowFraction);
            }
            Assert.Equal(Checksums("a.safetensors"), Checksums("b.safetensors"));
            Assert.Equal(Checksums("a.safetensors"), Checksums("c.safetensors"));
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    // Every tensor's bytes hashed: the weights, the optimizer's moments, the data order.
    private string[] Checksums(string name)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(Path.Combine(_folder, name));
        return file.Tensors.Select(t =>
        {
            byte[] bytes = t.DType == SafeTensorsDType.I32
                ? MemoryMarshal.AsBytes(file.ReadArray<int>(t.Name).AsSpan()).ToArray()
                : MemoryMarshal.AsBytes(file.ReadArray<float>(t.Name).AsSpan()).ToArray();
            return $"{t.Name}:{Convert.ToHexString(SHA256.HashData(bytes))}";
        }).ToArray();
    }
}
