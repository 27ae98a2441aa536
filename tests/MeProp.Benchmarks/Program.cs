using System;
using System.Linq;
using BenchmarkDotNet.Running;

namespace MeProp.Benchmarks;

// dotnet run -c Release --project tests/MeProp.Benchmarks -- --filter '*Gemm*'
// (see docs/benchmarks.md for the suites and the command behind each table, docs/gpu.md for the device ones).
public static class Program
{
    private static readonly Type[] DeviceSuites = { typeof(DeviceLayerBackwardBenchmarks), typeof(DeviceMnistBackwardBenchmarks) };

    public static void Main(string[] args)
    {
        Type[] suites = typeof(Program).Assembly.GetTypes()
            .Where(t => t.IsPublic && !t.IsAbstract && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), false)))
            .ToArray();
        if (!DeviceBench.Available)
        {
            // Said before BenchmarkDotNet's own output, so that a filter naming them does not end in silence.
            Console.WriteLine($"The device suites ({string.Join(", ", DeviceSuites.Select(t => t.Name))}) are left out: no CUDA device here. " +
                $"{DeviceBench.SmokeVariable}=smoke runs them at small sizes on ILGPU's CPU accelerator (times that mean nothing).");
            suites = suites.Except(DeviceSuites).ToArray();
        }
        BenchmarkSwitcher.FromTypes(suites).Run(args, new BenchmarkConfig());
    }
}
