using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace MeProp.Generators.Tests.RandomPrograms;

/// <summary>
/// Random [MeProp] programs, generated, compiled and run: in double precision the dense backward
/// matches central finite differences; with K at least every width, top-k and unified meProp equal
/// dense bit for bit; with a small K they equal an independent masked reference. A failure is shrunk
/// by CsCheck to a small program, printed as C#. CI runs a fixed-seed batch; MEPROP_RANDOM_PROGRAMS=1000
/// runs the long form (docs/reliability.md).
/// </summary>
public sealed class RandomProgramTests(ITestOutputHelper output)
{
    private const int Rows = 3;
    private const int CiPrograms = 50;
    private const string Variable = "MEPROP_RANDOM_PROGRAMS";

    [Fact]
    public void Random_programs_have_exact_gradients()
    {
        int passed = ProgramBatch.Run(Variable, CiPrograms, Check, choices => RandomProgram.Build(choices).Source(k: 2));
        output.WriteLine($"{passed} random programs passed the three gradient checks");
    }

    private static void Check(int[] choices)
    {
        RandomProgram program = RandomProgram.Build(choices);
        long seed = choices.Aggregate(17L, (h, c) => h * 31 + c);
        using CompiledProgram compiled = CompiledProgram.Load(program.Source(k: 2), seed);
        IMePropModel<double> model = compiled.Model;
        var random = new SeededRandom(seed ^ 0x5EED);
        var x = new Batch<double>(Rows, program.InputWidth, Enumerable.Range(0, Rows * program.InputWidth).Select(_ => 2 * random.NextDouble() - 1).ToArray());
        var weights = new Batch<double>(Rows, program.OutputWidth, Enumerable.Range(0, Rows * program.OutputWidth).Select(_ => 2 * random.NextDouble() - 1).ToArray());

        // 1. Dense: the backward pass against central finite differences.
        model.MePropSettings.Mode = MePropMode.Dense;
        double[][] dense = Gradients(compiled, x, weights);
        FiniteDifferences(compiled, x, weights, dense);

        // 2. K covering every width: top-k and unified keep everything, so they are dense, bit for bit.
        foreach (MePropMode mode in new[] { MePropMode.TopK, MePropMode.Unified })
        {
            model.MePropSettings.Mode = mode;
            model.MePropSettings.K = program.WidestValue;
            double[][] full = Gradients(compiled, x, weights);
            for (int p = 0; p < dense.Length; p++)
                for (int i = 0; i < dense[p].Length; i++)
                    if (BitConverter.DoubleToInt64Bits(dense[p][i]) != BitConverter.DoubleToInt64Bits(full[p][i]))
                        throw new Xunit.Sdk.XunitException($"{mode} with K = {program.WidestValue}: d{model.Parameters[p].Name}[{i}] is {full[p][i]:R}, dense gives {dense[p][i]:R}");
        }

        // 3. A small K: the independent masked reference.
        var parameters = model.Parameters.ToDictionary(p => p.Name, p => p.Value.ToArray());
        foreach (MePropMode mode in new[] { MePropMode.TopK, MePropMode.Unified })
            for (int k = 1; k <= 2; k++)
            {
                model.MePropSettings.Mode = mode;
                model.MePropSettings.K = k;
                double[][] actual = Gradients(compiled, x, weights);
                var expected = ReferenceBackward.Gradients(program, parameters, x.Span.ToArray(), Rows, weights.Span.ToArray(), mode, k);
                for (int p = 0; p < actual.Length; p++)
                {
                    string name = model.Parameters[p].Name;
                    for (int i = 0; i < actual[p].Length; i++)
                        if (!(Math.Abs(actual[p][i] - expected[name][i]) <= 1e-10 * Math.Max(1, Math.Abs(expected[name][i]))))
                            throw new Xunit.Sdk.XunitException($"{mode} with K = {k}: d{name}[{i}] is {actual[p][i]:R}, the reference gives {expected[name][i]:R}");
                }
            }
    }

    private static double[][] Gradients(CompiledProgram compiled, Batch<double> x, Batch<double> weights)
    {
        compiled.ForwardTrain(x);
        compiled.Model.Backward(weights);
        return compiled.Model.Parameters.Select(p => p.Gradient.Data.ToArray()).ToArray();
    }

    private static void FiniteDifferences(CompiledProgram compiled, Batch<double> x, Batch<double> weights, double[][] analytic)
    {
        const double step = 1e-6;
        double Loss()
        {
            Batch<double> y = compiled.ForwardTrain(x);
            double sum = 0;
            for (int i = 0; i < y.Span.Length; i++) sum += y.Span[i] * weights.Span[i];
            return sum;
        }
        IReadOnlyList<Parameter<double>> parameters = compiled.Model.Parameters;
        for (int p = 0; p < parameters.Count; p++)
        {
            Span<double> values = parameters[p].Value;
            for (int i = 0; i < values.Length; i++)
            {
                double saved = values[i];
                parameters[p].Value[i] = saved + step;
                double plus = Loss();
                parameters[p].Value[i] = saved - step;
                double minus = Loss();
                parameters[p].Value[i] = saved;
                double numeric = (plus - minus) / (2 * step), a = analytic[p][i];
                double error = Math.Abs(a - numeric) / Math.Max(1.0, Math.Max(Math.Abs(a), Math.Abs(numeric)));
                if (error > 1e-6)
                    throw new Xunit.Sdk.XunitException($"dense: d{parameters[p].Name}[{i}] is {a:R}, finite differences give {numeric:R} (relative error {error:E2})");
            }
        }
    }
}
