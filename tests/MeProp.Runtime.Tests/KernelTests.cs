using System;
using System.Linq;
using MeProp.Kernels;
using Xunit;

namespace MeProp.Runtime.Tests;

public class ForwardKernelTests
{
    private readonly SeededRandom _random = new(17);

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 7, 33)]
    [InlineData(5, 33, 7)]
    public void Linear_matches_naive_with_and_without_bias(int batch, int inputs, int outputs)
    {
        var random = new SeededRandom(batch * 100 + inputs * 10 + outputs);
        var w = TestData.Matrix(random, outputs, inputs);
        var x = TestData.Batch(random, batch, inputs);
        var bias = new RowVector<double>(TestData.Doubles(random, outputs));
        var y = TestData.Batch(random, batch, outputs); // garbage that must be overwritten
        var yb = new Batch<double>(batch, outputs);
        ForwardKernels.Linear(w, x, null, y);
        ForwardKernels.Linear(w, x, bias, yb);
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < outputs; j++)
            {
                double sum = 0;
                for (int i = 0; i < inputs; i++) sum += w[j, i] * x[b, i];
                TestData.Close(sum, y[b, j], 1e-13);
                TestData.Close(sum + bias[j], yb[b, j], 1e-13);
            }
    }

    [Fact]
    public void Elementwise_ops_match_naive()
    {
        var a = TestData.Batch(_random, 3, 7, 3.0);
        var c = TestData.Batch(_random, 3, 7, 3.0);
        var bias = new RowVector<double>(TestData.Doubles(_random, 7));
        var y = new Batch<double>(3, 7);
        void Check(Action<Batch<double>> kernel, Func<int, int, double> expected)
        {
            kernel(y);
            for (int b = 0; b < 3; b++)
                for (int j = 0; j < 7; j++)
                    TestData.Close(expected(b, j), y[b, j], 1e-14, $"[{b},{j}]");
        }
        Check(r => ForwardKernels.Add(a, c, r), (b, j) => a[b, j] + c[b, j]);
        Check(r => ForwardKernels.Subtract(a, c, r), (b, j) => a[b, j] - c[b, j]);
        Check(r => ForwardKernels.Multiply(a, c, r), (b, j) => a[b, j] * c[b, j]);
        Check(r => ForwardKernels.AddBias(a, bias, r), (b, j) => a[b, j] + bias[j]);
        Check(r => ForwardKernels.Relu(a, r), (b, j) => Math.Max(a[b, j], 0.0));
        Check(r => ForwardKernels.Tanh(a, r), (b, j) => Math.Tanh(a[b, j]));
        Check(r => ForwardKernels.Sigmoid(a, r), (b, j) => 1.0 / (1.0 + Math.Exp(-a[b, j])));
        Check(r => ForwardKernels.Cube(a, r), (b, j) => Math.Pow(a[b, j], 3));
    }

    [Fact]
    public void ConcatInto_places_each_operand_at_its_offset()
    {
        var p = TestData.Batch(_random, 2, 3);
        var q = TestData.Batch(_random, 2, 5);
        var y = new Batch<double>(2, 8);
        ForwardKernels.ConcatInto(p, y, 0);
        ForwardKernels.ConcatInto(q, y, 3);
        for (int b = 0; b < 2; b++)
        {
            Assert.Equal(p.Row(b).ToArray(), y.Row(b).Slice(0, 3).ToArray());
            Assert.Equal(q.Row(b).ToArray(), y.Row(b).Slice(3, 5).ToArray());
        }
        var ex = Assert.Throws<ArgumentException>(() => ForwardKernels.ConcatInto(q, y, 4));
        Assert.Contains("offset 4", ex.Message);
    }

    [Fact]
    public void Embed_copies_the_named_rows_and_rejects_bad_ids_naming_them()
    {
        var table = TestData.Matrix(_random, 10, 4);
        var ids = new IdBatch(2, 3, new[] { 0, 9, 9, 3, 1, 0 });
        var y = new Batch<double>(2, 12);
        ForwardKernels.Embed(table, ids, y);
        for (int b = 0; b < 2; b++)
            for (int p = 0; p < 3; p++)
                Assert.Equal(table.Row(ids[b, p]).ToArray(), y.Row(b).Slice(p * 4, 4).ToArray());

        ids[1, 2] = 10;
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ForwardKernels.Embed(table, ids, y));
        Assert.Contains("Id 10", ex.Message);
        Assert.Contains("example 1, position 2", ex.Message);
        ids[1, 2] = -1;
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => ForwardKernels.Embed(table, ids, y));
        Assert.Contains("Id -1", ex.Message);
    }

    [Fact]
    public void Shape_mismatches_throw_naming_the_shapes()
    {
        var a = new Batch<double>(3, 4);
        var ex = Assert.Throws<ArgumentException>(() => ForwardKernels.Add(a, new Batch<double>(3, 5), new Batch<double>(3, 4)));
        Assert.Contains("3x5", ex.Message);
        Assert.Contains("3x4", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => ForwardKernels.Relu(a, new Batch<double>(2, 4)));
        Assert.Contains("2x4", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => ForwardKernels.Linear(new Matrix<double>(6, 5), a, null, new Batch<double>(3, 6)));
        Assert.Contains("is 4, expected 5", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => ForwardKernels.AddBias(a, new RowVector<double>(5), new Batch<double>(3, 4)));
        Assert.Contains("is 5, expected 4", ex.Message);
    }

    [Fact]
    public void Linear_with_a_wrong_bias_throws_before_writing_the_result()
    {
        var w = TestData.Matrix(_random, 6, 4);
        var x = TestData.Batch(_random, 3, 4);
        var y = new Batch<double>(3, 6);
        Assert.Throws<ArgumentException>(() => ForwardKernels.Linear(w, x, new RowVector<double>(5), y));
        Assert.All(y.Data, v => Assert.Equal(0.0, v));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Dropout_mask_is_zero_or_inverse_keep_rate_and_keeps_about_one_minus_p(double p)
    {
        var x = TestData.Batch(_random, 200, 250);
        var mask = new Batch<double>(200, 250);
        var y = new Batch<double>(200, 250);
        ForwardKernels.Dropout(x, p, new SeededRandom(3), mask, y);
        double scale = 1.0 / (1.0 - p);
        int kept = 0;
        for (int i = 0; i < mask.Data.Length; i++)
        {
            Assert.True(mask.Data[i] == 0.0 || mask.Data[i] == scale, $"mask value {mask.Data[i]}");
            if (mask.Data[i] != 0.0) kept++;
            Assert.Equal(x.Data[i] * mask.Data[i], y.Data[i]);
        }
        // 50 000 Bernoulli draws: the standard deviation of the kept fraction is at most 0.0023.
        Assert.InRange(kept / (double)mask.Data.Length, 1.0 - p - 0.01, 1.0 - p + 0.01);
    }

    // The mask is drawn from raw bits in runs; it must be the mask of one NextDouble() < p per
    // element, in order (a training run's random sequence, and so its results, depend on it).
    // p = 0.5 and 0.25 put p·2⁵³ on an integer, where "below the ceiling" and "below p·2⁵³" meet;
    // 1003 elements cross the runs of 256 draws with a partial last run.
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.3333333333333333)]
    public void Dropout_mask_is_one_NextDouble_below_p_per_element_in_order(double p)
    {
        var x = new Batch<float>(17, 59, TestData.Floats(_random, 17 * 59));
        var mask = new Batch<float>(17, 59);
        ForwardKernels.Dropout(x, p, new SeededRandom(11), mask, new Batch<float>(17, 59));
        var reference = new SeededRandom(11);
        float scale = (float)(1.0 / (1.0 - p));
        for (int i = 0; i < mask.Data.Length; i++)
            Assert.Equal(reference.NextDouble() < p ? 0f : scale, mask.Data[i]);
        // and the generator is left where as many NextDouble calls would leave it
        var after = new SeededRandom(11);
        after.NextUInt64s(new ulong[mask.Data.Length]);
        Assert.Equal(reference.NextUInt64(), after.NextUInt64());
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.3333333333333333)]
    public void Double_dropout_mask_is_one_NextDouble_below_p_per_element_in_order(double p)
    {
        var x = new Batch<double>(17, 59);
        var mask = new Batch<double>(17, 59);
        ForwardKernels.Dropout(x, p, new SeededRandom(12), mask, new Batch<double>(17, 59));
        var reference = new SeededRandom(12);
        double scale = 1.0 / (1.0 - p);
        for (int i = 0; i < mask.Data.Length; i++)
            Assert.Equal(reference.NextDouble() < p ? 0.0 : scale, mask.Data[i]);
    }

    [Fact]
    public void Dropout_same_seed_same_mask_other_seed_other_mask()
    {
        var x = TestData.Batch(_random, 8, 50);
        Batch<double> Mask(long seed)
        {
            var mask = new Batch<double>(8, 50);
            ForwardKernels.Dropout(x, 0.5, new SeededRandom(seed), mask, new Batch<double>(8, 50));
            return mask;
        }
        Assert.Equal(Mask(42).Data, Mask(42).Data);
        Assert.NotEqual(Mask(42).Data, Mask(43).Data);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Dropout_rejects_a_probability_outside_zero_one(double p)
    {
        var x = new Batch<double>(2, 2);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ForwardKernels.Dropout(x, p, new SeededRandom(1), new Batch<double>(2, 2), new Batch<double>(2, 2)));
        Assert.Contains(p.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Dropout(x, p));
    }

    [Fact]
    public void Ops_allocating_versions_equal_the_kernels()
    {
        var random = new SeededRandom(23);
        var w = TestData.Matrix(random, 5, 4);
        var x = TestData.Batch(random, 3, 4);
        var z = TestData.Batch(random, 3, 4);
        var bias = new RowVector<double>(TestData.Doubles(random, 5));
        var bias4 = new RowVector<double>(TestData.Doubles(random, 4));

        Batch<double> Into(int rows, int cols, Action<Batch<double>> kernel) { var r = new Batch<double>(rows, cols); kernel(r); return r; }

        Assert.Equal(Into(3, 5, r => ForwardKernels.Linear(w, x, null, r)).Data, Ops.Linear(w, x).Data);
        Assert.Equal(Into(3, 5, r => ForwardKernels.Linear(w, x, null, r)).Data, (w * x).Data);
        Assert.Equal(Into(3, 5, r => ForwardKernels.Linear(w, x, bias, r)).Data, Ops.Linear(w, x, bias).Data);
        Assert.Equal(Into(3, 4, r => ForwardKernels.AddBias(x, bias4, r)).Data, (x + bias4).Data);
        Assert.Equal(Into(3, 4, r => ForwardKernels.Add(x, z, r)).Data, (x + z).Data);
        Assert.Equal(Into(3, 4, r => ForwardKernels.Subtract(x, z, r)).Data, (x - z).Data);
        Assert.Equal(Into(3, 4, r => ForwardKernels.Multiply(x, z, r)).Data, (x * z).Data);
        Assert.Equal(Into(3, 4, r => ForwardKernels.Relu(x, r)).Data, Ops.Relu(x).Data);
        Assert.Equal(Into(3, 4, r => ForwardKernels.Tanh(x, r)).Data, Ops.Tanh(x).Data);
        Assert.Equal(Into(3, 4, r => ForwardKernels.Sigmoid(x, r)).Data, Ops.Sigmoid(x).Data);
        Assert.Equal(Into(3, 4, r => ForwardKernels.Cube(x, r)).Data, Ops.Cube(x).Data);
        Assert.Equal(Into(3, 8, r => { ForwardKernels.ConcatInto(x, r, 0); ForwardKernels.ConcatInto(z, r, 4); }).Data, Ops.Concat(x, z).Data);
        var ids = new IdBatch(3, 2, new[] { 1, 0, 4, 4, 2, 3 });
        Assert.Equal(Into(3, 8, r => ForwardKernels.Embed(w, ids, r)).Data, Ops.Embed(w, ids).Data);
        Assert.Same(x, Ops.Dropout(x, 0.5)); // inference: the identity
    }
}

