using System;
using MeProp.Sparsity;
using Xunit;

namespace MeProp.Runtime.Tests;

/// <summary>RunStep and FinishSteps (a linear operation inside a loop over steps) against Run step by step.</summary>
public class LinearBackwardStepsTests
{
    private const int Steps = 4, Batch = 2, N = 6, M = 5;

    private static (Sequence<double> Dy, Sequence<double> X, Matrix<double> W) Case(long seed)
    {
        var random = new SeededRandom(seed);
        var dy = new Sequence<double>(Steps, Batch, N);
        var x = new Sequence<double>(Steps, Batch, M);
        for (int i = 0; i < dy.AllSteps.Span.Length; i++) dy.AllSteps.Span[i] = random.NextDouble() - 0.5;
        for (int i = 0; i < x.AllSteps.Span.Length; i++) x.AllSteps.Span[i] = random.NextDouble() - 0.5;
        return (dy, x, TestData.Matrix(random, N, M));
    }

    [Theory]
    [InlineData(MePropMode.Dense, 2)]
    [InlineData(MePropMode.TopK, 6)]   // k = width: dense, deferred
    [InlineData(MePropMode.TopK, 2)]   // sparse: formed at each step, nothing deferred
    [InlineData(MePropMode.Unified, 3)]
    public void Deferred_steps_give_the_gradients_of_running_each_step(MePropMode mode, int k)
    {
        var (dy, x, w) = Case(5);
        var random = new SeededRandom(1);
        var stepwise = (W: new ParameterGradient<double>(N, M), B: new ParameterGradient<double>(N, 1));
        var deferred = (W: new ParameterGradient<double>(N, M), B: new ParameterGradient<double>(N, 1));
        var once = new LinearBackward<double>();
        var steps = new LinearBackward<double>();
        var dySteps = new Sequence<double>(Steps, Batch, N);
        for (int t = Steps - 1; t >= 0; t--)
        {
            var dxRun = new Batch<double>(Batch, M);
            var dxStep = new Batch<double>(Batch, M);
            once.Run(dy[t], x[t], w, stepwise.W, stepwise.B, dxRun, false, k, mode, random);
            steps.RunStep(dy[t], x[t], w, deferred.W, deferred.B, dxStep, false, k, mode, random, dySteps[t]);
            Assert.Equal(dxRun.Span.ToArray(), dxStep.Span.ToArray()); // dx is formed now, identically
        }
        steps.FinishSteps(dySteps.AllSteps, x.AllSteps, deferred.W, deferred.B);
        for (int i = 0; i < N * M; i++)
            Assert.True(Math.Abs(stepwise.W.Data[i] - deferred.W.Data[i]) <= 1e-14, $"dW[{i}]: {stepwise.W.Data[i]:R} vs {deferred.W.Data[i]:R}");
        for (int i = 0; i < N; i++)
            Assert.True(Math.Abs(stepwise.B.Data[i] - deferred.B.Data[i]) <= 1e-14, $"db[{i}]");
        Assert.Equal(stepwise.W.TouchedRowCount, deferred.W.TouchedRowCount);
    }

    [Fact]
    public void FinishSteps_refuses_a_buffer_that_does_not_hold_the_deferred_steps()
    {
        var (dy, x, w) = Case(6);
        var backward = new LinearBackward<double>();
        var dySteps = new Sequence<double>(Steps, Batch, N);
        var dw = new ParameterGradient<double>(N, M);
        backward.RunStep(dy[0], x[0], w, dw, null, null, false, 1, MePropMode.Dense, new SeededRandom(1), dySteps[0]);
        var e = Assert.Throws<InvalidOperationException>(() => backward.FinishSteps(dySteps.AllSteps, x.AllSteps, dw, null));
        Assert.Contains("2 rows of dy were deferred", e.Message);
        // Nothing deferred (the state was consumed): a second call does nothing.
        backward.FinishSteps(dySteps.AllSteps, x.AllSteps, dw, null);
    }
}
