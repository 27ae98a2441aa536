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
/// <para>Both kernels find the k-th largest magnitude key of a row bit by bit (32 counting passes),
/// then write, in index order, every entry above it and the first entries equal to it until k are
/// kept. The keys are those of MeProp.Sparsity's selection: |v|'s bits + 1, NaN 0. The two kernels
/// give the same indices; they differ in how many threads share a row.</para>
/// <para>On a GPU a row is one group (<see cref="DeviceSelectionKernel.GroupPerRow"/>): the threads
/// count with coalesced reads and add their counts in shared memory, and each writes its own
/// contiguous share of the row at an offset from a prefix sum. One thread per row would leave
/// unified meProp's single row of 8192 scores to one GPU thread, 33 sequential passes, slower than
/// the rest of the backward put together. On ILGPU's CPU accelerator, which emulates group barriers
/// with threads, a row is one thread (<see cref="DeviceSelectionKernel.ThreadPerRow"/>).</para>
/// </remarks>
public sealed class DeviceTopK
{
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, int, int>? _threadPerRow;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<int>, int, int>? _groupPerRow;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> _absoluteColumnSums;
    private readonly int _groupSize;

    /// <param name="accelerator">Where the selections run.</param>
    /// <param name="kernel">The kernel to use; null picks one thread per row on ILGPU's CPU accelerator, one group per row elsewhere.</param>
    public DeviceTopK(Accelerator accelerator, DeviceSelectionKernel? kernel = null)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        Accelerator = accelerator;
        Kernel = kernel ?? (accelerator.AcceleratorType == AcceleratorType.CPU ? DeviceSelectionKernel.ThreadPerRow : DeviceSelectionKernel.GroupPerRow);
        // A power of two (the sums halve it), at most 256 threads: 8192 scores are 32 per thread.
        _groupSize = 256;
        while (_groupSize > 1 && _groupSize > accelerator.MaxNumThreadsPerGroup) _groupSize /= 2;
        if (Kernel == DeviceSelectionKernel.GroupPerRow)
            _groupPerRow = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<int>, int, int>(GroupPerRowKernel);
        else
            _threadPerRow = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, int, int>(PerRowKernel);
        _absoluteColumnSums = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(AbsoluteColumnSumsKernel);
    }

    public Accelerator Accelerator { get; }

    /// <summary>The kernel the selections run in.</summary>
    public DeviceSelectionKernel Kernel { get; }

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
        SelectRows(values.View, values.Rows, values.Cols, kept, selected);
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
        SelectRows(scores.View, 1, dy.Cols, kept, selected);
    }

    /// <summary>
    /// The min(k, Cols) columns of a 1 x Cols row of <paramref name="scores"/> with the largest
    /// magnitudes, written to <paramref name="selected"/> in ascending order: the selection step of
    /// <see cref="SelectUnified"/>, for scores a caller formed itself (through a ReLU's derivative).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is less than 1.</exception>
    /// <exception cref="ArgumentException">scores is not one row, or a buffer is too small or lives on another accelerator.</exception>
    public void SelectFromScores(DeviceBatch scores, int k, ArrayView<int> selected)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Rows != 1) throw new ArgumentException($"The scores are {scores.Rows}x{scores.Cols}, but one row is needed.", nameof(scores));
        int kept = Kept(k, scores.Cols);
        Require(scores, selected, kept);
        SelectRows(scores.View, 1, scores.Cols, kept, selected);
    }

    private void SelectRows(ArrayView<float> values, int rows, int cols, int kept, ArrayView<int> selected)
    {
        if (_groupPerRow is null)
        {
            _threadPerRow!(rows, values, selected, cols, kept);
            return;
        }
        // Shared: one count per thread for the sums, then the above and tie counts and the total above.
        var config = new KernelConfig(rows, _groupSize, SharedMemoryConfig.RequestDynamic<int>(2 * _groupSize + 1));
        _groupPerRow(config, values, selected, cols, kept);
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

    // One group per row (Grid.IdxX), the group size a power of two. The counting passes read with a
    // stride of the group size (coalesced); the writing pass gives each thread a contiguous share of
    // the row, so that index order is thread order and a prefix sum of the counts places each share.
    private static void GroupPerRowKernel(ArrayView<float> values, ArrayView<int> selected, int cols, int kept)
    {
        ArrayView<int> shared = SharedMemory.GetDynamic<int>();
        int tid = Group.IdxX, size = Group.DimX;
        long start = (long)Grid.IdxX * cols;
        uint t = 0;
        for (int bit = 31; bit >= 0; bit--)
        {
            uint candidate = t | (1u << bit);
            int count = 0;
            for (int i = tid; i < cols; i += size)
                if (Key(values[start + i]) >= candidate) count++;
            if (GroupSum(shared, tid, size, count) >= kept) t = candidate;
        }

        int share = (cols + size - 1) / size, from = Math.Min(cols, tid * share), to = Math.Min(cols, from + share);
        int above = 0, ties = 0;
        for (int i = from; i < to; i++)
        {
            uint key = Key(values[start + i]);
            if (key > t) above++;
            else if (key == t) ties++;
        }
        shared[tid] = above;
        shared[size + tid] = ties;
        Group.Barrier();
        if (tid == 0)
        {
            // Exclusive prefix sums in place, in thread order; the total above goes last.
            int aboveSum = 0, tieSum = 0;
            for (int i = 0; i < size; i++)
            {
                int a = shared[i], e = shared[size + i];
                shared[i] = aboveSum;
                shared[size + i] = tieSum;
                aboveSum += a;
                tieSum += e;
            }
            shared[2 * size] = aboveSum;
        }
        Group.Barrier();
        int equalToTake = kept - shared[2 * size];
        int tiesBefore = shared[size + tid];
        // Earlier shares kept all their entries above t and the ties among the first equalToTake.
        long output = (long)Grid.IdxX * kept + shared[tid] + Math.Min(tiesBefore, equalToTake);
        int tieIndex = tiesBefore, written = 0;
        for (int i = from; i < to; i++)
        {
            uint key = Key(values[start + i]);
            bool take = key > t;
            if (key == t) take = tieIndex++ < equalToTake;
            if (take) selected[output + written++] = i;
        }
    }

    // The sum of every thread's value (a tree in shared memory); every thread gets it.
    private static int GroupSum(ArrayView<int> shared, int tid, int size, int value)
    {
        shared[tid] = value;
        Group.Barrier();
        for (int half = size / 2; half > 0; half /= 2)
        {
            if (tid < half) shared[tid] += shared[tid + half];
            Group.Barrier();
        }
        int total = shared[0];
        Group.Barrier(); // before the next sum overwrites shared[0]
        return total;
    }

    // One thread per column, the rows in ascending order (as LinearBackward's unified scores).
    private static void AbsoluteColumnSumsKernel(Index1D j, ArrayView<float> dy, ArrayView<float> scores, int rows, int cols)
    {
        float sum = 0f;
        for (int b = 0; b < rows; b++) sum += Math.Abs(dy[(long)b * cols + j]);
        scores[j] = sum;
    }
}

/// <summary>The kernels <see cref="DeviceTopK"/> can select with (the same indices either way).</summary>
public enum DeviceSelectionKernel
{
    /// <summary>One thread per row: no shared memory or barrier, the fast form on ILGPU's CPU accelerator.</summary>
    ThreadPerRow,

    /// <summary>One group of up to 256 threads per row: the form for GPUs, where a row is long and rows are few.</summary>
    GroupPerRow,
}