public class BackwardKernelTests
{
    private readonly SeededRandom _random = new(29);

    // dx = dy ⊙ f'(x), with f' from central differences of the forward kernel: (f(x+h) - f(x-h)) / 2h.
    private void CheckActivation(Action<Batch<double>, Batch<double>> forward,
                                        Action<Batch<double>, Batch<double>, Batch<double>, bool> backward, bool awayFromZero)
    {
        const double h = 1e-6;
        var x = TestData.Batch(_random, 4, 9, 2.0);
        if (awayFromZero) // ReLU has a kink at 0; keep central differences off it
            for (int i = 0; i < x.Data.Length; i++)
                if (Math.Abs(x.Data[i]) < 0.01) x.Data[i] = 0.5;
        var dy = TestData.Batch(_random, 4, 9);
        var y = new Batch<double>(4, 9);
        forward(x, y);
        var dx = new Batch<double>(4, 9);
        backward(dy, y, dx, false);

        var plus = new Batch<double>(4, 9);
        var minus = new Batch<double>(4, 9);
        var xp = new Batch<double>(4, 9);
        var xm = new Batch<double>(4, 9);
        for (int i = 0; i < x.Data.Length; i++) { xp.Data[i] = x.Data[i] + h; xm.Data[i] = x.Data[i] - h; }
        forward(xp, plus);
        forward(xm, minus);
        for (int i = 0; i < x.Data.Length; i++)
        {
            double derivative = (plus.Data[i] - minus.Data[i]) / (2 * h);
            TestData.Close(dy.Data[i] * derivative, dx.Data[i], 1e-7, $"element {i}");
        }

        // accumulate: adds exactly the same contribution to what is there
        var acc = TestData.Batch(_random, 4, 9);
        var before = (double[])acc.Data.Clone();
        backward(dy, y, acc, true);
        for (int i = 0; i < acc.Data.Length; i++) TestData.Close(before[i] + dx.Data[i], acc.Data[i], 1e-15);
    }

