using System.Collections.Generic;
using System.Numerics;

namespace MeProp;

/// <summary>
/// What every generated model offers a training loop, whatever its inputs and result. The generator
/// implements <see cref="IMePropModel{T}"/> (a model returning a batch) or
/// <see cref="IMePropSequenceModel{T}"/> (a model returning a sequence) on each class with a
/// <c>[MeProp]</c> method; that class also gets <c>ForwardTrain</c>, taking the same inputs as the
/// annotated method.
/// </summary>
public interface IMePropTrainable<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Every trainable member read by the forward method, with its gradient, in order of first use.</summary>
    IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>The weight matrices of the linear operations, in forward order; after a backward pass, <c>Gradient.TouchedRowCount</c> says how many of their rows the step updated.</summary>
    IReadOnlyList<Parameter<T>> LinearWeights { get; }

    /// <summary>K and mode, changeable at run time.</summary>
    MePropSettings MePropSettings { get; }

    /// <summary>The seeded source of dropout masks and random-k selections (reseed it to repeat them).</summary>
    SeededRandom MePropRandom { get; }

    /// <summary>Time spent in each phase.</summary>
    MePropTimings MePropTimings { get; }
}

/// <summary>A generated model whose forward method returns a <see cref="Batch{T}"/>.</summary>
public interface IMePropModel<T> : IMePropTrainable<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>
    /// Back-propagates <paramref name="dOutput"/>, the gradient of the loss with respect to the value
    /// the last <c>ForwardTrain</c> returned, and leaves each parameter's gradient in
    /// <see cref="IMePropTrainable{T}.Parameters"/> (replacing the previous step's).
    /// </summary>
    void Backward(Batch<T> dOutput);
}

/// <summary>A generated model whose forward method returns a <see cref="Sequence{T}"/> (one result per step).</summary>
public interface IMePropSequenceModel<T> : IMePropTrainable<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>
    /// Back-propagates <paramref name="dOutput"/>, the gradient of the loss with respect to the
    /// sequence the last <c>ForwardTrain</c> returned, through every step (back propagation through
    /// time), and leaves each parameter's gradient in <see cref="IMePropTrainable{T}.Parameters"/>.
    /// </summary>
    void Backward(Sequence<T> dOutput);
}
