using System;
using System.Collections.Generic;

namespace MeProp.Accelerators;

/// <summary>
/// What every generated device training pass (<c>model.OnAccelerator(runtime)</c>) offers whatever
/// its inputs: the parameters and gradients in device memory, and copies to and from the host model.
/// </summary>
public interface IDevicePass : IDisposable
{
    /// <summary>The parameters on the device, with their gradients, in the order of the model's Parameters.</summary>
    IReadOnlyList<(string Name, DeviceBatch Value, DeviceBatch Gradient)> Parameters { get; }

    /// <summary>Writes the device parameters into the host model's (for evaluation and saving).</summary>
    void CopyParametersToHost();

    /// <summary>Overwrites the device parameters with the host model's.</summary>
    void CopyParametersFromHost();
}

/// <summary>The device pass of a model with one batch in and one batch out (an MLP): training code can hold any such model's pass.</summary>
public interface IDeviceBatchPass : IDevicePass
{
    /// <summary>The training forward on the device, recorded for <see cref="Backward"/>.</summary>
    DeviceBatch ForwardTrain(DeviceBatch x);

    /// <summary>Back-propagates dOutput through the last ForwardTrain, leaving the gradients in <see cref="IDevicePass.Parameters"/>.</summary>
    void Backward(DeviceBatch dOutput);
}
