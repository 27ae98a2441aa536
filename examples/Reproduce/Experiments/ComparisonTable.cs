using System.Collections.Generic;
using System.Linq;

namespace MeProp.Examples.Reproduce;

/// <summary>A table of test scores, dense against meProp row by row, with the paper's beside them (Tables 3 to 6).</summary>
public abstract class ComparisonTable : Experiment
{
    /// <summary>The rows at full size or in the quick form.</summary>
    protected abstract IReadOnlyList<Comparison> Rows(bool quick);

    /// <summary>What the runs have in common and how they differ from Table 1's, for the page's first paragraph.</summary>
    protected abstract string Setting { get; }

    public override IReadOnlyList<RunSpec> Runs(bool quick) => Rows(quick).SelectMany(r => new[] { r.Dense, r.MeProp }).Distinct().ToArray();

    public override void Write(Page page, IReadOnlyDictionary<RunSpec, RunResult> results, bool quick, string folder)
    {
        IReadOnlyList<Comparison> rows = Rows(quick);
        page.Paragraph(Setting + " The test score is that of the epoch with the best development score (the paper's protocol); each pair "
            + "shares its seed and data order.");
        page.Paragraph(Setups.Data(rows.Select(r => r.Dense.Task)));
        page.Paragraph(Setups.NoiseNote);
        page.Table(Comparison.ScoreHeaders, rows.Select(r => r.ScoreRow(results)));
        page.Heading("Where we agree with the paper");
        page.Bullets(rows.Select(r => r.Verdict(results)));
        var caveats = rows.Select(r => Caveat(r, results)).OfType<string>().ToArray();
        if (caveats.Length > 0) page.Heading("Caveats").Bullets(caveats);
    }

    /// <summary>
    /// A row where meProp leads by over a point while the dense run was still learning at its end (the
    /// last epoch's training loss more than 5% below the one before): the gap may be the dense run's
    /// unfinished training, so the row measures how fast each trains as much as what each can learn.
    /// (A higher loss alone is no sign: a small network fits less; and a training loss still easing
    /// at a plateau of dev scores is the normal end of a run, hence the gap condition.)
    /// </summary>
    protected static string? Caveat(Comparison row, IReadOnlyDictionary<RunSpec, RunResult> results)
    {
        IReadOnlyList<EpochResult> epochs = results[row.Dense].Epochs;
        if (epochs.Count < 2) return null;
        double last = epochs[^1].TrainLoss, before = epochs[^2].TrainLoss;
        double gap = 100 * (results[row.MeProp].Best.TestAccuracy - results[row.Dense].Best.TestAccuracy);
        return gap > 1 && last < 0.95 * before
            ? $"{row.Label}: the dense run was still learning when it stopped (training loss {before:F3} then {last:F3} in its last two epochs): "
              + "it has not converged in these epochs, so this row compares how fast the two train as much as what they can learn."
            : null;
    }
}

/// <summary>Table 3: meProp against a dense model as small as its k.</summary>
public sealed class Table3 : ComparisonTable
{
    public override string Name => "table3";

    public override string Title => "Table 3: meProp against a dense model with as many hidden units as meProp keeps (Adam)";

    public override string Summary => "Table 3: meProp with k against dense networks of hidden size k.";

    protected override string Setting => "The question: is meProp's k-of-500 backward pass just a k-unit network in disguise? The dense runs have hidden "
        + "size k (5 for tagging, 20 for parsing and MNIST); the meProp runs are Table 1's Adam runs (hidden 500).";

    protected override IReadOnlyList<Comparison> Rows(bool quick) => new[]
    {
        new Comparison("POS-Tag", Setups.Pos(quick, OptimizerKind.Adam, MePropMode.Dense, hidden: 5), Setups.Pos(quick, OptimizerKind.Adam, MePropMode.TopK, k: 5), 96.40, 97.12),
        new Comparison("Parsing", Setups.Parsing(quick, OptimizerKind.Adam, MePropMode.Dense, hidden: 20), Setups.Parsing(quick, OptimizerKind.Adam, MePropMode.TopK, k: 20), 88.37, 90.01),
        new Comparison("MNIST", Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.Dense, hidden: 20), Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.TopK, k: 20), 95.77, 98.01),
    };
}

