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
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> _scoresThroughRelu;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int> _compactColumnsThroughRelu;
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
        _scoresThroughRelu = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(ScoresThroughReluKernel);
        _compactColumnsThroughRelu = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(CompactColumnsThroughReluKernel);
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

    /// <summary>
    /// Back-propagates through a ReLU and then through the linear operation that feeds it: the same
    /// result as <c>Kernels.ReluBackward(dActivation, activation, dy, accumulate: false)</c> followed by
    /// <see cref="Run"/>. In unified meProp the ReLU's derivative is applied where the selection reads
    /// dy (the column scores) and where the kept columns are compacted, so dy is never written: it is
    /// left as it was. In the other modes dy is formed first, as in the unfused sequence.
    /// </summary>
    /// <param name="dActivation">dL/d(ReLU output), B x n; read only.</param>
    /// <param name="activation">The ReLU's output, B x n.</param>
    /// <param name="dy">dL/d(linear output), B x n: scratch for the modes that form it.</param>
    /// <param name="x">The linear operation's input, B x m.</param>
    /// <param name="w">Its weights, n x m.</param>
    /// <param name="dw">dL/dW, added to.</param>
    /// <param name="db">dL/db, added to (or null).</param>
    /// <param name="dx">dL/dx, overwritten or added to (or null).</param>
    /// <param name="accumulateDx">Whether dx is added to.</param>
    /// <param name="k">Entries kept, as in <see cref="Run"/>.</param>
    /// <param name="mode">Dense, TopK or Unified.</param>
    /// <exception cref="ArgumentOutOfRangeException">k is less than 1, or the mode is not Dense, TopK or Unified.</exception>
    /// <exception cref="ArgumentException">The shapes do not fit together.</exception>
    public void RunThroughRelu(DeviceBatch dActivation, DeviceBatch activation, DeviceBatch dy, DeviceBatch x, DeviceBatch w, DeviceBatch dw,
                               DeviceBatch? db, DeviceBatch? dx, bool accumulateDx, int k, MePropMode mode)
    {
        ArgumentNullException.ThrowIfNull(dActivation);
        ArgumentNullException.ThrowIfNull(activation);
        Validate(dy, x, w, dw, db, dx, k);
        dActivation.RequireShape(dy.Rows, dy.Cols, nameof(dActivation));
        activation.RequireShape(dy.Rows, dy.Cols, nameof(activation));
        if (dActivation.Accelerator != Accelerator || activation.Accelerator != Accelerator)
            throw new ArgumentException("Every buffer of the backward must live on the accelerator it was made for.");
        if (mode == MePropMode.Unified && k < w.Rows)
        {
            RunUnified(dActivation, activation, x, w, dw, db, dx, accumulateDx, k);
            return;
        }
        _kernels.ReluBackward(dActivation, activation, dy, accumulate: false);
        Run(dy, x, w, dw, db, dx, accumulateDx, k, mode);
    }

    private void RunUnified(DeviceBatch dy, DeviceBatch x, DeviceBatch w, DeviceBatch dw, DeviceBatch? db, DeviceBatch? dx, bool accumulateDx, int k)
        => RunUnified(dy, null, x, w, dw, db, dx, accumulateDx, k);

    // With an activation, dy is dL/d(ReLU output) and the linear output's gradient is dy where the activation is positive, 0 elsewhere.
    private void RunUnified(DeviceBatch dy, DeviceBatch? reluOutput, DeviceBatch x, DeviceBatch w, DeviceBatch dw, DeviceBatch? db, DeviceBatch? dx, bool accumulateDx, int k)
    {
        int batch = dy.Rows, n = w.Rows, m = w.Cols;
        ArrayView<int> kept = Ensure(ref _selected, k).SubView(0, k);
        if (_scores is null || _scores.Cols != n)
        {
            _scores?.Dispose();
            _scores = new DeviceBatch(Accelerator, 1, n);
        }
        ArrayView<float> compactDy = Ensure(ref _compactDy, (long)batch * k).SubView(0, (long)batch * k);
        if (reluOutput is null)
        {
            _topK.SelectUnified(dy, k, _scores, kept);
            _compactColumns(new Index2D(batch, k), dy.View, kept, compactDy, n, k);
        }
        else
        {
            _scoresThroughRelu(n, dy.View, reluOutput.View, _scores.View, batch, n);
            _topK.SelectFromScores(_scores, k, kept);
            _compactColumnsThroughRelu(new Index2D(batch, k), dy.View, reluOutput.View, kept, compactDy, n, k);
        }
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
            DeviceMemory.Release(buffer);
            buffer = Accelerator.Allocate1D<T>(Math.Max(1L, length));
        }
        return buffer.View;
    }

    public void Dispose()
    {
        DeviceMemory.Release(_selected);
        DeviceMemory.Release(_compactDy);
        DeviceMemory.Release(_compactW);
        DeviceMemory.Release(_compactDw);
        _scores?.Dispose();
    }

    // dyk[b, c] = dy[b, kept[c]].
    private static void CompactColumnsKernel(Index2D at, ArrayView<float> dy, ArrayView<int> kept, ArrayView<float> compact, int n, int k)
        => compact[(long)at.X * k + at.Y] = dy[(long)at.X * n + kept[at.Y]];

    // scores[j] = Σ_b |relu'(y)·dh| over the rows in ascending order: the unified scores of the ReLU's input gradient.
    private static void ScoresThroughReluKernel(Index1D j, ArrayView<float> dh, ArrayView<float> h, ArrayView<float> scores, int rows, int cols)
    {
        float sum = 0f;
        for (int b = 0; b < rows; b++)
        {
            long at = (long)b * cols + j;
            sum += h[at] > 0f ? Math.Abs(dh[at]) : 0f;
        }
        scores[j] = sum;
    }

    // dyk[b, c] = relu'(h[b, kept[c]])·dh[b, kept[c]].
    private static void CompactColumnsThroughReluKernel(Index2D at, ArrayView<float> dh, ArrayView<float> h, ArrayView<int> kept, ArrayView<float> compact, int n, int k)
    {
        long source = (long)at.X * n + kept[at.Y];
        compact[(long)at.X * k + at.Y] = h[source] > 0f ? dh[source] : 0f;
    }

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
