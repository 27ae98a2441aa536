using System;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace MeProp.Accelerators.Tests;

/// <summary>
/// ILGPU's CPU accelerator, which runs the device kernels on the host's threads: every kernel is
/// checked there against the CPU runtime, on any machine (CI has no GPU).
/// </summary>
public sealed class CpuAcceleratorFixture : IDisposable
{
    public CpuAcceleratorFixture()
    {
        Context = Context.Create(builder => builder.CPU().EnableAlgorithms());
        Accelerator = Context.CreateCPUAccelerator(0);
        Kernels = new DeviceKernels(Accelerator);
    }

    public Context Context { get; }

    public Accelerator Accelerator { get; }

    public DeviceKernels Kernels { get; }

    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }
}
