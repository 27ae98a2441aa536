using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace MeProp.Kernels;

// Two-thread products for large shapes. The calling thread and one persistent worker share the
// work; there is no Parallel.For (it allocates on every call) and no per-call state beyond a few
// static fields, so a parallel call allocates nothing once the worker exists. One product runs in
// parallel at a time: a call that finds the worker busy (another thread multiplying) runs alone.
internal static unsafe partial class Sgemm
{
    // Below this many flops (2·m·n·k) the product runs on the calling thread alone. Measured on the
    // 2-core EPYC (GFLOP/s, forward form, cubes, one thread vs two): with the other core idle two
    // threads win from 64³ (68 vs 85), 128³ (90 vs 137), 256³ (101 vs 138-144); with another
    // process on the other core they lose (96³-384³: 62-78 vs 83-105), because a block the worker
    // has claimed finishes only when the worker is scheduled again. 2e7 (about 215³, or batch 26
    // of a 784 x 500 layer) keeps the mid-sized products, where the gain is smallest against that
    // risk, on one thread.
    private const double ParallelMinFlops = 2e7;

    // The work is cut into about this many independent blocks of C, claimed by the two threads in
    // turn, so that a thread slowed by another process costs at most one block of imbalance.
    private const int TargetChunks = 8;

    private static int parallelBusy;
    private static Thread? worker;
    private static ExceptionDispatchInfo? workerFailure;

    // Hand-over: the caller publishes a job by incrementing jobSequence; the worker answers by
    // setting jobFinished to the same number. Between jobs the worker spins for a while (training
    // calls come back to back, and waking a blocked thread costs tens of microseconds, as much as
    // the whole of a mid-sized product) and then sleeps on the semaphore, having said so in
    // workerSleeping. Whoever of the two takes that flag back (Interlocked.Exchange to 0) decides
    // whether the semaphore is released: the caller releases only if it took a 1, and the worker
    // then waits exactly once for that release, so no stray count is ever left behind.
    private static readonly SemaphoreSlim WorkerWake = new(0);
    private static int jobSequence, jobFinished, workerSleeping;

    // Which job the worker may still join: the caller opens it with the job's sequence number and
    // closes it (0) once its own share is done; the worker joins by swapping in the negated number.
    // A worker that wakes late (its core busy with another process) thus finds the job closed and
    // the caller, having done everything itself, does not wait for it.
    private static int jobOpen;
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 5000; // 200 µs

    // The job in progress (valid while parallelBusy is 1).
    private static Operands job;
    private static int jobM, jobK, jobN, jobChunk, jobChunks, jobNext;
    private static bool jobAccumulate, jobAlongN;
    private static JobKind jobKind;

    /// <summary>Whether a blocked product of this shape would be shared with the worker thread.</summary>
    public static bool WouldRunParallel(int m, int k, int n) =>
        Gemm.MaxThreads >= 2 && Environment.ProcessorCount >= 2 && 2.0 * m * n * k >= ParallelMinFlops;

    private static bool TryRunParallel(in Operands op, int m, int k, int n, bool accumulate)
    {
        if (!WouldRunParallel(m, k, n)) return false;

        // Split along the longer side in whole micro-tiles; each block is an independent product
        // over all of K (so the blocks share nothing but the inputs). Blocks along N repack A,
        // blocks along M repack B; keeping blocks at least 64 columns or 32 rows wide keeps
        // that repacking a small fraction of the work.
        bool alongN = n >= m;
        int unit = alongN ? NR : MR, length = alongN ? n : m, minWidth = alongN ? 64 : 32;
        int count = Math.Clamp(length / minWidth, 2, TargetChunks);
        int chunk = RoundUp((length + count - 1) / count, unit);
        return RunShared(JobKind.Blocked, op, m, k, n, accumulate, alongN, chunk);
    }

    // The unpacked forward kernel (few rows: a small mini-batch) shares a product from this many
    // flops, so that MNIST's batch-10 products (10x784x500 and 10x500x500: 7.8 and 5 MFLOP) use
    // both cores: one core 122 and 117 GFLOP/s, two 175-217 and 148-215 (best of 8 rounds, runs
    // of the same build; the spread is the second vCPU's availability), and the forward pass of a
    // MNIST epoch (unified k=20) 0.98 -> 0.78 s with it (0.63 s with the dropout mask drawn in runs).
    // Below it, a recurrence's step at batch 1 (1 x 500 x 2000, 2 MFLOP) stays on its thread: the
    // tagger already runs its two directions on the two cores.
    private const double ThinParallelMinFlops = 4e6;

