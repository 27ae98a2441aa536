using System;
using System.CommandLine;
using MeProp.Accelerators;
using Spectre.Console;

namespace MeProp.Examples;

/// <summary>
/// The examples' <c>--accelerator</c>: one option, one way of opening the device and of saying
/// which one was picked, so that the three programs behave alike.
/// </summary>
public static class DeviceChoice
{
    /// <summary>The option, with its accepted values; absent means the CPU runtime.</summary>
    public static Option<string?> CreateOption()
    {
        var option = new Option<string?>("--accelerator")
        {
            Description = "Train on an accelerator with the generated device pass: auto (CUDA, else OpenCL, else the CPU runtime), cuda, opencl, "
                + "or cpu (ILGPU's CPU accelerator: slow, for checking). Default: the CPU runtime.",
        };
        option.AcceptOnlyFromAmong("auto", "cuda", "opencl", "cpu");
        return option;
    }

    /// <summary>
    /// Opens the accelerator <paramref name="name"/> asks for and says on the console which one it
    /// is. Returns null in <paramref name="device"/> for the CPU runtime (no option, or auto with no
    /// device); the error is one line when the requested kind is absent.
    /// </summary>
    public static bool TryOpen(string? name, out OpenedAccelerator? device, out string? error)
    {
        device = null;
        error = null;
        if (name is null) return true;
        try
        {
            device = AcceleratorChoice.Open(AcceleratorChoice.Parse(name));
        }
        catch (Exception e) when (e is AcceleratorUnavailableException or ArgumentException)
        {
            error = e.Message;
            return false;
        }
        AnsiConsole.MarkupLine(device is null
            ? "[yellow]--accelerator auto: no CUDA or OpenCL device here; training on the CPU runtime.[/]"
            : $"[grey]training on {Markup.Escape(device.Description)}[/]");
        return true;
    }

    /// <summary>" on " and the device, for a run's title; empty for the CPU runtime.</summary>
    public static string Where(OpenedAccelerator? device) => device is null ? "" : " on " + device.Description;

    /// <summary>The device form of the run's optimizer, at its learning rate (every row is updated: the touched-rows form is a CPU option).</summary>
    public static DeviceOptimizer CreateDeviceOptimizer(this RunOptions options, DeviceRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TouchedRowsOnly) throw new ArgumentException("--touched-rows-only is a CPU option: the device pass updates every row.", nameof(options));
        return new DeviceOptimizer(runtime, options.Optimizer switch
        {
            OptimizerKind.Adam => DeviceOptimizerKind.Adam,
            OptimizerKind.AdaGrad => DeviceOptimizerKind.AdaGrad,
            _ => DeviceOptimizerKind.Sgd,
        }, options.EffectiveLearningRate);
    }

    /// <summary>The one-line refusal of --touched-rows-only with --accelerator, or null.</summary>
    public static string? Conflict(string? acceleratorName, RunOptions options)
        => acceleratorName is not null && options.TouchedRowsOnly
            ? "--touched-rows-only is a CPU option: the device pass updates every row; leave out one of the two."
            : null;
}