/// <summary>Table 4: both with dropout.</summary>
public sealed class Table4 : ComparisonTable
{
    public override string Name => "table4";

    public override string Title => "Table 4: dense against meProp with dropout (Adam)";

    public override string Summary => "Table 4: dense against meProp, both with dropout.";

    protected override string Setting => "Dropout on the hidden layers in training, as the paper's Table 4: 0.5 for tagging and parsing with meProp "
        + "k = 20 and 40, 0.2 for MNIST with k = 25.";

    protected override IReadOnlyList<Comparison> Rows(bool quick) => new[]
    {
        new Comparison("POS-Tag, dropout 0.5", Setups.Pos(quick, OptimizerKind.Adam, MePropMode.Dense, dropout: 0.5), Setups.Pos(quick, OptimizerKind.Adam, MePropMode.TopK, k: 20, dropout: 0.5), 97.20, 97.31),
        new Comparison("Parsing, dropout 0.5", Setups.Parsing(quick, OptimizerKind.Adam, MePropMode.Dense, dropout: 0.5), Setups.Parsing(quick, OptimizerKind.Adam, MePropMode.TopK, k: 40, dropout: 0.5), 91.53, 91.99),
        new Comparison("MNIST, dropout 0.2", Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.Dense, dropout: 0.2), Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.TopK, k: 25, dropout: 0.2), 98.09, 98.32),
    };
}

/// <summary>Table 5: MNIST with 2 to 5 hidden layers.</summary>
public sealed class Table5 : ComparisonTable
{
    public override string Name => "table5";

    public override string Title => "Table 5: dense against meProp on MNIST with 2 to 5 hidden layers (Adam)";

    public override string Summary => "Table 5: MNIST with 2, 3, 4 and 5 hidden layers, dense against meProp k=25.";

    protected override string Setting => "MNIST MLPs of 2 to 5 hidden layers of 500 units, dropout 0.1, meProp k = 25 at every layer, as the paper's Table 5.";

    protected override IReadOnlyList<Comparison> Rows(bool quick)
    {
        (int Layers, double Dense, double MeProp)[] paper = { (2, 98.10, 98.20), (3, 98.21, 98.37), (4, 98.10, 98.15), (5, 98.05, 98.21) };
        return paper.Select(p => new Comparison($"{p.Layers} hidden layers",
            Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.Dense, layers: p.Layers),
            Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.TopK, k: 25, layers: p.Layers), p.Dense, p.MeProp)).ToArray();
    }
}

/// <summary>Table 6: unified top-k (one index set per mini-batch) at batch 50.</summary>
public sealed class Table6 : ComparisonTable
{
    public override string Name => "table6";

    public override string Title => "Table 6: unified top-k at mini-batch 50 on MNIST (Adam)";

    public override string Summary => "Table 6: unified top-k, mini-batch 50, 2 and 5 hidden layers.";

    protected override string Setting => "Unified meProp: one set of k rows for the whole mini-batch of 50, chosen by the summed magnitudes (the paper's "
        + "GPU variant, run here on the CPU); 2 hidden layers with k = 30 and 5 with k = 50, dropout 0.1.";

    protected override IReadOnlyList<Comparison> Rows(bool quick) => new[]
    {
        new Comparison("2 hidden layers, k = 30", Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.Dense, batch: 50),
            Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.Unified, k: 30, batch: 50), 97.97, 98.08),
        new Comparison("5 hidden layers, k = 50", Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.Dense, layers: 5, batch: 50),
            Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.Unified, k: 50, layers: 5, batch: 50), 98.09, 98.36),
    };
}
