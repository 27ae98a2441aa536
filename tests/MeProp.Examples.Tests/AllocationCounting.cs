using Xunit;

namespace MeProp.Examples.Tests;

/// <summary>
/// Tests that count allocations run alone: the side thread's count is the whole process's, so a
/// training test running beside them (the tagger's directions run on the side thread, its
/// evaluation allocates) showed up in every counting window of the parser's zero-allocation test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCounting
{
    public const string Name = "Allocation counting (not in parallel with other tests)";
}
