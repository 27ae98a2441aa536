using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MeProp.Kernels;

/// <summary>
/// The forward operations of the DSL, writing into a caller-owned result (the generated training
/// pass keeps one buffer per forward value). Each checks shapes and names them when they differ.
/// </summary>
public static class ForwardKernels
{
    /// <summary>y = x·Wᵀ (+ b): row b of y is W·x_b.</summary>
    public static void Linear<T>(Matrix<T> w, Batch<T> x, RowVector<T>? bias, Batch<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // The messages are built only on failure: this runs every step, which must not allocate.
        if (x.Cols != w.Cols) Shape.RequireEqual(x.Cols, w.Cols, $"input width of {w} applied to {x}");
        Shape.RequireEqual(y.Rows, x.Rows, "result rows (examples)");
        Shape.RequireEqual(y.Cols, w.Rows, "result columns (output units)");
        // Checked before y is written, so that a failed call leaves the result as it was.
        if (bias is not null && bias.Length != w.Rows) Shape.RequireEqual(bias.Length, w.Rows, $"bias length for {w}");
        Gemm.MultiplyTransposedB<T>(x.Span, w.Data, y.Span, x.Rows, w.Cols, w.Rows, accumulate: false);
        if (bias is not null) AddToEveryRow(y, bias);
    }

    /// <summary>
    /// The part of y = [x, s]·Wᵀ + b that does not depend on s: y = x·W[:, :x.Cols]ᵀ + b, W's
    /// leading x.Cols columns read in place.
    /// </summary>
    /// <remarks>
    /// A recurrence's gate reads Concat(x[t], h): the x part does not depend on the state, so the
    /// generated loop forms it for every step at once before the loop starts (x and y are then every
    /// step of a sequence, as one batch), and each step adds only the h part
    /// (<see cref="LinearRemainingColumns"/>). W's input columns are then read once per sequence
    /// instead of once per step, which is what bounds a step at batch 1.
    /// </remarks>
    public static void LinearLeadingColumns<T>(Matrix<T> w, Batch<T> x, RowVector<T>? bias, Batch<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (x.Cols > w.Cols) Shape.RequireEqual(x.Cols, w.Cols, $"input width (at most the columns) of {w} applied to {x}");
        Shape.RequireEqual(y.Rows, x.Rows, "result rows (examples)");
        Shape.RequireEqual(y.Cols, w.Rows, "result columns (output units)");
        if (bias is not null && bias.Length != w.Rows) Shape.RequireEqual(bias.Length, w.Rows, $"bias length for {w}");
        Gemm.MultiplyTransposedB<T>(x.Span, x.Cols, w.Data, w.Cols, y.Span, y.Cols, x.Rows, x.Cols, w.Rows, accumulate: false);
        if (bias is not null) AddToEveryRow(y, bias);
    }

    /// <summary>
    /// y += x[:, from:]·W[:, from:]ᵀ: completes a product whose first <paramref name="from"/> columns
    /// (and bias) <see cref="LinearLeadingColumns"/> already formed in <paramref name="y"/>; x is the
    /// whole input row (as recorded for back propagation), W read in place.
    /// </summary>
    public static void LinearRemainingColumns<T>(Matrix<T> w, Batch<T> x, int from, Batch<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (x.Cols != w.Cols) Shape.RequireEqual(x.Cols, w.Cols, $"input width of {w} applied to {x}");
        if ((uint)from > (uint)w.Cols) throw new ArgumentOutOfRangeException(nameof(from), from, $"The first column of the remaining part must lie within the {w.Cols} columns of {w}.");
        Shape.RequireEqual(y.Rows, x.Rows, "result rows (examples)");
        Shape.RequireEqual(y.Cols, w.Rows, "result columns (output units)");
        int k = w.Cols - from;
        if (k == 0) return;
        Gemm.MultiplyTransposedB<T>(x.Span.Slice(from), x.Cols, w.Span.Slice(from), w.Cols, y.Span, y.Cols, x.Rows, k, w.Rows, accumulate: true);
    }

