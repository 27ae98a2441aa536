using System;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace MeProp.Accelerators;

/// <summary>
/// The optimizers' element updates on an accelerator, over every element of a parameter (the
/// all-rows form), with the host optimizers' formulas and rounding order: SGD w −= lr·g; AdaGrad
/// s += g², w −= lr·g / (√s + ε); Adam m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g², w −= lr·(m·k1) /
/// (√(v·k2) + ε) with k1 = 1/(1−β1^t), k2 = 1/(1−β2^t) formed on the host in double.
/// </summary>
/// <remarks>The state (s, m, v) is a device batch of the parameter's shape, zeroed at the start, that the caller keeps with the parameter.</remarks>
public sealed class DeviceOptimizers
{
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, float> _sgd;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float> _adaGrad;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamStep> _adam;

    public DeviceOptimizers(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        Accelerator = accelerator;
        _sgd = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float>(SgdKernel);
        _adaGrad = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float>(AdaGradKernel);
        _adam = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamStep>(AdamKernel);
    }

    public Accelerator Accelerator { get; }

    /// <summary>w −= lr·g.</summary>
    public void Sgd(DeviceBatch value, DeviceBatch gradient, double learningRate)
    {
        Same(value, gradient);
        _sgd(value.Rows * value.Cols, value.View, gradient.View, (float)learningRate);
    }

    /// <summary>One AdaGrad step; <paramref name="sum"/> is the running sum of squared gradients.</summary>
    public void AdaGrad(DeviceBatch value, DeviceBatch gradient, DeviceBatch sum, double learningRate, double epsilon = 1e-6)
    {
        Same(value, gradient);
        Same(value, sum);
        _adaGrad(value.Rows * value.Cols, value.View, gradient.View, sum.View, (float)learningRate, (float)epsilon);
    }

    /// <summary>Adam's step number <paramref name="step"/> (from 1); <paramref name="m"/> and <paramref name="v"/> are its moments.</summary>
    /// <exception cref="ArgumentOutOfRangeException">step is below 1.</exception>
    public void Adam(DeviceBatch value, DeviceBatch gradient, DeviceBatch m, DeviceBatch v, int step, double learningRate = 1e-3,
                     double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Adam's steps count from 1.");
        Same(value, gradient);
        Same(value, m);
        Same(value, v);
        var parameters = new AdamStep((float)learningRate, (float)beta1, (float)beta2, (float)(1.0 - beta1), (float)(1.0 - beta2),
                                      (float)(1.0 / (1.0 - Math.Pow(beta1, step))), (float)(1.0 / (1.0 - Math.Pow(beta2, step))), (float)epsilon);
        _adam(value.Rows * value.Cols, value.View, gradient.View, m.View, v.View, parameters);
    }

    private void Same(DeviceBatch value, DeviceBatch other)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(other);
        if (value.Accelerator != Accelerator || other.Accelerator != Accelerator)
            throw new ArgumentException("The parameter and its gradient and state must live on the accelerator the optimizers were loaded for.");
        other.RequireShape(value.Rows, value.Cols, "the gradient or state");
    }

    internal readonly struct AdamStep(float rate, float beta1, float beta2, float oneMinusBeta1, float oneMinusBeta2, float k1, float k2, float epsilon)
    {
        public readonly float Rate = rate, Beta1 = beta1, Beta2 = beta2, OneMinusBeta1 = oneMinusBeta1, OneMinusBeta2 = oneMinusBeta2, K1 = k1, K2 = k2, Epsilon = epsilon;
    }

    private static void SgdKernel(Index1D i, ArrayView<float> w, ArrayView<float> g, float rate) => w[i] = w[i] - rate * g[i];

    private static void AdaGradKernel(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> sum, float rate, float epsilon)
    {
        float gi = g[i];
        float s = sum[i] + gi * gi;
        sum[i] = s;
        w[i] = w[i] - rate * gi / (XMath.Sqrt(s) + epsilon);
    }

    private static void AdamKernel(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, AdamStep p)
    {
        float gi = g[i];
        float mi = p.Beta1 * m[i] + p.OneMinusBeta1 * gi;
        float vi = p.Beta2 * v[i] + p.OneMinusBeta2 * (gi * gi);
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i] - p.Rate * (mi * p.K1) / (XMath.Sqrt(vi * p.K2) + p.Epsilon);
    }
}
