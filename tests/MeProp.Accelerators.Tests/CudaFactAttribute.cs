using System;
using ILGPU;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace MeProp.Accelerators.Tests;

/// <summary>A test that needs a CUDA device: shown as skipped, with the reason, on machines without one (CI).</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Present = new(() =>
    {
        try
        {
            using var context = Context.Create(builder => builder.Cuda());
            return context.GetCudaDevices().Count > 0;
        }
        catch (Exception)
        {
            return false; // no driver, or it failed to load: no CUDA here
        }
    });

    public CudaFactAttribute()
    {
        if (!Present.Value) Skip = "No CUDA device on this machine (the products' cuBLAS path is checked where one is present).";
    }
}
