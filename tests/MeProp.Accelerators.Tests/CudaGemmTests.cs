using System;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace MeProp.Accelerators.Tests;

/// <summary>The products through cuBLAS on a CUDA device, in the three forms, against a double loop (skipped without a device).</summary>
public sealed class CudaGemmTests
{
    [CudaFact]
    public void CuBlas_forms_match_a_double_loop()
    {
        using var context = Context.Create(builder => builder.Cuda().EnableAlgorithms());
        using var accelerator = context.CreateCudaAccelerator(0);
        var gemm = new DeviceGemm(accelerator);
        Assert.True(gemm.UsesCuBlas);
        var random = new SeededRandom(3);
        foreach (var (m, k, n) in new[] { (1, 1, 1), (17, 33, 5), (64, 128, 96), (3, 0, 4) })
            foreach (int form in new[] { 0, 1, 2 })
                foreach (bool accumulate in new[] { false, true })
                {
                    float[] a = TestValues.Floats(random, m * k), b = TestValues.Floats(random, k * n), c0 = TestValues.Floats(random, m * n);
                    using MemoryBuffer1D<float, Stride1D.Dense> da = TestValues.Upload(accelerator, a), db = TestValues.Upload(accelerator, b), dc = TestValues.Upload(accelerator, c0);
                    if (form == 0) gemm.MultiplyTransposedB(da.View, db.View, dc.View, m, k, n, accumulate);
                    else if (form == 1) gemm.Multiply(da.View, db.View, dc.View, m, k, n, accumulate);
                    else gemm.MultiplyTransposedA(da.View, db.View, dc.View, m, k, n, accumulate);
                    float[] c = TestValues.Read(dc);
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++)
                        {
                            double expected = accumulate ? c0[i * n + j] : 0;
                            for (int p = 0; p < k; p++)
                                expected += (form == 2 ? a[p * m + i] : a[i * k + p]) * (double)(form == 0 ? b[j * k + p] : b[p * n + j]);
                            Assert.True(Math.Abs(c[i * n + j] - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"form {form} {m}x{k}x{n} ({i}, {j}): {c[i * n + j]} vs {expected}");
                        }
                }
    }


}
