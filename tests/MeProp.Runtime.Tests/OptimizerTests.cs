using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace MeProp.Runtime.Tests;

public class OptimizerTests
{
    // A 3x4 weight matrix and a 3-element bias; gradients are set per step by the tests.
    private static Parameter<double>[] MakeParameters(long seed)
    {
        var random = new SeededRandom(seed);
        return new[]
        {
            new Parameter<double>("W", TestData.Matrix(random, 3, 4)),
            new Parameter<double>("b", new RowVector<double>(TestData.Doubles(random, 3))),
        };
    }

    private static void SetDenseGradients(IReadOnlyList<Parameter<double>> parameters, SeededRandom random)
    {
        foreach (var p in parameters)
        {
            p.Gradient.Clear();
            p.Gradient.MarkAllRows();
            for (int i = 0; i < p.Gradient.Data.Length; i++) p.Gradient.Data[i] = 2.0 * random.NextDouble() - 1.0;
        }
    }

    // Runs `steps` steps with fresh random gradients and checks every element against a scalar
    // reference that sees the same (value, gradient) sequence and keeps its own per-element state.
    private static void CheckAgainstScalarReference(IOptimizer<double> optimizer, Func<double[], double, double, int, double> reference, int stateSize, int steps)
    {
        var parameters = MakeParameters(1);
        var expected = parameters.Select(p => p.Value.ToArray()).ToArray();
        var state = parameters.Select(p => Enumerable.Range(0, p.Value.Length).Select(_ => new double[stateSize]).ToArray()).ToArray();
        var random = new SeededRandom(2);
        for (int t = 1; t <= steps; t++)
        {
            SetDenseGradients(parameters, random);
            for (int i = 0; i < parameters.Length; i++)
                for (int e = 0; e < expected[i].Length; e++)
                    expected[i][e] = reference(state[i][e], expected[i][e], parameters[i].Gradient.Data[e], t);
            optimizer.Step(parameters);
            for (int i = 0; i < parameters.Length; i++)
                TestData.Close(expected[i], parameters[i].Value.ToArray(), 1e-14);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Sgd_matches_the_scalar_formula(int steps)
        => CheckAgainstScalarReference(new Sgd<double>(0.1), (_, w, g, _) => w - 0.1 * g, 0, steps);

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void AdaGrad_matches_the_scalar_formula(int steps)
        => CheckAgainstScalarReference(new AdaGrad<double>(0.05, 1e-6), (s, w, g, _) =>
        {
            s[0] += g * g;
            return w - 0.05 * g / (Math.Sqrt(s[0]) + 1e-6);
        }, 1, steps);

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void Adam_matches_the_bias_corrected_formula(int steps)
        => CheckAgainstScalarReference(new Adam<double>(0.01, 0.8, 0.95, 1e-7), (s, w, g, t) =>
        {
            s[0] = 0.8 * s[0] + 0.2 * g;
            s[1] = 0.95 * s[1] + 0.05 * g * g;
            double mHat = s[0] / (1 - Math.Pow(0.8, t));
            double vHat = s[1] / (1 - Math.Pow(0.95, t));
            return w - 0.01 * mHat / (Math.Sqrt(vHat) + 1e-7);
        }, 2, steps);

    // 37 floats: two or more full vectors of every width (4, 8, 16 lanes) and a scalar tail. The
    // vector loops promise the scalar formula's operations in its order, so equality is exact.
    [Fact]
    public void Adam_float_vector_path_equals_the_scalar_formula_bit_for_bit()
    {
        const int n = 37;
        var random = new SeededRandom(21);
        var parameter = new Parameter<float>("w", new RowVector<float>(TestData.Floats(random, n)));
        float[] w = parameter.Value.ToArray(), m = new float[n], v = new float[n];
        var adam = new Adam<float>(0.01, 0.8, 0.95, 1e-7);
        float b1 = 0.8f, b2 = 0.95f, c1 = (float)(1.0 - 0.8), c2 = (float)(1.0 - 0.95), lr = 0.01f, eps = 1e-7f;
        for (int t = 1; t <= 4; t++)
        {
            parameter.Gradient.Clear();
            parameter.Gradient.MarkAllRows();
            TestData.Floats(random, n).CopyTo(parameter.Gradient.Data, 0);
            float k1 = (float)(1.0 / (1.0 - Math.Pow(0.8, t))), k2 = (float)(1.0 / (1.0 - Math.Pow(0.95, t)));
            for (int i = 0; i < n; i++)
            {
                float g = parameter.Gradient.Data[i];
                m[i] = b1 * m[i] + c1 * g;
                v[i] = b2 * v[i] + c2 * (g * g);
                w[i] -= lr * (m[i] * k1) / (MathF.Sqrt(v[i] * k2) + eps);
            }
            adam.Step(new[] { parameter });
            Assert.Equal(w, parameter.Value.ToArray());
        }
    }

    [Fact]
    public void AdaGrad_float_vector_path_equals_the_scalar_formula_bit_for_bit()
    {
        const int n = 37;
        var random = new SeededRandom(22);
        var parameter = new Parameter<float>("w", new RowVector<float>(TestData.Floats(random, n)));
        float[] w = parameter.Value.ToArray(), sum = new float[n];
        var adaGrad = new AdaGrad<float>(0.05, 1e-6);
        for (int t = 1; t <= 4; t++)
        {
            parameter.Gradient.Clear();
            parameter.Gradient.MarkAllRows();
            TestData.Floats(random, n).CopyTo(parameter.Gradient.Data, 0);
            for (int i = 0; i < n; i++)
            {
                float g = parameter.Gradient.Data[i];
                sum[i] += g * g;
                w[i] -= 0.05f * g / (MathF.Sqrt(sum[i]) + 1e-6f);
            }
            adaGrad.Step(new[] { parameter });
            Assert.Equal(w, parameter.Value.ToArray());
        }
    }

    [Fact]
    public void Adam_first_step_moves_each_weight_by_about_the_learning_rate()
    {
        // At t = 1, m̂ = g and v̂ = g², so the step is lr·g/(|g| + ε): lr in the direction of -g.
        var p = new Parameter<double>("w", new RowVector<double>(new[] { 1.0, 1.0 }));
        p.Gradient.MarkAllRows();
        p.Gradient.Data[0] = 3.0;
        p.Gradient.Data[1] = -0.001;
        new Adam<double>().Step(new[] { p });
        TestData.Close(1.0 - 1e-3 * 3.0 / (3.0 + 1e-8), p.Value[0], 1e-15);
        TestData.Close(1.0 + 1e-3 * 0.001 / (0.001 + 1e-8), p.Value[1], 1e-15);
    }

    [Fact]
    public void Float_Adam_agrees_with_double()
    {
        var pd = new Parameter<double>("w", new Matrix<double>(2, 9, TestData.Doubles(new SeededRandom(1), 18)));
        var pf = new Parameter<float>("w", new Matrix<float>(2, 9, pd.Value.ToArray().Select(v => (float)v).ToArray()));
        var ad = new Adam<double>(0.01);
        var af = new Adam<float>(0.01);
        var random = new SeededRandom(2);
        for (int t = 0; t < 5; t++)
        {
            pd.Gradient.MarkAllRows();
            pf.Gradient.MarkAllRows();
            for (int i = 0; i < 18; i++) { double g = random.NextDouble() - 0.5; pd.Gradient.Data[i] = g; pf.Gradient.Data[i] = (float)g; }
            ad.Step(new[] { pd });
            af.Step(new[] { pf });
        }
        for (int i = 0; i < 18; i++) TestData.Close(pd.Value[i], pf.Value[i], 1e-5);
    }

    public static TheoryData<string> OptimizerNames => new() { "sgd", "adagrad", "adam" };

    private static IOptimizer<T> Create<T>(string name, UpdateScope scope) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T> => name switch
    {
        "sgd" => new Sgd<T>(0.1, scope),
        "adagrad" => new AdaGrad<T>(0.1, scope: scope),
        _ => new Adam<T>(0.1, scope: scope),
    };

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void TouchedRowsOnly_leaves_untouched_rows_unchanged_and_updates_touched_ones_like_AllRows(string name)
    {
        var sparse = MakeParameters(3);
        var dense = MakeParameters(3);
        var sparseOptimizer = Create<double>(name, UpdateScope.TouchedRowsOnly);
        var denseOptimizer = Create<double>(name, UpdateScope.AllRows);
        // Step 1: every row has a gradient, so both optimizers build the same state.
        SetDenseGradients(sparse, new SeededRandom(4));
        SetDenseGradients(dense, new SeededRandom(4));
        sparseOptimizer.Step(sparse);
        denseOptimizer.Step(dense);
        for (int i = 0; i < 2; i++) Assert.Equal(dense[i].Value.ToArray(), sparse[i].Value.ToArray());

        // Step 2: only row 1 of W and element 2 of b are written, as meProp's backward would.
        var before = sparse.Select(p => p.Value.ToArray()).ToArray();
        foreach (var set in new[] { sparse, dense })
        {
            foreach (var p in set) p.Gradient.Clear();
            set[0].Gradient.MarkRow(1);
            set[0].Gradient.Row(1).Fill(0.5);
            set[1].Gradient.MarkRow(2);
            set[1].Gradient.Data[2] = -0.25;
        }
        sparseOptimizer.Step(sparse);
        denseOptimizer.Step(dense);

        Assert.Equal(before[0].AsSpan(0, 4).ToArray(), sparse[0].Value.Slice(0, 4).ToArray());
        Assert.Equal(before[0].AsSpan(8, 4).ToArray(), sparse[0].Value.Slice(8, 4).ToArray());
        Assert.Equal(before[1][0], sparse[1].Value[0]);
        Assert.Equal(before[1][1], sparse[1].Value[1]);
        // The touched rows saw the same state and the same step number under both scopes.
        Assert.Equal(dense[0].Value.Slice(4, 4).ToArray(), sparse[0].Value.Slice(4, 4).ToArray());
        Assert.Equal(dense[1].Value[2], sparse[1].Value[2]);
        Assert.NotEqual(before[0][4], sparse[0].Value[4]);

        if (name == "adam")
        {
            // Dense Adam keeps moving rows whose gradient is now zero: their first moment is not.
            Assert.NotEqual(before[0][0], dense[0].Value[0]);
            Assert.NotEqual(before[1][0], dense[1].Value[0]);
        }
        else
        {
            // Stateless SGD and AdaGrad do not move a weight with zero gradient in either scope.
            Assert.Equal(before[0][0], dense[0].Value[0]);
        }
    }

    [Fact]
    public void Dense_Adam_moves_a_weight_with_zero_gradient_once_its_moments_are_nonzero()
    {
        var p = new Parameter<double>("w", new RowVector<double>(new[] { 0.0 }));
        var adam = new Adam<double>(0.1);
        p.Gradient.MarkAllRows();
        p.Gradient.Data[0] = 1.0;
        adam.Step(new[] { p });
        double afterFirst = p.Value[0];
        p.Gradient.Clear();
        adam.Step(new[] { p });
        // m = 0.09, v = 0.000999 at t = 2: m̂ = 0.09/0.19, v̂ = 0.000999/0.001999.
        double expected = afterFirst - 0.1 * (0.09 / 0.19) / (Math.Sqrt(0.000999 / (1 - 0.999 * 0.999)) + 1e-8);
        TestData.Close(expected, p.Value[0], 1e-12);
        Assert.Equal(2, adam.StepCount);
    }

    [Fact]
    public void TouchedRowsOnly_Adam_uses_the_global_step_count_for_a_row_first_touched_late()
    {
        var p = new Parameter<double>("b", new RowVector<double>(new[] { 0.0, 0.0 }));
        var adam = new Adam<double>(0.1, scope: UpdateScope.TouchedRowsOnly);
        p.Gradient.MarkRow(0);
        p.Gradient.Data[0] = 1.0;
        adam.Step(new[] { p });
        Assert.Equal(0.0, p.Value[1]);
        p.Gradient.Clear();
        p.Gradient.MarkRow(1);
        p.Gradient.Data[1] = 1.0;
        adam.Step(new[] { p });
        // Row 1's moments are m = 0.1, v = 0.001, corrected with t = 2, not t = 1.
        double expected = -0.1 * (0.1 / (1 - 0.81)) / (Math.Sqrt(0.001 / (1 - 0.998001)) + 1e-8);
        TestData.Close(expected, p.Value[1], 1e-12);
    }

    [Fact]
    public void Hyperparameters_are_validated_with_the_value_in_the_message()
    {
        void Throws(Func<object> create, string value)
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(create);
            Assert.Contains(value, ex.Message);
        }
        Throws(() => new Sgd<double>(0), "0");
        Throws(() => new Sgd<float>(-0.5), "-0.5");
        Throws(() => new Sgd<double>(double.NaN), "NaN");
        Throws(() => new AdaGrad<double>(0.1, epsilon: 0), "epsilon");
        Throws(() => new AdaGrad<double>(-1), "-1");
        Throws(() => new Adam<double>(beta1: 1.0), "beta1");
        Throws(() => new Adam<double>(beta2: -0.1), "-0.1");
        Throws(() => new Adam<double>(epsilon: -1e-8), "epsilon");
        Throws(() => new Adam<double>(learningRate: double.PositiveInfinity), "LearningRate");
        Throws(() => new Sgd<double>(0.1, (UpdateScope)7), "7");
        var sgd = new Sgd<double>(0.1);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = 0);
        sgd.LearningRate = 0.2;
        Assert.Equal(0.2, sgd.LearningRate);
        _ = new Adam<double>(beta1: 0.0, beta2: 0.0); // 0 is a valid decay
    }

