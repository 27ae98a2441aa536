using System;
using System.Numerics;

namespace MeProp;

/// <summary>
/// One trainable parameter of a model as the optimizers see it: its values and its gradient, both
/// rows x cols row-major. Generated models expose theirs through <c>Parameters</c>.
/// </summary>
public sealed class Parameter<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _value;

    /// <summary>Pairs <paramref name="value"/> (rows*cols elements) with its gradient buffer.</summary>
    public Parameter(string name, T[] value, ParameterGradient<T> gradient)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(gradient);
        if (value.Length != gradient.Data.Length)
            throw new ArgumentException($"Parameter '{name}' has {value.Length} values but its gradient has {gradient.Data.Length}.");
        Name = name;
        _value = value;
        Gradient = gradient;
    }

    /// <summary>Creates the parameter of a weight matrix or embedding table.</summary>
    public Parameter(string name, Matrix<T> value)
        : this(name, (value ?? throw new ArgumentNullException(nameof(value))).Data, new ParameterGradient<T>(value.Rows, value.Cols))
    {
    }

    /// <summary>Creates the parameter of a bias vector (one row per element).</summary>
    public Parameter(string name, RowVector<T> value)
        : this(name, (value ?? throw new ArgumentNullException(nameof(value))).Data, new ParameterGradient<T>(value.Length, 1))
    {
    }

    /// <summary>The field name in the model class.</summary>
    public string Name { get; }

    /// <summary>Rows of the parameter.</summary>
    public int Rows => Gradient.Rows;

    /// <summary>Columns of the parameter.</summary>
    public int Cols => Gradient.Cols;

    /// <summary>The values the optimizer updates.</summary>
    public Span<T> Value => _value;

    /// <summary>The same values as <see cref="Value"/>, as memory that outlives a stack frame (a checkpoint writer holds it until it saves).</summary>
    public Memory<T> ValueMemory => _value;

    /// <summary>The gradient of the last backward pass.</summary>
    public ParameterGradient<T> Gradient { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}[{Rows}x{Cols}]";
}
