using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace MeProp.Kernels;

/// <summary>
/// One persistent background thread that runs a piece of work while the calling thread does
/// another: generated training passes use it for two loops that do not depend on each other (the
/// two directions of a BiLSTM), each of which is bound by the rate at which one core reads its
/// weight matrices at every step.
/// </summary>
/// <remarks>
/// <para>Why not Task.Run or Parallel.Invoke: both allocate on every call, and a training step must
/// allocate nothing. Here the caller publishes a delegate it owns (generated code keeps one per
/// tape) and later joins; nothing else is created once the thread exists.</para>
/// <para>The work runs on the calling thread instead (at once, inside <see cref="Start"/>) when
/// <see cref="Gemm.MaxThreads"/> is 1, on a single processor, or when the side thread is already
/// taken (another thread's training pass): the results are the same either way, since the two
/// pieces of work write different buffers.</para>
/// </remarks>
public static class SideThread
{
    private static readonly SemaphoreSlim Wake = new(0);
    private static readonly object StartLock = new();
    private static Thread? thread;
    private static int busy;       // 1 from Start until the matching Join
    private static int finished;   // set by the side thread when the published work is done
    private static Action? work;
    private static ExceptionDispatchInfo? failure;
    private static long allocated;

    /// <summary>
    /// Bytes allocated by the work the side thread has run so far (a test that a training step
    /// allocates nothing reads this beside GC.GetAllocatedBytesForCurrentThread).
    /// </summary>
    public static long AllocatedBytes => Interlocked.Read(ref allocated);

    /// <summary>Starts <paramref name="action"/> on the side thread, or runs it now when the side thread cannot take it; call <see cref="Pending.Join"/> on the result.</summary>
    public static Pending Start(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (Gemm.MaxThreads < 2 || Environment.ProcessorCount < 2 || Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            action();
            return default;
        }
        EnsureThread();
        work = action;
        failure = null;
        Volatile.Write(ref finished, 0);
        Wake.Release();
        return new Pending(started: true);
    }

    private static void EnsureThread()
    {
        if (Volatile.Read(ref thread) is not null) return;
        lock (StartLock)
        {
            if (thread is not null) return;
            // Background, so that it never keeps the process alive; it waits on the semaphore between jobs.
            var created = new Thread(Loop) { IsBackground = true, Name = "MeProp side thread" };
            created.Start();
            Volatile.Write(ref thread, created);
        }
    }

    private static void Loop()
    {
        while (true)
        {
            Wake.Wait();
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                work!();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            work = null;
            Interlocked.Add(ref allocated, GC.GetAllocatedBytesForCurrentThread() - before);
            Volatile.Write(ref finished, 1);
        }
    }

    /// <summary>Work handed to <see cref="Start"/>: <see cref="Join"/> waits for it and rethrows what it threw.</summary>
    public readonly struct Pending
    {
        private readonly bool _started;

        internal Pending(bool started) => _started = started;

        /// <summary>Waits until the work is done (at once when it ran inside Start) and rethrows its exception, if any.</summary>
        public void Join()
        {
            if (!_started) return;
            // The calling thread has just finished its own share, of about the same length: spin, never sleep.
            SpinWait wait = default;
            while (Volatile.Read(ref finished) == 0) wait.SpinOnce(sleep1Threshold: -1);
            ExceptionDispatchInfo? thrown = failure;
            failure = null;
            Volatile.Write(ref busy, 0);
            thrown?.Throw();
        }
    }
}
