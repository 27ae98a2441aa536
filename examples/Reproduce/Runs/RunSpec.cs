using System;
using System.Security.Cryptography;
using System.Text;
using MeProp.Examples.Mnist;
using MeProp.Examples.Parser;
using MeProp.Examples.Tagger;

namespace MeProp.Examples.Reproduce;

/// <summary>The paper's three tasks.</summary>
public enum PaperTask
{
    Mnist,
    Pos,
    Parsing,
}

/// <summary>
/// One training run a table needs: the task and the example's options. Its id is derived from the
/// settings, so two tables asking for the same run (Table 2 reads Table 1's Adam runs) share it.
/// </summary>
public sealed record RunSpec(PaperTask Task, RunOptions Options, bool Quick)
{
    public static RunSpec Mnist(TrainingOptions options, bool quick) => new(PaperTask.Mnist, options, quick);

    public static RunSpec Pos(TaggerOptions options, bool quick) => new(PaperTask.Pos, options, quick);

    public static RunSpec Parsing(ParserOptions options, bool quick) => new(PaperTask.Parsing, options, quick);

    /// <summary>Everything that decides the run's result, as text: the task, the quick flag and the options (epochs included).</summary>
    public string Settings => $"{Task}|quick={Quick}|epochs={Options.Epochs}|{RunCheckpoint.Settings(Options)}";

    /// <summary>A readable, unique file name: task, mode, k, hidden, optimizer, then a hash of all settings.</summary>
    public string Id
    {
        get
        {
            string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Settings)))[..10];
            string mode = Options.Mode == MePropMode.Dense ? "dense" : $"{Options.Mode.ToString().ToLowerInvariant()}{Options.K}";
            return $"{Task.ToString().ToLowerInvariant()}-{mode}-h{Options.Hidden}-{Options.Optimizer.ToString().ToLowerInvariant()}-{hash}";
        }
    }

    /// <summary>Dense, or meProp and its k, as a table shows it.</summary>
    public string Describe() => Options.Mode switch
    {
        MePropMode.Dense => $"dense h={Options.Hidden}",
        MePropMode.TopK => $"meProp k={Options.K}",
        MePropMode.Unified => $"unified meProp k={Options.K}",
        _ => $"random k={Options.K}",
    };
}
