using System;
using System.CommandLine;
using System.IO;
using MeProp.Datasets;

namespace MeProp.Examples;

/// <summary>The examples' <c>--save</c> and <c>--resume</c>: the same options, checks and errors in the three programs.</summary>
public sealed class CheckpointChoice
{
    private readonly Option<string?> _save = new("--save")
    {
        Description = "After every epoch, save the run's checkpoint (weights, optimizer state, random states; safetensors) to this file, "
            + "atomically; the best-dev epoch's also to NAME.best.safetensors.",
    };

    private readonly Option<string?> _resume = new("--resume")
    {
        Description = "Continue the run saved in this checkpoint with its next epoch (same options; --epochs may be raised); "
            + "the result is the same as a run never interrupted.",
    };

    /// <summary>The two options, to add to the program's command.</summary>
    public Option[] Options => new Option[] { _save, _resume };

    /// <summary>The paths given, and the first problem with them in one line (null when none).</summary>
    public (CheckpointPaths Paths, string? Problem) Read(ParseResult parse, bool compare, string? accelerator)
    {
        var paths = new CheckpointPaths(parse.GetValue(_save), parse.GetValue(_resume));
        if (paths.Save is null && paths.Resume is null) return (paths, null);
        if (compare) return (paths, "--save and --resume checkpoint one run; leave out --compare.");
        if (accelerator is not null) return (paths, "--save and --resume work with the CPU runtime; the device trainers keep their state on the device (leave out --accelerator).");
        return (paths, paths.Problem());
    }

    /// <summary>Whether <paramref name="error"/> is a checkpoint's failure to report in one line: an unreadable or mismatched file, or a failed write.</summary>
    public static bool IsCheckpointError(Exception error)
        => error is DataFormatException or CheckpointMismatchException or IOException or UnauthorizedAccessException;
}
