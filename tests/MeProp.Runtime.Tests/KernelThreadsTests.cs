using System;
using System.Linq;
using MeProp.Kernels;
using Xunit;

namespace MeProp.Runtime.Tests;

/// <summary>
/// The element-wise kernels split a large batch's rows between two threads (RowSplit; the embedding
/// gradient splits the table's rows): the same bits as on one thread, on sizes above the split
/// threshold whose halves end mid-vector.
/// </summary>
[Collection(GemmThreadCount.Name)]
public class KernelThreadsTests
{
    private const int Rows = 1101, Cols = 1003, Positions = 21, Dimension = 50, TableRows = 300;

    private static float[] Values(int count, int seed, bool unit = false)
    {
        var r = new SeededRandom(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(unit ? r.NextDouble() * 1.8 - 0.9 : (r.NextDouble() - 0.5) * 6)).ToArray();
    }

    private static float[][] OnThreads(int threads, Func<float[][]> run)
    {
        int before = Gemm.MaxThreads;
        try
        {
            Gemm.MaxThreads = threads;
            return run();
        }
        finally
        {
            Gemm.MaxThreads = before;
        }
    }

    private static void Same(Func<float[][]> run)
    {
        float[][] one = OnThreads(1, run), two = OnThreads(2, run);
        Assert.Equal(one.Length, two.Length);
        for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], two[i]);
    }

    private static IdBatch Ids()
    {
        var r = new SeededRandom(5);
        var ids = new IdBatch(Rows, Positions);
        for (int b = 0; b < Rows; b++)
            for (int p = 0; p < Positions; p++) ids[b, p] = r.NextInt(TableRows);
        return ids;
    }

    [Fact]
    public void Forward_kernels_give_the_bits_of_one_thread() => Same(() =>
    {
        var x = new Batch<float>(Rows, Cols, Values(Rows * Cols, 1));
        var table = new Matrix<float>(TableRows, Dimension, Values(TableRows * Dimension, 2));
        var embedded = new Batch<float>(Rows, Positions * Dimension);
        ForwardKernels.Embed(table, Ids(), embedded);
        var joined = new Batch<float>(Rows, Cols + Positions * Dimension);
        ForwardKernels.ConcatInto(x, joined, 0);
        ForwardKernels.ConcatInto(embedded, joined, Cols);
        var mask0 = new Batch<float>(Rows, Cols); var y0 = new Batch<float>(Rows, Cols);
        ForwardKernels.Dropout(x, 0.0, new SeededRandom(3), mask0, y0);
        var mask = new Batch<float>(Rows, Cols); var y = new Batch<float>(Rows, Cols);
        ForwardKernels.Dropout(x, 0.3, new SeededRandom(3), mask, y);
        var tanh = new Batch<float>(Rows, Cols);
        ForwardKernels.Tanh(x, tanh);
        return new[] { embedded.Data, joined.Data, mask0.Data, y0.Data, mask.Data, y.Data, tanh.Data };
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Backward_kernels_give_the_bits_of_one_thread(bool accumulate) => Same(() =>
    {
        var dy = new Batch<float>(Rows, Cols, Values(Rows * Cols, 6));
        var other = new Batch<float>(Rows, Cols, Values(Rows * Cols, 7, unit: true));
        var product = new Batch<float>(Rows, Cols, Values(Rows * Cols, 8));
        BackwardKernels.Multiply(dy, other, product, accumulate);
        var tanh = new Batch<float>(Rows, Cols, Values(Rows * Cols, 9));
        BackwardKernels.Tanh(dy, other, tanh, accumulate);
        var part = new Batch<float>(Rows, 500, Values(Rows * 500, 10));
        BackwardKernels.Concat(dy, 333, part, accumulate);
        var dEmbedded = new Batch<float>(Rows, Positions * Dimension, Values(Rows * Positions * Dimension, 11));
        var dTable = new ParameterGradient<float>(TableRows, Dimension);
        BackwardKernels.Embed(dEmbedded, Ids(), dTable);
        Assert.Equal(TableRows, dTable.TouchedRowCount);
        return new[] { product.Data, tanh.Data, part.Data, dTable.Data };
    });

    [Fact]
    public void A_bad_id_leaves_the_embedding_gradient_untouched()
    {
        var ids = Ids();
        ids[Rows - 1, Positions - 1] = TableRows;
        var dTable = new ParameterGradient<float>(TableRows, Dimension);
        var dEmbedded = new Batch<float>(Rows, Positions * Dimension, Values(Rows * Positions * Dimension, 12));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BackwardKernels.Embed(dEmbedded, ids, dTable));
        Assert.Contains($"example {Rows - 1}, position {Positions - 1}", e.Message);
        Assert.All(dTable.Data, v => Assert.Equal(0f, v));
    }
}
