using Xunit;

namespace MeProp.Accelerators.Tests;

/// <summary>A test that needs a CUDA device: shown as skipped, with the reason, on machines without one (CI).</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!AcceleratorChoice.CudaPresent) Skip = "No CUDA device on this machine (the products' cuBLAS path is checked where one is present).";
    }
}
