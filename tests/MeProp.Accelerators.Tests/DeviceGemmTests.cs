using System;
using ILGPU;
using ILGPU.Runtime;
using MeProp.Kernels;
using Xunit;

namespace MeProp.Accelerators.Tests;

/// <summary>The device products in the three forms, with both portable kernels, against a double-precision loop and the host's Gemm, on ILGPU's CPU accelerator.</summary>
public sealed class DeviceGemmTests : IClassFixture<TestAcceleratorFixture>
{
    public enum Form { TransposedB, Plain, TransposedA }

    private readonly TestAcceleratorFixture _device;
    // The accelerator's own choice (cuBLAS on CUDA, per element on the CPU accelerator), and the two portable kernels.
    private readonly DeviceGemm _gemm, _tiled, _perElement;

    public DeviceGemmTests(TestAcceleratorFixture device)
    {
        _device = device;
        _gemm = new DeviceGemm(device.Accelerator);
        _tiled = new DeviceGemm(device.Accelerator, DeviceProductKernel.Tiled);
        _perElement = new DeviceGemm(device.Accelerator, DeviceProductKernel.PerElement);
    }

    [Fact]
    public void The_default_kernel_fits_the_accelerator_and_cublas_needs_cuda()
    {
        Assert.Equal(DeviceProductKernel.Tiled, _tiled.Kernel);
        Assert.Equal(DeviceProductKernel.PerElement, _perElement.Kernel);
        if (_device.Accelerator.AcceleratorType == AcceleratorType.Cuda)
        {
            Assert.Equal(DeviceProductKernel.CuBlas, _gemm.Kernel);
            Assert.True(_gemm.UsesCuBlas);
            return;
        }
        Assert.Equal(DeviceProductKernel.PerElement, _gemm.Kernel);
        Assert.False(_gemm.UsesCuBlas);
        var ex = Assert.Throws<ArgumentException>(() => new DeviceGemm(_device.Accelerator, DeviceProductKernel.CuBlas));
        Assert.Contains("CUDA", ex.Message);
    }

    // Partial tiles in every direction, one element, k = 0, and a reduction over several tiles.
    public static TheoryData<int, int, int> Shapes => new() { { 1, 1, 1 }, { 17, 33, 5 }, { 40, 7, 70 }, { 3, 0, 4 }, { 20, 50, 24 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_form_matches_a_double_loop_and_the_host(int m, int k, int n)
    {
        foreach (DeviceGemm gemm in new[] { _gemm, _tiled, _perElement })
            foreach (Form form in Enum.GetValues<Form>())
                foreach (bool accumulate in new[] { false, true })
                    Check(gemm, form, m, k, n, accumulate);
    }

    [Fact]
    public void The_two_portable_kernels_give_the_same_bits()
    {
        // Both sum each element's products in ascending order; the tiles' zero padding adds exact zeros.
        const int m = 19, k = 45, n = 23;
        var random = new SeededRandom(8);
        float[] a = TestValues.Floats(random, m * k), b = TestValues.Floats(random, k * n);
        using MemoryBuffer1D<float, Stride1D.Dense> da = TestValues.Upload(_device.Accelerator, a), db = TestValues.Upload(_device.Accelerator, b),
            c1 = _device.Accelerator.Allocate1D<float>(m * n), c2 = _device.Accelerator.Allocate1D<float>(m * n);
        _perElement.MultiplyTransposedA(da.View, db.View, c1.View, m, k, n, accumulate: false);
        _tiled.MultiplyTransposedA(da.View, db.View, c2.View, m, k, n, accumulate: false);
        Assert.Equal(TestValues.Read(c2), TestValues.Read(c1));
    }

    private void Check(DeviceGemm gemm, Form form, int m, int k, int n, bool accumulate)
    {
        var random = new SeededRandom(m * 7919 + k * 31 + n + (int)form);
        float[] a = TestValues.Floats(random, m * k), b = TestValues.Floats(random, k * n), c0 = TestValues.Floats(random, m * n);
        double Aop(int i, int p) => form == Form.TransposedA ? a[p * m + i] : a[i * k + p];
        double Bop(int p, int j) => form == Form.TransposedB ? b[j * k + p] : b[p * n + j];

        float[] host = (float[])c0.Clone();
        switch (form)
        {
            case Form.TransposedB: Gemm.MultiplyTransposedB<float>(a, b, host, m, k, n, accumulate); break;
            case Form.Plain: Gemm.Multiply<float>(a, b, host, m, k, n, accumulate); break;
            default: Gemm.MultiplyTransposedA<float>(a, b, host, m, k, n, accumulate); break;
        }

        using MemoryBuffer1D<float, Stride1D.Dense> da = TestValues.Upload(_device.Accelerator, a), db = TestValues.Upload(_device.Accelerator, b), dc = TestValues.Upload(_device.Accelerator, c0);
        switch (form)
        {
            case Form.TransposedB: gemm.MultiplyTransposedB(da.View, db.View, dc.View, m, k, n, accumulate); break;
            case Form.Plain: gemm.Multiply(da.View, db.View, dc.View, m, k, n, accumulate); break;
            default: gemm.MultiplyTransposedA(da.View, db.View, dc.View, m, k, n, accumulate); break;
        }
        float[] device = TestValues.Read(dc);

        double tolerance = 2e-6 * Math.Sqrt(Math.Max(k, 1)) + 1e-6;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double expected = accumulate ? c0[i * n + j] : 0.0;
                for (int p = 0; p < k; p++) expected += Aop(i, p) * Bop(p, j);
                Assert.True(Math.Abs(device[i * n + j] - expected) <= tolerance * Math.Max(1, Math.Abs(expected)),
                    $"{gemm.Kernel} {form} {m}x{k}x{n} accumulate={accumulate} at ({i}, {j}): device {device[i * n + j]}, expected {expected}");
                Assert.True(Math.Abs(device[i * n + j] - host[i * n + j]) <= 2 * tolerance * Math.Max(1, Math.Abs(expected)),
                    $"{form} at ({i}, {j}): device {device[i * n + j]}, host {host[i * n + j]}");
            }
    }

    [Fact]
    public void Short_operands_throw_naming_them()
    {
        using MemoryBuffer1D<float, Stride1D.Dense> small = _device.Accelerator.Allocate1D<float>(5), big = _device.Accelerator.Allocate1D<float>(100);
        foreach (DeviceGemm gemm in new[] { _gemm, _tiled, _perElement })
        {
            var ex = Assert.Throws<ArgumentException>(() => gemm.Multiply(small.View, big.View, big.View, 2, 3, 4, false));
            Assert.Contains("a holds 5 floats", ex.Message);
            Assert.Contains("needs 6", ex.Message);
            ex = Assert.Throws<ArgumentException>(() => gemm.MultiplyTransposedB(big.View, big.View, small.View, 2, 3, 4, false));
            Assert.Contains("c holds 5", ex.Message);
        }
    }


}
