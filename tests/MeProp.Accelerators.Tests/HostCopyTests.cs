using System;
using System.Threading;
using Xunit;

namespace MeProp.Accelerators.Tests;

/// <summary>
/// Copies between host arrays and the device while the garbage collector moves objects: every
/// value must arrive. Copies through an unpinned reference into a managed array read or write where
/// the array was before a collection moved it (device results read back as zeros, lost uploads).
/// </summary>
public sealed class HostCopyTests : IClassFixture<TestAcceleratorFixture>
{
    private readonly TestAcceleratorFixture _device;

    public HostCopyTests(TestAcceleratorFixture device) => _device = device;

    [Fact]
    public void Uploads_and_downloads_survive_compacting_collections()
    {
        using var stop = new CancellationTokenSource();
        // A second thread that starts young-generation collections all the time: each one moves the
        // young arrays that survive it, such as the ones being copied.
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested) GC.Collect(0, GCCollectionMode.Forced, blocking: true, compacting: true);
        }) { IsBackground = true };
        collector.Start();
        try
        {
            var values = new float[257];
            for (int i = 0; i < values.Length; i++) values[i] = 1 + i;
            using var device = DeviceBatch.From(_device.Accelerator, 1, values.Length, values);
            for (int round = 0; round < Rounds; round++)
            {
                // Fresh, young arrays: the ones a collection moves.
                var up = (float[])values.Clone();
                device.CopyFrom(up);
                var down = new float[values.Length];
                device.CopyTo(down);
                for (int i = 0; i < values.Length; i++)
                    if (down[i] != values[i])
                        Assert.Fail($"round {round}: element {i} came back as {down[i]}, not {values[i]}");
            }
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
    }

    // Unpinned copies failed within the first few rounds (of 20,000 tried); each round waits for collections, about 20 ms.
    private const int Rounds = 400;
}
