using System;
using ILGPU;
using ILGPU.Runtime;

namespace MeProp.Accelerators;

/// <summary>
/// The backward pass of one linear operation y = x·Wᵀ (+ b) on an accelerator, with meProp: keep the
/// top-k entries of dy per example (<see cref="MePropMode.TopK"/>) or one set of k columns for the
/// batch (<see cref="MePropMode.Unified"/>, the paper's GPU form), and form dW, db and dx from them;
/// <see cref="MePropMode.Dense"/>, or k at least the width, is plain back propagation. The device
/// counterpart of MeProp.Sparsity.LinearBackward: dW and db are added to, dx overwritten or added to.
/// </summary>
/// <remarks>
/// <para>Unified mode compacts the kept columns of dy (B x k) and rows of W (k x m) and turns the
/// backward into two small dense products, the point of the paper's GPU variant.</para>
/// <para>Per example, dx is a gather (each element sums its example's kept rows of W in ascending
/// order); dW and db receive every example's contributions by atomic adds, so their float sums are
/// in no fixed order: equal to the CPU's up to rounding, not bit for bit.</para>
/// <para>Buffers are kept per instance and grow to the largest call; a call allocates nothing once
/// they fit.</para>
/// </remarks>
public sealed class DeviceLinearBackward : IDisposable
{
    private readonly DeviceTopK _topK;
    private readonly DeviceGemm _gemm;
    private readonly DeviceKernels _kernels;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int> _compactColumns;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int> _gatherRows;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int> _scatterAddRows;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int> _keptBias;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int, int> _perExampleDx;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int> _perExampleDw;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int> _perExampleDb;

    private MemoryBuffer1D<int, Stride1D.Dense>? _selected;
    private MemoryBuffer1D<float, Stride1D.Dense>? _compactDy, _compactW, _compactDw;
    private DeviceBatch? _scores;

