using System;
using System.Threading;
using MeProp.Kernels;
using Xunit;

namespace MeProp.Runtime.Tests;

// The side thread that runs one of two independent loops of a training pass.
[Collection(GemmThreadCount.Name)]
public class SideThreadTests
{
    [MultiCoreFact]
    public void Work_runs_on_another_thread_while_the_caller_works_and_is_done_after_Join()
    {
        int caller = Environment.CurrentManagedThreadId, worker = 0;
        using var started = new ManualResetEventSlim();
        bool done = false;
        // Retried because another test may hold the side thread or set Gemm.MaxThreads to 1 for a
        // moment (the work then runs inline, on this thread).
        for (int attempt = 0; attempt < 100 && (worker == 0 || worker == caller); attempt++)
        {
            started.Reset();
            done = false;
            SideThread.Pending pending = SideThread.Start(() =>
            {
                worker = Environment.CurrentManagedThreadId;
                started.Set();
                Thread.Sleep(20);
                done = true;
            });
            // The caller can go on while the work runs: it sees the work start before it has finished.
            Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
            pending.Join();
            Assert.True(done);
        }
        Assert.NotEqual(caller, worker);
    }

    [Fact]
    public void With_one_thread_allowed_the_work_runs_inline_before_Start_returns()
    {
        int saved = Gemm.MaxThreads;
        try
        {
            Gemm.MaxThreads = 1;
            int caller = Environment.CurrentManagedThreadId, ranOn = 0;
            SideThread.Pending pending = SideThread.Start(() => ranOn = Environment.CurrentManagedThreadId);
            Assert.Equal(caller, ranOn);
            pending.Join();
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    [Fact]
    public void An_exception_of_the_work_is_rethrown_by_Join_and_the_thread_stays_usable()
    {
        // From Join when the side thread ran it, from Start when it ran inline (the side thread was taken).
        var thrown = Assert.Throws<InvalidOperationException>(() => SideThread.Start(() => throw new InvalidOperationException("side work failed")).Join());
        Assert.Equal("side work failed", thrown.Message);

        int value = 0;
        SideThread.Pending next = SideThread.Start(() => value = 42);
        next.Join();
        Assert.Equal(42, value);
    }
}

/// <summary>A fact that needs two processors (on one, SideThread runs the work inline, and the test shows as skipped).</summary>
internal sealed class MultiCoreFactAttribute : FactAttribute
{
    public MultiCoreFactAttribute()
    {
        if (Environment.ProcessorCount < 2)
            Skip = $"needs at least 2 processors; this machine has {Environment.ProcessorCount}.";
    }
}
