using System;
using ILGPU;
using ILGPU.Runtime;

namespace MeProp.Accelerators.Tests;

/// <summary>The random inputs and uploads the device tests share.</summary>
internal static class TestValues
{
    /// <summary>A host batch of values uniform in [-scale/2, scale/2).</summary>
    public static Batch<float> Batch(int rows, int cols, SeededRandom random, double scale = 2.0)
    {
        var batch = new Batch<float>(rows, cols);
        for (int i = 0; i < batch.Span.Length; i++) batch.Span[i] = (float)((random.NextDouble() - 0.5) * scale);
        return batch;
    }

    /// <summary>Values uniform in [-1, 1).</summary>
    public static float[] Floats(SeededRandom random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>A device buffer holding <paramref name="values"/> (one element at least: an empty operand still gets a valid view).</summary>
    public static MemoryBuffer1D<float, Stride1D.Dense> Upload(Accelerator accelerator, float[] values)
    {
        var buffer = accelerator.Allocate1D<float>(Math.Max(1, values.Length));
        accelerator.Synchronize();
        if (values.Length > 0) buffer.View.SubView(0, values.Length).CopyFromCPU(values);
        return buffer;
    }

    /// <summary>A buffer's values once every queued kernel is done (ILGPU's copies do not wait for them on every accelerator; see HostCopies).</summary>
    public static T[] Read<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer) where T : unmanaged
    {
        buffer.Accelerator.Synchronize();
        return buffer.GetAsArray1D();
    }
}
