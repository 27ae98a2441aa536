using System;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace MeProp.Accelerators.Tests;

/// <summary>
/// The accelerator the device tests run on: ILGPU's CPU accelerator, which runs the kernels on the
/// host's threads, so that every kernel is checked against the CPU runtime on any machine (CI has
/// no GPU); with <c>MEPROP_TEST_ACCELERATOR=cuda</c>, the first CUDA device, so that the same
/// tests check the kernels as the GPU compiles them (the device script, docs/gpu.md).
/// </summary>
public sealed class TestAcceleratorFixture : IDisposable
{
    public const string Variable = "MEPROP_TEST_ACCELERATOR";

    public TestAcceleratorFixture()
    {
        string? wanted = Environment.GetEnvironmentVariable(Variable);
        if (string.Equals(wanted, "cuda", StringComparison.OrdinalIgnoreCase))
        {
            Context = Context.Create(builder => builder.Cuda().EnableAlgorithms());
            if (Context.GetCudaDevices().Count == 0)
            {
                Context.Dispose();
                throw new InvalidOperationException($"{Variable}=cuda, but ILGPU finds no CUDA device here.");
            }
            Accelerator = Context.CreateCudaAccelerator(0);
        }
        else if (string.IsNullOrEmpty(wanted) || string.Equals(wanted, "cpu", StringComparison.OrdinalIgnoreCase))
        {
            Context = Context.Create(builder => builder.CPU().EnableAlgorithms());
            Accelerator = Context.CreateCPUAccelerator(0);
        }
        else
        {
            throw new InvalidOperationException($"{Variable} must be cpu or cuda, not '{wanted}'.");
        }
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
