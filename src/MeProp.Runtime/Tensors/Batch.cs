using System;
using System.Numerics;

namespace MeProp;

/// <summary>
/// A mini-batch of activations: one row per example, one column per feature, row-major.
/// </summary>
/// <remarks>
/// A batch may be a view: one step of a <see cref="Sequence{T}"/> is a batch whose elements start
/// at <see cref="Offset"/> in the sequence's array. Read elements through <see cref="Span"/>,
/// <see cref="Row"/> or the indexer, which account for it.
/// The operators here are the DSL's element-wise operations. They allocate their result, which is
/// what a plain call of a forward method (inference) wants; the generated training pass writes into
/// buffers it keeps instead.
/// </remarks>
public sealed class Batch<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates a zero batch of <paramref name="examples"/> rows and <paramref name="features"/> columns.</summary>
    public Batch(int examples, int features)
    {
        Shape.RequirePositive(examples, nameof(examples));
        Shape.RequirePositive(features, nameof(features));
        Rows = examples;
        Cols = features;
        Data = new T[checked(examples * features)];
    }

    // A view of rows*cols elements of data starting at offset (a step of a sequence); no copy.
    internal Batch(T[] data, int offset, int examples, int features)
    {
        Rows = examples;
        Cols = features;
        Data = data;
        Offset = offset;
    }

    /// <summary>Wraps <paramref name="data"/> (row-major, length examples*features) without copying.</summary>
    public Batch(int examples, int features, T[] data)
    {
        Shape.RequirePositive(examples, nameof(examples));
        Shape.RequirePositive(features, nameof(features));
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != checked(examples * features))
            throw new ArgumentException($"A batch of {examples}x{features} needs {examples * features} elements, but the array has {data.Length}.", nameof(data));
        Rows = examples;
        Cols = features;
        Data = data;
    }

    /// <summary>Number of examples.</summary>
    public int Rows { get; }

    /// <summary>Number of features per example.</summary>
    public int Cols { get; }

    /// <summary>The array holding the elements, row-major from <see cref="Offset"/> (0 unless the batch is a step of a sequence).</summary>
    public T[] Data { get; }

    /// <summary>Where the elements start in <see cref="Data"/>: 0 for a batch of its own, the step's start for a step of a <see cref="Sequence{T}"/>.</summary>
    public int Offset { get; }

    /// <summary>The Rows x Cols elements as a span.</summary>
    public Span<T> Span => Data.AsSpan(Offset, Rows * Cols);

    /// <summary>The features of example <paramref name="example"/>.</summary>
    public Span<T> Row(int example)
    {
        if ((uint)example >= (uint)Rows)
            throw new ArgumentOutOfRangeException(nameof(example), example, $"Example {example} is outside a batch of {Rows}.");
        return Data.AsSpan(Offset + example * Cols, Cols);
    }

    /// <summary>Element access.</summary>
    public ref T this[int example, int feature]
    {
        get
        {
            if ((uint)example >= (uint)Rows || (uint)feature >= (uint)Cols)
                throw new IndexOutOfRangeException($"[{example}, {feature}] is outside a batch of {Rows}x{Cols}.");
            return ref Data[Offset + example * Cols + feature];
        }
    }

    /// <summary>Element-wise sum.</summary>
    public static Batch<T> operator +(Batch<T> a, Batch<T> b) => Ops.Add(a, b);

    /// <summary>Element-wise difference.</summary>
    public static Batch<T> operator -(Batch<T> a, Batch<T> b) => Ops.Subtract(a, b);

    /// <summary>Element-wise (Hadamard) product.</summary>
    public static Batch<T> operator *(Batch<T> a, Batch<T> b) => Ops.Multiply(a, b);

    /// <inheritdoc/>
    public override string ToString() => $"Batch<{typeof(T).Name}>[{Rows}x{Cols}]";
}
