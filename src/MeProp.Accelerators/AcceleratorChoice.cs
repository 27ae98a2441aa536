using System;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace MeProp.Accelerators;

/// <summary>Which accelerator a program asks for (the examples' <c>--accelerator</c>).</summary>
public enum AcceleratorKind
{
    /// <summary>CUDA when a device is present, else OpenCL when one is, else none (train on the CPU runtime).</summary>
    Auto,

    /// <summary>The first CUDA device; products through cuBLAS.</summary>
    Cuda,

    /// <summary>The first OpenCL device ILGPU supports; products through the tiled kernel.</summary>
    OpenCL,

    /// <summary>ILGPU's CPU accelerator: the device kernels on the host's threads (slow; for checking the device pass without a GPU).</summary>
    Cpu,
}

/// <summary>An opened accelerator with its ILGPU context and the device runtime loaded for it; dispose it to release all three.</summary>
public sealed class OpenedAccelerator : IDisposable
{
    internal OpenedAccelerator(Context context, Accelerator accelerator, AcceleratorKind kind)
    {
        Context = context;
        Accelerator = accelerator;
        Kind = kind;
        Runtime = new DeviceRuntime(accelerator);
    }

    public Context Context { get; }

    public Accelerator Accelerator { get; }

    /// <summary>Which kind was opened (never Auto).</summary>
    public AcceleratorKind Kind { get; }

    public DeviceRuntime Runtime { get; }

    /// <summary>The device in words, for logs and reports: "CUDA: NVIDIA H100 80GB HBM3 (79.1 GiB)".</summary>
    /// <remarks>The CPU accelerator's memory size is a nominal maximum, not the host's memory: it is left out.</remarks>
    public string Description => Kind == AcceleratorKind.Cpu
        ? $"ILGPU CPU accelerator ({Environment.ProcessorCount} cores)"
        : $"{(Kind == AcceleratorKind.Cuda ? "CUDA" : "OpenCL")}: {Accelerator.Name.Trim()} ({Accelerator.MemorySize / (1024.0 * 1024 * 1024):0.0} GiB)";

    public void Dispose()
    {
        Runtime.Dispose();
        Accelerator.Dispose();
        Context.Dispose();
    }
}

/// <summary>Finds and opens the accelerator a program asks for, with a clear message when it is absent.</summary>
public static class AcceleratorChoice
{
    /// <summary>Reads an <c>--accelerator</c> value: auto, cuda, opencl or cpu (any case).</summary>
    /// <exception cref="ArgumentException">Any other value; the message lists the accepted ones.</exception>
    public static AcceleratorKind Parse(string value) => value?.Trim().ToLowerInvariant() switch
    {
        "auto" => AcceleratorKind.Auto,
        "cuda" => AcceleratorKind.Cuda,
        "opencl" => AcceleratorKind.OpenCL,
        "cpu" => AcceleratorKind.Cpu,
        _ => throw new ArgumentException($"--accelerator must be auto, cuda, opencl or cpu, not '{value}'.", nameof(value)),
    };

    /// <summary>True when a CUDA device and its driver are present.</summary>
    public static bool CudaPresent => LazyCudaPresent.Value;

    private static readonly Lazy<bool> LazyCudaPresent = new(() =>
    {
        if (Find(AcceleratorKind.Cuda) is not var (context, accelerator)) return false;
        accelerator.Dispose();
        context.Dispose();
        return true;
    });

    /// <summary>
    /// Opens <paramref name="kind"/> with a device runtime loaded for it; for <see cref="AcceleratorKind.Auto"/>,
    /// CUDA, else OpenCL, else null (the caller trains on the CPU runtime and says so).
    /// </summary>
    /// <exception cref="AcceleratorUnavailableException">A named kind (not Auto) has no device here; the message says which.</exception>
    public static OpenedAccelerator? Open(AcceleratorKind kind)
    {
        if (kind == AcceleratorKind.Auto)
            return Opened(AcceleratorKind.Cuda) ?? Opened(AcceleratorKind.OpenCL);
        return Opened(kind) ?? throw new AcceleratorUnavailableException(kind switch
        {
            AcceleratorKind.Cuda => "--accelerator cuda: no CUDA device (or no NVIDIA driver) on this machine; use --accelerator auto to fall back, or leave the option out to train on the CPU.",
            AcceleratorKind.OpenCL => "--accelerator opencl: no OpenCL device that ILGPU supports on this machine; use --accelerator auto to fall back, or leave the option out to train on the CPU.",
            _ => $"--accelerator {kind}: ILGPU could not open its CPU accelerator.",
        });
    }

    private static OpenedAccelerator? Opened(AcceleratorKind kind)
        => Find(kind) is var (context, accelerator) ? new OpenedAccelerator(context, accelerator, kind) : null;

    // The first device of the kind with its context, or null when there is none here (the ILGPU
    // exceptions of a missing driver or library mean the same).
    private static (Context, Accelerator)? Find(AcceleratorKind kind)
    {
        Context? context = null;
        try
        {
            context = Context.Create(builder =>
            {
                switch (kind)
                {
                    case AcceleratorKind.Cuda: builder.Cuda(); break;
                    case AcceleratorKind.OpenCL: builder.OpenCL(); break;
                    default: builder.CPU(); break;
                }
                builder.EnableAlgorithms();
            });
            Accelerator? accelerator = kind switch
            {
                AcceleratorKind.Cuda => context.GetCudaDevices().Count > 0 ? context.CreateCudaAccelerator(0) : null,
                AcceleratorKind.OpenCL => context.GetCLDevices().Count > 0 ? context.CreateCLAccelerator(0) : null,
                _ => context.CreateCPUAccelerator(0),
            };
            if (accelerator is not null) return (context, accelerator);
            context.Dispose();
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context?.Dispose();
            return null;
        }
    }
}

/// <summary>The accelerator a program asked for is not on this machine.</summary>
public sealed class AcceleratorUnavailableException(string message) : Exception(message);
