using System.Collections.Generic;
using System.Numerics;

namespace MeProp;

/// <summary>
/// Applies one update to a model's parameters from the gradients of the last backward pass.
/// </summary>
/// <remarks>
/// An optimizer reads <see cref="Parameter{T}.Gradient"/> and writes <see cref="Parameter{T}.Value"/>;
/// it never clears the gradients, which stays the training loop's job (after the step, with
/// <see cref="ParameterGradient{T}.Clear"/>, which is cheap when the backward pass was sparse).
/// </remarks>
public interface IOptimizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Updates every parameter of <paramref name="parameters"/> once.</summary>
    void Step(IReadOnlyList<Parameter<T>> parameters);
}

/// <summary>Which rows of each parameter an optimizer step updates.</summary>
public enum UpdateScope
{
    /// <summary>
    /// Every element of every parameter, every step, whether or not its gradient is zero: the plain
    /// dense optimizer. This is what the meProp paper does (only the backward pass is sparse).
    /// </summary>
    AllRows = 0,

    /// <summary>
    /// Only the rows listed in <see cref="ParameterGradient{T}.TouchedRows"/> (every row when
    /// <see cref="ParameterGradient{T}.AllRowsTouched"/>). For SGD this gives the same result
    /// faster, because an untouched row has a zero gradient; for optimizers with state (AdaGrad's
    /// accumulator, Adam's moments) it is a different algorithm: see each optimizer's remarks.
    /// </summary>
    TouchedRowsOnly = 1,
}
