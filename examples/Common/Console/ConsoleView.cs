using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Spectre.Console;

namespace MeProp.Examples;

/// <summary>
/// Renders a run for a person: a progress bar per epoch (examples/s, running loss), then one line
/// per epoch with dev/test accuracy, the time split and the share of weight rows updated.
/// </summary>
/// <remarks>The unit (images, sentences) names what the progress bar counts.</remarks>
/// <remarks>
/// Training runs on a worker thread and reports through <see cref="ITrainingObserver"/>; this class
/// owns the console on the calling thread, because Spectre's live progress display must not be
/// written to from elsewhere while it renders.
/// </remarks>
public sealed class ConsoleView : ITrainingObserver
{
    private readonly BlockingCollection<object> _events = new();
    private readonly string _title;
    private readonly string _unitPerSecond;
    private IReadOnlyList<string> _layers = Array.Empty<string>();

    /// <param name="title">The run's title line.</param>
    /// <param name="unitPerSecond">The progress bar's rate unit, for example "img/s" or "sent/s".</param>
    public ConsoleView(string title, string unitPerSecond = "ex/s")
    {
        _title = title;
        _unitPerSecond = unitPerSecond;
    }

    public RunResult Run(Func<ITrainingObserver, RunResult> train)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(_title)}[/]");
        Task<RunResult> worker = Task.Run(() =>
        {
            try { return train(this); }
            finally { _events.CompleteAdding(); }
        });

        foreach (object e in _events.GetConsumingEnumerable())
        {
            if (e is EpochStart start) ShowEpoch(start);
        }
        RunResult result = worker.GetAwaiter().GetResult(); // rethrows a training failure
        EpochResult best = result.Best;
        string metric = MetricLabel(result.Options);
        AnsiConsole.MarkupLine($"  best dev {metric} {Percent(best.DevAccuracy)} at epoch {best.Epoch}: [bold]test {metric} {Percent(best.TestAccuracy)}[/]{Markup.Escape(Extras(best))}");
        AnsiConsole.WriteLine();
        return result;
    }

    private void ShowEpoch(EpochStart start)
    {
        EpochResult? done = null;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask($"epoch {start.Epoch}", maxValue: start.Examples);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                foreach (object e in _events.GetConsumingEnumerable())
                {
                    if (e is StepProgress p)
                    {
                        task.Value = p.Examples;
                        double rate = p.Examples / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                        task.Description = $"epoch {start.Epoch}  {rate,7:N0} {_unitPerSecond}  loss {p.MeanLoss:F4}";
                    }
                    else if (e is EpochResult result)
                    {
                        task.Value = start.Examples;
                        done = result;
                        break;
                    }
                }
            });
        if (done is not null) AnsiConsole.MarkupLine(EpochLine(done));
    }

    private string EpochLine(EpochResult r)
    {
        string rows = string.Join(" ", _layers.Select((name, i) => $"{name} {Percent(r.UpdatedRowFraction[i])}"));
        PhaseSeconds s = r.Seconds;
        return Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"  epoch {r.Epoch,3}  loss {r.TrainLoss:F4}  dev {Percent(r.DevAccuracy)}  test {Percent(r.TestAccuracy)}{Extras(r)}" +
            $"  | fwd {s.Forward:F2}s  lin-bwd {s.LinearBackward:F2}s  bwd {s.Backward:F2}s  upd {s.Update:F2}s" +
            $"  | rows updated: {rows}"));
    }

    public void EpochStarted(int epoch, int examples, IReadOnlyList<string> layerNames)
    {
        _layers = layerNames;
        _events.Add(new EpochStart(epoch, examples));
    }

    public void Progress(int examplesDone, double meanLoss) => _events.Add(new StepProgress(examplesDone, meanLoss));

    public void EpochCompleted(EpochResult result) => _events.Add(result);

    /// <summary>
    /// The examples' run plan (dense then meProp with --compare, else one run): warms up, trains each
    /// run under a view of its own titled with the device when there is one, and prints the
    /// side-by-side table after two runs. <paramref name="warmUp"/> and <paramref name="train"/> pick
    /// the CPU or the device trainer.
    /// </summary>
    /// <param name="batchUnit">What a batch holds, for the titles ("images").</param>
    /// <param name="rateUnit">The progress bar's rate ("img/s").</param>
    public static List<RunResult> RunPlan<TOptions>(IReadOnlyList<TOptions> plan, MeProp.Accelerators.OpenedAccelerator? device, string batchUnit, string rateUnit,
        Action<IReadOnlyList<TOptions>> warmUp, Func<TOptions, ITrainingObserver, RunResult> train) where TOptions : RunOptions
    {
        warmUp(plan);
        var runs = new List<RunResult>();
        foreach (TOptions run in plan)
        {
            var view = new ConsoleView(run.Title(batchUnit) + DeviceChoice.Where(device), rateUnit);
            runs.Add(view.Run(observer => train(run, observer)));
        }
        if (runs.Count == 2) ShowComparison(runs[0], runs[1]);
        return runs;
    }

    /// <summary>
    /// The programs' ending: <see cref="RunPlan"/>, then the report where <paramref name="reportPath"/>
    /// is given. A checkpoint that cannot be read or written, or a report that cannot be written, ends
    /// in one error line (the runs' results are on the screen by then); returns the exit code.
    /// </summary>
    /// <param name="task">The report's task name ("mnist", "pos", "parsing").</param>
    public static int RunAndReport<TOptions>(IReadOnlyList<TOptions> plan, MeProp.Accelerators.OpenedAccelerator? device, string batchUnit, string rateUnit,
        Action<IReadOnlyList<TOptions>> warmUp, Func<TOptions, ITrainingObserver, RunResult> train, string? reportPath, string task) where TOptions : RunOptions
    {
        List<RunResult> runs;
        try
        {
            runs = RunPlan(plan, device, batchUnit, rateUnit, warmUp, train);
        }
        catch (Exception e) when (CheckpointChoice.IsCheckpointError(e))
        {
            return CommandLineErrors.Fail(e.Message);
        }
        if (reportPath is null) return 0;
        try
        {
            Report.Write(reportPath, task, runs);
        }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
        {
            return CommandLineErrors.Fail($"--report: could not write '{reportPath}': {e.Message}");
        }
        AnsiConsole.MarkupLine($"[grey]report written to {Markup.Escape(reportPath)}[/]");
        return 0;
    }

    /// <summary>Prints the side-by-side table of a --compare run.</summary>
    public static void ShowComparison(RunResult dense, RunResult meProp)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("dense vs meProp");
        table.AddColumn("");
        table.AddColumn(new TableColumn(Label(dense)).RightAligned());
        table.AddColumn(new TableColumn(Label(meProp)).RightAligned());
        table.AddColumn(new TableColumn("dense / meProp").RightAligned());
        void Row(string name, string a, string b, string ratio = "") => table.AddRow(Markup.Escape(name), a, b, ratio);
        string Ratio(double a, double b) => b > 0 ? (a / b).ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";
        string Sec(double v) => v.ToString("F2", CultureInfo.InvariantCulture) + " s";

        Row("best epoch (by dev)", dense.Best.Epoch.ToString(CultureInfo.InvariantCulture), meProp.Best.Epoch.ToString(CultureInfo.InvariantCulture));
        string metric = MetricLabel(meProp.Options);
        Row($"dev {metric}", Percent(dense.Best.DevAccuracy), Percent(meProp.Best.DevAccuracy));
        Row($"test {metric}", Percent(dense.Best.TestAccuracy), Percent(meProp.Best.TestAccuracy));
        foreach (string key in meProp.Best.Metrics.Keys)
            Row(key, Percent(dense.Best.Metrics.GetValueOrDefault(key)), Percent(meProp.Best.Metrics[key]));
        foreach (string key in meProp.Best.Measures.Keys)
            Row(key, Number(dense.Best.Measures.GetValueOrDefault(key)), Number(meProp.Best.Measures[key]));
        PhaseSeconds d = dense.Seconds, m = meProp.Seconds;
        Row("forward", Sec(d.Forward), Sec(m.Forward), Ratio(d.Forward, m.Forward));
        Row("linear backward (backprop)", Sec(d.LinearBackward), Sec(m.LinearBackward), Ratio(d.LinearBackward, m.LinearBackward));
        Row("backward (all)", Sec(d.Backward), Sec(m.Backward), Ratio(d.Backward, m.Backward));
        Row("update", Sec(d.Update), Sec(m.Update), Ratio(d.Update, m.Update));
        Row("total (fwd + bwd + update)", Sec(d.Total), Sec(m.Total), Ratio(d.Total, m.Total));
        for (int i = 0; i < meProp.LayerNames.Count; i++)
            Row($"rows updated per step, {meProp.LayerNames[i]}", Percent(dense.UpdatedRowFraction[i]), Percent(meProp.UpdatedRowFraction[i]));
        AnsiConsole.Write(table);
    }

    public static string Label(RunResult run) => run.Options.Mode == MePropMode.Dense
        ? "dense"
        : $"meProp {run.Options.Mode.ToString().ToLowerInvariant()} k={run.Options.K.ToString(CultureInfo.InvariantCulture)}";

    // "accuracy", or a metric's usual abbreviation in capitals (UAS).
    private static string MetricLabel(RunOptions options)
        => options.MetricName == RunOptions.DefaultMetricName ? options.MetricName : options.MetricName.ToUpperInvariant();

    // The epoch's further metrics (the parser's LAS), as "  devLas 85.10%  testLas 84.90%".
    private static string Extras(EpochResult r)
        => string.Concat(r.Metrics.Select(m => $"  {m.Key} {Percent(m.Value)}")) + string.Concat(r.Measures.Select(m => $"  {m.Key} {Number(m.Value)}"));

    private static string Number(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Percent(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";

    private sealed record EpochStart(int Epoch, int Examples);

    private sealed record StepProgress(int Examples, double MeanLoss);
}
