using System.Collections.Generic;
using System.Linq;

namespace MeProp.Examples.Reproduce;

/// <summary>
/// Table 1: dense against meProp on the three tasks with AdaGrad and Adam: iterations (epochs) to
/// the best development score, the linear operations' backprop time, dev and test scores.
/// </summary>
public sealed class Table1 : Experiment
{
    public override string Name => "table1";

    public override string Title => "Table 1: dense back propagation against meProp, three tasks, AdaGrad and Adam";

    public override string Summary => "Table 1: the three tasks with AdaGrad and Adam, dense against meProp (accuracy, epochs to best, backprop time).";

    // The paper's row: best iteration, backprop seconds, dev, test, for the baseline and for meProp.
    private sealed record PaperRow(int DenseIt, double DenseSeconds, double DenseDev, double DenseTest,
        int MePropIt, double MePropSeconds, double MePropDev, double MePropTest);

    private static IEnumerable<(string Label, RunSpec Dense, RunSpec MeProp, PaperRow Paper)> Rows(bool quick) => new[]
    {
        ("POS-Tag, AdaGrad", Setups.Pos(quick, OptimizerKind.AdaGrad, MePropMode.Dense), Setups.Pos(quick, OptimizerKind.AdaGrad, MePropMode.TopK, k: 5),
            new PaperRow(4, 17534.4, 96.89, 96.93, 4, 253.2, 97.18, 97.25)),
        ("Parsing, AdaGrad", Setups.Parsing(quick, OptimizerKind.AdaGrad, MePropMode.Dense), Setups.Parsing(quick, OptimizerKind.AdaGrad, MePropMode.TopK, k: 20),
            new PaperRow(11, 8899.7, 89.07, 88.92, 8, 492.3, 89.17, 88.95)),
        ("MNIST, AdaGrad", Setups.Mnist(quick, OptimizerKind.AdaGrad, MePropMode.Dense), Setups.Mnist(quick, OptimizerKind.AdaGrad, MePropMode.TopK, k: 10),
            new PaperRow(8, 171.0, 98.20, 97.52, 16, 4.1, 98.20, 98.00)),
        ("POS-Tag, Adam", Setups.Pos(quick, OptimizerKind.Adam, MePropMode.Dense), Setups.Pos(quick, OptimizerKind.Adam, MePropMode.TopK, k: 5),
            new PaperRow(2, 16167.3, 97.18, 97.07, 5, 247.2, 97.14, 97.12)),
        ("Parsing, Adam", Setups.Parsing(quick, OptimizerKind.Adam, MePropMode.Dense), Setups.Parsing(quick, OptimizerKind.Adam, MePropMode.TopK, k: 20),
            new PaperRow(14, 9077.7, 90.12, 89.84, 6, 488.7, 90.02, 90.01)),
        ("MNIST, Adam", Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.Dense), Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.TopK, k: 20),
            new PaperRow(17, 169.5, 98.32, 97.82, 15, 7.9, 98.22, 98.01)),
    };

    // The Adam rows train first: Table 2 reads them, and they are the shorter half (the page keeps the paper's order).
    public override IReadOnlyList<RunSpec> Runs(bool quick)
        => Rows(quick).OrderBy(r => r.Label.EndsWith("AdaGrad", System.StringComparison.Ordinal) ? 1 : 0).SelectMany(r => new[] { r.Dense, r.MeProp }).ToArray();

    public override void Write(Page page, IReadOnlyDictionary<RunSpec, RunResult> results, bool quick, string folder)
    {
        var rows = Rows(quick).ToArray();
        page.Paragraph("Each pair is one dense and one meProp run with the same seed, initial weights and data order; the test score is that of "
            + "the epoch with the best development score (the paper's protocol). \"Backprop\" is the time of the linear operations' back "
            + "propagation, top-k selection included, summed over all epochs (the paper's \"backprop time\"). The paper's times are its "
            + "C# on a 3.0 GHz Xeon; ours are this library on the machine above, so compare the ratios.");
        page.Paragraph(Setups.Data(rows.Select(r => r.Dense.Task)));
        page.Paragraph(Setups.NoiseNote);
        page.Table(
            new[] { "task, optimizer", "run", "best epoch", "backprop s", "dev", "test", "backprop speedup", "paper: best it., backprop s, dev / test" },
            rows.SelectMany(r =>
            {
                RunResult dense = results[r.Dense], meProp = results[r.MeProp];
                double speedup = dense.Seconds.LinearBackward / meProp.Seconds.LinearBackward;
                return new[]
                {
                    Row(r.Label, r.Dense, dense, "", $"{r.Paper.DenseIt}, {Page.Seconds(r.Paper.DenseSeconds)}, {r.Paper.DenseDev:F2} / {r.Paper.DenseTest:F2}"),
                    Row("", r.MeProp, meProp, Page.Ratio(speedup),
                        $"{r.Paper.MePropIt}, {Page.Seconds(r.Paper.MePropSeconds)} ({Page.Ratio(r.Paper.DenseSeconds / r.Paper.MePropSeconds)}), {r.Paper.MePropDev:F2} / {r.Paper.MePropTest:F2}"),
                };
            }));

        page.Heading("Where we agree with the paper");
        page.Bullets(rows.Select(r =>
        {
            var comparison = new Comparison(r.Label, r.Dense, r.MeProp, r.Paper.DenseTest, r.Paper.MePropTest);
            double ours = results[r.Dense].Seconds.LinearBackward / results[r.MeProp].Seconds.LinearBackward;
            double paper = r.Paper.DenseSeconds / r.Paper.MePropSeconds;
            string speed = ours > 1
                ? $" The linear operations' backprop is {Page.Ratio(ours)} faster with meProp (the paper: {Page.Ratio(paper)})."
                : $" The linear operations' backprop is not faster with meProp here ({Page.Ratio(ours)}; the paper: {Page.Ratio(paper)}).";
            return comparison.Verdict(results) + speed;
        }));
    }

    private static IReadOnlyList<string> Row(string label, RunSpec spec, RunResult result, string speedup, string paper) => new[]
    {
        label, spec.Describe(), result.Best.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), Page.Seconds(result.Seconds.LinearBackward),
        Page.Percent(result.Best.DevAccuracy), Page.Percent(result.Best.TestAccuracy), speedup, paper,
    };
}
