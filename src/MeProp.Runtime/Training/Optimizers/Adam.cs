using System;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MeProp;

/// <summary>
/// Adam (Kingma and Ba 2015) with bias correction: at step t (counted from 1),
/// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), w ← w − lr·m̂/(√v̂ + ε).
/// </summary>
/// <remarks>
/// <para>With <see cref="UpdateScope.AllRows"/> (the default) this is standard Adam: every element
/// moves every step, and an element whose gradient is zero this step still moves while its first
/// moment is not zero.</para>
/// <para>With <see cref="UpdateScope.TouchedRowsOnly"/> it is a different algorithm (close to what
/// is called lazy or sparse Adam): the moments of untouched rows are neither decayed nor used, so
/// those rows stay exactly where they are; and the step counter t is global (one per
/// <see cref="Optimizer{T}.Step"/>), not per row, so a row touched for the first time at step t gets
/// the bias correction of step t, not of step 1.</para>
/// </remarks>
public sealed class Adam<T> : Optimizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private const int FirstMoment = 0, SecondMoment = 1;
    private readonly T _beta1, _beta2, _oneMinusBeta1, _oneMinusBeta2, _epsilon;
    private T _correction1, _correction2; // 1/(1−β₁ᵗ) and 1/(1−β₂ᵗ) of the current step

    /// <summary>Creates Adam; the learning rate and ε must be positive, the βs in [0, 1).</summary>
    public Adam(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
                UpdateScope scope = UpdateScope.AllRows)
        : base(learningRate, scope)
    {
        RequireDecay(beta1, nameof(beta1));
        RequireDecay(beta2, nameof(beta2));
        RequirePositive(epsilon, nameof(epsilon));
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        _beta1 = T.CreateChecked(beta1);
        _beta2 = T.CreateChecked(beta2);
        _oneMinusBeta1 = T.CreateChecked(1.0 - beta1);
        _oneMinusBeta2 = T.CreateChecked(1.0 - beta2);
        _epsilon = T.CreateChecked(epsilon);
    }

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>The term added to √v̂.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    protected override int StateSlots => 2;

    /// <inheritdoc/>
    protected override string StateSlotName(int slot) => slot == FirstMoment ? "m" : "v";

    /// <inheritdoc/>
    protected override void BeginStep()
    {
        // The corrections in double: βᵗ underflows gracefully to 0 there, and float's rounding of
        // 1 − β₂ᵗ for small t would show in the first steps' sizes.
        _correction1 = T.CreateChecked(1.0 / (1.0 - Math.Pow(Beta1, StepCount)));
        _correction2 = T.CreateChecked(1.0 / (1.0 - Math.Pow(Beta2, StepCount)));
    }

    /// <inheritdoc/>
    protected override void Update(int parameterIndex, int offset, Span<T> value, ReadOnlySpan<T> gradient)
    {
        Span<T> m = State(FirstMoment, parameterIndex, offset, value.Length);
        Span<T> v = State(SecondMoment, parameterIndex, offset, value.Length);
        T lr = Rate, b1 = _beta1, b2 = _beta2, c1 = _oneMinusBeta1, c2 = _oneMinusBeta2, eps = _epsilon;
        T k1 = _correction1, k2 = _correction2;
        int i = 0;
        // Same operations in the same order as the scalar tail, so results do not depend on the vector width.
        // The square root and the division dominate (about 20 cycles per 8 floats with Vector<T>,
        // which stays 256 bits wide by default), so where 512-bit vectors are native they run at
        // twice the lanes: measured over the MNIST model's 648,010 parameters, 399 -> 188 µs per
        // step, against 144 µs for the same memory traffic without the square root and division.
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            Vector512<T> vlr = Vector512.Create(lr), vb1 = Vector512.Create(b1), vb2 = Vector512.Create(b2), vc1 = Vector512.Create(c1),
                         vc2 = Vector512.Create(c2), veps = Vector512.Create(eps), vk1 = Vector512.Create(k1), vk2 = Vector512.Create(k2);
            ref T rg = ref MemoryMarshal.GetReference(gradient);
            ref T rm = ref MemoryMarshal.GetReference(m), rv = ref MemoryMarshal.GetReference(v), rw = ref MemoryMarshal.GetReference(value);
            for (; i <= value.Length - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                nuint at = (nuint)i;
                var g = Vector512.LoadUnsafe(ref rg, at);
                var mi = vb1 * Vector512.LoadUnsafe(ref rm, at) + vc1 * g;
                var vi = vb2 * Vector512.LoadUnsafe(ref rv, at) + vc2 * (g * g);
                var w = Vector512.LoadUnsafe(ref rw, at) - vlr * (mi * vk1) / (Vector512.Sqrt(vi * vk2) + veps);
                mi.StoreUnsafe(ref rm, at);
                vi.StoreUnsafe(ref rv, at);
                w.StoreUnsafe(ref rw, at);
            }
        }
        else if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            Vector<T> vlr = new(lr), vb1 = new(b1), vb2 = new(b2), vc1 = new(c1), vc2 = new(c2), veps = new(eps), vk1 = new(k1), vk2 = new(k2);
            for (; i <= value.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var g = new Vector<T>(gradient.Slice(i));
                var mi = vb1 * new Vector<T>(m.Slice(i)) + vc1 * g;
                var vi = vb2 * new Vector<T>(v.Slice(i)) + vc2 * (g * g);
                var w = new Vector<T>(value.Slice(i)) - vlr * (mi * vk1) / (Vector.SquareRoot(vi * vk2) + veps);
                mi.CopyTo(m.Slice(i));
                vi.CopyTo(v.Slice(i));
                w.CopyTo(value.Slice(i));
            }
        }
        for (; i < value.Length; i++)
        {
            T g = gradient[i];
            T mi = b1 * m[i] + c1 * g;
            T vi = b2 * v[i] + c2 * (g * g);
            m[i] = mi;
            v[i] = vi;
            value[i] -= lr * (mi * k1) / (T.Sqrt(vi * k2) + eps);
        }
    }
}
