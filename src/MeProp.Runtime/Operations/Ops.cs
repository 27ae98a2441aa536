using System.Numerics;
using MeProp.Kernels;

namespace MeProp;

/// <summary>
/// The operations a <c>[MeProp]</c> forward method may call (bring them into scope with
/// <c>using static MeProp.Ops;</c>). Called directly they compute the forward pass and allocate
/// their result, which makes the annotated method a plain inference function; the source generator
/// recognises each of them and writes the training pass and its gradient.
/// </summary>
public static class Ops
{
    /// <summary>W applied to every example: row b of the result is W·x_b. Same as <c>W * x</c>.</summary>
    public static Batch<T> Linear<T>(Matrix<T> w, Batch<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var y = new Batch<T>(x.Rows, w.Rows);
        ForwardKernels.Linear(w, x, null, y);
        return y;
    }

    /// <summary>W applied to every example, plus b. Same as <c>W * x + b</c>.</summary>
    public static Batch<T> Linear<T>(Matrix<T> w, Batch<T> x, RowVector<T> b) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var y = new Batch<T>(x.Rows, w.Rows);
        ForwardKernels.Linear(w, x, b, y);
        return y;
    }

    /// <summary>b added to every example. Same as <c>x + b</c>.</summary>
    public static Batch<T> AddBias<T>(Batch<T> x, RowVector<T> b) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var y = new Batch<T>(x.Rows, x.Cols);
        ForwardKernels.AddBias(x, b, y);
        return y;
    }

    /// <summary>Element-wise sum. Same as <c>a + b</c>.</summary>
    public static Batch<T> Add<T>(Batch<T> a, Batch<T> b) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var y = new Batch<T>(a.Rows, a.Cols);
        ForwardKernels.Add(a, b, y);
        return y;
    }

    /// <summary>Element-wise difference. Same as <c>a - b</c>.</summary>
    public static Batch<T> Subtract<T>(Batch<T> a, Batch<T> b) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var y = new Batch<T>(a.Rows, a.Cols);
        ForwardKernels.Subtract(a, b, y);
        return y;
    }

    /// <summary>Element-wise product. Same as <c>a * b</c> for two batches.</summary>
    public static Batch<T> Multiply<T>(Batch<T> a, Batch<T> b) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var y = new Batch<T>(a.Rows, a.Cols);
        ForwardKernels.Multiply(a, b, y);
        return y;
    }

    /// <summary>max(x, 0) element-wise.</summary>
    public static Batch<T> Relu<T>(Batch<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var y = new Batch<T>(x.Rows, x.Cols);
        ForwardKernels.Relu(x, y);
        return y;
    }

    /// <summary>tanh(x) element-wise.</summary>
    public static Batch<T> Tanh<T>(Batch<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var y = new Batch<T>(x.Rows, x.Cols);
        ForwardKernels.Tanh(x, y);
        return y;
    }

    /// <summary>The logistic function element-wise.</summary>
    public static Batch<T> Sigmoid<T>(Batch<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var y = new Batch<T>(x.Rows, x.Cols);
        ForwardKernels.Sigmoid(x, y);
        return y;
    }

    /// <summary>x³ element-wise: the cube activation of Chen and Manning's dependency parser.</summary>
    public static Batch<T> Cube<T>(Batch<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var y = new Batch<T>(x.Rows, x.Cols);
        ForwardKernels.Cube(x, y);
        return y;
    }

    /// <summary>The features of the operands side by side: each example's row is a's row, then b's, and so on.</summary>
    public static Batch<T> Concat<T>(params Batch<T>[] parts) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        System.ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length == 0) throw new System.ArgumentException("Concat needs at least one operand.", nameof(parts));
        int cols = 0;
        foreach (var part in parts) cols += part.Cols;
        var y = new Batch<T>(parts[0].Rows, cols);
        int offset = 0;
        foreach (var part in parts)
        {
            ForwardKernels.ConcatInto(part, y, offset);
            offset += part.Cols;
        }
        return y;
    }

    /// <summary>Embedding lookup: each example's row is the table rows of its ids, concatenated.</summary>
    public static Batch<T> Embed<T>(Matrix<T> table, IdBatch ids) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var y = new Batch<T>(ids.Rows, ids.Cols * table.Cols);
        ForwardKernels.Embed(table, ids, y);
        return y;
    }

    /// <summary>
    /// Dropout with probability <paramref name="p"/> (a constant in [0, 1)). Outside training, as
    /// here, it is the identity: the generated training pass draws the mask from the model's seeded
    /// random source and scales the kept values by 1/(1 - p).
    /// </summary>
    public static Batch<T> Dropout<T>(Batch<T> x, double p) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!(p >= 0.0 && p < 1.0))
            throw new System.ArgumentOutOfRangeException(nameof(p), p, $"Dropout probability must be in [0, 1), but is {p}.");
        return x;
    }

    /// <summary>A zero batch with one row per example of <paramref name="like"/> and <paramref name="width"/> columns: the initial state of a recurrence (<c>var h = Zeros(x, 500);</c>).</summary>
    public static Batch<T> Zeros<T>(Sequence<T> like, int width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        System.ArgumentNullException.ThrowIfNull(like);
        return new Batch<T>(like.Examples, width);
    }

    /// <summary>A zero batch with one row per example of <paramref name="like"/> and <paramref name="width"/> columns (write the element type: <c>Zeros&lt;float&gt;(words, 500)</c>).</summary>
    public static Batch<T> Zeros<T>(IdSequence like, int width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        System.ArgumentNullException.ThrowIfNull(like);
        return new Batch<T>(like.Examples, width);
    }

    /// <summary>A zero batch with one row per example of <paramref name="like"/> and <paramref name="width"/> columns.</summary>
    public static Batch<T> Zeros<T>(Batch<T> like, int width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        System.ArgumentNullException.ThrowIfNull(like);
        return new Batch<T>(like.Rows, width);
    }

    /// <summary>A zero batch with one row per example of <paramref name="like"/> and <paramref name="width"/> columns (write the element type).</summary>
    public static Batch<T> Zeros<T>(IdBatch like, int width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        System.ArgumentNullException.ThrowIfNull(like);
        return new Batch<T>(like.Rows, width);
    }

    /// <summary>A sequence as long as <paramref name="like"/>, with its examples, whose steps a loop fills in (<c>hs[t] = h;</c>); its width is that of the values assigned.</summary>
    public static Sequence<T> SequenceLike<T>(Sequence<T> like) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        System.ArgumentNullException.ThrowIfNull(like);
        return Sequence<T>.Empty(like.Length, like.Examples);
    }

    /// <summary>A sequence as long as <paramref name="like"/>, with its examples, whose steps a loop fills in (write the element type: <c>SequenceLike&lt;float&gt;(words)</c>).</summary>
    public static Sequence<T> SequenceLike<T>(IdSequence like) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        System.ArgumentNullException.ThrowIfNull(like);
        return Sequence<T>.Empty(like.Length, like.Examples);
    }

    /// <summary>The steps of <paramref name="x"/> in reverse order (a backward-running recurrence: <c>Reverse(layer.Forward(Reverse(x)))</c>).</summary>
    public static Sequence<T> Reverse<T>(Sequence<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        System.ArgumentNullException.ThrowIfNull(x);
        var y = new Sequence<T>(x.Length, x.Examples, x.Features);
        ForwardKernels.Reverse(x, y);
        return y;
    }
}
