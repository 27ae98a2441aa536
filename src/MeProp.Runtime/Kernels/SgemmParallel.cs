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
    // Below this many flops (2·m·n·k) a second thread does not pay for waking it (tens of
    // microseconds) and for the duplicated packing. Measured on the 2-core EPYC (AVX-512): see the
    // numbers in Gemm's remarks. Set by the measurement in the commit that introduced it.
    private const double ParallelMinFlops = 4e7;

    // The work is cut into about this many independent blocks of C, claimed by the two threads in
    // turn, so that a thread slowed by another process costs at most one block of imbalance.
    private const int TargetChunks = 8;

    private static int parallelBusy;
    private static Thread? worker;
    private static readonly SemaphoreSlim WorkerStart = new(0), WorkerDone = new(0);
    private static ExceptionDispatchInfo? workerFailure;

    // The job in progress (valid while parallelBusy is 1).
    private static Operands job;
    private static int jobM, jobK, jobN, jobChunk, jobChunks, jobNext;
    private static bool jobAccumulate, jobAlongN;

    private static bool TryRunParallel(in Operands op, int m, int k, int n, bool accumulate)
    {
        if (Environment.ProcessorCount < 2 || 2.0 * m * n * k < ParallelMinFlops) return false;

        // Split along the longer side in whole micro-tiles; each block is an independent product
        // over all of K (so the blocks share nothing but the inputs). Blocks along N repack A,
        // blocks along M repack B; keeping blocks at least 128 columns or 64 rows wide keeps
        // that repacking a small fraction of the work.
        bool alongN = n >= m;
        int unit = alongN ? NR : MR, length = alongN ? n : m, minWidth = alongN ? 128 : 64;
        int chunk = RoundUp(Math.Max((length + TargetChunks - 1) / TargetChunks, Math.Min(minWidth, length)), unit);
        int chunks = (length + chunk - 1) / chunk;
        if (chunks < 2) return false;
        if (Interlocked.CompareExchange(ref parallelBusy, 1, 0) != 0) return false;
        try
        {
            job = op;
            jobM = m; jobK = k; jobN = n; jobAccumulate = accumulate;
            jobAlongN = alongN; jobChunk = chunk; jobChunks = chunks; jobNext = 0;
            EnsureWorker();
            WorkerStart.Release();
            RunChunks();
            WorkerDone.Wait();
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
            if (jobAlongN) RunBlock(job, 0, jobM, start, Math.Min(jobN, start + jobChunk), jobK, jobAccumulate);
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
        while (true)
        {
            WorkerStart.Wait();
            try
            {
                RunChunks();
            }
            catch (Exception e)
            {
                workerFailure = ExceptionDispatchInfo.Capture(e);
            }
            WorkerDone.Release();
        }
    }
}
