using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using MeProp.Accelerators;
using MeProp.Examples.Mnist;

namespace MeProp.Benchmarks;

/// <summary>
/// Where the device suites run: on the first CUDA device at the paper's sizes (Tables 7 and 8: width
/// 8192, batch 1024); with <c>MEPROP_GPU_BENCH=smoke</c>, at small sizes on ILGPU's CPU accelerator,
/// which checks that the suites work on a machine without a GPU (its times mean nothing).
/// </summary>
public static class DeviceBench
{
    public const string SmokeVariable = "MEPROP_GPU_BENCH";

    public static bool Smoke => string.Equals(Environment.GetEnvironmentVariable(SmokeVariable), "smoke", StringComparison.OrdinalIgnoreCase);

    /// <summary>The layer width (and the MNIST hidden size) and the batch.</summary>
    public static int Width => Smoke ? 96 : 8192;

    public static int Batch => Smoke ? 64 : 1024;

    /// <summary>The paper's k; in smoke mode a few below the small width.</summary>
    public static IEnumerable<int> Ks => Smoke ? new[] { 8, 32 } : new[] { 8, 16, 32, 64, 128, 256, 512 };

    /// <summary>Whether the device suites can run here (they are left out of the run, with a message, otherwise).</summary>
    public static bool Available => Smoke || AcceleratorChoice.CudaPresent;

    public static OpenedAccelerator Open()
    {
        OpenedAccelerator opened = AcceleratorChoice.Open(Smoke ? AcceleratorKind.Cpu : AcceleratorKind.Cuda)!;
        Console.WriteLine($"// Device: {opened.Description}, products: {opened.Runtime.Gemm.Kernel}");
        return opened;
    }
}

/// <summary>
/// The paper's Table 7: the backward of one linear layer (W 8192 x 8192, batch 1024) on the device:
/// dense back propagation against unified meProp at each k, and the dense backward's two products
/// (dW = dyᵀ·x, dx = dy·W) through cuBLAS alone, to set our dense figure against the library's own.
/// Each operation ends by synchronising the device, so the times are its work.
/// </summary>
/// <remarks>
/// The output gradient is shaped like a ReLU layer's (half exact zeros), as in the CPU layer suites.
/// dW and db are added to across operations (the same work as clearing them first, and the sums
/// stay finite over any run's length). On ILGPU's CPU accelerator (smoke) the products are the
/// portable kernel, not cuBLAS.
/// </remarks>
public class DeviceLayerBackwardBenchmarks : ILayerSuite
{
    private OpenedAccelerator _device = null!;
    private DeviceLinearBackward _backward = null!;
    private DeviceBatch _dy = null!, _x = null!, _w = null!, _dw = null!, _db = null!, _dx = null!;

    public static IEnumerable<int> Widths => new[] { DeviceBench.Width };

    public static IEnumerable<int> Batches => new[] { DeviceBench.Batch };

    public static IEnumerable<int> Ks => DeviceBench.Ks;

    /// <summary>Inputs and outputs of the square layer.</summary>
    [ParamsSource(nameof(Widths))]
    public int Width { get; set; } = DeviceBench.Width;

    [ParamsSource(nameof(Batches))]
    public int Batch { get; set; } = DeviceBench.Batch;

    LayerShape ILayerSuite.Shape => new(Width, Width, Batch, 0);

    [GlobalSetup]
    public void Setup()
    {
        _device = DeviceBench.Open();
        var accelerator = _device.Accelerator;
        var random = new SeededRandom(3);
        _w = DeviceBatch.From(accelerator, Width, Width, Init.Glorot<float>(Width, Width, random).Data);
        _x = DeviceBatch.From(accelerator, Data.Batch(Batch, Width, random, zeroFraction: 0.5));
        _dy = DeviceBatch.From(accelerator, Data.Batch(Batch, Width, random, zeroFraction: 0.5));
        _dw = new DeviceBatch(accelerator, Width, Width);
        _db = new DeviceBatch(accelerator, 1, Width);
        _dx = new DeviceBatch(accelerator, Batch, Width);
        _backward = _device.Runtime.NewLinearBackward();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _backward.Dispose();
        foreach (DeviceBatch b in new[] { _dy, _x, _w, _dw, _db, _dx }) b.Dispose();
        _device.Dispose();
    }