    [Fact]
    public void A_different_parameter_list_throws_until_Reset()
    {
        var adam = new Adam<double>();
        var parameters = MakeParameters(1);
        adam.Step(parameters);
        var ex = Assert.Throws<InvalidOperationException>(() => adam.Step(parameters.Take(1).ToArray()));
        Assert.Contains("2 parameters", ex.Message);
        var swapped = new[] { parameters[1], parameters[0] };
        ex = Assert.Throws<InvalidOperationException>(() => adam.Step(swapped));
        Assert.Contains("Parameter 0 ('b') is 3x1", ex.Message);
        adam.Reset();
        Assert.Equal(0, adam.StepCount);
        adam.Step(swapped);
        Assert.Equal(1, adam.StepCount);
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Steps_allocate_nothing_once_state_exists(string name)
    {
        foreach (var scope in new[] { UpdateScope.AllRows, UpdateScope.TouchedRowsOnly })
        {
            var optimizer = Create<float>(name, scope);
            var parameters = new[] { new Parameter<float>("W", new Matrix<float>(64, 33)), new Parameter<float>("b", new RowVector<float>(64)) };
            parameters[0].Gradient.MarkRow(5);
            parameters[1].Gradient.MarkAllRows();
            for (int i = 0; i < 5; i++) optimizer.Step(parameters); // state and JIT warm-up
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) optimizer.Step(parameters);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
