using System;
using System.Linq;
using System.Threading;
using Xunit;

namespace MeProp.Runtime.Tests.Fuzzing;

/// <summary>The fuzzer itself: it must report what it exists to catch.</summary>
public sealed class ReaderFuzzerTests
{
    private static readonly byte[] File = { 1, 2, 3, 4, 5, 6, 7, 8 };

    private static FuzzReport Run(Action<byte[], string> read, TimeSpan? timeout = null)
        => ReaderFuzzer.Run("probe", File, Mutations.Bytes, read, e => e is FormatException, seed: 1, cases: 3, timeout: timeout);

    [Fact]
    public void An_untyped_exception_is_a_failure()
        => Assert.Contains("ArgumentException", Assert.Single(Run((_, _) => throw new ArgumentException("boom")).Failures.Take(1)));

    [Fact]
    public void A_typed_error_that_does_not_name_the_input_is_a_failure()
        => Assert.Equal(3, Run((_, _) => throw new FormatException("somewhere")).Failures.Count);

    [Fact]
    public void A_typed_error_naming_the_input_is_a_rejection()
    {
        FuzzReport report = Run((_, name) => throw new FormatException($"{name}: bad"));
        Assert.Empty(report.Failures);
        Assert.Equal(3, report.Rejected);
    }

    [Fact]
    public void An_allocation_out_of_proportion_is_a_failure()
        => Assert.Contains("allocated", Run((_, _) => GC.KeepAlive(new byte[64 << 20])).Failures[0]);

    [Fact]
    public void A_hang_is_a_failure()
        => Assert.Contains("a hang", Run((_, _) => Thread.Sleep(2000), TimeSpan.FromMilliseconds(100)).Failures[0]);
}
