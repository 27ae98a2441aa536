using System;
using System.Linq;
using Xunit;

namespace MeProp.Runtime.Tests;

public class SoftmaxCrossEntropyTests
{
    // The textbook formula, no stabilisation: only for moderate logits.
    private static double DirectLoss(Batch<double> logits, int[] labels) =>
        Enumerable.Range(0, logits.Rows).Average(b =>
            -Math.Log(Math.Exp(logits[b, labels[b]]) / logits.Row(b).ToArray().Sum(Math.Exp)));

    [Fact]
    public void Loss_matches_the_direct_formula_and_Loss_alone_agrees()
    {
        var logits = TestData.Batch(new SeededRandom(1), 5, 7, 3.0);
        int[] labels = { 0, 6, 3, 3, 1 };
        var gradient = new Batch<double>(5, 7);
        double loss = SoftmaxCrossEntropy.LossAndGradient(logits, labels, gradient);
        TestData.Close(DirectLoss(logits, labels), loss, 1e-14);
        TestData.Close(loss, SoftmaxCrossEntropy.Loss(logits, labels), 1e-14);
    }

    [Fact]
    public void Gradient_matches_finite_differences_of_the_loss()
    {
        const double h = 1e-6;
        var logits = TestData.Batch(new SeededRandom(2), 4, 6, 2.0);
        int[] labels = { 5, 0, 2, 2 };
        var gradient = new Batch<double>(4, 6);
        SoftmaxCrossEntropy.LossAndGradient(logits, labels, gradient);
        for (int i = 0; i < logits.Data.Length; i++)
        {
            double saved = logits.Data[i];
            logits.Data[i] = saved + h;
            double plus = SoftmaxCrossEntropy.Loss(logits, labels);
            logits.Data[i] = saved - h;
            double minus = SoftmaxCrossEntropy.Loss(logits, labels);
            logits.Data[i] = saved;
            TestData.Close((plus - minus) / (2 * h), gradient.Data[i], 1e-8, $"element {i}");
        }
        // Each row of (softmax - onehot)/B sums to zero.
        for (int b = 0; b < 4; b++) Assert.InRange(gradient.Row(b).ToArray().Sum(), -1e-15, 1e-15);
    }

    [Fact]
    public void Is_stable_for_logits_around_a_thousand_and_may_overwrite_the_logits()
    {
        var logits = new Batch<double>(2, 3, new[] { 1000.0, 999.0, 998.0, -1000.0, 1000.0, 1000.0 });
        int[] labels = { 1, 0 };
        var gradient = new Batch<double>(2, 3);
        double loss = SoftmaxCrossEntropy.LossAndGradient(logits, labels, gradient);
        // Shifted by the row maxima the logits are (0, -1, -2) and (-2000, 0, 0).
        double lse0 = Math.Log(1 + Math.Exp(-1) + Math.Exp(-2));
        double expected = ((lse0 + 1) + (Math.Log(2 + Math.Exp(-2000)) + 2000)) / 2;
        Assert.True(double.IsFinite(loss));
        TestData.Close(expected, loss, 1e-14);
        Assert.All(gradient.Data, v => Assert.True(double.IsFinite(v)));
        TestData.Close((Math.Exp(-1) / (1 + Math.Exp(-1) + Math.Exp(-2)) - 1) / 2, gradient[0, 1], 1e-14);
        TestData.Close(-0.5, gradient[1, 0], 1e-14);
        TestData.Close(0.25, gradient[1, 2], 1e-14);

        // In place: the same results, written over the logits.
        double inPlace = SoftmaxCrossEntropy.LossAndGradient(logits, labels, logits);
        Assert.Equal(loss, inPlace);
        Assert.Equal(gradient.Data, logits.Data);

        var floats = new Batch<float>(1, 2, new[] { 1000f, 1000f });
        Assert.Equal(MathF.Log(2), SoftmaxCrossEntropy.LossAndGradient(floats, new[] { 0 }, new Batch<float>(1, 2)), 6);
    }

    [Fact]
    public void Label_errors_name_the_example_and_the_label()
    {
        var logits = new Batch<double>(3, 4);
        var gradient = new Batch<double>(3, 4);
        var ex = Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.LossAndGradient(logits, new[] { 0, 1 }, gradient));
        Assert.Contains("2 labels for 3 examples", ex.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxCrossEntropy.LossAndGradient(logits, new[] { 0, 4, 1 }, gradient));
        Assert.Contains("Label 4 of example 1", range.Message);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxCrossEntropy.CountCorrect(logits, new[] { 0, 1, -1 }));
        Assert.Contains("Label -1 of example 2", range.Message);
        ex = Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.LossAndGradient(logits, new[] { 0, 1, 2 }, new Batch<double>(3, 5)));
        Assert.Contains("3x5", ex.Message);
    }

    [Fact]
    public void Argmax_takes_the_lowest_index_among_ties_and_CountCorrect_counts_matches()
    {
        Assert.Equal(1, SoftmaxCrossEntropy.Argmax<double>(new[] { 1.0, 3.0, 3.0, -5.0 }));
        Assert.Equal(0, SoftmaxCrossEntropy.Argmax<double>(new[] { 2.0 }));
        Assert.Equal(2, SoftmaxCrossEntropy.Argmax<double>(new[] { double.NaN, 1.0, 4.0 }));
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Argmax<double>(ReadOnlySpan<double>.Empty));

        var logits = new Batch<double>(3, 3, new[] { 0.1, 0.9, 0.0, 5.0, 5.0, 1.0, -1.0, -2.0, -0.5 });
        Assert.Equal(2, SoftmaxCrossEntropy.CountCorrect(logits, new[] { 1, 0, 0 }));
        Assert.Equal(1, SoftmaxCrossEntropy.CountCorrect(logits, new[] { 1, 1, 1 }));
    }
}
