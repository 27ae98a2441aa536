using System;
using System.Diagnostics;

namespace MeProp;

/// <summary>
/// Time a generated model spent in its training phases, accumulated from <see cref="Stopwatch"/>
/// timestamps (a monotonic clock) until <see cref="Reset"/>.
/// </summary>
/// <remarks>
/// "Linear backward" is the paper's "backprop time": the matrix products of back propagation with
/// top-k selection included. "Backward" is the whole backward pass, activations included.
/// </remarks>
public sealed class MePropTimings
{
    private long _forward, _backward, _linearBackward;

    /// <summary>Time in ForwardTrain.</summary>
    public TimeSpan Forward => Stopwatch.GetElapsedTime(0, _forward);

    /// <summary>Time in Backward.</summary>
    public TimeSpan Backward => Stopwatch.GetElapsedTime(0, _backward);

    /// <summary>Time in the linear operations' backward (selection and products), part of <see cref="Backward"/>.</summary>
    public TimeSpan LinearBackward => Stopwatch.GetElapsedTime(0, _linearBackward);

    /// <summary>Adds forward time, in Stopwatch ticks.</summary>
    public void AddForward(long ticks) => _forward += ticks;

    /// <summary>Adds backward time, in Stopwatch ticks.</summary>
    public void AddBackward(long ticks) => _backward += ticks;

    /// <summary>Adds linear-backward time, in Stopwatch ticks.</summary>
    public void AddLinearBackward(long ticks) => _linearBackward += ticks;

    /// <summary>Starts counting from zero again.</summary>
    public void Reset() => _forward = _backward = _linearBackward = 0;
}
