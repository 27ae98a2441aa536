using System;
using ILGPU;
using ILGPU.Runtime;

namespace MeProp.Accelerators;

/// <summary>
/// Exact top-k by magnitude on an accelerator, per row (meProp per example) or for a whole batch
/// (unified meProp: the columns with the largest sums of |dy| over the rows), with the CPU runtime's
/// order and tie rule: larger |value| first, -0 and +0 equal, NaN below every number, and among equal
/// magnitudes the lower index; the kept indices are written in ascending order.
/// </summary>
/// <remarks>
/// Each row is one thread, which finds the k-th largest magnitude key bit by bit (32 counting
/// passes over the row) and then writes, in index order, every entry above it and the first entries
/// equal to it until k are kept. The keys are those of MeProp.Sparsity's selection: |v|'s bits + 1,
/// NaN 0. Simple and exact rather than fast: a block-per-row radix select is the faster form.
/// </remarks>
public sealed class DeviceTopK
{
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, int, int> _perRow;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> _absoluteColumnSums;

    public DeviceTopK(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        Accelerator = accelerator;
        _perRow = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, int, int>(PerRowKernel);
        _absoluteColumnSums = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(AbsoluteColumnSumsKernel);
    }

    public Accelerator Accelerator { get; }

    /// <summary>How many indices a selection of k keeps from a row of <paramref name="cols"/>: min(k, cols).</summary>
    /// <exception cref="ArgumentOutOfRangeException">k is less than 1.</exception>
    public static int Kept(int k, int cols)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be at least 1, but is {k}.");
        return Math.Min(k, cols);
    }

    /// <summary>
    /// For each row b of <paramref name="values"/>, writes the min(k, Cols) indices kept to
    /// <paramref name="selected"/>[b·kept ..), kept = <see cref="Kept"/>(k, Cols), ascending.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is less than 1.</exception>
    /// <exception cref="ArgumentException">selected holds fewer than Rows·kept indices, or lives on another accelerator.</exception>
    public void SelectPerRow(DeviceBatch values, int k, ArrayView<int> selected)
    {
        ArgumentNullException.ThrowIfNull(values);
        int kept = Kept(k, values.Cols);
        Require(values, selected, (long)values.Rows * kept);
        _perRow(values.Rows, values.View, selected, values.Cols, kept);
    }

    /// <summary>
    /// Unified selection: scores[j] = Σ_b |dy[b, j]| (rows added in ascending order), and the
    /// min(k, Cols) columns with the largest scores written to <paramref name="selected"/>, ascending.
    /// <paramref name="scores"/> is a 1 x Cols scratch batch that keeps the scores.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is less than 1.</exception>
    /// <exception cref="ArgumentException">A buffer is too small or lives on another accelerator.</exception>
    public void SelectUnified(DeviceBatch dy, int k, DeviceBatch scores, ArrayView<int> selected)
    {
        ArgumentNullException.ThrowIfNull(dy);
        ArgumentNullException.ThrowIfNull(scores);
        int kept = Kept(k, dy.Cols);
        if (scores.Rows != 1 || scores.Cols != dy.Cols)
            throw new ArgumentException($"The scores are {scores.Rows}x{scores.Cols}, but a 1x{dy.Cols} row is needed.", nameof(scores));
        Require(dy, selected, kept);
        if (scores.Accelerator != Accelerator) throw new ArgumentException("The scores live on another accelerator.", nameof(scores));
        _absoluteColumnSums(dy.Cols, dy.View, scores.View, dy.Rows, dy.Cols);
        _perRow(1, scores.View, selected, dy.Cols, kept);
    }

    private void Require(DeviceBatch values, ArrayView<int> selected, long needed)
    {
        if (values.Accelerator != Accelerator)
            throw new ArgumentException("The values live on another accelerator than the one the selection was loaded for.", nameof(values));
        if (!selected.IsValid || selected.Length < needed)
            throw new ArgumentException($"The selection needs room for {needed} indices, but has {(selected.IsValid ? selected.Length : 0)}.", nameof(selected));
    }

    // MeProp.Sparsity.MagnitudeKeys.Key: |v|'s bits + 1 (so -0 = +0 and NaN, 0, ranks below zero).
    private static uint Key(float v)
    {
        uint bits = (uint)Interop.FloatAsInt(v) & 0x7FFF_FFFFu;
        return bits > 0x7F80_0000u ? 0u : bits + 1u;
    }

    private static void PerRowKernel(Index1D row, ArrayView<float> values, ArrayView<int> selected, int cols, int kept)
    {
        long start = (long)(int)row * cols;
        // The largest key t with at least `kept` keys >= t: the kept-th largest key.
        uint t = 0;
        for (int bit = 31; bit >= 0; bit--)
        {
            uint candidate = t | (1u << bit);
            int atLeast = 0;
            for (int i = 0; i < cols; i++)
                if (Key(values[start + i]) >= candidate) atLeast++;
            if (atLeast >= kept) t = candidate;
        }
        int above = 0;
        for (int i = 0; i < cols; i++)
            if (Key(values[start + i]) > t) above++;
        int equalToTake = kept - above, written = 0;
        long output = (long)(int)row * kept;
        for (int i = 0; i < cols && written < kept; i++)
        {
            uint key = Key(values[start + i]);
            bool take = key > t;
            if (!take && key == t && equalToTake > 0)
            {
                take = true;
                equalToTake--;
            }
            if (take) selected[output + written++] = i;
        }
    }

    // One thread per column, the rows in ascending order (as LinearBackward's unified scores).
    private static void AbsoluteColumnSumsKernel(Index1D j, ArrayView<float> dy, ArrayView<float> scores, int rows, int cols)
    {
        float sum = 0f;
        for (int b = 0; b < rows; b++) sum += Math.Abs(dy[(long)b * cols + j]);
        scores[j] = sum;
    }
}
