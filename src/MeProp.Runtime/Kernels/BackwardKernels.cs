using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MeProp.Kernels;

/// <summary>
/// Gradient kernels of the DSL's element-wise operations. Each writes dx, or adds to it when
/// <c>accumulate</c> is true (a value used by several operations receives one contribution from
/// each: the generated code overwrites on the first and adds the rest, so it never zeroes buffers).
/// Activation derivatives are taken from the forward result y, which the forward pass keeps anyway,
/// except the cube's, which is taken from its input (see <see cref="Cube"/>).
/// </summary>
public static class BackwardKernels
{
    /// <summary>dx (+)= dy.</summary>
    public static void Pass<T>(Batch<T> dy, Batch<T> dx, bool accumulate) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ForwardKernels.RequireSameShape(dy, dx, "gradient");
        if (accumulate) TensorPrimitives.Add(dx.Span, dy.Span, dx.Span);
        else dy.Span.CopyTo(dx.Span);
    }

    /// <summary>dx (+)= -dy (the right operand of a subtraction).</summary>
    public static void Negate<T>(Batch<T> dy, Batch<T> dx, bool accumulate) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ForwardKernels.RequireSameShape(dy, dx, "gradient");
        if (accumulate) TensorPrimitives.Subtract(dx.Span, dy.Span, dx.Span);
        else TensorPrimitives.Negate(dy.Span, dx.Span);
    }

    /// <summary>dx (+)= dy ⊙ other (one operand of an element-wise product; other is the other operand).</summary>
    public static void Multiply<T>(Batch<T> dy, Batch<T> other, Batch<T> dx, bool accumulate) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ForwardKernels.RequireSameShape(dy, other, "other operand");
        ForwardKernels.RequireSameShape(dy, dx, "gradient");
        RowSplit.Run(new MultiplyRows<T>(dy, other, dx, accumulate), dy.Rows, (long)dy.Rows * dy.Cols);
    }

    private readonly struct MultiplyRows<T>(Batch<T> dy, Batch<T> other, Batch<T> dx, bool accumulate) : IRowRange where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            int from = start * dy.Cols, length = (end - start) * dy.Cols;
            Span<T> d = dx.Span.Slice(from, length);
            if (accumulate) TensorPrimitives.MultiplyAdd(dy.Span.Slice(from, length), other.Span.Slice(from, length), d, d);
            else TensorPrimitives.Multiply(dy.Span.Slice(from, length), other.Span.Slice(from, length), d);
        }
    }

    /// <summary>dx (+)= dy where y &gt; 0, else 0 (ReLU, from its output y).</summary>
    public static void Relu<T>(Batch<T> dy, Batch<T> y, Batch<T> dx, bool accumulate) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ForwardKernels.RequireSameShape(dy, y, "activation output");
        ForwardKernels.RequireSameShape(dy, dx, "gradient");
        Span<T> g = dy.Span, o = y.Span, d = dx.Span;
        for (int i = 0; i < d.Length; i++)
        {
            T v = o[i] > T.Zero ? g[i] : T.Zero;
            d[i] = accumulate ? d[i] + v : v;
        }
    }

    /// <summary>dx (+)= dy ⊙ (1 - y²) (tanh, from its output y).</summary>
    public static void Tanh<T>(Batch<T> dy, Batch<T> y, Batch<T> dx, bool accumulate) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ForwardKernels.RequireSameShape(dy, y, "activation output");
        ForwardKernels.RequireSameShape(dy, dx, "gradient");
        RowSplit.Run(new TanhRows<T>(dy, y, dx, accumulate), dy.Rows, (long)dy.Rows * dy.Cols);
    }

    // g·(1 - o·o), then + d: the same three (four) roundings per element in the vector loop as in the scalar one.
    private readonly struct TanhRows<T>(Batch<T> dy, Batch<T> y, Batch<T> dx, bool accumulate) : IRowRange where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            int from = start * dy.Cols, length = (end - start) * dy.Cols;
            Span<T> g = dy.Span.Slice(from, length), o = y.Span.Slice(from, length), d = dx.Span.Slice(from, length);
            int i = 0;
            if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            {
                var one = Vector512<T>.One;
                for (; i <= length - Vector512<T>.Count; i += Vector512<T>.Count)
                {
                    var oi = Vector512.Create<T>(o.Slice(i));
                    var v = Vector512.Create<T>(g.Slice(i)) * (one - oi * oi);
                    if (accumulate) v = Vector512.Create<T>(d.Slice(i)) + v;
                    v.CopyTo(d.Slice(i));
                }
            }
            for (; i < length; i++)
            {
                T v = g[i] * (T.One - o[i] * o[i]);
                d[i] = accumulate ? d[i] + v : v;
            }
        }
    }

    /// <summary>dx (+)= dy ⊙ y ⊙ (1 - y) (sigmoid, from its output y).</summary>
    public static void Sigmoid<T>(Batch<T> dy, Batch<T> y, Batch<T> dx, bool accumulate) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ForwardKernels.RequireSameShape(dy, y, "activation output");
        ForwardKernels.RequireSameShape(dy, dx, "gradient");
        Span<T> g = dy.Span, o = y.Span, d = dx.Span;
        for (int i = 0; i < d.Length; i++)
        {
            T v = g[i] * o[i] * (T.One - o[i]);
            d[i] = accumulate ? d[i] + v : v;
        }
    }

    /// <summary>dx (+)= dy ⊙ 3z² (the cube y = z³, from its input z).</summary>
    /// <remarks>
    /// From the input, not the output: 3·y^(2/3) needs a cube root, which costs more than the
    /// product and is not exact, and the tape records z anyway. The vector path forms
    /// dy·((3·z)·z) (+ dx) in the scalar tail's order, without fused multiply-add, so the result is
    /// the same bits on every machine and for every length.
    /// </remarks>
    public static void Cube<T>(Batch<T> dy, Batch<T> z, Batch<T> dx, bool accumulate) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ForwardKernels.RequireSameShape(dy, z, "activation input");
        ForwardKernels.RequireSameShape(dy, dx, "gradient");
        ReadOnlySpan<T> g = dy.Span, x = z.Span;
        Span<T> d = dx.Span;
        T three = T.CreateTruncating(3);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            ref T gr = ref MemoryMarshal.GetReference(g);
            ref T xr = ref MemoryMarshal.GetReference(x);
            ref T dr = ref MemoryMarshal.GetReference(d);
            Vector512<T> threes = Vector512.Create(three);
            for (int step = Vector512<T>.Count; i <= d.Length - step; i += step)
            {
                nuint at = (nuint)i;
                Vector512<T> xv = Vector512.LoadUnsafe(ref xr, at);
                Vector512<T> v = Vector512.LoadUnsafe(ref gr, at) * (threes * xv * xv);
                (accumulate ? Vector512.LoadUnsafe(ref dr, at) + v : v).StoreUnsafe(ref dr, at);
            }
        }
        for (; i < d.Length; i++)
        {
            T v = g[i] * (three * x[i] * x[i]);
            d[i] = accumulate ? d[i] + v : v;
        }
    }

    /// <summary>db += the column sums of dy (a bias added on its own, not after a linear operation); every row counts as touched.</summary>
    public static void Bias<T>(Batch<T> dy, ParameterGradient<T> db) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Shape.RequireEqual(db.Rows, dy.Cols, "bias gradient length");
        Shape.RequireEqual(db.Cols, 1, "bias gradient columns");
        db.MarkAllRows();
        for (int b = 0; b < dy.Rows; b++)
            TensorPrimitives.Add(db.Data, dy.Row(b), db.Data);
    }

    /// <summary>dpart (+)= columns [offset, offset + dpart.Cols) of dy (one operand of a concatenation).</summary>
    public static void Concat<T>(Batch<T> dy, int offset, Batch<T> dpart, bool accumulate) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Shape.RequireEqual(dpart.Rows, dy.Rows, "concatenated operand rows (examples)");
        if (offset < 0 || offset + dpart.Cols > dy.Cols)
            throw new ArgumentException($"Concatenation operand of {dpart.Cols} columns at offset {offset} does not fit a gradient of {dy.Cols} columns.");
        RowSplit.Run(new ConcatRows<T>(dy, offset, dpart, accumulate), dy.Rows, (long)dpart.Rows * dpart.Cols);
    }

    private readonly struct ConcatRows<T>(Batch<T> dy, int offset, Batch<T> dpart, bool accumulate) : IRowRange where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            for (int b = start; b < end; b++)
            {
                Span<T> source = dy.Row(b).Slice(offset, dpart.Cols);
                Span<T> target = dpart.Row(b);
                if (accumulate) TensorPrimitives.Add(target, source, target);
                else source.CopyTo(target);
            }
        }
    }

    /// <summary>dTable rows named by ids += the matching slices of dy; only those rows count as touched.</summary>
    public static void Embed<T>(Batch<T> dy, IdBatch ids, ParameterGradient<T> dTable) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Shape.RequireEqual(dy.Cols, ids.Cols * dTable.Cols, "embedding gradient columns");
        Embed(dy, offset: 0, ids, dTable);
    }

    /// <summary>
    /// The gradient of an embedding written into a concatenation at column <paramref name="offset"/>:
    /// dTable rows named by ids += the matching slices of columns [offset, offset + p·dim) of dy, read
    /// in place rather than copied out first; only those rows count as touched.
    /// </summary>
    public static void Embed<T>(Batch<T> dy, int offset, IdBatch ids, ParameterGradient<T> dTable) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int dim = dTable.Cols;
        Shape.RequireEqual(dy.Rows, ids.Rows, "embedding gradient rows (examples)");
        if (offset < 0 || offset + ids.Cols * dim > dy.Cols)
            throw new ArgumentException($"An embedding gradient of {ids.Cols} positions x {dim} at column {offset} does not fit a gradient of {dy.Cols} columns.");
        // Every id checked (and its row marked) before any value is added: a bad id throws with dTable's values as they were.
        for (int b = 0; b < ids.Rows; b++)
            for (int p = 0; p < ids.Cols; p++)
            {
                int id = ids[b, p];
                // Checked here too: the forward pass may have run on other ids, and without it a bad
                // id would surface as an IndexOutOfRangeException that names nothing.
                if ((uint)id >= (uint)dTable.Rows)
                    throw new ArgumentOutOfRangeException(nameof(ids), id, $"Id {id} at example {b}, position {p} is outside the embedding table's {dTable.Rows} rows.");
                dTable.MarkRow(id);
            }
        // Two "rows" of work: the table's rows in alternate blocks of 64, one set per thread, so that
        // each table row adds its examples in ascending order whichever thread owns it.
        RowSplit.Run(new EmbedRows<T>(dy, offset, ids, dTable), 2, (long)dy.Rows * ids.Cols * dim);
    }

    private readonly struct EmbedRows<T>(Batch<T> dy, int offset, IdBatch ids, ParameterGradient<T> dTable) : IRowRange where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            int dim = dTable.Cols;
            bool all = start == 0 && end == 2;
            for (int b = 0; b < ids.Rows; b++)
            {
                Span<T> dyb = dy.Row(b).Slice(offset);
                for (int p = 0; p < ids.Cols; p++)
                {
                    int id = ids[b, p];
                    if (!all && ((id >> 6) & 1) != start) continue;
                    Span<T> row = dTable.Row(id);
                    TensorPrimitives.Add(row, dyb.Slice(p * dim, dim), row);
                }
            }
        }
    }

    /// <summary>dx (+)= dy ⊙ mask (dropout with the factors its forward pass drew).</summary>
    public static void Dropout<T>(Batch<T> dy, Batch<T> mask, Batch<T> dx, bool accumulate) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Multiply(dy, mask, dx, accumulate);

    /// <summary>dx = 0 (a gradient that receives no contribution this step, such as a recurrent state's at a step that does not read it).</summary>
    public static void Zero<T>(Batch<T> dx) where T : unmanaged, IBinaryFloatingPointIeee754<T> => dx.Span.Clear();

    /// <summary>Step Length - 1 - t of dx (+)= step t of dy (the gradient of a reversed sequence).</summary>
    public static void Reverse<T>(Sequence<T> dy, Sequence<T> dx, bool accumulate) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ForwardKernels.RequireSameShape(dy, dx, "gradient of a reversed sequence");
        for (int t = 0; t < dy.Length; t++)
            Pass(dy[t], dx[dy.Length - 1 - t], accumulate);
    }
}
