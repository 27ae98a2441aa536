using System;
using System.Collections.Generic;

namespace MeProp.Accelerators;

/// <summary>The update rules a <see cref="DeviceOptimizer"/> applies.</summary>
public enum DeviceOptimizerKind
{
    Sgd,
    AdaGrad,
    Adam,
}

/// <summary>
/// An optimizer over a device pass's parameters (<see cref="IDevicePass.Parameters"/>), as MeProp's
/// host optimizers are over a model's: each <see cref="Step"/> updates every element of every
/// parameter from its gradient, keeping AdaGrad's sums or Adam's moments on the device.
/// </summary>
/// <remarks>
/// The all-rows form only: the touched-rows-only update needs each gradient's touched rows on the
/// host, which a device pass does not read back. The state is allocated at the first step, one
/// buffer (two for Adam) per parameter; pass the same parameter list at every step.
/// </remarks>
public sealed class DeviceOptimizer : IDisposable
{
    private readonly DeviceRuntime _runtime;
    private DeviceBatch[]? _first, _second;

    public DeviceOptimizer(DeviceRuntime runtime, DeviceOptimizerKind kind, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        if (!(learningRate > 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be positive.");
        _runtime = runtime;
        Kind = kind;
        LearningRate = learningRate;
    }

    public DeviceOptimizerKind Kind { get; }

    public double LearningRate { get; }

    /// <summary>Steps taken so far (Adam's bias correction counts them).</summary>
    public int Steps { get; private set; }

    /// <exception cref="ArgumentException">The list differs in length or shapes from the first step's.</exception>
    public void Step(IReadOnlyList<(string Name, DeviceBatch Value, DeviceBatch Gradient)> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (Kind != DeviceOptimizerKind.Sgd && _first is null)
        {
            _first = Allocate(parameters);
            if (Kind == DeviceOptimizerKind.Adam) _second = Allocate(parameters);
        }
        if (_first is not null && _first.Length != parameters.Count)
            throw new ArgumentException($"This optimizer keeps state for {_first.Length} parameters, but {parameters.Count} were passed.", nameof(parameters));
        Steps++;
        for (int i = 0; i < parameters.Count; i++)
        {
            var (_, value, gradient) = parameters[i];
            switch (Kind)
            {
                case DeviceOptimizerKind.Sgd: _runtime.Optimizers.Sgd(value, gradient, LearningRate); break;
                case DeviceOptimizerKind.AdaGrad: _runtime.Optimizers.AdaGrad(value, gradient, _first![i], LearningRate); break;
                default: _runtime.Optimizers.Adam(value, gradient, _first![i], _second![i], Steps, LearningRate); break;
            }
        }
    }

    private DeviceBatch[] Allocate(IReadOnlyList<(string Name, DeviceBatch Value, DeviceBatch Gradient)> parameters)
    {
        var state = new DeviceBatch[parameters.Count];
        for (int i = 0; i < state.Length; i++) state[i] = new DeviceBatch(_runtime.Accelerator, parameters[i].Value.Rows, parameters[i].Value.Cols);
        return state;
    }

    public void Dispose()
    {
        foreach (DeviceBatch b in _first ?? Array.Empty<DeviceBatch>()) b.Dispose();
        foreach (DeviceBatch b in _second ?? Array.Empty<DeviceBatch>()) b.Dispose();
    }
}