    // y += b for every example (the bias of a product; shapes checked by the caller).
    private static void AddToEveryRow<T>(Batch<T> y, RowVector<T> bias) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int b = 0; b < y.Rows; b++)
            TensorPrimitives.Add(y.Row(b), bias.Data, y.Row(b));
    }

    /// <summary>y = x + b, with b added to every example.</summary>
    public static void AddBias<T>(Batch<T> x, RowVector<T> bias, Batch<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (bias.Length != x.Cols) Shape.RequireEqual(bias.Length, x.Cols, $"bias length for {x}");
        RequireSameShape(x, y, "result");
        for (int b = 0; b < x.Rows; b++)
            TensorPrimitives.Add(x.Row(b), bias.Data, y.Row(b));
    }

    /// <summary>y = a + b element-wise.</summary>
    public static void Add<T>(Batch<T> a, Batch<T> b, Batch<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        RequireSameShape(a, b, "right operand");
        RequireSameShape(a, y, "result");
        TensorPrimitives.Add(a.Span, b.Span, y.Span);
    }

    /// <summary>y = a - b element-wise.</summary>
    public static void Subtract<T>(Batch<T> a, Batch<T> b, Batch<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        RequireSameShape(a, b, "right operand");
        RequireSameShape(a, y, "result");
        TensorPrimitives.Subtract(a.Span, b.Span, y.Span);
    }

    /// <summary>y = a ⊙ b element-wise.</summary>
    public static void Multiply<T>(Batch<T> a, Batch<T> b, Batch<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        RequireSameShape(a, b, "right operand");
        RequireSameShape(a, y, "result");
        TensorPrimitives.Multiply(a.Span, b.Span, y.Span);
    }

    /// <summary>y = max(x, 0).</summary>
    public static void Relu<T>(Batch<T> x, Batch<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        RequireSameShape(x, y, "result");
        TensorPrimitives.Max(x.Span, T.Zero, y.Span);
    }

    /// <summary>y = tanh(x).</summary>
    public static void Tanh<T>(Batch<T> x, Batch<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        RequireSameShape(x, y, "result");
        RowSplit.Run(new ElementRows<T>(ElementOp.Tanh, x, null, y), x.Rows, (long)x.Rows * x.Cols);
    }

    /// <summary>y = 1 / (1 + exp(-x)).</summary>
    public static void Sigmoid<T>(Batch<T> x, Batch<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        RequireSameShape(x, y, "result");
        TensorPrimitives.Sigmoid<T>(x.Span, y.Span);
    }

    /// <summary>y = x³ = x·x·x (the cube activation of Chen and Manning's parser).</summary>
    /// <remarks>
    /// One pass, so that y may be x itself (two TensorPrimitives.Multiply calls through y would cube
    /// x² there). The vector path forms (x·x)·x as the scalar tail does, without fused multiply-add,
    /// so the result is the same bits on every machine and for every length.
    /// </remarks>
    public static void Cube<T>(Batch<T> x, Batch<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        RequireSameShape(x, y, "result");
        ReadOnlySpan<T> source = x.Span;
        Span<T> target = y.Span;
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            ref T s = ref MemoryMarshal.GetReference(source);
            ref T t = ref MemoryMarshal.GetReference(target);
            for (int step = Vector512<T>.Count; i <= source.Length - step; i += step)
            {
                Vector512<T> v = Vector512.LoadUnsafe(ref s, (nuint)i);
                (v * v * v).StoreUnsafe(ref t, (nuint)i);
            }
        }
        for (; i < source.Length; i++)
        {
            T v = source[i];
            target[i] = v * v * v;
        }
    }

    /// <summary>Copies <paramref name="part"/> into columns [offset, offset + part.Cols) of <paramref name="y"/> (one operand of a concatenation).</summary>
    public static void ConcatInto<T>(Batch<T> part, Batch<T> y, int offset) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Shape.RequireEqual(part.Rows, y.Rows, "concatenated operand rows (examples)");
        if (offset < 0 || offset + part.Cols > y.Cols)
            throw new ArgumentException($"Concatenation operand of {part.Cols} columns at offset {offset} does not fit a result of {y.Cols} columns.");
        RowSplit.Run(new ConcatRows<T>(part, y, offset), y.Rows, (long)part.Rows * part.Cols);
    }

    private readonly struct ConcatRows<T>(Batch<T> part, Batch<T> y, int offset) : IRowRange where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            for (int b = start; b < end; b++)
                part.Row(b).CopyTo(y.Row(b).Slice(offset, part.Cols));
        }
    }

    /// <summary>Row b of y is the concatenation of the table rows named by ids[b, 0..p).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is negative or not below the table's row count.</exception>
    public static void Embed<T>(Matrix<T> table, IdBatch ids, Batch<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Shape.RequireEqual(y.Cols, ids.Cols * table.Cols, "embedding result columns (positions x dimension)");
        Embed(table, ids, y, offset: 0);
    }

    /// <summary>
    /// Columns [offset, offset + p·dim) of row b of y are the concatenation of the table rows named by
    /// ids[b, 0..p): an embedding written straight into its place in a concatenation, so that the
    /// lookup is not written once and copied again (generated code does this for an Embed whose only
    /// use is a Concat).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is negative or not below the table's row count.</exception>
    public static void Embed<T>(Matrix<T> table, IdBatch ids, Batch<T> y, int offset) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Shape.RequireEqual(y.Rows, ids.Rows, "embedding result rows (examples)");
        int width = ids.Cols * table.Cols;
        if (offset < 0 || offset + width > y.Cols)
            throw new ArgumentException($"An embedding of {ids.Cols} positions x {table.Cols} at column {offset} does not fit a result of {y.Cols} columns.");
        RowSplit.Run(new EmbedRows<T>(table, ids, y, offset), ids.Rows, (long)y.Rows * width);
    }

    private readonly struct EmbedRows<T>(Matrix<T> table, IdBatch ids, Batch<T> y, int offset) : IRowRange where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            int dim = table.Cols;
            for (int b = start; b < end; b++)
            {
                Span<T> yb = y.Row(b).Slice(offset);
                for (int p = 0; p < ids.Cols; p++)
                {
                    int id = ids[b, p];
                    if ((uint)id >= (uint)table.Rows)
                        throw new ArgumentOutOfRangeException(nameof(ids), id, $"Id {id} at example {b}, position {p} is outside the embedding table's {table.Rows} rows.");
                    table.Row(id).CopyTo(yb.Slice(p * dim, dim));
                }
            }
        }
    }

    /// <summary>
    /// Inverted dropout for training: each element is kept with probability 1 - p and scaled by
    /// 1/(1 - p), so the expectation is unchanged and inference needs no rescaling. The applied factor
    /// (0 or 1/(1-p)) is written to <paramref name="mask"/> for the backward pass.
    /// </summary>
    public static void Dropout<T>(Batch<T> x, double p, SeededRandom random, Batch<T> mask, Batch<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!(p >= 0.0 && p < 1.0))
            throw new ArgumentOutOfRangeException(nameof(p), p, $"Dropout probability must be in [0, 1), but is {p}.");
        RequireSameShape(x, mask, "dropout mask");
        RequireSameShape(x, y, "result");
        Span<T> m = mask.Span;
        if (p == 0.0)
        {
            // Rate 0 (a command line's default) is the identity: draw nothing, so that adding a
            // Dropout to a model costs a copy and does not shift the random sequence.
            RowSplit.Run(new IdentityDropoutRows<T>(x, mask, y), x.Rows, (long)x.Rows * x.Cols);
            return;
        }
        T scale = T.CreateChecked(1.0 / (1.0 - p));
        // The draw of element i is random.NextDouble() < p, that is (u >> 11)·2⁻⁵³ < p for the next
        // 64 random bits u: both sides scaled by 2⁵³ (exact), an integer below p·2⁵³ is one below
        // its ceiling. So the same mask as a NextDouble per element, from raw bits drawn in runs
        // (at MNIST's batch 10 the per-element calls were a third of the forward pass).
        ulong limit = (ulong)Math.Ceiling(p * (1UL << 53));
        Span<ulong> bits = stackalloc ulong[256];
        for (int start = 0; start < m.Length; start += bits.Length)
        {
            Span<ulong> run = bits.Slice(0, Math.Min(bits.Length, m.Length - start));
            random.NextUInt64s(run);
            Span<T> target = m.Slice(start, run.Length);
            int i = DropoutFactorsVectorised(run, limit, scale, target);
            for (; i < run.Length; i++)
            {
                // Without a branch: (u >> 11) - limit wraps to a number with its top bit set exactly
                // when u >> 11 < limit (both are below 2⁵³), the drop. A branch here mispredicted on
                // about a third of the elements and was four fifths of the kernel's time (128 ms for
                // the parser's 10,000 x 2,400 input at p = 0.3, 23 ms of which are the draws).
                int keep = 1 - (int)(((run[i] >> 11) - limit) >> 63);
                target[i] = scale * T.CreateTruncating(keep);
            }
        }
        RowSplit.Run(new ElementRows<T>(ElementOp.Multiply, x, mask, y), x.Rows, (long)x.Rows * x.Cols);
    }

    /// <summary>
    /// Dropout whose result may be <paramref name="x"/> itself: at rate 0 it returns x (no copy, no
    /// mask written, nothing drawn), else it runs <see cref="Dropout{T}"/> into <paramref name="y"/> and
    /// returns y. Generated code calls it where x has no other use, so sharing the buffer cannot be
    /// observed, and then takes x's gradient buffer for the result's too (see BackwardKernels.Dropout):
    /// at the parser's batch of 10,000 the identity copy and its masked gradient were 96 MB passes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not in [0, 1).</exception>
    public static Batch<T> DropoutOrSame<T>(Batch<T> x, double p, SeededRandom random, Batch<T> mask, Batch<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!(p >= 0.0 && p < 1.0))
            throw new ArgumentOutOfRangeException(nameof(p), p, $"Dropout probability must be in [0, 1), but is {p}.");
        if (p == 0.0) return x;
        Dropout(x, p, random, mask, y);
        return y;
    }

    // The factors of the draws, sixteen floats (eight doubles) at a time: (u >> 11) >= limit keeps
    // (scale), else drops (+0), as the scalar loop decides; returns how many it wrote.
    private static int DropoutFactorsVectorised<T>(ReadOnlySpan<ulong> draws, ulong limit, T scale, Span<T> target)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!Vector512.IsHardwareAccelerated) return 0;
        var limits = Vector512.Create(limit);
        int i = 0;
        if (typeof(T) == typeof(float))
        {
            var keepValue = Vector512.Create(float.CreateTruncating(scale));
            Span<float> floats = MemoryMarshal.Cast<T, float>(target);
            for (; i + 16 <= draws.Length; i += 16)
            {
                var low = Vector512.GreaterThanOrEqual(Vector512.ShiftRightLogical(Vector512.Create(draws.Slice(i)), 11), limits);
                var high = Vector512.GreaterThanOrEqual(Vector512.ShiftRightLogical(Vector512.Create(draws.Slice(i + 8)), 11), limits);
                Vector512<float> keep = Vector512.Narrow(low, high).AsSingle(); // all ones where kept
                Vector512.ConditionalSelect(keep, keepValue, Vector512<float>.Zero).CopyTo(floats.Slice(i));
            }
        }
        else if (typeof(T) == typeof(double))
        {
            var keepValue = Vector512.Create(double.CreateTruncating(scale));
            Span<double> doubles = MemoryMarshal.Cast<T, double>(target);
            for (; i + 8 <= draws.Length; i += 8)
            {
                Vector512<double> keep = Vector512.GreaterThanOrEqual(Vector512.ShiftRightLogical(Vector512.Create(draws.Slice(i)), 11), limits).AsDouble();
                Vector512.ConditionalSelect(keep, keepValue, Vector512<double>.Zero).CopyTo(doubles.Slice(i));
            }
        }
        return i;
    }

    private readonly struct IdentityDropoutRows<T>(Batch<T> x, Batch<T> mask, Batch<T> y) : IRowRange where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            int cols = x.Cols;
            mask.Span.Slice(start * cols, (end - start) * cols).Fill(T.One);
            x.Span.Slice(start * cols, (end - start) * cols).CopyTo(y.Span.Slice(start * cols));
        }
    }

    internal enum ElementOp { Multiply, Tanh }

    // One element-wise TensorPrimitives operation on a range of rows: each element is computed by the
    // same vector code whatever the split (both halves of a large batch are far longer than a vector).
    internal readonly struct ElementRows<T>(ElementOp op, Batch<T> a, Batch<T>? b, Batch<T> y) : IRowRange where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            int cols = a.Cols, from = start * cols, length = (end - start) * cols;
            Span<T> target = y.Span.Slice(from, length);
            switch (op)
            {
                case ElementOp.Multiply:
                    TensorPrimitives.Multiply(a.Span.Slice(from, length), b!.Span.Slice(from, length), target);
                    break;
                case ElementOp.Tanh:
                    TensorPrimitives.Tanh<T>(a.Span.Slice(from, length), target);
                    break;
            }
        }
    }

    /// <summary>y = 0 (a zero initial state).</summary>
    public static void Zero<T>(Batch<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T> => y.Span.Clear();

    /// <summary>Copies <paramref name="x"/> into <paramref name="y"/> (a step value collected into a sequence).</summary>
    public static void Copy<T>(Batch<T> x, Batch<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        RequireSameShape(x, y, "copy target");
        x.Span.CopyTo(y.Span);
    }

    /// <summary>Step t of y is step Length - 1 - t of x.</summary>
    public static void Reverse<T>(Sequence<T> x, Sequence<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        RequireSameShape(x, y, "reversed sequence");
        for (int t = 0; t < x.Length; t++)
            x[x.Length - 1 - t].Span.CopyTo(y[t].Span);
    }

    internal static void RequireSameShape<T>(Sequence<T> a, Sequence<T> b, string what) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (a.Length != b.Length || a.Examples != b.Examples || a.Features != b.Features)
            throw new ArgumentException($"Shape mismatch: {what} is {b.Length} steps of {b.Examples}x{b.Features}, expected {a.Length} steps of {a.Examples}x{a.Features}.");
    }

    internal static void RequireSameShape<T>(Batch<T> a, Batch<T> b, string what) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols)
            throw new ArgumentException($"Shape mismatch: {what} is {b.Rows}x{b.Cols}, expected {a.Rows}x{a.Cols}.");
    }
}