    [Fact]
    public void Relu_backward_matches_finite_differences() => CheckActivation(ForwardKernels.Relu, BackwardKernels.Relu, awayFromZero: true);

    [Fact]
    public void Tanh_backward_matches_finite_differences() => CheckActivation(ForwardKernels.Tanh, BackwardKernels.Tanh, awayFromZero: false);

    [Fact]
    public void Sigmoid_backward_matches_finite_differences() => CheckActivation(ForwardKernels.Sigmoid, BackwardKernels.Sigmoid, awayFromZero: false);

    [Fact]
    public void Pass_negate_multiply_and_dropout_match_naive_with_and_without_accumulate()
    {
        var dy = TestData.Batch(_random, 3, 5);
        var other = TestData.Batch(_random, 3, 5);
        var start = TestData.Batch(_random, 3, 5);
        void Check(Action<Batch<double>, bool> kernel, Func<int, double> contribution)
        {
            foreach (bool accumulate in new[] { false, true })
            {
                var dx = new Batch<double>(3, 5, (double[])start.Data.Clone());
                kernel(dx, accumulate);
                for (int i = 0; i < 15; i++)
                    TestData.Close((accumulate ? start.Data[i] : 0.0) + contribution(i), dx.Data[i], 1e-15, $"element {i}, accumulate {accumulate}");
            }
        }
        Check((dx, acc) => BackwardKernels.Pass(dy, dx, acc), i => dy.Data[i]);
        Check((dx, acc) => BackwardKernels.Negate(dy, dx, acc), i => -dy.Data[i]);
        Check((dx, acc) => BackwardKernels.Multiply(dy, other, dx, acc), i => dy.Data[i] * other.Data[i]);
        Check((dx, acc) => BackwardKernels.Dropout(dy, other, dx, acc), i => dy.Data[i] * other.Data[i]);
    }