    /// <summary>
    /// The unpacked dot-product kernel on both threads: C's columns cut into four ranges of whole
    /// 4-column tiles, claimed in turn (B, the weight matrix, is what the product streams, and each
    /// thread reads only its own rows of it). The same bits as on one thread (see DotColumnRange).
    /// </summary>
    private static bool TryRunThinDotParallel(in Operands op, int m, int k, int n, bool accumulate)
    {
        if (Gemm.MaxThreads < 2 || Environment.ProcessorCount < 2 || 2.0 * m * n * k < ThinParallelMinFlops || n < 64) return false;
        int chunk = RoundUp((n + 3) / 4, 4);
        return RunShared(JobKind.ThinDot, op, m, k, n, accumulate, alongN: true, chunk);
    }

    private enum JobKind { Blocked, ThinDot }

    /// <summary>Runs the blocks of one product on the calling thread and the worker; false if the worker is taken (the caller then runs it alone).</summary>
    private static bool RunShared(JobKind kind, in Operands op, int m, int k, int n, bool accumulate, bool alongN, int chunk)
    {
        int length = alongN ? n : m;
        int chunks = (length + chunk - 1) / chunk;
        if (chunks < 2) return false;
        if (Interlocked.CompareExchange(ref parallelBusy, 1, 0) != 0) return false;
        try
        {
            job = op;
            jobM = m; jobK = k; jobN = n; jobAccumulate = accumulate;
            jobAlongN = alongN; jobChunk = chunk; jobChunks = chunks; jobNext = 0; jobKind = kind;
            EnsureWorker();
            int sequence = jobSequence + 1;
            if (sequence <= 0) sequence = 1; // keep the numbers positive so that -sequence marks a joined job
            Volatile.Write(ref jobOpen, sequence);
            Interlocked.Exchange(ref jobSequence, sequence);
            if (Interlocked.Exchange(ref workerSleeping, 0) == 1) WorkerWake.Release();
            try
            {
                RunChunks();
            }
            finally
            {
                // Closed and waited for even if this thread's share failed: the worker must never
                // run (or still be running) a job whose pinned spans the caller has let go.
                if (Interlocked.CompareExchange(ref jobOpen, 0, sequence) != sequence)
                {
                    // The worker joined: it is running a block, so this wait is at most one block long.
                    SpinWait wait = default;
                    while (Volatile.Read(ref jobFinished) != sequence) wait.SpinOnce(sleep1Threshold: -1);
                }
            }
            if (workerFailure is { } failure)
            {
                workerFailure = null;
                failure.Throw();
            }
        }
        finally
        {
            Volatile.Write(ref parallelBusy, 0);
        }
        return true;
    }

    /// <summary>Claims blocks of the current job until none are left.</summary>
    private static void RunChunks()
    {
        int index;
        while ((index = Interlocked.Increment(ref jobNext) - 1) < jobChunks)
        {
            int start = index * jobChunk;
            if (jobKind == JobKind.ThinDot) DotColumnRange(job, jobM, jobK, start, Math.Min(jobN, start + jobChunk), jobAccumulate);
            else if (jobAlongN) RunBlock(job, 0, jobM, start, Math.Min(jobN, start + jobChunk), jobK, jobAccumulate);
            else RunBlock(job, start, Math.Min(jobM, start + jobChunk), 0, jobN, jobK, jobAccumulate);
        }
    }

    private static void EnsureWorker()
    {
        if (worker is not null) return;
        // Background so that it never keeps the process alive; it sleeps on the semaphore between jobs.
        worker = new Thread(WorkerLoop) { IsBackground = true, Name = "MeProp SGEMM worker" };
        worker.Start();
    }

    private static void WorkerLoop()
    {
        int seen = 0;
        while (true)
        {
            long spinUntil = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
            while (Volatile.Read(ref jobSequence) == seen && System.Diagnostics.Stopwatch.GetTimestamp() < spinUntil)
                Thread.SpinWait(30);
            if (Volatile.Read(ref jobSequence) == seen)
            {
                Interlocked.Exchange(ref workerSleeping, 1);
                // A job published before the flag was seen must not be slept through.
                if (Volatile.Read(ref jobSequence) == seen || Interlocked.Exchange(ref workerSleeping, 0) == 0)
                    WorkerWake.Wait();
            }
            seen = Volatile.Read(ref jobSequence);
            if (Interlocked.CompareExchange(ref jobOpen, -seen, seen) != seen) continue; // finished without us
            try
            {
                RunChunks();
            }
            catch (Exception e)
            {
                workerFailure = ExceptionDispatchInfo.Capture(e);
            }
            Volatile.Write(ref jobFinished, seen);
        }
    }
}
