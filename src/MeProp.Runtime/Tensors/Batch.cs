using System;
using System.Numerics;

namespace MeProp;

/// <summary>
/// A mini-batch of activations: one row per example, one column per feature, row-major.
/// </summary>
/// <remarks>
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

    /// <summary>The elements, row-major.</summary>
    public T[] Data { get; }

    /// <summary>The elements as a span.</summary>
    public Span<T> Span => Data;

    /// <summary>The features of example <paramref name="example"/>.</summary>
    public Span<T> Row(int example) => Data.AsSpan(example * Cols, Cols);

    /// <summary>Element access.</summary>
    public ref T this[int example, int feature] => ref Data[example * Cols + feature];

    /// <summary>Element-wise sum.</summary>
    public static Batch<T> operator +(Batch<T> a, Batch<T> b) => Ops.Add(a, b);

    /// <summary>Element-wise difference.</summary>
    public static Batch<T> operator -(Batch<T> a, Batch<T> b) => Ops.Subtract(a, b);

    /// <summary>Element-wise (Hadamard) product.</summary>
    public static Batch<T> operator *(Batch<T> a, Batch<T> b) => Ops.Multiply(a, b);

    /// <inheritdoc/>
    public override string ToString() => $"Batch<{typeof(T).Name}>[{Rows}x{Cols}]";
}
