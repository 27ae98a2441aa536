using System;
using System.Numerics;

namespace MeProp.Kernels;

/// <summary>A kernel's work over a range of rows (examples), independent of every other row's.</summary>
internal interface IRowRange
{
    void Run(int start, int end);
}

/// <summary>
/// Runs a memory-bound element-wise kernel on a large batch in two halves of its rows, the second on
/// the side thread (<see cref="SideThread"/>), without allocating: at the parser's batch of 10,000,
/// each pass over a 10,000 x 2,400 buffer (96 MB) is several milliseconds on one core, and a training
/// step makes about a dozen of them (embedding, concatenation, dropout, activations, both ways).
/// </summary>
/// <remarks>
/// Every row is computed by the same code whichever thread takes it, so the result is the same
/// bits on one thread or two. Below <see cref="MinElements"/>, with <see cref="Gemm.MaxThreads"/> 1,
/// or while the side thread is taken (a BiLSTM direction), the whole range runs on the caller.
/// </remarks>
internal static class RowSplit
{
    /// <summary>Elements below which waking the side thread costs more than it saves (MNIST's and the tagger's buffers stay on one thread).</summary>
    public const long MinElements = 1 << 20;

    public static void Run<TJob>(in TJob job, int rows, long elements) where TJob : struct, IRowRange
    {
        if (elements < MinElements || rows < 2 || Gemm.MaxThreads < 2 || Environment.ProcessorCount < 2)
        {
            job.Run(0, rows);
            return;
        }
        // One holder per calling thread and job type: its delegate is created once, so Start allocates nothing.
        Holder<TJob> holder = Holder<TJob>.Current ??= new Holder<TJob>();
        int half = rows / 2;
        holder.Job = job;
        holder.Start = half;
        holder.End = rows;
        SideThread.Pending pending = SideThread.Start(holder.RunSecondHalf);
        try
        {
            job.Run(0, half);
        }
        finally
        {
            pending.Join();
            holder.Job = default; // let go of the buffers the job refers to
        }
    }

    private sealed class Holder<TJob> where TJob : struct, IRowRange
    {
        [ThreadStatic] public static Holder<TJob>? Current;

        public TJob Job;
        public int Start, End;
        public readonly Action RunSecondHalf;

        public Holder() => RunSecondHalf = () => Job.Run(Start, End);
    }
}
