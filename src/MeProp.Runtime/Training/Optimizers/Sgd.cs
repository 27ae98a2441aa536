using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace MeProp;

/// <summary>Plain stochastic gradient descent: w ← w − lr·g.</summary>
/// <remarks>
/// SGD keeps no state, so <see cref="UpdateScope.TouchedRowsOnly"/> gives the same result as
/// <see cref="UpdateScope.AllRows"/> (an untouched row's gradient is zero) while reading only the
/// rows meProp's backward wrote.
/// </remarks>
public sealed class Sgd<T> : Optimizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates SGD with learning rate <paramref name="learningRate"/> (positive).</summary>
    public Sgd(double learningRate, UpdateScope scope = UpdateScope.AllRows)
        : base(learningRate, scope)
    {
    }

    /// <inheritdoc/>
    protected override int StateSlots => 0;

    /// <inheritdoc/>
    protected override string StateSlotName(int slot) => throw new ArgumentOutOfRangeException(nameof(slot), slot, "SGD keeps no state.");

    /// <inheritdoc/>
    protected override void Update(int parameterIndex, int offset, Span<T> value, ReadOnlySpan<T> gradient)
        => TensorPrimitives.MultiplyAdd(gradient, -Rate, value, value);
}
