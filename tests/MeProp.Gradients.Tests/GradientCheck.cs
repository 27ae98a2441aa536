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
        => Run(model, () => forwardTrain().Span.ToArray(), () => model.Backward(weights), weights.Span.ToArray(), tolerance);

    /// <summary>The same for a model returning a sequence: L = Σ C ⊙ output over every step.</summary>
    public static double Run<TModel>(TModel model, Func<Sequence<double>> forwardTrain, Sequence<double> weights, double tolerance)
        where TModel : IMePropSequenceModel<double>
        => Run(model, () => forwardTrain().AllSteps.Span.ToArray(), () => model.Backward(weights), weights.AllSteps.Span.ToArray(), tolerance);

    private static double Run(IMePropTrainable<double> model, Func<double[]> forwardTrain, Action backward, double[] weights, double tolerance)
    {
        forwardTrain();
        backward();
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

    public static double Loss(Batch<double> output, Batch<double> weights) => Loss(output.Span.ToArray(), weights.Span.ToArray());

    public static double Loss(double[] output, double[] weights)
    {
        if (output.Length != weights.Length) throw new ArgumentException($"The output has {output.Length} values but the loss weights {weights.Length}.");
        double sum = 0;
        for (int i = 0; i < output.Length; i++) sum += output[i] * weights[i];
        return sum;
    }
}