    [Fact]
    public void Bias_adds_column_sums_and_marks_every_row()
    {
        var dy = TestData.Batch(_random, 4, 6);
        var db = new ParameterGradient<double>(6, 1);
        db.Data[2] = 1.0;
        BackwardKernels.Bias(dy, db);
        for (int j = 0; j < 6; j++)
            TestData.Close((j == 2 ? 1.0 : 0.0) + Enumerable.Range(0, 4).Sum(b => dy[b, j]), db.Data[j], 1e-15);
        Assert.True(db.AllRowsTouched);
        var ex = Assert.Throws<ArgumentException>(() => BackwardKernels.Bias(dy, new ParameterGradient<double>(5, 1)));
        Assert.Contains("is 5, expected 6", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => BackwardKernels.Bias(dy, new ParameterGradient<double>(6, 2)));
        Assert.Contains("is 2, expected 1", ex.Message);
    }

    [Fact]
    public void Concat_routes_each_slice_back_to_its_operand()
    {
        var dy = TestData.Batch(_random, 2, 8);
        var dp = new Batch<double>(2, 5);
        BackwardKernels.Concat(dy, 3, dp, false);
        for (int b = 0; b < 2; b++) Assert.Equal(dy.Row(b).Slice(3, 5).ToArray(), dp.Row(b).ToArray());
        BackwardKernels.Concat(dy, 3, dp, true);
        for (int b = 0; b < 2; b++)
            for (int j = 0; j < 5; j++) Assert.Equal(2 * dy[b, 3 + j], dp[b, j]);
        var ex = Assert.Throws<ArgumentException>(() => BackwardKernels.Concat(dy, 4, dp, false));
        Assert.Contains("offset 4", ex.Message);
    }

