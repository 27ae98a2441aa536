using System;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace MeProp.Accelerators;

/// <summary>
/// The element-wise kernels of the GPU training pass on one accelerator, loaded (compiled for it)
/// once: the device counterparts of MeProp.Kernels' ForwardKernels and BackwardKernels, with the
/// same names, operand order and overwrite-or-add rule, so that a generated pass reads the same on
/// either side.
/// </summary>
/// <remarks>
/// One kernel per arity with the operation as a uniform argument (every thread of a launch takes the
/// same branch) keeps the number of kernels ILGPU compiles small. Results equal the CPU runtime's
/// bit for bit where the arithmetic is the same sequence of roundings (ReLU, sums, products, copies)
/// and to a few ulps for tanh and the logistic, whose device implementations differ from
/// TensorPrimitives' (tests check both).
/// </remarks>
public sealed class DeviceKernels
{
    internal enum Unary { Relu, Tanh, Sigmoid, Cube, Copy, Negate }

    internal enum Binary { Add, Subtract, Multiply }

    // Gradient rules: dx (+)= f(dy, v), v the value the rule reads (the activation's output, its input for Cube, the other operand of a product).
    internal enum Rule { Relu, Tanh, Sigmoid, Cube, Multiply, Pass, Negate }

    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int> _unary;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> _binary;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> _rule;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> _addBias;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> _columnSums;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, long, int, float> _dropout;
    private ulong _dropoutSeed = Mix(0);
    private ulong _dropoutCalls;

