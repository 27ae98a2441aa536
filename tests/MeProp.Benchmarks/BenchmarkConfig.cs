using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace MeProp.Benchmarks;

/// <summary>
/// The suites' common configuration: the default columns, allocations, and figures that relate each
/// time to a machine limit (GFLOP/s against the measured FMA peak, GB/s against the memory
/// bandwidths) and, in the layer suites, to the dense backward of the same layer.
/// </summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        Add(DefaultConfig.Instance);
        AddColumn(new ThroughputColumn(ThroughputColumn.Figure.Gflops));
        AddColumn(new ThroughputColumn(ThroughputColumn.Figure.PercentOfPeak));
        AddColumn(new ThroughputColumn(ThroughputColumn.Figure.MinTrafficBandwidth));
        AddColumn(new SpeedupColumn());
        AddDiagnoser(MemoryDiagnoser.Default);
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
    }
}

/// <summary>
/// The work one operation of a benchmark case does, in the units its machine limit is stated in:
/// flops for the products and the dense-like backwards, bytes for the per-example sparse backwards
/// (which are bound by memory, not arithmetic). Null where the figure does not apply.
/// </summary>
public static class Work
{
    /// <summary>
    /// Nominal flops: 2·M·N·K for a GEMM product; a PeakFma burst iteration's FMAs x lanes x 2; 4·B·n·m for a layer's dense backward (dW = dyᵀ·x
    /// and dx = dy·W, 2·B·n·m each; the scalar-loop baseline and the device's cuBLAS-alone case do the same arithmetic), 4·B·k·m for
    /// unified mode (the same two products on the k kept columns). db and the selection are left out.
    /// </summary>
    public static double? Flops(BenchmarkCase benchmarkCase)
    {
        if (Parameter(benchmarkCase, "Shape") is GemmShape shape) return 2.0 * shape.M * shape.N * shape.K;
        // PeakFma's operation is one burst iteration: Chains FMAs x lanes x 2 flops.
        if (benchmarkCase.Descriptor.Type == typeof(PeakFmaBenchmarks))
        {
            return benchmarkCase.Descriptor.WorkloadMethod.Name switch
            {
                nameof(PeakFmaBenchmarks.Fma512) => MachinePeak.FlopsPerIteration(16),
                nameof(PeakFmaBenchmarks.Fma256) => MachinePeak.FlopsPerIteration(8),
                _ => null,
            };
        }
        if (LayerBackwardCore.ShapeOf(benchmarkCase) is not { } layer) return null;
        return benchmarkCase.Descriptor.WorkloadMethod.Name switch
        {
            "Dense" or "PaperScalarDense" or "CuBlasAlone" => 4.0 * layer.Examples * layer.Outputs * layer.Inputs,
            "Unified" => 4.0 * layer.Examples * layer.K * layer.Inputs,
            _ => null,
        };
    }

    /// <summary>
    /// The memory traffic per-example top-k and random-k cannot avoid, in bytes: per example, k rows
    /// of W read (dx), k rows of dW read and written (dW += g·x), its row of dy read (the selection),
    /// its row of x read and its row of dx written; 4 bytes a float, m inputs, n outputs:
    /// 4·B·(3·k·m + 2·m + n). Rows shared between examples are counted each time, and clearing the
    /// touched rows of dW before the call (part of the measured operation) is not counted.
    /// </summary>
    public static double? MinimalBytes(BenchmarkCase benchmarkCase)
    {
        if (benchmarkCase.Descriptor.WorkloadMethod.Name is not ("TopK" or "RandomK")) return null;
        if (LayerBackwardCore.ShapeOf(benchmarkCase) is not { } layer) return null;
        double k = layer.K, m = layer.Inputs, n = layer.Outputs;
        return 4.0 * layer.Examples * (3 * k * m + 2 * m + n);
    }

    /// <summary>The cores the case allowed (its Threads parameter), where it has one.</summary>
    public static int? Threads(BenchmarkCase benchmarkCase) => Parameter(benchmarkCase, "Threads") as int?;

    private static object? Parameter(BenchmarkCase benchmarkCase, string name) =>
        benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == name)?.Value;
}

/// <summary>
/// Figures of <see cref="Work"/> over the mean time: GFLOP/s; GFLOP/s as a share of the measured
/// one-core FMA peak (<see cref="MachinePeak"/>) times the cores the case allowed; and GB/s of the
/// minimal traffic, to read against the cache and memory bandwidths.
/// </summary>
public sealed class ThroughputColumn : IColumn
{
    public enum Figure { Gflops, PercentOfPeak, MinTrafficBandwidth }

    private readonly Figure _figure;

    public ThroughputColumn(Figure figure) => _figure = figure;

    public string Id => _figure switch
    {
        Figure.Gflops => "GFlops",
        Figure.PercentOfPeak => "PercentOfPeak",
        _ => "MinTrafficGBps",
    };

