namespace MeProp.Benchmarks;

internal static class Data
{
    /// <summary>A batch of values in [-1, 1), of which about <paramref name="zeroFraction"/> are exactly zero (as after a ReLU).</summary>
    public static Batch<float> Batch(int rows, int cols, SeededRandom random, double zeroFraction)
    {
        var batch = new Batch<float>(rows, cols);
        for (int i = 0; i < batch.Data.Length; i++)
            batch.Data[i] = random.NextDouble() < zeroFraction ? 0f : (float)(random.NextDouble() * 2 - 1);
        return batch;
    }
}
