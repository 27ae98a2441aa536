using System;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MeProp;

/// <summary>
/// AdaGrad (Duchi et al. 2011), as meProp's experiments use it: G ← G + g², w ← w − lr·g / (√G + ε),
/// element-wise, with G starting at zero.
/// </summary>
/// <remarks>
/// With <see cref="UpdateScope.TouchedRowsOnly"/> an untouched row is skipped entirely: neither its
/// accumulator nor its values change. Unlike Adam this coincides with the dense update whenever the
/// untouched rows' gradients are zero (the normal case: the gradient was cleared after the last step
/// and meProp's backward writes only the rows it marks), because then G grows by 0 and w moves by 0.
/// The two differ only when an untouched row holds a non-zero gradient, for example when a caller
/// writes gradients without marking rows, or does not clear them between steps.
/// </remarks>
public sealed class AdaGrad<T> : Optimizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private const int SumOfSquares = 0;
    private readonly T _epsilon;

    /// <summary>Creates AdaGrad with learning rate <paramref name="learningRate"/> and ε <paramref name="epsilon"/> (both positive).</summary>
    public AdaGrad(double learningRate, double epsilon = 1e-6, UpdateScope scope = UpdateScope.AllRows)
        : base(learningRate, scope)
    {
        RequirePositive(epsilon, nameof(epsilon));
        Epsilon = epsilon;
        _epsilon = T.CreateChecked(epsilon);
    }

    /// <summary>The term added to √G so that a never-seen element does not divide by zero.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    protected override int StateSlots => 1;

    /// <inheritdoc/>
    protected override string StateSlotName(int slot) => "sumOfSquares";

    /// <inheritdoc/>
    protected override void Update(int parameterIndex, int offset, Span<T> value, ReadOnlySpan<T> gradient)
    {
        Span<T> sum = State(SumOfSquares, parameterIndex, offset, value.Length);
        T lr = Rate, eps = _epsilon;
        int i = 0;
        // Vector<T> and the scalar tail do the same IEEE operations in the same order (sqrt and
        // division are correctly rounded), so results do not depend on the vector width. As in Adam,
        // 512-bit vectors where native: the square root and division dominate.
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            Vector512<T> vlr = Vector512.Create(lr), veps = Vector512.Create(eps);
            ref T rg = ref MemoryMarshal.GetReference(gradient);
            ref T rs = ref MemoryMarshal.GetReference(sum), rw = ref MemoryMarshal.GetReference(value);
            for (; i <= value.Length - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                nuint at = (nuint)i;
                var g = Vector512.LoadUnsafe(ref rg, at);
                var s = Vector512.LoadUnsafe(ref rs, at) + g * g;
                var w = Vector512.LoadUnsafe(ref rw, at) - vlr * g / (Vector512.Sqrt(s) + veps);
                s.StoreUnsafe(ref rs, at);
                w.StoreUnsafe(ref rw, at);
            }
        }
        else if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var vlr = new Vector<T>(lr);
            var veps = new Vector<T>(eps);
            for (; i <= value.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var g = new Vector<T>(gradient.Slice(i));
                var s = new Vector<T>(sum.Slice(i)) + g * g;
                var w = new Vector<T>(value.Slice(i)) - vlr * g / (Vector.SquareRoot(s) + veps);
                s.CopyTo(sum.Slice(i));
                w.CopyTo(value.Slice(i));
            }
        }
        for (; i < value.Length; i++)
        {
            T g = gradient[i];
            T s = sum[i] + g * g;
            sum[i] = s;
            value[i] -= lr * g / (T.Sqrt(s) + eps);
        }
    }
}
