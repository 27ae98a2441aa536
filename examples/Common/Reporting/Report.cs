using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeProp.Examples;

/// <summary>
/// The machine-readable results of --report: <c>{"task": ..., "runs": [...]}</c>, one entry per run
/// (two with --compare), the common settings and results, then the task's own settings
/// (<see cref="RunOptions.ReportFields"/>).
/// </summary>
public static class Report
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <param name="task">The task's name: "mnist", "pos", "parsing".</param>
    /// <exception cref="IOException">The file could not be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder may not be written.</exception>
    public static void Write(string path, string task, IEnumerable<RunResult> runs)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        // Atomically: a write that fails part way leaves the previous report whole.
        byte[] text = System.Text.Encoding.UTF8.GetBytes(Serialize(task, runs) + "\n");
        MeProp.Checkpoints.AtomicFile.Write(path, stream => stream.Write(text));
    }

    public static string Serialize(string task, IEnumerable<RunResult> runs)
        => JsonSerializer.Serialize(new ReportDocument(task, runs.Select(Describe).ToArray()), Json);

    private static ReportRun Describe(RunResult run)
    {
        RunOptions o = run.Options;
        EpochResult best = run.Best;
        PhaseSeconds s = run.Seconds;
        bool namedAccuracy = o.MetricName == RunOptions.DefaultMetricName;
        var report = new ReportRun(
            Mode: o.Mode.ToString().ToLowerInvariant(),
            K: o.K,
            Optimizer: o.Optimizer.ToString().ToLowerInvariant(),
            LearningRate: o.EffectiveLearningRate,
            Batch: o.Batch,
            Hidden: o.Hidden,
            Dropout: o.Dropout,
            Seed: o.Seed,
            TrainLimit: o.TrainLimit,
            Update: o.TouchedRowsOnly ? "touched-rows" : "all-rows",
            Device: o.Device ?? "CPU (MeProp.Runtime, " + MeProp.Kernels.Gemm.MaxThreads + " threads)",
            Epochs: run.Epochs.Count,
            BestEpoch: best.Epoch,
            DevAccuracy: namedAccuracy ? best.DevAccuracy : null,
            TestAccuracy: namedAccuracy ? best.TestAccuracy : null,
            Seconds: new ReportSeconds(s.Forward, s.LinearBackward, s.Backward, s.Update, s.Total),
            UpdatedRowFraction: run.UpdatedRowFraction.ToArray(),
            PerEpoch: run.Epochs.Select(e => new ReportEpoch(e.Epoch, e.TrainLoss, namedAccuracy ? e.DevAccuracy : null, namedAccuracy ? e.TestAccuracy : null,
                new ReportSeconds(e.Seconds.Forward, e.Seconds.LinearBackward, e.Seconds.Backward, e.Seconds.Update, e.Seconds.Total))
            {
                Metrics = MetricsOf(o, e),
            }).ToArray())
        {
            TaskSettings = new Dictionary<string, object>(o.ReportFields),
        };
        foreach (var (name, value) in MetricsOf(o, best)) report.TaskSettings[name] = value;
        return report;
    }

    // A task whose metric is not called accuracy (the parser's UAS) reports it as devUas/testUas, and
    // its further metrics (LAS) beside it.
    private static Dictionary<string, object> MetricsOf(RunOptions options, EpochResult epoch)
    {
        var metrics = new Dictionary<string, object>();
        if (options.MetricName != RunOptions.DefaultMetricName)
        {
            string name = char.ToUpperInvariant(options.MetricName[0]) + options.MetricName[1..];
            metrics["dev" + name] = epoch.DevAccuracy;
            metrics["test" + name] = epoch.TestAccuracy;
        }
        foreach (var (key, value) in epoch.Metrics) metrics[key] = value;
        foreach (var (key, value) in epoch.Measures) metrics[key] = value;
        return metrics;
    }

    private sealed record ReportDocument(string Task, ReportRun[] Runs);

    private sealed record ReportRun(string Mode, int K, string Optimizer, double LearningRate, int Batch, int Hidden,
        double Dropout, int Seed, int? TrainLimit, string Update, string Device, int Epochs, int BestEpoch, double? DevAccuracy, double? TestAccuracy,
        ReportSeconds Seconds, double[] UpdatedRowFraction, ReportEpoch[] PerEpoch)
    {
        // Written as properties of the run itself ("layers": 2, ...), not as a nested object.
        [JsonExtensionData]
        public Dictionary<string, object> TaskSettings { get; init; } = new();
    }

    private sealed record ReportSeconds(double Forward, double LinearBackward, double Backward, double Update, double Total);

    private sealed record ReportEpoch(int Epoch, double TrainLoss, double? DevAccuracy, double? TestAccuracy, ReportSeconds Seconds)
    {
        [JsonExtensionData]
        public Dictionary<string, object> Metrics { get; init; } = new();
    }
}
