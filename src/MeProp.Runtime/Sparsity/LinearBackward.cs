using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MeProp.Kernels;

namespace MeProp.Sparsity;

/// <summary>
/// The backward pass of one linear operation y = x·Wᵀ (+ b) with meProp's sparsified output
/// gradient: generated code keeps one instance per linear operation, which owns the selection and
/// compaction buffers so that a training step allocates nothing once they have grown to the batch.
/// </summary>
/// <remarks>
/// <para>Shapes: dy and y are B x n (n output units), x is B x m, W is n x m, dW is n x m, db is n x 1,
/// dx is B x m.</para>
/// <para>Semantics (the paper's): the kept entries of dy are chosen, the others treated as zero, and
/// then dW += dyᵀ·x, db += column sums of dy and dx (=|+=) dy·W are formed from the kept entries only.
/// With k at least n, or in <see cref="MePropMode.Dense"/>, this is ordinary back propagation.</para>
/// </remarks>
public sealed class LinearBackward<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private int[] _selected = Array.Empty<int>();    // per example: k indices, row b at b*k
    private int[] _selectedCount = Array.Empty<int>();
    private int[] _permutation = Array.Empty<int>();  // random-k: a permutation of 0..n-1, partially reshuffled per example
    private T[] _scores = Array.Empty<T>();          // unified: batch sum of |dy| per output unit
    private T[] _absoluteRow = Array.Empty<T>();     // unified: |dy| of one example
    private T[] _compactDy = Array.Empty<T>();       // unified: B x k, the kept columns of dy
    private T[] _compactW = Array.Empty<T>();        // unified: k x m, the kept rows of W
    private T[] _compactDw = Array.Empty<T>();       // unified: k x m, the gradient of those rows
    private int[] _allIndices = Array.Empty<int>();  // dense: 0..n-1, what SelectedFor answers after a dense call
    private int _lastExamples;                       // B of the last call, to check SelectedFor's argument
    private int _deferredRows;                       // rows of dy RunStep deferred for FinishSteps

    private readonly TopKSelector<T> _selector = new(); // per-example top-k, with its scratch

    // Both cores for the per-example backward of a large batch (the parser's 10,000 examples; at
    // MNIST's 10 waking a thread costs more than it saves): the examples' selections and dx rows in
    // two halves, dW's columns in two bands. Every element is formed by the same additions in the
    // same order as on one thread, so the result is the same bits whichever thread ran what.
    private const long ParallelMinWork = 1 << 20; // batch·k·m multiply-adds
    private TopKSelector<T>? _sideSelector;       // the side thread's own scratch
    private Action? _sideWork;                    // one delegate per instance: Start allocates nothing
    private SideJob _job;

    // The blocked form of the per-example backward (BlockedSparseRows), from this batch size on.
    private const int BlockedMinExamples = 128;
    private int[] _rowStart = Array.Empty<int>();     // blocked: per block of examples, where each row's pairs start
    private int[] _pairExample = Array.Empty<int>();  // blocked: the example of each (example, row) pair, bucketed by row
    private T[] _pairGradient = Array.Empty<T>();     // blocked: dy[example, row] of each pair
    private T[] _keptGradient = Array.Empty<T>();     // blocked: each example's kept entries of dy, k per example

    /// <summary>How many entries of dy per example the last call kept (n when it ran densely).</summary>
    public int LastKeptPerExample { get; private set; }

    /// <summary>The mode the last call actually ran in (<see cref="MePropMode.Dense"/> when k reached the width).</summary>
    public MePropMode LastMode { get; private set; }

    /// <summary>Back-propagates through y = x·Wᵀ (+ b).</summary>
    /// <param name="dy">Gradient of the loss with respect to y (B x n); read only.</param>
    /// <param name="x">The forward input (B x m).</param>
    /// <param name="w">The weight matrix (n x m).</param>
    /// <param name="dw">Receives dW (accumulated).</param>
    /// <param name="db">Receives db (accumulated), or null when the operation has no bias.</param>
    /// <param name="dx">Receives dx, or null when x needs no gradient.</param>
    /// <param name="accumulateDx">Add to dx instead of overwriting it.</param>
    /// <param name="k">Entries kept per example (per batch in unified mode).</param>
    /// <param name="mode">How they are chosen.</param>
    /// <param name="random">Source for random-k.</param>
    public void Run(Batch<T> dy, Batch<T> x, Matrix<T> w, ParameterGradient<T> dw, ParameterGradient<T>? db,
                    Batch<T>? dx, bool accumulateDx, int k, MePropMode mode, SeededRandom random)
    {
        Validate(dy, x, w, dw, db, dx, k, mode);
        int batch = dy.Rows, n = w.Rows;
        _lastExamples = batch;
        if (mode == MePropMode.Dense || k >= n)
        {
            LastMode = MePropMode.Dense;
            LastKeptPerExample = n;
            if (_allIndices.Length != n)
            {
                _allIndices = new int[n];
                for (int i = 0; i < n; i++) _allIndices[i] = i;
            }
            RunDense(dy, x, w, dw, db, dx, accumulateDx);
            return;
        }
        LastMode = mode;
        LastKeptPerExample = k;
        switch (mode)
        {
            case MePropMode.TopK:
            case MePropMode.Random:
                SelectPerExample(dy, k, mode, random, x.Cols);
                RunPerExample(dy, x, w, dw, db, dx, accumulateDx, k);
                break;
            case MePropMode.Unified:
                RunUnified(dy, x, w, dw, db, dx, accumulateDx, k);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, $"Unknown meProp mode {mode}.");
        }
    }

    /// <summary>
    /// Back-propagates through a ReLU and then through the linear operation that feeds it:
    /// the same result, bit for bit, as
    /// <c>BackwardKernels.Relu(dActivation, activation, dy, accumulate: false)</c> followed by
    /// <see cref="Run"/> with the other arguments, but in top-k mode each row of dy is written and its
    /// top-k selected in one pass (the ReLU derivative is what the selection reads anyway).
    /// Generated code calls it when a linear operation's only consumer is a ReLU.
    /// </summary>
    /// <remarks>The one difference from the pair is on invalid arguments in top-k mode: every check
    /// runs before dy is written, where the pair would have written dy before Run threw.</remarks>
    /// <param name="dActivation">Gradient of the loss with respect to the ReLU's output (B x n); read only.</param>
    /// <param name="activation">The ReLU's forward output (B x n).</param>
    /// <param name="dy">Receives the gradient with respect to the linear operation's output (B x n), every entry written.</param>
    /// <param name="x">The forward input (B x m).</param>
    /// <param name="w">The weight matrix (n x m).</param>
    /// <param name="dw">Receives dW (accumulated).</param>
    /// <param name="db">Receives db (accumulated), or null when the operation has no bias.</param>
    /// <param name="dx">Receives dx, or null when x needs no gradient.</param>
    /// <param name="accumulateDx">Add to dx instead of overwriting it.</param>
    /// <param name="k">Entries kept per example (per batch in unified mode).</param>
    /// <param name="mode">How they are chosen.</param>
    /// <param name="random">Source for random-k.</param>
    public void RunThroughRelu(Batch<T> dActivation, Batch<T> activation, Batch<T> dy, Batch<T> x, Matrix<T> w,
                               ParameterGradient<T> dw, ParameterGradient<T>? db, Batch<T>? dx, bool accumulateDx,
                               int k, MePropMode mode, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(dActivation);
        ArgumentNullException.ThrowIfNull(activation);
        ArgumentNullException.ThrowIfNull(dy);
        ArgumentNullException.ThrowIfNull(w);
        if (mode != MePropMode.TopK || k < 1 || k >= w.Rows)
        {
            // Nothing to fuse: the selection (if any) is not a per-row top-k of dy. Errors and
            // partial writes are then exactly those of the two calls.
            BackwardKernels.Relu(dActivation, activation, dy, accumulate: false);
            Run(dy, x, w, dw, db, dx, accumulateDx, k, mode, random);
            return;
        }
        // Relu's checks first, as in the unfused sequence; then Run's, before anything is written.
        ForwardKernels.RequireSameShape(dActivation, activation, "activation output");
        ForwardKernels.RequireSameShape(dActivation, dy, "gradient");
        Validate(dy, x, w, dw, db, dx, k, mode);

        int batch = dy.Rows;
        _lastExamples = batch;
        LastMode = mode;
        LastKeptPerExample = k;
        EnsureCapacity(ref _selected, batch * k);
        EnsureCapacity(ref _selectedCount, batch);
        if (UseBothThreads(batch, k, x.Cols))
        {
            int half = batch / 2;
            _job = new SideJob { Phase = SidePhase.SelectThroughRelu, Dy = dy, DActivation = dActivation, Activation = activation, K = k, Start = half, End = batch };
            SideThread.Pending pending = SideThread.Start(_sideWork ??= RunSideJob);
            try
            {
                SelectThroughReluRange(_selector, dActivation, activation, dy, k, 0, half);
            }
            finally
            {
                JoinSide(pending);
            }
        }
        else
        {
            SelectThroughReluRange(_selector, dActivation, activation, dy, k, 0, batch);
        }
        RunPerExample(dy, x, w, dw, db, dx, accumulateDx, k);
    }

    /// <summary>
    /// One step of a linear operation inside a loop over steps (back propagation through time).
    /// Where the step runs densely (<see cref="MePropMode.Dense"/>, or k at least the width), only dx
    /// is formed now: dy is copied into <paramref name="dyStep"/>, this step's block of a buffer
    /// holding every step's dy, and <see cref="FinishSteps"/> forms the weight and bias gradients of
    /// all steps afterwards in one product, instead of one read-modify-write pass over the whole of
    /// dW per step (at batch 1 those passes were most of a dense LSTM's backward time). Otherwise
    /// the same as <see cref="Run"/>: the sparse forms touch only k rows per step.
    /// </summary>
    /// <param name="dy">Gradient of the loss with respect to this step's y (B x n); read only.</param>
    /// <param name="x">This step's input (B x m).</param>
    /// <param name="w">The weight matrix (n x m).</param>
    /// <param name="dw">Receives dW (accumulated; deferred in dense mode).</param>
    /// <param name="db">Receives db (accumulated; deferred in dense mode), or null.</param>
    /// <param name="dx">Receives this step's dx, or null when x needs no gradient.</param>
    /// <param name="accumulateDx">Add to dx instead of overwriting it.</param>
    /// <param name="k">Entries kept per example (per batch in unified mode).</param>
    /// <param name="mode">How they are chosen.</param>
    /// <param name="random">Source for random-k.</param>
    /// <param name="dyStep">This step's block of the buffer that <see cref="FinishSteps"/> reads (B x n).</param>
    public void RunStep(Batch<T> dy, Batch<T> x, Matrix<T> w, ParameterGradient<T> dw, ParameterGradient<T>? db,
                        Batch<T>? dx, bool accumulateDx, int k, MePropMode mode, SeededRandom random, Batch<T> dyStep)
    {
        ArgumentNullException.ThrowIfNull(dyStep);
        if (mode != MePropMode.Dense && k < w.Rows)
        {
            Run(dy, x, w, dw, db, dx, accumulateDx, k, mode, random);
            return;
        }
        Validate(dy, x, w, dw, db, dx, k, mode);
        ForwardKernels.RequireSameShape(dy, dyStep, "deferred dy block");
        int batch = dy.Rows, n = w.Rows, m = w.Cols;
        _lastExamples = batch;
        LastMode = MePropMode.Dense;
        LastKeptPerExample = n;
        if (_allIndices.Length != n)
        {
            _allIndices = new int[n];
            for (int i = 0; i < n; i++) _allIndices[i] = i;
        }
        dy.Span.CopyTo(dyStep.Span);
        _deferredRows += batch;
        if (dx is not null)
            Gemm.Multiply<T>(dy.Span, w.Data, dx.Span, batch, n, m, accumulateDx);
    }

    /// <summary>
    /// Forms what <see cref="RunStep"/> deferred: dW += DYᵀ·X and db += the column sums of DY, where
    /// DY and X hold every step's dy and x, row blocks in the same step order. Does nothing when no
    /// step was deferred (a sparse mode).
    /// </summary>
    /// <param name="dyAll">Every step's dy (the buffer whose blocks RunStep filled).</param>
    /// <param name="xAll">Every step's x, in the same row order.</param>
    /// <param name="dw">Receives dW (accumulated).</param>
    /// <param name="db">Receives db (accumulated), or null.</param>
    public void FinishSteps(Batch<T> dyAll, Batch<T> xAll, ParameterGradient<T> dw, ParameterGradient<T>? db)
    {
        ArgumentNullException.ThrowIfNull(dyAll);
        ArgumentNullException.ThrowIfNull(xAll);
        ArgumentNullException.ThrowIfNull(dw);
        if (_deferredRows == 0) return;
        int rows = _deferredRows;
        _deferredRows = 0;
        if (rows != dyAll.Rows || rows != xAll.Rows)
            throw new InvalidOperationException($"{rows} rows of dy were deferred, but FinishSteps got {dyAll.Rows} rows of dy and {xAll.Rows} of x: every step of a loop must be deferred, or none.");
        Shape.RequireEqual(dyAll.Cols, dw.Rows, "dy columns (output units)");
        Shape.RequireEqual(xAll.Cols, dw.Cols, "x columns (inputs)");
        dw.MarkAllRows();
        Gemm.MultiplyTransposedA<T>(dyAll.Span, xAll.Span, dw.Data, dw.Rows, rows, dw.Cols, accumulate: true);
        if (db is not null)
        {
            Shape.RequireEqual(db.Rows, dw.Rows, "db rows");
            db.MarkAllRows();
            for (int b = 0; b < rows; b++)
                TensorPrimitives.Add(db.Data, dyAll.Row(b), db.Data);
        }
    }

    private static void Validate(Batch<T> dy, Batch<T> x, Matrix<T> w, ParameterGradient<T> dw, ParameterGradient<T>? db,
                                 Batch<T>? dx, int k, MePropMode mode)
    {
        ArgumentNullException.ThrowIfNull(dy);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(dw);
        int batch = dy.Rows, n = w.Rows, m = w.Cols;
        Shape.RequireEqual(dy.Cols, n, "dy columns (output units)");
        Shape.RequireEqual(x.Rows, batch, "x rows (examples)");
        Shape.RequireEqual(x.Cols, m, "x columns (inputs)");
        Shape.RequireEqual(dw.Rows, n, "dW rows");
        Shape.RequireEqual(dw.Cols, m, "dW columns");
        if (db is not null) { Shape.RequireEqual(db.Rows, n, "db rows"); Shape.RequireEqual(db.Cols, 1, "db columns"); }
        if (dx is not null) { Shape.RequireEqual(dx.Rows, batch, "dx rows"); Shape.RequireEqual(dx.Cols, m, "dx columns"); }
        if (mode != MePropMode.Dense && k < 1)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be at least 1 in mode {mode}, but is {k}.");
    }

    /// <summary>
    /// The indices kept for example <paramref name="example"/> by the last call, ascending: its own
    /// set in top-k and random-k, the batch's shared set in unified mode, and every index after a
    /// dense call.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">example is outside the last call's batch.</exception>
    public ReadOnlySpan<int> SelectedFor(int example)
    {
        if ((uint)example >= (uint)_lastExamples)
            throw new ArgumentOutOfRangeException(nameof(example), example, $"Example {example} is outside the last call's batch of {_lastExamples}.");
        // A dense call selects nothing; without this branch the answer would be read from a stale
        // selection (or past its end), with the width n taken as the stride.
        if (LastMode == MePropMode.Dense)
            return _allIndices;
        int k = LastKeptPerExample;
        return _selected.AsSpan(example * k, _selectedCount[example]);
    }

    private static void RunDense(Batch<T> dy, Batch<T> x, Matrix<T> w, ParameterGradient<T> dw, ParameterGradient<T>? db, Batch<T>? dx, bool accumulateDx)
    {
        int batch = dy.Rows, n = w.Rows, m = w.Cols;
        dw.MarkAllRows();
        Gemm.MultiplyTransposedA<T>(dy.Span, x.Span, dw.Data, n, batch, m, accumulate: true);
        if (db is not null)
        {
            db.MarkAllRows();
            for (int b = 0; b < batch; b++)
                TensorPrimitives.Add(db.Data, dy.Row(b), db.Data);
        }
        if (dx is not null)
            Gemm.Multiply<T>(dy.Span, w.Data, dx.Span, batch, n, m, accumulateDx);
    }

    private void SelectPerExample(Batch<T> dy, int k, MePropMode mode, SeededRandom random, int m)
    {
        int batch = dy.Rows, n = dy.Cols;
        EnsureCapacity(ref _selected, batch * k);
        EnsureCapacity(ref _selectedCount, batch);
        if (mode == MePropMode.TopK)
        {
            // The selector starts each row's search at the previous row's threshold; the sets are
            // exactly the heap's (TopK.SelectByMagnitude) whatever it starts from, so the two
            // threads' selectors give the same sets as one.
            if (UseBothThreads(batch, k, m))
            {
                int half = batch / 2;
                _job = new SideJob { Phase = SidePhase.Select, Dy = dy, K = k, Start = half, End = batch };
                SideThread.Pending pending = SideThread.Start(_sideWork ??= RunSideJob);
                try
                {
                    SelectRange(_selector, dy, k, 0, half);
                }
                finally
                {
                    JoinSide(pending);
                }
            }
            else
            {
                SelectRange(_selector, dy, k, 0, batch);
            }
            return;
        }

        // Random-k: a partial Fisher–Yates shuffle draws k distinct indices uniformly; the array stays
        // a permutation, so it needs no reset between examples.
        if (_permutation.Length != n)
        {
            _permutation = new int[n];
            for (int i = 0; i < n; i++) _permutation[i] = i;
        }
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < k; i++)
            {
                int j = i + random.NextInt(n - i);
                (_permutation[i], _permutation[j]) = (_permutation[j], _permutation[i]);
            }
            Span<int> kept = _selected.AsSpan(b * k, k);
            _permutation.AsSpan(0, k).CopyTo(kept);
            kept.Sort();
            _selectedCount[b] = k;
        }
    }

    // Per example: dW's kept rows get a scaled copy of x_b (scatter-add), dx_b gathers the kept rows of W.
    // Example b's contributions are all added before example b + 1's, so every element of dW sums its
    // examples in ascending order whatever the selection (and whichever thread forms its band).
    private void RunPerExample(Batch<T> dy, Batch<T> x, Matrix<T> w, ParameterGradient<T> dw, ParameterGradient<T>? db, Batch<T>? dx, bool accumulateDx, int k)
    {
        int batch = dy.Rows, n = w.Rows, m = w.Cols;
        bool blocked = batch >= BlockedMinExamples && m >= 64;
        if (blocked)
        {
            int blocks = (batch + BlockedSparseRows<T>.BlockExamples - 1) / BlockedSparseRows<T>.BlockExamples;
            EnsureCapacity(ref _rowStart, blocks * (n + 1));
            EnsureCapacity(ref _pairExample, batch * k);
            EnsureCapacity(ref _pairGradient, batch * k);
            BlockedSparseRows<T>.Bucket(dy.Span, n, batch, _selected, _selectedCount, k, _rowStart, _pairExample, _pairGradient);
            if (dx is not null)
            {
                EnsureCapacity(ref _keptGradient, batch * k);
                BlockedSparseRows<T>.CompactKept(dy.Span, n, batch, _selected, _selectedCount, k, _keptGradient);
            }
        }
        if (UseBothThreads(batch, k, m) && m >= 64)
        {
            // Bands of whole 64-byte lines, so that the threads never write the same cache line of a row.
            int band = (m / 2 + 15) / 16 * 16, half = batch / 2;
            _job = new SideJob { Phase = SidePhase.Backward, Dy = dy, X = x, W = w, Dw = dw, Dx = dx, AccumulateDx = accumulateDx, K = k, Start = half, End = batch, Band = band, Blocked = blocked };
            SideThread.Pending pending = SideThread.Start(_sideWork ??= RunSideJob);
            try
            {
                ScatterBand(dy, x, dw, k, 0, band, blocked);
                if (dx is not null) GatherRange(dy, w, dx, accumulateDx, k, 0, half, blocked);
                MarkRowsAndBias(dy, dw, db, k);
            }
            finally
            {
                JoinSide(pending);
            }
            return;
        }
        ScatterBand(dy, x, dw, k, 0, m, blocked);
        if (dx is not null) GatherRange(dy, w, dx, accumulateDx, k, 0, batch, blocked);
        MarkRowsAndBias(dy, dw, db, k);
    }

    // Waits for the side thread's share, even when this thread's share threw (the side thread must not
    // outlive the call on these buffers), and lets go of the buffers the job names.
    private void JoinSide(SideThread.Pending pending)
    {
        try
        {
            pending.Join();
        }
        finally
        {
            _job = default;
        }
    }

    private bool UseBothThreads(int batch, int k, int m)
        => batch >= 64 && (long)batch * k * m >= ParallelMinWork && Gemm.MaxThreads >= 2 && Environment.ProcessorCount >= 2;

    private void SelectRange(TopKSelector<T> selector, Batch<T> dy, int k, int start, int end)
    {
        for (int b = start; b < end; b++)
            _selectedCount[b] = selector.Select(dy.Row(b), k, _selected.AsSpan(b * k, k));
    }

    private void SelectThroughReluRange(TopKSelector<T> selector, Batch<T> dActivation, Batch<T> activation, Batch<T> dy, int k, int start, int end)
    {
        for (int b = start; b < end; b++)
            _selectedCount[b] = selector.SelectThroughRelu(dActivation.Row(b), activation.Row(b), dy.Row(b), k, _selected.AsSpan(b * k, k));
    }

    // dW's columns [from, to) of every kept row, examples in ascending order.
    private void ScatterBand(Batch<T> dy, Batch<T> x, ParameterGradient<T> dw, int k, int from, int to, bool blocked)
    {
        int batch = dy.Rows, m = x.Cols;
        if (blocked)
        {
            BlockedSparseRows<T>.ScatterBand(dw.Data, x.Span, dw.Rows, m, batch, _rowStart, _pairExample, _pairGradient, from, to);
            return;
        }
        Span<T> rows = dw.Data.AsSpan(from);
        for (int b = 0; b < batch; b++)
            SparseRows<T>.Scatter(rows, m, x.Row(b)[from..to], dy.Row(b), _selected.AsSpan(b * k, _selectedCount[b]));
    }

    // dx rows [start, end), each from its example's kept rows of W.
    private void GatherRange(Batch<T> dy, Matrix<T> w, Batch<T> dx, bool accumulateDx, int k, int start, int end, bool blocked)
    {
        if (blocked)
        {
            BlockedSparseRows<T>.GatherRange(dx.Span, accumulateDx, _keptGradient, w.Data, w.Cols, _selected, _selectedCount, k, start, end);
            return;
        }
        for (int b = start; b < end; b++)
            SparseRows<T>.Gather(dx.Row(b), accumulateDx, dy.Row(b), _selected.AsSpan(b * k, _selectedCount[b]), w.Data, w.Cols);
    }

    private void MarkRowsAndBias(Batch<T> dy, ParameterGradient<T> dw, ParameterGradient<T>? db, int k)
    {
        for (int b = 0; b < dy.Rows; b++)
        {
            ReadOnlySpan<int> kept = _selected.AsSpan(b * k, _selectedCount[b]);
            foreach (int j in kept) dw.MarkRow(j);
            if (db is null) continue;
            ReadOnlySpan<T> dyb = dy.Row(b);
            foreach (int j in kept)
            {
                db.MarkRow(j);
                db.Data[j] += dyb[j];
            }
        }
    }

    // The side thread's share of whichever phase _job describes (the second half of the examples, the second band of columns).
    private void RunSideJob()
    {
        SideJob job = _job;
        switch (job.Phase)
        {
            case SidePhase.Select:
                SelectRange(_sideSelector ??= new TopKSelector<T>(), job.Dy, job.K, job.Start, job.End);
                break;
            case SidePhase.SelectThroughRelu:
                SelectThroughReluRange(_sideSelector ??= new TopKSelector<T>(), job.DActivation, job.Activation, job.Dy, job.K, job.Start, job.End);
                break;
            case SidePhase.Backward:
                ScatterBand(job.Dy, job.X, job.Dw, job.K, job.Band, job.X.Cols, job.Blocked);
                if (job.Dx is not null) GatherRange(job.Dy, job.W, job.Dx, job.AccumulateDx, job.K, job.Start, job.End, job.Blocked);
                break;
        }
    }

    private enum SidePhase { Select, SelectThroughRelu, Backward }

    private struct SideJob
    {
        public SidePhase Phase;
        public Batch<T> Dy, X, DActivation, Activation;
        public Matrix<T> W;
        public ParameterGradient<T> Dw;
        public Batch<T>? Dx;
        public bool AccumulateDx, Blocked;
        public int K, Start, End, Band;
    }

    // Unified: one index set for the batch turns the sparse backward into dense products on the
    // compacted B x k gradient and k x m weight rows.
    private void RunUnified(Batch<T> dy, Batch<T> x, Matrix<T> w, ParameterGradient<T> dw, ParameterGradient<T>? db, Batch<T>? dx, bool accumulateDx, int k)
    {
        int batch = dy.Rows, n = w.Rows, m = w.Cols;
        EnsureCapacity(ref _scores, n);
        EnsureCapacity(ref _selected, batch * k);
        EnsureCapacity(ref _selectedCount, batch);
        EnsureCapacity(ref _absoluteRow, n);
        Span<T> scores = _scores.AsSpan(0, n), absolute = _absoluteRow.AsSpan(0, n);
        SumOfAbsoluteRows(dy, scores, absolute);
        int count = _selector.Select(scores, k, _selected.AsSpan(0, k));
        ReadOnlySpan<int> kept = _selected.AsSpan(0, count);
        // Record the shared set for every example, so that SelectedFor answers in this mode too.
        for (int b = 1; b < batch; b++) kept.CopyTo(_selected.AsSpan(b * k, count));
        for (int b = 0; b < batch; b++) _selectedCount[b] = count;

        EnsureCapacity(ref _compactDy, batch * count);
        EnsureCapacity(ref _compactDw, count * m);
        Span<T> compactDy = _compactDy.AsSpan(0, batch * count);
        ReadOnlySpan<T> dyAll = dy.Span;
        for (int b = 0; b < batch; b++)
            for (int c = 0; c < count; c++)
                compactDy[b * count + c] = dyAll[b * n + kept[c]];

        Span<T> compactDw = _compactDw.AsSpan(0, count * m);
        Gemm.MultiplyTransposedA<T>(compactDy, x.Span, compactDw, count, batch, m, accumulate: false);
        for (int c = 0; c < count; c++)
        {
            int j = kept[c];
            dw.MarkRow(j);
            Span<T> dwj = dw.Row(j);
            TensorPrimitives.Add(dwj, compactDw.Slice(c * m, m), dwj);
            if (db is not null)
            {
                db.MarkRow(j);
                T sum = T.Zero;
                for (int b = 0; b < batch; b++) sum += compactDy[b * count + c];
                db.Data[j] += sum;
            }
        }

        if (dx is not null)
        {
            EnsureCapacity(ref _compactW, count * m);
            Span<T> compactW = _compactW.AsSpan(0, count * m);
            for (int c = 0; c < count; c++)
                w.Row(kept[c]).CopyTo(compactW.Slice(c * m, m));
            Gemm.Multiply<T>(compactDy, compactW, dx.Span, batch, count, m, accumulateDx);
        }
    }

    /// <summary>scores[j] = Σ_b |dy[b, j]|, added in ascending b as an element-by-element loop would.</summary>
    private static void SumOfAbsoluteRows(Batch<T> dy, Span<T> scores, Span<T> absolute)
    {
        int batch = dy.Rows, n = dy.Cols;
        if (!Vector512.IsHardwareAccelerated || !Vector512<T>.IsSupported)
        {
            scores.Clear();
            for (int row = 0; row < batch; row++)
            {
                TensorPrimitives.Abs<T>(dy.Row(row), absolute);
                TensorPrimitives.Add<T>(scores, absolute, scores);
            }
            return;
        }
        // One pass over dy, row by row (sequential memory, whatever the batch), with each score
        // vector loaded and stored once per four rows where the first version made two passes per
        // row through a temporary: at batch 100 this was the largest part of unified mode's cost
        // after the products. Every score still adds its rows in ascending b.
        scores.Clear();
        ref T s = ref MemoryMarshal.GetReference(scores);
        int step = Vector512<T>.Count, b = 0;
        for (; b + 4 <= batch; b += 4)
        {
            ref T r0 = ref dy.Data[dy.Offset + b * n];
            ref T r1 = ref Unsafe.Add(ref r0, n);
            ref T r2 = ref Unsafe.Add(ref r1, n);
            ref T r3 = ref Unsafe.Add(ref r2, n);
            int i = 0;
            for (; i <= n - step; i += step)
            {
                nuint at = (nuint)i;
                Vector512<T> sum = Vector512.LoadUnsafe(ref s, at);
                sum += Vector512.Abs(Vector512.LoadUnsafe(ref r0, at));
                sum += Vector512.Abs(Vector512.LoadUnsafe(ref r1, at));
                sum += Vector512.Abs(Vector512.LoadUnsafe(ref r2, at));
                sum += Vector512.Abs(Vector512.LoadUnsafe(ref r3, at));
                sum.StoreUnsafe(ref s, at);
            }
            for (; i < n; i++)
                scores[i] = scores[i] + T.Abs(Unsafe.Add(ref r0, i)) + T.Abs(Unsafe.Add(ref r1, i))
                            + T.Abs(Unsafe.Add(ref r2, i)) + T.Abs(Unsafe.Add(ref r3, i));
        }
        for (; b < batch; b++)
        {
            ref T r = ref dy.Data[dy.Offset + b * n];
            int i = 0;
            for (; i <= n - step; i += step)
                (Vector512.LoadUnsafe(ref s, (nuint)i) + Vector512.Abs(Vector512.LoadUnsafe(ref r, (nuint)i))).StoreUnsafe(ref s, (nuint)i);
            for (; i < n; i++)
                scores[i] += T.Abs(Unsafe.Add(ref r, i));
        }
    }

    private static void EnsureCapacity<TItem>(ref TItem[] buffer, int needed)
    {
        if (buffer.Length < needed)
        {
            var grown = new TItem[needed];
            buffer.AsSpan().CopyTo(grown);
            buffer = grown;
        }
    }
}
