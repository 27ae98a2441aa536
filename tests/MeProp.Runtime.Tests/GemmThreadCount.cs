using Xunit;

namespace MeProp.Runtime.Tests;

/// <summary>
/// The test classes that set <c>Gemm.MaxThreads</c>, a process-wide setting: they run one after
/// another, so that none sees another's value (a one-thread product checked against a two-thread
/// one could otherwise run both on one thread, and a check of the restored value could see 1).
/// </summary>
[CollectionDefinition(Name)]
public sealed class GemmThreadCount
{
    public const string Name = "Gemm.MaxThreads";
}
