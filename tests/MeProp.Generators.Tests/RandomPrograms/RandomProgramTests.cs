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
    private const int CiPrograms = 200;
    private const string Variable = "MEPROP_RANDOM_PROGRAMS";

    [Fact]
    public void Random_programs_have_exact_gradients()
    {
        int passed = ProgramBatch.Run(Variable, CiPrograms, Check, choices => RandomProgram.Build(choices).Source(k: 2));
        output.WriteLine($"{passed} random programs passed the three gradient checks");
    }

    /// <summary>The fixed batch reaches every construct, so that a change to the program builder cannot quietly drop one from CI.</summary>
    [Fact]
    public void The_fixed_batch_covers_every_construct()
    {
        var programs = Enumerable.Range(0, CiPrograms).Select(i => RandomProgram.Build(ProgramBatch.FixedChoices(i))).ToArray();
        var constructs = new (string Name, Func<RandomProgram, bool> Has)[]
        {
            ("a batch program", p => !p.SequenceInput),
            ("a loop returning a sequence", p => p.SequenceResult),
            ("a loop returning a final state", p => p.SequenceInput && !p.SequenceResult),
            ("a loop running backwards", p => p.Statements.Any(s => s.Contains("t--", StringComparison.Ordinal))),
            ("a loop of several steps", p => p.Length > 1),
            ("a loop over ids alone", p => p.IdsOnly),
            ("a sequence filled by a first loop", p => p.Statements.Any(s => s.Contains("u[t] = ", StringComparison.Ordinal))),
            ("a filled sequence read reversed", p => p.Statements.Any(s => s.Contains("Reverse(u)", StringComparison.Ordinal)) && p.Statements.Any(s => s.Contains("r[t]", StringComparison.Ordinal))),
            ("two loop states", p => p.Statements.Count(s => s.Contains("= Zeros(", StringComparison.Ordinal)) == 2),
            ("an embedding", p => p.Flat.Any(o => o.Kind == OperationKind.Embed && o.Step < 0)),
            ("an embedding in a loop", p => p.Flat.Any(o => o.Kind == OperationKind.Embed && o.Step >= 0)),
            ("an embedding table read twice", p => p.Flat.Where(o => o.Kind == OperationKind.Embed && o.Step <= 0).GroupBy(o => o.Weight).Any(g => g.Count() > 1)),
            ("dropout", p => p.Flat.Any(o => o.Kind == OperationKind.Dropout && o.Rate > 0)),
            ("dropout at rate 0", p => p.Flat.Any(o => o.Kind == OperationKind.Dropout && o.Rate == 0)),
            ("dropout in a loop", p => p.SequenceInput && p.Flat.Any(o => o.Kind == OperationKind.Dropout && o.Rate > 0)),
            ("a model used as a layer", p => p.Statements.Any(s => s.Contains(".Forward(", StringComparison.Ordinal))),
            ("a layer called twice", p => p.Statements.Sum(s => s.Split(".Forward(").Length - 1) > p.Source(2).Split("public sealed partial class Layer").Length - 1),
            ("a layer over sequences", p => p.Statements.Any(s => s.StartsWith("var v0 = ", StringComparison.Ordinal))),
            ("two calls of layers over sequences", p => p.Statements.Any(s => s.StartsWith("var v1 = ", StringComparison.Ordinal))),
            ("a layer over sequences called twice", p => p.Statements.Where(s => s.StartsWith("var v", StringComparison.Ordinal)).Select(s => s.Split(".Forward(")[0].Split(' ', '(')[^1]).GroupBy(f => f).Any(g => g.Count() > 1)),
            ("a layer over sequences running backwards", p => p.Source(2).Split("public sealed partial class ").Where(c => c.StartsWith("Layer", StringComparison.Ordinal)).Any(c => c.Contains("Sequence<double> Forward", StringComparison.Ordinal) && c.Contains("t--", StringComparison.Ordinal))),
            ("a layer over sequences on Reverse(x)", p => p.Statements.Any(s => s.Contains(".Forward(Reverse(x))", StringComparison.Ordinal))),
            ("a layer over sequences on a filled sequence", p => p.Statements.Any(s => s.Contains(".Forward(u)", StringComparison.Ordinal) || s.Contains(".Forward(r)", StringComparison.Ordinal))),
            ("a layer over sequences, its result reversed", p => p.Statements.Any(s => s.Contains("= Reverse(L", StringComparison.Ordinal))),
            ("a layer in a loop", p => p.SequenceInput && p.Statements.Any(s => s.StartsWith("    ", StringComparison.Ordinal) && s.Contains(".Forward(", StringComparison.Ordinal))),
            ("a weight shared by two linear operations", p => p.Flat.Where(o => o.Kind == OperationKind.Linear).GroupBy(o => o.Weight).Any(g => g.Count() > 1 && g.Select(o => o.Step).Distinct().Count() == 1)),
            ("a local reassigned", p => p.Statements.Any(s => s.TrimStart().StartsWith('h') && s.Contains(" = ", StringComparison.Ordinal) && !s.Contains("var ", StringComparison.Ordinal))),
        };
        var missing = new List<string>();
        foreach (var (name, has) in constructs)
        {
            int count = programs.Count(has);
            output.WriteLine($"{count,3} of {CiPrograms}: {name}");
            if (count == 0) missing.Add(name);
        }
        Assert.True(missing.Count == 0, $"No program of the fixed batch has {string.Join("; ", missing)}.");
    }

    private static void Check(int[] choices)
    {
        RandomProgram program = RandomProgram.Build(choices);
        long seed = choices.Aggregate(17L, (h, c) => h * 31 + c);
        using CompiledProgram compiled = CompiledProgram.Load(program.Source(k: 2), seed);
        IMePropTrainable<double> model = compiled.Model;
        var random = new SeededRandom(seed ^ 0x5EED);
        double[] x = Enumerable.Range(0, program.Length * Rows * program.InputWidth).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        // Ids below the vocabulary, so that rows repeat within and across examples (their gradients add up).
        int[]? ids = program.IdPositions == 0 ? null : Enumerable.Range(0, program.Length * Rows * program.IdPositions).Select(_ => random.NextInt(program.Vocabulary)).ToArray();
        object[] inputs = (program.SequenceInput, ids) switch
        {
            (true, _) when program.IdsOnly => new object[] { new IdSequence(program.Length, Rows, program.IdPositions, ids!) },
            (false, null) => new object[] { new Batch<double>(Rows, program.InputWidth, x) },
            (false, _) => new object[] { new Batch<double>(Rows, program.InputWidth, x), new IdBatch(Rows, program.IdPositions, ids) },
            (true, null) => new object[] { new Sequence<double>(program.Length, Rows, program.InputWidth, x) },
            (true, _) => new object[] { new Sequence<double>(program.Length, Rows, program.InputWidth, x), new IdSequence(program.Length, Rows, program.IdPositions, ids) },
        };
        double[] weights = Enumerable.Range(0, program.Outputs.Count * Rows * program.OutputWidth).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        // Every forward pass starts from this state of the dropout source, so that all of them draw the same masks.
        SeededRandomState masks = model.MePropRandom.State;
        var run = new Run(compiled, program, inputs, weights, masks);

        // 1. Dense: the backward pass against central finite differences, and against the reference.
        model.MePropSettings.Mode = MePropMode.Dense;
        double[][] dense = run.Gradients();
        FiniteDifferences(run, dense);
        var parameters = model.Parameters.ToDictionary(p => p.Name, p => p.Value.ToArray());
        Compare(model, dense, ReferenceBackward.Gradients(program, parameters, x, ids, Rows, weights, MePropMode.Dense, int.MaxValue, int.MaxValue, masks), "dense");

        // 2. K covering every width: top-k and unified keep everything, so they are dense, bit for bit.
        foreach (MePropMode mode in new[] { MePropMode.TopK, MePropMode.Unified })
        {
            model.MePropSettings.Mode = mode;
            model.MePropSettings.K = program.WidestValue;
            double[][] full = run.Gradients();
            for (int p = 0; p < dense.Length; p++)
                for (int i = 0; i < dense[p].Length; i++)
                    if (BitConverter.DoubleToInt64Bits(dense[p][i]) != BitConverter.DoubleToInt64Bits(full[p][i]))
                        throw new Xunit.Sdk.XunitException($"{mode} with K = {program.WidestValue}: d{model.Parameters[p].Name}[{i}] is {full[p][i]:R}, dense gives {dense[p][i]:R}");
        }

        // 3. A small K: the independent masked reference; the output layers at that K, dense, or at their own K.
        foreach (MePropMode mode in new[] { MePropMode.TopK, MePropMode.Unified })
            for (int k = 1; k <= 2; k++)
                foreach (var (denseOutput, outputK) in new[] { (false, 0), (true, 0), (false, 3) })
                {
                    model.MePropSettings.Mode = mode;
                    model.MePropSettings.K = k;
                    model.MePropSettings.DenseOutput = denseOutput;
                    model.MePropSettings.OutputK = outputK;
                    var expected = ReferenceBackward.Gradients(program, parameters, x, ids, Rows, weights, mode, k, model.MePropSettings.OutputLayerK, masks);
                    Compare(model, run.Gradients(), expected, $"{mode} with K = {k}, output layers {(denseOutput ? "dense" : $"K = {model.MePropSettings.OutputLayerK}")}");
                }
    }

    // The model's gradients against the reference's, to 1e-10 relative.
    private static void Compare(IMePropTrainable<double> model, double[][] actual, Dictionary<string, double[]> expected, string setting)
    {
        for (int p = 0; p < actual.Length; p++)
        {
            string name = model.Parameters[p].Name;
            if (!expected.TryGetValue(name, out double[]? reference))
                throw new Xunit.Sdk.XunitException($"The model has a parameter {name} that the program does not: the reference knows {string.Join(", ", expected.Keys)}");
            for (int i = 0; i < actual[p].Length; i++)
                if (!(Math.Abs(actual[p][i] - reference[i]) <= 1e-10 * Math.Max(1, Math.Abs(reference[i]))))
                    throw new Xunit.Sdk.XunitException($"{setting}: d{name}[{i}] is {actual[p][i]:R}, the reference gives {reference[i]:R}");
        }
    }

    /// <summary>One compiled program with fixed inputs, output weights and dropout masks.</summary>
    private sealed record Run(CompiledProgram Compiled, RandomProgram Program, object[] Inputs, double[] Weights, SeededRandomState Masks)
    {
        /// <summary>Σ weights ⊙ output.</summary>
        public double Loss()
        {
            double[] y = Output();
            double sum = 0;
            for (int i = 0; i < y.Length; i++) sum += y[i] * Weights[i];
            return sum;
        }

        /// <summary>Σ |weights ⊙ output|: the size of the terms <see cref="Loss"/> adds up.</summary>
        public double LossTerms()
        {
            double[] y = Output();
            double sum = 0;
            for (int i = 0; i < y.Length; i++) sum += Math.Abs(y[i] * Weights[i]);
            return sum;
        }

        // The forward pass, with the dropout source at the fixed state so that every pass draws the same masks.
        private double[] Output()
        {
            Compiled.Model.MePropRandom.State = Masks;
            return Compiled.ForwardTrain(Inputs);
        }

        /// <summary>Every parameter's gradient of <see cref="Loss"/>, in the model's order.</summary>
        public double[][] Gradients()
        {
            Compiled.Model.MePropRandom.State = Masks;
            Compiled.ForwardTrain(Inputs);
            Compiled.Backward(Program, Rows, Weights);
            return Compiled.Model.Parameters.Select(p => p.Gradient.Data.ToArray()).ToArray();
        }
    }

    private static void FiniteDifferences(Run run, double[][] analytic)
    {
        const double step = 1e-6;
        // A central difference carries the rounding error of the loss divided by the step: about
        // ε·S/step (ε = 2.2e-16), 2.2e-10·S here, where S = Σ|weight·output| is the size of the terms
        // the loss adds up, not |L|, since they may cancel (a program of Cube of Cube along a loop had
        // |L| = 944, S = 2.1e5 and differences off by 3e-5 at either step). Programs whose values grow
        // large get that much more room, else the rounding of L itself would fail them; they are still
        // held to 1e-10 by the reference (check 1 above).
        double roundingRoom = 1e-8 * run.LossTerms();
        IReadOnlyList<Parameter<double>> parameters = run.Compiled.Model.Parameters;
        for (int p = 0; p < parameters.Count; p++)
        {
            Span<double> values = parameters[p].Value;
            for (int i = 0; i < values.Length; i++)
            {
                double saved = values[i];
                parameters[p].Value[i] = saved + step;
                double plus = run.Loss();
                parameters[p].Value[i] = saved - step;
                double minus = run.Loss();
                parameters[p].Value[i] = saved;
                double numeric = (plus - minus) / (2 * step), a = analytic[p][i];
                double error = Math.Abs(a - numeric), allowed = 1e-6 * Math.Max(1.0, Math.Max(Math.Abs(a), Math.Abs(numeric))) + roundingRoom;
                if (error > allowed)
                    throw new Xunit.Sdk.XunitException($"dense: d{parameters[p].Name}[{i}] is {a:R}, finite differences give {numeric:R} (error {error:E2}, allowed {allowed:E2})");
            }
        }
    }
}
