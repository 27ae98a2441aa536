using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace MeProp.Examples.Reproduce;

/// <summary>
/// Figure 4 (MNIST, Adam): test accuracy against the share of the backward pass kept, over a sweep of
/// k; top-k against random-k at the same k; meProp against dense networks as small as k.
/// </summary>
public sealed class Figure4 : Experiment
{
    /// <summary>The k of the sweep: 1% to 40% of the 500 hidden units.</summary>
    public static readonly int[] Ks = { 5, 10, 20, 50, 100, 200 };

    private const int Hidden = 500;

    public override string Name => "figure4";

    public override string Title => "Figure 4: accuracy against the share of back propagation kept (MNIST, Adam)";

    public override string Summary => "Figure 4: a k sweep on MNIST; top-k against random-k; meProp against dense networks of hidden size k.";

    private static RunSpec Baseline(bool quick) => Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.Dense);

    private static RunSpec TopK(bool quick, int k) => Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.TopK, k: k);

    private static RunSpec RandomK(bool quick, int k) => Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.Random, k: k);

    private static RunSpec SmallDense(bool quick, int k) => Setups.Mnist(quick, OptimizerKind.Adam, MePropMode.Dense, hidden: k);

    public override IReadOnlyList<RunSpec> Runs(bool quick)
        => new[] { Baseline(quick) }.Concat(Ks.SelectMany(k => new[] { TopK(quick, k), RandomK(quick, k), SmallDense(quick, k) })).ToArray();

    public override void Write(Page page, IReadOnlyDictionary<RunSpec, RunResult> results, bool quick, string folder)
    {
        double baseline = results[Baseline(quick)].Best.TestAccuracy;
        double[] ratios = Ks.Select(k => 100.0 * k / Hidden).ToArray();
        double[] topK = Ks.Select(k => results[TopK(quick, k)].Best.TestAccuracy).ToArray();
        double[] randomK = Ks.Select(k => results[RandomK(quick, k)].Best.TestAccuracy).ToArray();
        double[] smallDense = Ks.Select(k => results[SmallDense(quick, k)].Best.TestAccuracy).ToArray();

        page.Paragraph($"MNIST, the 784-500-500-10 MLP with dropout 0.1, Adam, batch 10; meProp at every layer with k = {string.Join(", ", Ks)} "
            + $"(the backprop ratio k/h, {string.Join(", ", ratios.Select(r => r.ToString("0.#", CultureInfo.InvariantCulture) + "%"))}). "
            + "Random-k keeps k entries of dL/dy drawn uniformly instead of the largest; the small dense networks have k hidden units "
            + "per layer. Test accuracy of the epoch with the best development accuracy.");
        page.Paragraph(Setups.NoiseNote);
        page.Table(new[] { "k", "backprop ratio", "meProp top-k", "random-k", "dense, h = k", "dense, h = 500" },
            Ks.Select((k, i) => (IReadOnlyList<string>)new[]
            {
                k.ToString(CultureInfo.InvariantCulture), ratios[i].ToString("0.#", CultureInfo.InvariantCulture) + "%",
                Page.Percent(topK[i]), Page.Percent(randomK[i]), Page.Percent(smallDense[i]), Page.Percent(baseline),
            }));

        Plots.Accuracy(Path.Combine(folder, "figure4-ratio.png"), "meProp against dense back propagation", "backprop ratio k/h (%)", ratios,
            new[] { ("meProp top-k", topK) }, ("dense, h = 500", baseline));
        Plots.Accuracy(Path.Combine(folder, "figure4-random.png"), "top-k against random-k", "backprop ratio k/h (%)", ratios,
            new[] { ("meProp top-k", topK), ("random-k", randomK) }, null);
        Plots.Accuracy(Path.Combine(folder, "figure4-small-dense.png"), "meProp with k against dense with h = k", "k (meProp) or h (dense)",
            Ks.Select(k => (double)k).ToArray(), new[] { ("meProp top-k, h = 500", topK), ("dense, h = k", smallDense) }, null);
        page.Image("test accuracy against the backprop ratio, with the dense baseline", "figure4-ratio.png");
        page.Image("top-k against random-k", "figure4-random.png");
        page.Image("meProp with k against dense networks with k hidden units", "figure4-small-dense.png");

        int aboveBaseline = topK.Count(a => Math.Round(100 * (a - baseline), 2) >= -0.1);
        int topBeatsRandom = Ks.Where((_, i) => topK[i] > randomK[i]).Count();
        int beatsSmall = Ks.Where((_, i) => topK[i] > smallDense[i]).Count();
        double best = topK.Max();
        page.Heading("Where we agree with the paper");
        page.Bullets(new[]
        {
            Verdict("Left panel", aboveBaseline, $"meProp is at most 0.1 points below the dense baseline ({Page.Percent(baseline)}%) or above it at {aboveBaseline} of {Ks.Length} k; "
                + $"its best is {Page.Percent(best)}% at k = {Ks[Array.IndexOf(topK, best)]}. The paper: above the baseline throughout, best 98.15%."),
            Verdict("Middle panel", topBeatsRandom, $"top-k beats random-k at {topBeatsRandom} of {Ks.Length} k. The paper: top-k is better throughout."),
            Verdict("Right panel", beatsSmall, $"meProp with k beats the dense network with h = k at {beatsSmall} of {Ks.Length} k. The paper: meProp is better throughout."),
        });
    }

    private static string Verdict(string panel, int count, string detail)
        => count == Ks.Length ? $"**{panel}: agrees.** {detail}"
            : count * 2 >= Ks.Length ? $"**{panel}: agrees in part.** {detail}"
            : $"**{panel}: disagrees.** {detail}";
}
