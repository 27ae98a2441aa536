using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;

namespace MeProp.Runtime.Tests.Fuzzing;

/// <summary>What a fuzz run found: how many mutated files were read, how many were rejected with the reader's own error, and every other outcome.</summary>
internal sealed record FuzzReport(string Reader, int Cases, int Read, int Rejected, IReadOnlyList<string> Failures)
{
    public override string ToString()
        => $"{Reader}: {Cases} cases, {Read} read, {Rejected} rejected with the reader's error, {Failures.Count} failures"
            + (Failures.Count == 0 ? "" : ":\n  " + string.Join("\n  ", Failures));
}

/// <summary>
/// Feeds a reader mutated copies of a file and classifies each case. A case passes when the reader
/// returns, or throws its typed exception whose message names the input; it fails on any other
/// exception, on running longer than a timeout (a hang), or on allocating far more than the input
/// could justify (an allocation sized by a corrupt header).
/// </summary>
internal static class ReaderFuzzer
{
    /// <summary>The environment variable that sets the cases per reader (the long run: 10,000 and more).</summary>
    public const string CasesVariable = "MEPROP_FUZZ_CASES";

    /// <summary>Cases per reader: <see cref="CasesVariable"/> when set, else <paramref name="ciDefault"/>.</summary>
    public static int Cases(int ciDefault)
        => int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int cases) && cases > 0
            ? cases : ciDefault;

    /// <param name="mutate">Makes case i's file from the seed file and a source seeded by (seed, i).</param>
    /// <param name="read">Reads a file's bytes under a display name, fully (every record, every tensor).</param>
    /// <param name="isTyped">Whether an exception is the reader's documented error type.</param>
    /// <param name="allocationBase">Bytes a read may legitimately allocate per byte of this seed (a decompressed size, say); the limit is 64 times it plus 8 MiB.</param>
    public static FuzzReport Run(string reader, byte[] seedFile, Func<byte[], SeededRandom, byte[]> mutate, Action<byte[], string> read,
        Func<Exception, bool> isTyped, long seed, int cases, long? allocationBase = null, TimeSpan? timeout = null)
    {
        var failures = new List<string>();
        int readCount = 0, rejected = 0;
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(10);
        for (int i = 0; i < cases && failures.Count < 20; i++)
        {
            byte[] input = mutate(seedFile, new SeededRandom(seed * 1_000_003 + i));
            string name = $"fuzz-{reader}-case{i}";
            Exception? error = null;
            long allocated = 0;
            var thread = new Thread(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    read(input, name);
                }
                catch (Exception e)
                {
                    error = e;
                }
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }, maxStackSize: 16 << 20) { IsBackground = true };
            thread.Start();
            if (!thread.Join(limit))
            {
                failures.Add($"case {i} (seed {seed}): still reading after {limit.TotalSeconds} s on {input.Length} bytes: a hang");
                continue;
            }
            long budget = 64 * Math.Max(input.Length, allocationBase ?? 0) + (8L << 20);
            if (allocated > budget)
                failures.Add($"case {i} (seed {seed}): allocated {allocated:N0} bytes for a {input.Length:N0}-byte input (limit {budget:N0})");
            if (error is null) readCount++;
            else if (isTyped(error) && error.Message.Contains(name, StringComparison.Ordinal)) rejected++;
            else failures.Add($"case {i} (seed {seed}): {error.GetType().Name}: {error.Message.Split('\n')[0]}");
        }
        return new FuzzReport(reader, cases, readCount, rejected, failures);
    }
}