    /// <param name="accelerator">Where the backward runs.</param>
    /// <param name="gemm">The products to use (a runtime's, so that every linear operation shares one cuBLAS handle); null makes its own.</param>
    public DeviceLinearBackward(Accelerator accelerator, DeviceGemm? gemm = null)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        if (gemm is not null && gemm.Accelerator != accelerator)
            throw new ArgumentException("The products run on another accelerator.", nameof(gemm));
        Accelerator = accelerator;
        _topK = new DeviceTopK(accelerator);
        _gemm = gemm ?? new DeviceGemm(accelerator);
        _kernels = new DeviceKernels(accelerator);
        _compactColumns = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(CompactColumnsKernel);
        _gatherRows = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int>(GatherRowsKernel);
        _scatterAddRows = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int>(ScatterAddRowsKernel);
        _keptBias = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(KeptBiasKernel);
        _perExampleDx = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int, int>(PerExampleDxKernel);
        _perExampleDw = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int>(PerExampleDwKernel);
        _perExampleDb = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(PerExampleDbKernel);
    }

    public Accelerator Accelerator { get; }

    /// <summary>
    /// dW += the kept part of dyᵀ·x, db += the kept column sums of dy, and dx (+)= dy_kept·W; dy is
    /// B x n, x B x m, W and dW n x m, db 1 x n (or null), dx B x m (or null).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is less than 1, or the mode is not Dense, TopK or Unified.</exception>
    /// <exception cref="ArgumentException">The shapes do not fit together.</exception>
    public void Run(DeviceBatch dy, DeviceBatch x, DeviceBatch w, DeviceBatch dw, DeviceBatch? db, DeviceBatch? dx, bool accumulateDx, int k, MePropMode mode)
    {
        Validate(dy, x, w, dw, db, dx, k);
        int batch = dy.Rows, n = w.Rows, m = w.Cols;
        if (mode == MePropMode.Dense || k >= n)
        {
            _gemm.MultiplyTransposedA(dy.View, x.View, dw.View, n, batch, m, accumulate: true);
            if (db is not null) _kernels.Bias(dy, db);
            if (dx is not null) _gemm.Multiply(dy.View, w.View, dx.View, batch, n, m, accumulateDx);
            return;
        }
        switch (mode)
        {
            case MePropMode.Unified:
                RunUnified(dy, x, w, dw, db, dx, accumulateDx, k);
                return;
            case MePropMode.TopK:
                RunPerExample(dy, x, w, dw, db, dx, accumulateDx, k);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, $"The device backward runs Dense, TopK and Unified, not {mode}.");
        }
    }

    private void RunUnified(DeviceBatch dy, DeviceBatch x, DeviceBatch w, DeviceBatch dw, DeviceBatch? db, DeviceBatch? dx, bool accumulateDx, int k)
    {
        int batch = dy.Rows, n = w.Rows, m = w.Cols;
        ArrayView<int> kept = Ensure(ref _selected, k).SubView(0, k);
        if (_scores is null || _scores.Cols != n)
        {
            _scores?.Dispose();
            _scores = new DeviceBatch(Accelerator, 1, n);
        }
        _topK.SelectUnified(dy, k, _scores, kept);
        ArrayView<float> compactDy = Ensure(ref _compactDy, (long)batch * k).SubView(0, (long)batch * k);
        _compactColumns(new Index2D(batch, k), dy.View, kept, compactDy, n, k);
        ArrayView<float> compactDw = Ensure(ref _compactDw, (long)k * m).SubView(0, (long)k * m);
        _gemm.MultiplyTransposedA(compactDy, x.View, compactDw, k, batch, m, accumulate: false);
        _scatterAddRows(new Index2D(k, m), compactDw, kept, dw.View, m);
        if (db is not null) _keptBias(k, compactDy, kept, db.View, batch, k);
        if (dx is not null)
        {
            ArrayView<float> compactW = Ensure(ref _compactW, (long)k * m).SubView(0, (long)k * m);
            _gatherRows(new Index2D(k, m), w.View, kept, compactW, m);
            _gemm.Multiply(compactDy, compactW, dx.View, batch, k, m, accumulateDx);
        }
    }

    private void RunPerExample(DeviceBatch dy, DeviceBatch x, DeviceBatch w, DeviceBatch dw, DeviceBatch? db, DeviceBatch? dx, bool accumulateDx, int k)
    {
        int batch = dy.Rows, n = w.Rows, m = w.Cols;
        ArrayView<int> selected = Ensure(ref _selected, (long)batch * k).SubView(0, (long)batch * k);
        _topK.SelectPerRow(dy, k, selected);
        _perExampleDw(new Index2D(batch * k, m), dy.View, selected, x.View, dw.View, n, m, k);
        if (db is not null) _perExampleDb(batch * k, dy.View, selected, db.View, n, k);
        if (dx is not null) _perExampleDx(new Index2D(batch, m), dy.View, selected, w.View, dx.View, n, m, k, accumulateDx ? 1 : 0);
    }

    private void Validate(DeviceBatch dy, DeviceBatch x, DeviceBatch w, DeviceBatch dw, DeviceBatch? db, DeviceBatch? dx, int k)
    {
        ArgumentNullException.ThrowIfNull(dy);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(dw);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be at least 1, but is {k}.");
        int batch = dy.Rows, n = w.Rows, m = w.Cols;
        if (dy.Cols != n) throw new ArgumentException($"dy has {dy.Cols} columns, but W has {n} rows (output units).", nameof(dy));
        if (x.Rows != batch || x.Cols != m) throw new ArgumentException($"x is {x.Rows}x{x.Cols}, but {batch}x{m} was expected (dy's examples, W's columns).", nameof(x));
        dw.RequireShape(n, m, nameof(dw));
        db?.RequireShape(1, n, nameof(db));
        dx?.RequireShape(batch, m, nameof(dx));
        foreach (DeviceBatch? b in new[] { dy, x, w, dw, db, dx })
            if (b is not null && b.Accelerator != Accelerator)
                throw new ArgumentException("Every buffer of the backward must live on the accelerator it was made for.");
    }

    private ArrayView<T> Ensure<T>(ref MemoryBuffer1D<T, Stride1D.Dense>? buffer, long length) where T : unmanaged
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer?.Dispose();
            buffer = Accelerator.Allocate1D<T>(Math.Max(1L, length));
        }
        return buffer.View;
    }

    public void Dispose()
    {
        _selected?.Dispose();
        _compactDy?.Dispose();
        _compactW?.Dispose();
        _compactDw?.Dispose();
        _scores?.Dispose();
    }

    // dyk[b, c] = dy[b, kept[c]].
    private static void CompactColumnsKernel(Index2D at, ArrayView<float> dy, ArrayView<int> kept, ArrayView<float> compact, int n, int k)
        => compact[(long)at.X * k + at.Y] = dy[(long)at.X * n + kept[at.Y]];

    // wk[c, :] = w[kept[c], :].
    private static void GatherRowsKernel(Index2D at, ArrayView<float> w, ArrayView<int> kept, ArrayView<float> compact, int m)
        => compact[(long)at.X * m + at.Y] = w[(long)kept[at.X] * m + at.Y];

    // dw[kept[c], :] += dwk[c, :] (the kept rows are distinct: no two threads write one element).
    private static void ScatterAddRowsKernel(Index2D at, ArrayView<float> compact, ArrayView<int> kept, ArrayView<float> dw, int m)
    {
        long target = (long)kept[at.X] * m + at.Y;
        dw[target] = dw[target] + compact[(long)at.X * m + at.Y];
    }

    // db[kept[c]] += Σ_b dyk[b, c], rows in ascending order.
    private static void KeptBiasKernel(Index1D c, ArrayView<float> compact, ArrayView<int> kept, ArrayView<float> db, int batch, int k)
    {
        float sum = 0f;
        for (int b = 0; b < batch; b++) sum += compact[(long)b * k + c];
        db[kept[c]] = db[kept[c]] + sum;
    }

    // dx[b, col] (+)= Σ_c dy[b, sel[b, c]]·W[sel[b, c], col], c ascending.
    private static void PerExampleDxKernel(Index2D at, ArrayView<float> dy, ArrayView<int> selected, ArrayView<float> w, ArrayView<float> dx, int n, int m, int k, int accumulate)
    {
        int b = at.X, col = at.Y;
        float sum = 0f;
        for (int c = 0; c < k; c++)
        {
            int j = selected[(long)b * k + c];
            sum += dy[(long)b * n + j] * w[(long)j * m + col];
        }
        long target = (long)b * m + col;
        dx[target] = accumulate != 0 ? dx[target] + sum : sum;
    }

    // dW[sel[b, c], col] += dy[b, sel[b, c]]·x[b, col], one thread per (example, kept entry, column).
    private static void PerExampleDwKernel(Index2D at, ArrayView<float> dy, ArrayView<int> selected, ArrayView<float> x, ArrayView<float> dw, int n, int m, int k)
    {
        int pair = at.X, col = at.Y, b = pair / k;
        int j = selected[pair];
        Atomic.Add(ref dw[(long)j * m + col], dy[(long)b * n + j] * x[(long)b * m + col]);
    }

    private static void PerExampleDbKernel(Index1D pair, ArrayView<float> dy, ArrayView<int> selected, ArrayView<float> db, int n, int k)
    {
        int b = pair / k, j = selected[pair];
        Atomic.Add(ref db[j], dy[(long)b * n + j]);
    }
}