    public string ColumnName => _figure switch
    {
        Figure.Gflops => "GFLOP/s",
        Figure.PercentOfPeak => "% of peak (Threads cores)",
        _ => "GB/s (min traffic)",
    };

    public string Legend => _figure switch
    {
        Figure.Gflops => "Billions of floating-point operations per second (2·M·N·K per product; 384 or 192 per PeakFma burst iteration, 512- or 256-bit; 4·B·n·m for a layer's dense backward, 4·B·k·m for unified)",
        Figure.PercentOfPeak => "GFLOP/s as a share of the measured one-core FP32 FMA peak times Threads (products under 2·10⁷ flops use one core whatever Threads allows)",
        _ => "Per-example top-k/random-k: the traffic it cannot avoid, 4·B·(3·k·m + 2·m + n) bytes (k rows of W read, k rows of dW read and written, rows of dy, x, dx), over the time",
    };

    public bool AlwaysShow => false;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => (int)_figure;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => Rate(c, meanNanoseconds: 1) is not null);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null || Rate(benchmarkCase, statistics.Mean) is not { } rate) return "-";
        return _figure == Figure.PercentOfPeak
            ? rate.ToString("F0", CultureInfo.InvariantCulture) + "%"
            : rate.ToString("F1", CultureInfo.InvariantCulture);
    }

    // Work per nanosecond is work per second in billions: GFLOP/s, GB/s.
    private double? Rate(BenchmarkCase benchmarkCase, double meanNanoseconds)
    {
        switch (_figure)
        {
            case Figure.Gflops:
                return Work.Flops(benchmarkCase) / meanNanoseconds;
            case Figure.PercentOfPeak:
                double? flops = Work.Flops(benchmarkCase);
                int? threads = Work.Threads(benchmarkCase);
                if (flops is null || threads is null) return null;
                return 100 * flops.Value / meanNanoseconds / (MachinePeak.SingleCoreGflops * threads.Value);
            default:
                return Work.MinimalBytes(benchmarkCase) / meanNanoseconds;
        }
    }
}

/// <summary>
/// In the layer suites, the dense backward's mean time over this case's: how many times faster than
/// dense (below 1: slower). The dense case is the one of the same summary, job and layer (inputs,
/// outputs, batch); in another suite with a Dense method, that method's case with the same
/// parameters; without one the cell reads "-". Unlike BenchmarkDotNet's Ratio it does not
/// need the two cases to share every parameter, so one dense run serves every k.
/// </summary>
public sealed class SpeedupColumn : IColumn
{
    public string Id => "SpeedupVsDense";

    public string ColumnName => "Speedup vs dense";

    public string Legend => "Mean time of the Dense case of the same layer (inputs, outputs, batch) over this case's";

    public bool AlwaysShow => false;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 10;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => DenseOf(summary, c) is not null);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        BenchmarkCase? dense = DenseOf(summary, benchmarkCase);
        double? denseMean = dense is null ? null : summary[dense]?.ResultStatistics?.Mean;
        if (mean is not > 0 || denseMean is null) return "-";
        double speedup = denseMean.Value / mean.Value;
        return speedup.ToString(speedup >= 100 ? "F0" : speedup >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture) + "x";
    }

    private static BenchmarkCase? DenseOf(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (LayerBackwardCore.ShapeOf(benchmarkCase) is not { } layer)
        {
            // Another suite with a Dense case (the device MNIST pass): that case of the same suite
            // and job with the same parameters, method arguments (k) aside.
            string parameters = NonArgumentParameters(benchmarkCase);
            return summary.BenchmarksCases.FirstOrDefault(c => c.Descriptor.WorkloadMethod.Name == "Dense"
                && c.Descriptor.Type == benchmarkCase.Descriptor.Type
                && c.Job.DisplayInfo == benchmarkCase.Job.DisplayInfo
                && NonArgumentParameters(c) == parameters);
        }
        // Where dense runs once per parameter set (the k sweep) the one with this case's
        // parameters; otherwise any dense run of the layer, preferably of the same suite.
        return summary.BenchmarksCases
            .Where(c => c.Descriptor.WorkloadMethod.Name == "Dense"
                        && c.Job.DisplayInfo == benchmarkCase.Job.DisplayInfo
                        && LayerBackwardCore.ShapeOf(c) is { } other
                        && (other.Inputs, other.Outputs, other.Examples) == (layer.Inputs, layer.Outputs, layer.Examples))
            .OrderByDescending(c => c.Descriptor.Type == benchmarkCase.Descriptor.Type)
            .ThenByDescending(c => c.Parameters.ValueInfo == benchmarkCase.Parameters.ValueInfo)
            .FirstOrDefault();
    }

    private static string NonArgumentParameters(BenchmarkCase benchmarkCase) =>
        string.Join(", ", benchmarkCase.Parameters.Items.Where(p => !p.IsArgument).Select(p => $"{p.Name}={p.Value}"));
}