    [Fact]
    public void Embed_scatters_into_the_named_rows_only_and_marks_them()
    {
        var ids = new IdBatch(2, 2, new[] { 3, 1, 3, 0 });
        var dy = TestData.Batch(_random, 2, 6);
        var dTable = new ParameterGradient<double>(5, 3);
        BackwardKernels.Embed(dy, ids, dTable);
        var expected = new double[15];
        for (int b = 0; b < 2; b++)
            for (int p = 0; p < 2; p++)
                for (int d = 0; d < 3; d++) expected[ids[b, p] * 3 + d] += dy[b, p * 3 + d];
        TestData.Close(expected, dTable.Data, 1e-15);
        Assert.Equal(new[] { 3, 1, 0 }, dTable.TouchedRows.ToArray());
        Assert.False(dTable.AllRowsTouched);
    }

    [Fact]
    public void Embed_rejects_an_id_outside_the_table_naming_it()
    {
        var dy = new Batch<double>(1, 6);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => BackwardKernels.Embed(dy, new IdBatch(1, 2, new[] { 0, 5 }), new ParameterGradient<double>(5, 3)));
        Assert.Contains("Id 5", ex.Message);
        Assert.Contains("position 1", ex.Message);
    }

    [Fact]
    public void Shape_mismatches_throw_naming_the_shapes()
    {
        var dy = new Batch<double>(3, 4);
        var ex = Assert.Throws<ArgumentException>(() => BackwardKernels.Pass(dy, new Batch<double>(4, 3), false));
        Assert.Contains("4x3", ex.Message);
        Assert.Contains("3x4", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => BackwardKernels.Tanh(dy, new Batch<double>(3, 5), new Batch<double>(3, 4), false));
        Assert.Contains("3x5", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => BackwardKernels.Multiply(dy, new Batch<double>(3, 4), new Batch<double>(1, 4), true));
        Assert.Contains("1x4", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => BackwardKernels.Embed(dy, new IdBatch(3, 2), new ParameterGradient<double>(5, 3)));
        Assert.Contains("is 4, expected 6", ex.Message);
    }
}
