using System;
using System.Collections.Generic;
using System.Linq;

namespace MeProp.Gradients.Tests;

/// <summary>
/// Central finite differences of a scalar loss with respect to every element of every parameter,
/// compared with the generated backward pass, in double precision.
/// </summary>
internal static class GradientCheck
{
    public const double Step = 1e-6;

    /// <summary>
    /// The loss is L = Σ C ⊙ output for a fixed random C, so dL/doutput = C: that exercises every output
    /// entry with a different weight. Returns the largest relative error found, after asserting none
    /// exceeds <paramref name="tolerance"/>.
    /// </summary>
    public static double Run<TModel>(TModel model, Func<Batch<double>> forwardTrain, Batch<double> weights, double tolerance)
        where TModel : IMePropModel<double>
    {
        Batch<double> output = forwardTrain();
        model.Backward(weights);
        var analytic = model.Parameters.Select(p => p.Gradient.Data.ToArray()).ToList();

        double worst = 0;
        for (int pi = 0; pi < model.Parameters.Count; pi++)
        {
            Parameter<double> parameter = model.Parameters[pi];
            Span<double> values = parameter.Value;
            for (int i = 0; i < values.Length; i++)
            {
                double saved = values[i];
                values[i] = saved + Step;
                double plus = Loss(forwardTrain(), weights);
                parameter.Value[i] = saved - Step;
                double minus = Loss(forwardTrain(), weights);
                parameter.Value[i] = saved;
                double numeric = (plus - minus) / (2 * Step);
                double a = analytic[pi][i];
                double error = Math.Abs(a - numeric) / Math.Max(1.0, Math.Max(Math.Abs(a), Math.Abs(numeric)));
                worst = Math.Max(worst, error);
                if (error > tolerance)
                    throw new Xunit.Sdk.XunitException($"d{parameter.Name}[{i / parameter.Cols},{i % parameter.Cols}]: backward {a:R}, finite difference {numeric:R}, relative error {error:E2} > {tolerance:E2}.");
            }
        }
        return worst;
    }

    public static double Loss(Batch<double> output, Batch<double> weights)
    {
        double sum = 0;
        for (int i = 0; i < output.Data.Length; i++) sum += output.Data[i] * weights.Data[i];
        return sum;
    }
}
