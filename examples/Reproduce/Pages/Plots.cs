using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;

namespace MeProp.Examples.Reproduce;

/// <summary>The figures' plots (ScottPlot, drawn with SkiaSharp's self-contained Linux assets: no display, no system fonts needed).</summary>
public static class Plots
{
    /// <summary>
    /// Test accuracy (%) of each series against <paramref name="xs"/>, drawn on a log scale (the k sweep
    /// doubles), with an optional horizontal reference line; written as a PNG of 800 x 500.
    /// </summary>
    public static void Accuracy(string path, string title, string xLabel, double[] xs, IEnumerable<(string Label, double[] Accuracy)> series,
        (string Label, double Accuracy)? reference)
    {
        var plot = new Plot();
        double[] logX = xs.Select(Math.Log10).ToArray();
        foreach (var (label, accuracy) in series)
        {
            var scatter = plot.Add.Scatter(logX, accuracy.Select(a => 100 * a).ToArray());
            scatter.LegendText = label;
            scatter.MarkerSize = 7;
            scatter.LineWidth = 2;
        }
        if (reference is { } line)
        {
            var horizontal = plot.Add.HorizontalLine(100 * line.Accuracy);
            horizontal.LegendText = line.Label;
            horizontal.LinePattern = LinePattern.Dashed;
        }
        // Log scale by hand: the points sit at log10(x), the ticks say x.
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (double x in xs) ticks.AddMajor(Math.Log10(x), x.ToString("0.#", CultureInfo.InvariantCulture));
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("test accuracy (%)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 800, 500);
    }
}
