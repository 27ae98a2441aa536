using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace MeProp;

/// <summary>
/// The classification loss of meProp's experiments: softmax over each example's logits followed by
/// cross-entropy with its label, averaged over the mini-batch.
/// </summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>
    /// Returns the mean over the batch of −log softmax(logits_b)[labels[b]] and writes its gradient,
    /// (softmax(logits_b) − onehot(labels[b])) / B, to <paramref name="gradient"/>.
    /// </summary>
    /// <remarks>
    /// Each row's maximum is subtracted before exponentiating: softmax is unchanged by the shift, and
    /// the largest exponent becomes exp(0) = 1, so logits in the thousands neither overflow nor lose
    /// the loss (log-sum-exp = max + log Σ exp(z − max)). <paramref name="gradient"/> may be the same
    /// batch as <paramref name="logits"/>, to overwrite the logits in place.
    /// </remarks>
    /// <exception cref="ArgumentException">labels' length is not the number of examples, or the gradient's shape differs from the logits'.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, classes); the message names the example and the label.</exception>
    public static T LossAndGradient<T>(Batch<T> logits, ReadOnlySpan<int> labels, Batch<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(gradient);
        CheckLabels(logits, labels);
        if (gradient.Rows != logits.Rows || gradient.Cols != logits.Cols)
            throw new ArgumentException($"Shape mismatch: gradient is {gradient.Rows}x{gradient.Cols}, expected {logits.Rows}x{logits.Cols} like the logits.", nameof(gradient));

        int batch = logits.Rows;
        T invBatch = T.One / T.CreateChecked(batch);
        T total = T.Zero;
        for (int b = 0; b < batch; b++)
        {
            Span<T> z = logits.Row(b), g = gradient.Row(b);
            int label = labels[b];
            // Read before g is written: g may be z.
            T max = TensorPrimitives.Max<T>(z);
            T labelLogit = z[label];
            TensorPrimitives.Subtract(z, max, g);
            TensorPrimitives.Exp<T>(g, g);
            T sum = TensorPrimitives.Sum<T>(g);
            // log Σ exp(z − max) − (z_label − max): adding max back first would cancel it against
            // z_label afterwards and lose the loss's digits in float when logits are large.
            total += T.Log(sum) - (labelLogit - max);
            TensorPrimitives.Multiply(g, invBatch / sum, g);
            g[label] -= invBatch;
        }
        return total * invBatch;
    }

    /// <summary>The mean cross-entropy alone, without writing a gradient (for evaluation).</summary>
    /// <exception cref="ArgumentException">labels' length is not the number of examples.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, classes).</exception>
    public static T Loss<T>(Batch<T> logits, ReadOnlySpan<int> labels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(logits);
        CheckLabels(logits, labels);
        T total = T.Zero;
        for (int b = 0; b < logits.Rows; b++)
        {
            Span<T> z = logits.Row(b);
            T max = TensorPrimitives.Max<T>(z);
            // Σ exp(z − max) without a buffer: a scalar loop, as evaluation is not the hot path.
            T sum = T.Zero;
            foreach (T v in z) sum += T.Exp(v - max);
            total += T.Log(sum) - (z[labels[b]] - max);
        }
        return total / T.CreateChecked(logits.Rows);
    }

    /// <summary>The index of the largest score; among equal scores the lowest index.</summary>
    /// <exception cref="ArgumentException">scores is empty.</exception>
    public static int Argmax<T>(ReadOnlySpan<T> scores) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (scores.IsEmpty)
            throw new ArgumentException("Argmax needs at least one score.", nameof(scores));
        // A plain loop rather than TensorPrimitives.IndexOfMax: the tie rule (lowest index) is ours to
        // guarantee, and NaN scores are skipped instead of winning.
        int best = 0;
        for (int i = 1; i < scores.Length; i++)
            if (scores[i] > scores[best] || T.IsNaN(scores[best])) best = i;
        return best;
    }

    /// <summary>How many examples' highest logit is at their label (ties: the lowest index is the prediction).</summary>
    /// <exception cref="ArgumentException">labels' length is not the number of examples.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, classes).</exception>
    public static int CountCorrect<T>(Batch<T> logits, ReadOnlySpan<int> labels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(logits);
        CheckLabels(logits, labels);
        int correct = 0;
        for (int b = 0; b < logits.Rows; b++)
            if (Argmax<T>(logits.Row(b)) == labels[b]) correct++;
        return correct;
    }

    // All labels are checked before anything is written, so a bad batch leaves the gradient untouched.
    private static void CheckLabels<T>(Batch<T> logits, ReadOnlySpan<int> labels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (labels.Length != logits.Rows)
            throw new ArgumentException($"There are {labels.Length} labels for {logits.Rows} examples; there must be one per example.", nameof(labels));
        int classes = logits.Cols;
        for (int b = 0; b < labels.Length; b++)
            if ((uint)labels[b] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[b], $"Label {labels[b]} of example {b} is outside [0, {classes}).");
    }
}