    public DeviceKernels(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        Accelerator = accelerator;
        _unary = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(UnaryKernel);
        _binary = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(BinaryKernel);
        _rule = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(RuleKernel);
        _addBias = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(AddBiasKernel);
        _columnSums = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ColumnSumsKernel);
        _dropout = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, long, int, float>(DropoutKernel);
    }

    public Accelerator Accelerator { get; }

    // ---- forward ----------------------------------------------------------------------------

    /// <summary>y = max(x, 0).</summary>
    public void Relu(DeviceBatch x, DeviceBatch y) => RunUnary(Unary.Relu, x, y);

    /// <summary>y = tanh(x).</summary>
    public void Tanh(DeviceBatch x, DeviceBatch y) => RunUnary(Unary.Tanh, x, y);

    /// <summary>y = 1 / (1 + e^-x).</summary>
    public void Sigmoid(DeviceBatch x, DeviceBatch y) => RunUnary(Unary.Sigmoid, x, y);

    /// <summary>y = x³.</summary>
    public void Cube(DeviceBatch x, DeviceBatch y) => RunUnary(Unary.Cube, x, y);

    /// <summary>y = x.</summary>
    public void Copy(DeviceBatch x, DeviceBatch y) => RunUnary(Unary.Copy, x, y);

    /// <summary>y = 0.</summary>
    public void Zero(DeviceBatch y)
    {
        ArgumentNullException.ThrowIfNull(y);
        y.Clear();
    }

    /// <summary>
    /// Inverted dropout: each element is kept with probability 1 - p and scaled by 1/(1 - p), or
    /// zeroed; mask holds each element's factor (for <see cref="DropoutBackward"/>), y = x ⊙ mask.
    /// At rate 0, y = x and the mask is all ones, and nothing is drawn.
    /// </summary>
    /// <remarks>
    /// The draws come from a counter-based generator on the device (a hash of the seed, the number
    /// of dropout calls since <see cref="ReseedDropout"/>, and the element's index), so a launch needs
    /// no state and a seed gives the same masks on any accelerator. They are not the CPU runtime's
    /// draws: a device run and a CPU run with dropout differ (each is reproducible).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1).</exception>
    public void Dropout(DeviceBatch x, double p, DeviceBatch mask, DeviceBatch y)
    {
        if (!(p >= 0.0 && p < 1.0))
            throw new ArgumentOutOfRangeException(nameof(p), p, $"Dropout probability must be in [0, 1), but is {p}.");
        RequireSame(x, mask, "dropout mask");
        RequireSame(x, y, "result");
        long stream = p == 0.0 ? 0 : unchecked((long)Mix(_dropoutSeed + 0x9E3779B97F4A7C15UL * ++_dropoutCalls)); // rate 0 does not advance the draws
        // Keep when the 24-bit draw u satisfies u / 2^24 >= p.
        int threshold = p == 0.0 ? 0 : (int)Math.Min(1 << 24, Math.Ceiling(p * (1 << 24)));
        _dropout(x.Rows * x.Cols, x.View, mask.View, y.View, stream, threshold, (float)(1.0 / (1.0 - p)));
    }

    /// <summary>Restarts the dropout draws from <paramref name="seed"/> (a run's seed gives the same masks every time).</summary>
    public void ReseedDropout(int seed)
    {
        _dropoutSeed = Mix(unchecked((ulong)seed));
        _dropoutCalls = 0;
    }

    /// <summary>Step t of y is step Length - 1 - t of x.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void Reverse(DeviceSequence x, DeviceSequence y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        x.RequireSameShape(y, "reversed sequence");
        for (int t = 0; t < x.Length; t++) Copy(x[x.Length - 1 - t], y[t]);
    }

    /// <summary>Step Length - 1 - t of dx (+)= step t of dy (the gradient of a reversed sequence).</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void ReverseBackward(DeviceSequence dy, DeviceSequence dx, bool accumulate)
    {
        ArgumentNullException.ThrowIfNull(dy);
        ArgumentNullException.ThrowIfNull(dx);
        dy.RequireSameShape(dx, "gradient of a reversed sequence");
        for (int t = 0; t < dy.Length; t++) Pass(dy[t], dx[dy.Length - 1 - t], accumulate);
    }

    /// <summary>y = a + b.</summary>
    public void Add(DeviceBatch a, DeviceBatch b, DeviceBatch y) => RunBinary(Binary.Add, a, b, y);

    /// <summary>y = a - b.</summary>
    public void Subtract(DeviceBatch a, DeviceBatch b, DeviceBatch y) => RunBinary(Binary.Subtract, a, b, y);

    /// <summary>y = a ⊙ b.</summary>
    public void Multiply(DeviceBatch a, DeviceBatch b, DeviceBatch y) => RunBinary(Binary.Multiply, a, b, y);

    /// <summary>y = x + b in every row, b a 1 x Cols batch (a bias).</summary>
    public void AddBias(DeviceBatch x, DeviceBatch b, DeviceBatch y)
    {
        RequireSame(x, y, "result");
        if (b.Rows != 1 || b.Cols != x.Cols)
            throw new ArgumentException($"The bias is {b.Rows}x{b.Cols}, but a 1x{x.Cols} row is needed for a batch of {x.Cols} columns.", nameof(b));
        _addBias(x.Rows * x.Cols, x.View, b.View, y.View, x.Cols);
    }

    // ---- backward ---------------------------------------------------------------------------

    /// <summary>dx (+)= dy where y &gt; 0 (ReLU, from its output y).</summary>
    public void ReluBackward(DeviceBatch dy, DeviceBatch y, DeviceBatch dx, bool accumulate) => RunRule(Rule.Relu, dy, y, dx, accumulate);

    /// <summary>dx (+)= dy ⊙ (1 - y²) (tanh, from its output y).</summary>
    public void TanhBackward(DeviceBatch dy, DeviceBatch y, DeviceBatch dx, bool accumulate) => RunRule(Rule.Tanh, dy, y, dx, accumulate);

    /// <summary>dx (+)= dy ⊙ y ⊙ (1 - y) (the logistic, from its output y).</summary>
    public void SigmoidBackward(DeviceBatch dy, DeviceBatch y, DeviceBatch dx, bool accumulate) => RunRule(Rule.Sigmoid, dy, y, dx, accumulate);

    /// <summary>dx (+)= dy ⊙ 3z² (the cube, from its input z).</summary>
    public void CubeBackward(DeviceBatch dy, DeviceBatch z, DeviceBatch dx, bool accumulate) => RunRule(Rule.Cube, dy, z, dx, accumulate);

    /// <summary>dx (+)= dy ⊙ other (one operand of an element-wise product).</summary>
    public void MultiplyBackward(DeviceBatch dy, DeviceBatch other, DeviceBatch dx, bool accumulate) => RunRule(Rule.Multiply, dy, other, dx, accumulate);

    /// <summary>dx (+)= dy ⊙ mask, the mask <see cref="Dropout"/> wrote.</summary>
    public void DropoutBackward(DeviceBatch dy, DeviceBatch mask, DeviceBatch dx, bool accumulate) => RunRule(Rule.Multiply, dy, mask, dx, accumulate);

    /// <summary>dx (+)= dy.</summary>
    public void Pass(DeviceBatch dy, DeviceBatch dx, bool accumulate) => RunRule(Rule.Pass, dy, dy, dx, accumulate);

    /// <summary>dx (+)= -dy (the right operand of a subtraction).</summary>
    public void Negate(DeviceBatch dy, DeviceBatch dx, bool accumulate) => RunRule(Rule.Negate, dy, dy, dx, accumulate);

    /// <summary>db += the column sums of dy (rows added in ascending order, as on the CPU), db a 1 x Cols batch.</summary>
    public void Bias(DeviceBatch dy, DeviceBatch db)
    {
        if (db.Rows != 1 || db.Cols != dy.Cols)
            throw new ArgumentException($"The bias gradient is {db.Rows}x{db.Cols}, but a 1x{dy.Cols} row is needed for a gradient of {dy.Cols} columns.", nameof(db));
        _columnSums(dy.Cols, dy.View, db.View, dy.Rows, dy.Cols);
    }

    // ---- launches ---------------------------------------------------------------------------

    private void RunUnary(Unary op, DeviceBatch x, DeviceBatch y)
    {
        RequireSame(x, y, "result");
        _unary(x.Rows * x.Cols, x.View, y.View, (int)op);
    }

    private void RunBinary(Binary op, DeviceBatch a, DeviceBatch b, DeviceBatch y)
    {
        RequireSame(a, b, "second operand");
        RequireSame(a, y, "result");
        _binary(a.Rows * a.Cols, a.View, b.View, y.View, (int)op);
    }

    private void RunRule(Rule rule, DeviceBatch dy, DeviceBatch value, DeviceBatch dx, bool accumulate)
    {
        RequireSame(dy, value, "value the rule reads");
        RequireSame(dy, dx, "gradient");
        _rule(dy.Rows * dy.Cols, dy.View, value.View, dx.View, (int)rule, accumulate ? 1 : 0);
    }

    private void RequireSame(DeviceBatch a, DeviceBatch b, string what)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Accelerator != Accelerator || b.Accelerator != Accelerator)
            throw new ArgumentException("Every device batch of a kernel must live on the accelerator the kernels were loaded for.");
        if (a.Rows != b.Rows || a.Cols != b.Cols)
            throw new ArgumentException($"The {what} is {b.Rows}x{b.Cols}, but {a.Rows}x{a.Cols} was expected.");
    }

    // ---- kernels ----------------------------------------------------------------------------

    private static void UnaryKernel(Index1D i, ArrayView<float> x, ArrayView<float> y, int op)
    {
        float v = x[i];
        y[i] = op switch
        {
            (int)Unary.Relu => v > 0f ? v : 0f,
            (int)Unary.Tanh => XMath.Tanh(v),
            (int)Unary.Sigmoid => 1f / (1f + XMath.Exp(-v)),
            (int)Unary.Cube => v * v * v,
            (int)Unary.Negate => -v,
            _ => v,
        };
    }

    private static void BinaryKernel(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, int op)
    {
        y[i] = op switch
        {
            (int)Binary.Add => a[i] + b[i],
            (int)Binary.Subtract => a[i] - b[i],
            _ => a[i] * b[i],
        };
    }

    // The same roundings as the CPU kernels: tanh g·(1 - o·o); logistic g·o·(1 - o); cube g·(3·z·z)
    // as 3z² first; a product g·o, then added (TensorPrimitives.MultiplyAdd is not fused either).
    private static void RuleKernel(Index1D i, ArrayView<float> dy, ArrayView<float> value, ArrayView<float> dx, int rule, int accumulate)
    {
        float g = dy[i], o = value[i];
        float d = rule switch
        {
            (int)Rule.Relu => o > 0f ? g : 0f,
            (int)Rule.Tanh => g * (1f - o * o),
            (int)Rule.Sigmoid => g * o * (1f - o),
            (int)Rule.Cube => g * (3f * o * o),
            (int)Rule.Multiply => g * o,
            (int)Rule.Negate => -g,
            _ => g,
        };
        if (accumulate == 0) dx[i] = d;
        else if (rule == (int)Rule.Negate) dx[i] = dx[i] - g;
        else dx[i] = dx[i] + d;
    }

    private static void AddBiasKernel(Index1D i, ArrayView<float> x, ArrayView<float> b, ArrayView<float> y, int cols)
        => y[i] = x[i] + b[i % cols];

    // One thread per column, the rows in ascending order.
    private static void ColumnSumsKernel(Index1D j, ArrayView<float> dy, ArrayView<float> db, int rows, int cols)
    {
        float sum = db[j];
        for (int b = 0; b < rows; b++) sum += dy[b * cols + j];
        db[j] = sum;
    }

    // SplitMix64's finaliser: a bijection whose output bits each depend on every input bit.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static void DropoutKernel(Index1D i, ArrayView<float> x, ArrayView<float> mask, ArrayView<float> y, long stream, int threshold, float scale)
    {
        int draw = (int)(Mix(unchecked((ulong)stream + 0x9E3779B97F4A7C15UL * (ulong)(i.X + 1))) >> 40); // 24 bits
        float factor = draw >= threshold ? scale : 0f;
        mask[i] = factor;
        y[i] = x[i] * factor;
    }
}
