using System.Diagnostics;
using ILGPU.Runtime;

namespace MeProp.Examples;

/// <summary>
/// Times the three phases of device training steps. Kernel launches return at once, so each phase
/// ends by synchronising the accelerator: the seconds are the device's work, not the time taken
/// to queue it. The report's linear-backward share is not split out on the device (it reads 0).
/// </summary>
public sealed class DevicePhaseClock
{
    private readonly Accelerator _accelerator;
    private long _mark;
    private long _forward;
    private long _backward;
    private long _update;

    public DevicePhaseClock(Accelerator accelerator) => _accelerator = accelerator;

    /// <summary>A step begins (before its batch goes up to the device).</summary>
    public void StepStarted() => _mark = Stopwatch.GetTimestamp();

    /// <summary>The forward pass and the loss are done (reading the loss back has usually waited for them already).</summary>
    public void ForwardDone() => _forward += Lap();

    /// <summary>The backward pass has been queued: waits for it.</summary>
    public void BackwardDone() => _backward += Lap();

    /// <summary>The optimizer's update has been queued: waits for it.</summary>
    public void UpdateDone() => _update += Lap();

    /// <summary>The phases' sums since this clock was made.</summary>
    public PhaseSeconds Seconds => new(ToSeconds(_forward), 0, ToSeconds(_backward), ToSeconds(_update));

    private long Lap()
    {
        _accelerator.Synchronize();
        long now = Stopwatch.GetTimestamp();
        long lap = now - _mark;
        _mark = now;
        return lap;
    }

    private static double ToSeconds(long ticks) => (double)ticks / Stopwatch.Frequency;
}
