using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace MeProp.Benchmarks;

/// <summary>The suites' common configuration: the default columns plus throughput against the measured FMA peak.</summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        Add(DefaultConfig.Instance);
        AddColumn(new ThroughputColumn(percentOfPeak: false));
        AddColumn(new ThroughputColumn(percentOfPeak: true));
        AddDiagnoser(MemoryDiagnoser.Default);
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
    }
}

/// <summary>
/// GFLOP/s of a benchmark that does 2·M·N·K flops (parameters M, N and K, or a <c>Flops</c>
/// parameter), and its share of one core's measured FMA peak (<see cref="MachinePeak"/>).
/// </summary>
public sealed class ThroughputColumn : IColumn
{
    private readonly bool _percentOfPeak;

    public ThroughputColumn(bool percentOfPeak) => _percentOfPeak = percentOfPeak;

    public string Id => _percentOfPeak ? "PercentOfPeak" : "GFlops";

    public string ColumnName => _percentOfPeak ? "% of 1-core peak" : "GFLOP/s";

    public bool AlwaysShow => false;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => _percentOfPeak ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => _percentOfPeak
        ? "Throughput as a share of one core's FP32 FMA peak, measured on this machine"
        : "Billions of floating-point operations per second (2·M·N·K per product)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => Flops(c) is not null);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? flops = Flops(benchmarkCase);
        var report = summary[benchmarkCase];
        if (flops is null || report?.ResultStatistics is null) return "-";
        double gflops = flops.Value / report.ResultStatistics.Mean; // flops per ns = GFLOP/s
        return _percentOfPeak
            ? (100 * gflops / MachinePeak.SingleCoreGflops).ToString("F0", CultureInfo.InvariantCulture) + "%"
            : gflops.ToString("F1", CultureInfo.InvariantCulture);
    }

    private static double? Flops(BenchmarkCase benchmarkCase)
    {
        object? Get(string name) => benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == name)?.Value;
        if (Get("Shape") is GemmShape shape) return 2.0 * shape.M * shape.N * shape.K;
        return null;
    }
}
