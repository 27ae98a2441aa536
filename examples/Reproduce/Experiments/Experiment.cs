using System.Collections.Generic;

namespace MeProp.Examples.Reproduce;

/// <summary>One of the paper's tables or figures: the runs it needs, and the page it writes from their results.</summary>
public abstract class Experiment
{
    /// <summary>The subcommand and the page's file name ("table1").</summary>
    public abstract string Name { get; }

    /// <summary>The page's title.</summary>
    public abstract string Title { get; }

    /// <summary>What the subcommand's help says.</summary>
    public abstract string Summary { get; }

    /// <summary>The runs, at full size or in the quick form.</summary>
    public abstract IReadOnlyList<RunSpec> Runs(bool quick);

    /// <summary>Adds the tables, figures and verdicts to <paramref name="page"/>; images go into <paramref name="folder"/>.</summary>
    public abstract void Write(Page page, IReadOnlyDictionary<RunSpec, RunResult> results, bool quick, string folder);

    /// <summary>Every table and figure, in the paper's order.</summary>
    public static IReadOnlyList<Experiment> All { get; } = new Experiment[]
    {
        new Table1(), new Table2(), new Table3(), new Table4(), new Table5(), new Table6(), new Figure4(),
    };
}