    [Benchmark]
    public void Dense()
    {
        _backward.Run(_dy, _x, _w, _dw, _db, _dx, accumulateDx: false, Width, MePropMode.Dense);
        _device.Accelerator.Synchronize();
    }

    [Benchmark]
    [ArgumentsSource(nameof(Ks))]
    public void Unified(int k)
    {
        _backward.Run(_dy, _x, _w, _dw, _db, _dx, accumulateDx: false, k, MePropMode.Unified);
        _device.Accelerator.Synchronize();
    }

    /// <summary>The dense backward's two products and nothing else (no db): cuBLAS's own time for them on CUDA.</summary>
    [Benchmark]
    public void CuBlasAlone()
    {
        DeviceGemm gemm = _device.Runtime.Gemm;
        gemm.MultiplyTransposedA(_dy.View, _x.View, _dw.View, Width, Batch, Width, accumulate: true);
        gemm.Multiply(_dy.View, _w.View, _dx.View, Batch, Width, Width, accumulate: false);
        _device.Accelerator.Synchronize();
    }
}

/// <summary>
/// The paper's Table 8: the whole backward pass of the MNIST MLP (784 -> 8192 -> 8192 -> 10, batch
/// 1024) through its generated device pass, dense against unified meProp at each k. One training
/// forward in the set-up records the values; each operation is one <c>Backward</c> (which clears
/// and refills every gradient) and a synchronisation.
/// </summary>
/// <remarks>
/// The paper reports this per epoch of MNIST's training set; the MNIST example's
/// <c>--accelerator cuda --batch 1024 --hidden 8192 --epochs 1 --report</c> gives the epoch's
/// backward seconds directly. The output layer's k follows the model's settings (10 units: dense).
/// </remarks>
public class DeviceMnistBackwardBenchmarks
{
    private OpenedAccelerator _device = null!;
    private IMnistModel _model = null!;
    private IDeviceBatchPass _pass = null!;
    private DeviceBatch _x = null!, _gradient = null!;

    public static IEnumerable<int> Hiddens => new[] { DeviceBench.Width };

    public static IEnumerable<int> Batches => new[] { DeviceBench.Batch };

    public static IEnumerable<int> Ks => DeviceBench.Ks;

    [ParamsSource(nameof(Hiddens))]
    public int Hidden { get; set; }

    [ParamsSource(nameof(Batches))]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _device = DeviceBench.Open();
        DeviceRuntime runtime = _device.Runtime;
        _model = MnistShape.Create(layers: 2, Hidden, seed: 1);
        _pass = _model.OnDevice(runtime);
        var random = new SeededRandom(5);
        _x = DeviceBatch.From(runtime.Accelerator, Data.Batch(Batch, MnistShape.Pixels, random, zeroFraction: 0.8));
        var labels = new int[Batch];
        for (int i = 0; i < labels.Length; i++) labels[i] = random.NextInt(MnistShape.Classes);
        _gradient = new DeviceBatch(runtime.Accelerator, Batch, MnistShape.Classes);
        runtime.Loss.LossAndGradient(_pass.ForwardTrain(_x), labels, _gradient);
        runtime.Accelerator.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pass.Dispose();
        _x.Dispose();
        _gradient.Dispose();
        _device.Dispose();
    }

    [Benchmark]
    public void Dense()
    {
        _model.MePropSettings.Mode = MePropMode.Dense;
        Backward();
    }

    [Benchmark]
    [ArgumentsSource(nameof(Ks))]
    public void Unified(int k)
    {
        _model.MePropSettings.Mode = MePropMode.Unified;
        _model.MePropSettings.K = k;
        Backward();
    }

    private void Backward()
    {
        _pass.Backward(_gradient);
        _device.Accelerator.Synchronize();
    }
}
