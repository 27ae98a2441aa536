using System.Collections.Generic;
using System.Linq;

namespace MeProp.Examples.Reproduce;

/// <summary>Table 2: the Adam runs of Table 1, split into the forward and the whole backward pass.</summary>
public sealed class Table2 : Experiment
{
    public override string Name => "table2";

    public override string Title => "Table 2: forward and backward time, dense against meProp (Adam)";

    public override string Summary => "Table 2: the forward/backward time split of Table 1's Adam runs.";

    private sealed record PaperRow(double DenseForward, double DenseBackward, double MePropForward, double MePropBackward);

    private static IEnumerable<(string Label, RunSpec Dense, RunSpec MeProp, PaperRow Paper)> Rows(bool quick) => new[]
    {
        ("POS-Tag", Setups.Pos(quick, OptimizerKind.Adam, MePropMode.Dense), Setups.Pos(quick, OptimizerKind.Adam, MePropMode.TopK, k: 5), new PaperRow(7334, 16522, 7362, 540)),
        ("Parsing", Setups.Parsing(quick, OptimizerKind.Adam, MePropMode.Dense), Setups.Parsing(quick, OptimizerKind.Adam, MePropMode.TopK, k: 20), new PaperRow(3906, 9114, 4002, 513)),
        ("MNIST", Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.Dense), Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.TopK, k: 20), new PaperRow(69, 171, 68, 9)),
    };

    public override IReadOnlyList<RunSpec> Runs(bool quick) => Rows(quick).SelectMany(r => new[] { r.Dense, r.MeProp }).ToArray();

    public override void Write(Page page, IReadOnlyDictionary<RunSpec, RunResult> results, bool quick, string folder)
    {
        var rows = Rows(quick).ToArray();
        page.Paragraph("The same runs as Table 1's Adam rows (stored once, under runs/). Forward is the recording forward pass; backward is the "
            + "whole backward pass, activations included (the paper's \"overall backprop time\"); their sum is the paper's total, which leaves out "
            + "the optimizer's update (ours: reported separately). Times are summed over all epochs. A pair trained in one invocation ran "
            + "one after the other after a warm-up of both. The list of runs below gives each run's load average at its start and end: a "
            + "timing made beside other work (a load well above the run's own threads) is not a measurement.");
        page.Table(
            new[] { "task", "ours dense: fwd / bwd / total s", "ours meProp: fwd / bwd (speedup) / total s", "update s (dense, meProp)", "paper dense: fwd / bwd / total s", "paper meProp: fwd / bwd (speedup) / total s" },
            rows.Select(r =>
            {
                PhaseSeconds d = results[r.Dense].Seconds, m = results[r.MeProp].Seconds;
                return (IReadOnlyList<string>)new[]
                {
                    $"{r.Label} ({r.MeProp.Describe()})",
                    $"{Page.Seconds(d.Forward)} / {Page.Seconds(d.Backward)} / {Page.Seconds(d.Forward + d.Backward)}",
                    $"{Page.Seconds(m.Forward)} / {Page.Seconds(m.Backward)} ({Page.Ratio(d.Backward / m.Backward)}) / {Page.Seconds(m.Forward + m.Backward)}",
                    $"{Page.Seconds(d.Update)}, {Page.Seconds(m.Update)}",
                    $"{r.Paper.DenseForward:F0} / {r.Paper.DenseBackward:F0} / {r.Paper.DenseForward + r.Paper.DenseBackward:F0}",
                    $"{r.Paper.MePropForward:F0} / {r.Paper.MePropBackward:F0} ({Page.Ratio(r.Paper.DenseBackward / r.Paper.MePropBackward)}) / {r.Paper.MePropForward + r.Paper.MePropBackward:F0}",
                };
            }));

        page.Heading("Where we agree with the paper");
        page.Bullets(rows.Select(r =>
        {
            PhaseSeconds d = results[r.Dense].Seconds, m = results[r.MeProp].Seconds;
            double ours = d.Backward / m.Backward, paper = r.Paper.DenseBackward / r.Paper.MePropBackward;
            double forward = m.Forward / d.Forward;
            string backward = ours > 1
                ? $"**{r.Label}: {(ours >= paper / 2 ? "agrees" : "agrees in direction")}.** The whole backward pass is {Page.Ratio(ours)} faster with meProp (the paper: {Page.Ratio(paper)})"
                : $"**{r.Label}: disagrees.** The whole backward pass is not faster with meProp ({Page.Ratio(ours)}; the paper: {Page.Ratio(paper)})";
            return $"{backward}; meProp's forward takes {Page.Ratio(forward)} dense's time (the paper: {Page.Ratio(r.Paper.MePropForward / r.Paper.DenseForward)}, the forward pass being unchanged).";
        }));
    }
}
