using System;
using System.Numerics;

namespace MeProp;

/// <summary>
/// Parameter initialisation from a <see cref="SeededRandom"/>, so that a model's starting point is
/// reproducible from one seed. Values are drawn in double and rounded to T once, so a float model and
/// a double model built from the same seed start from the same weights up to rounding.
/// </summary>
public static class Init
{
    /// <summary>
    /// A <paramref name="rows"/> x <paramref name="cols"/> matrix uniform in ±√(6/(rows + cols))
    /// (Glorot and Bengio 2010): keeps activation and gradient variance roughly constant across layers.
    /// </summary>
    public static Matrix<T> Glorot<T>(int rows, int cols, SeededRandom random) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var m = new Matrix<T>(rows, cols);
        Glorot(m, random);
        return m;
    }

    /// <summary>Overwrites <paramref name="matrix"/> with Glorot-uniform values (see <see cref="Glorot{T}(int, int, SeededRandom)"/>).</summary>
    public static void Glorot<T>(Matrix<T> matrix, SeededRandom random) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(matrix);
        FillUniform<T>(matrix.Span, GlorotLimit(matrix.Rows, matrix.Cols), random);
    }

    /// <summary>The Glorot bound √(6/(rows + cols)).</summary>
    public static double GlorotLimit(int rows, int cols)
    {
        Shape.RequirePositive(rows, nameof(rows));
        Shape.RequirePositive(cols, nameof(cols));
        return Math.Sqrt(6.0 / ((double)rows + cols));
    }

    /// <summary>A zero vector of <paramref name="length"/> elements (the usual bias start).</summary>
    public static RowVector<T> Zeros<T>(int length) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => new(length);

    /// <summary>A matrix uniform in [−<paramref name="scale"/>, <paramref name="scale"/>).</summary>
    public static Matrix<T> Uniform<T>(int rows, int cols, double scale, SeededRandom random) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var m = new Matrix<T>(rows, cols);
        Uniform(m, scale, random);
        return m;
    }

    /// <summary>Overwrites <paramref name="matrix"/> with values uniform in [−<paramref name="scale"/>, <paramref name="scale"/>).</summary>
    public static void Uniform<T>(Matrix<T> matrix, double scale, SeededRandom random) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(matrix);
        RequireScale(scale, nameof(scale));
        FillUniform<T>(matrix.Span, scale, random);
    }

    /// <summary>A matrix of normal values with mean 0 and standard deviation <paramref name="std"/>.</summary>
    public static Matrix<T> Normal<T>(int rows, int cols, double std, SeededRandom random) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var m = new Matrix<T>(rows, cols);
        Normal(m, std, random);
        return m;
    }

    /// <summary>Overwrites <paramref name="matrix"/> with normal values of mean 0 and standard deviation <paramref name="std"/>.</summary>
    public static void Normal<T>(Matrix<T> matrix, double std, SeededRandom random) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(random);
        RequireScale(std, nameof(std));
        Span<T> data = matrix.Span;
        for (int i = 0; i < data.Length; i++)
            data[i] = T.CreateChecked(std * random.NextGaussian());
    }

    private static void FillUniform<T>(Span<T> data, double scale, SeededRandom random) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        for (int i = 0; i < data.Length; i++)
            data[i] = T.CreateChecked((2.0 * random.NextDouble() - 1.0) * scale);
    }

    private static void RequireScale(double value, string name)
    {
        if (!(value >= 0.0 && double.IsFinite(value)))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be non-negative and finite, but is {value}.");
    }
}
