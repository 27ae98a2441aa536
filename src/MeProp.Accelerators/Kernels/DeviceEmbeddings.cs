using System;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;

namespace MeProp.Accelerators;

/// <summary>
/// Embedding lookups and concatenations on an accelerator, as ForwardKernels.Embed / ConcatInto and
/// BackwardKernels.Embed / Concat on the host, including the forms that write an embedding straight
/// into its columns of a concatenation (an offset). The ids come from the host each step and are
/// checked there (a kernel cannot throw).
/// </summary>
/// <remarks>
/// The embedding gradient adds each looked-up slice into its table row with atomic adds, so a row
/// looked up by several examples sums them in no fixed order: equal to the host's up to rounding.
/// </remarks>
public sealed class DeviceEmbeddings : IDisposable
{
    private readonly Action<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, Layout> _embed;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, Layout> _embedBackward;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<float>, Layout> _concatInto;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<float>, Layout> _concatBackward;
    private MemoryBuffer1D<int, Stride1D.Dense>? _ids;

    public DeviceEmbeddings(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        Accelerator = accelerator;
        _embed = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, Layout>(EmbedKernel);
        _embedBackward = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, Layout>(EmbedBackwardKernel);
        _concatInto = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, Layout>(ConcatIntoKernel);
        _concatBackward = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, Layout>(ConcatBackwardKernel);
    }

    public Accelerator Accelerator { get; }

    /// <summary>Columns [offset, offset + p·dim) of row b of y are the table rows named by ids[b, 0..p).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the table; the message names the example and position.</exception>
    /// <exception cref="ArgumentException">The lookups do not fit y's columns, or the rows differ.</exception>
    public void Embed(DeviceBatch table, IdBatch ids, DeviceBatch y, int offset = 0)
    {
        ArrayView<int> deviceIds = Upload(table, ids, y, offset, "result");
        _embed(new Index2D(ids.Rows, ids.Cols * table.Cols), table.View, deviceIds, y.View, new Layout(table.Cols, ids.Cols, y.Cols, offset, 0));
    }

    /// <summary>dTable rows named by ids += the matching slices of columns [offset, offset + p·dim) of dy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the table (nothing is added then).</exception>
    public void EmbedBackward(DeviceBatch dy, IdBatch ids, DeviceBatch dTable, int offset = 0)
    {
        ArrayView<int> deviceIds = Upload(dTable, ids, dy, offset, "gradient");
        _embedBackward(new Index2D(ids.Rows, ids.Cols * dTable.Cols), dy.View, deviceIds, dTable.View, new Layout(dTable.Cols, ids.Cols, dy.Cols, offset, 0));
    }

    /// <summary>The same, with the offset first, in the host kernel's order (BackwardKernels.Embed(dy, offset, ids, dTable)).</summary>
    public void EmbedBackward(DeviceBatch dy, int offset, IdBatch ids, DeviceBatch dTable) => EmbedBackward(dy, ids, dTable, offset);

    /// <summary>Copies <paramref name="part"/> into columns [offset, offset + part.Cols) of <paramref name="y"/>.</summary>
    public void ConcatInto(DeviceBatch part, DeviceBatch y, int offset)
    {
        Fits(part, y, offset, "result");
        _concatInto(new Index2D(part.Rows, part.Cols), part.View, y.View, new Layout(part.Cols, 0, y.Cols, offset, 0));
    }

    /// <summary>dpart (+)= columns [offset, offset + dpart.Cols) of dy.</summary>
    public void ConcatBackward(DeviceBatch dy, int offset, DeviceBatch dpart, bool accumulate)
    {
        Fits(dpart, dy, offset, "gradient");
        _concatBackward(new Index2D(dpart.Rows, dpart.Cols), dy.View, dpart.View, new Layout(dpart.Cols, 0, dy.Cols, offset, accumulate ? 1 : 0));
    }

    private static void Fits(DeviceBatch part, DeviceBatch whole, int offset, string what)
    {
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(whole);
        if (part.Rows != whole.Rows)
            throw new ArgumentException($"The operand has {part.Rows} rows but the {what} {whole.Rows}.");
        if (offset < 0 || offset + part.Cols > whole.Cols)
            throw new ArgumentException($"{part.Cols} columns at column {offset} do not fit a {what} of {whole.Cols} columns.");
    }

    private ArrayView<int> Upload(DeviceBatch table, IdBatch ids, DeviceBatch target, int offset, string what)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(target);
        if (ids.Rows != target.Rows)
            throw new ArgumentException($"There are {ids.Rows} examples of ids but the {what} has {target.Rows} rows.", nameof(ids));
        int width = ids.Cols * table.Cols;
        if (offset < 0 || offset + width > target.Cols)
            throw new ArgumentException($"An embedding of {ids.Cols} positions x {table.Cols} at column {offset} does not fit a {what} of {target.Cols} columns.");
        for (int b = 0; b < ids.Rows; b++)
            for (int p = 0; p < ids.Cols; p++)
            {
                int id = ids[b, p];
                if ((uint)id >= (uint)table.Rows)
                    throw new ArgumentOutOfRangeException(nameof(ids), id, $"Id {id} at example {b}, position {p} is outside the embedding table's {table.Rows} rows.");
            }
        int count = ids.Rows * ids.Cols;
        if (_ids is null || _ids.Length < count)
        {
            DeviceMemory.Release(_ids);
            _ids = Accelerator.Allocate1D<int>(count);
        }
        var view = _ids.View.SubView(0, count);
        // After the previous call's lookups, which may still be reading this buffer.
        DeviceMemory.Upload(view, ids.Span);
        return view;
    }

    /// <summary>Sizes of one launch: the table's dimension (or the part's width), positions per example, the wide batch's columns, the offset, whether to add.</summary>
    internal readonly struct Layout(int dim, int positions, int cols, int offset, int accumulate)
    {
        public readonly int Dim = dim, Positions = positions, Cols = cols, Offset = offset, Accumulate = accumulate;
    }

    // Thread (b, p·dim + d): y[b, offset + p·dim + d] = table[ids[b, p], d].
    private static void EmbedKernel(Index2D at, ArrayView<float> table, ArrayView<int> ids, ArrayView<float> y, Layout l)
    {
        int b = at.X, column = at.Y, p = column / l.Dim, d = column - p * l.Dim;
        int id = ids[(long)b * l.Positions + p];
        y[(long)b * l.Cols + l.Offset + column] = table[(long)id * l.Dim + d];
    }

    private static void EmbedBackwardKernel(Index2D at, ArrayView<float> dy, ArrayView<int> ids, ArrayView<float> dTable, Layout l)
    {
        int b = at.X, column = at.Y, p = column / l.Dim, d = column - p * l.Dim;
        int id = ids[(long)b * l.Positions + p];
        Atomic.Add(ref dTable[(long)id * l.Dim + d], dy[(long)b * l.Cols + l.Offset + column]);
    }

    private static void ConcatIntoKernel(Index2D at, ArrayView<float> part, ArrayView<float> y, Layout l)
        => y[(long)at.X * l.Cols + l.Offset + at.Y] = part[(long)at.X * l.Dim + at.Y];

    private static void ConcatBackwardKernel(Index2D at, ArrayView<float> dy, ArrayView<float> dpart, Layout l)
    {
        long target = (long)at.X * l.Dim + at.Y;
        float g = dy[(long)at.X * l.Cols + l.Offset + at.Y];
        dpart[target] = l.Accumulate != 0 ? dpart[target] + g : g;
    }

    public void Dispose() => DeviceMemory.Release(_ids);
}
