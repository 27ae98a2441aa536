using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using Spectre.Console;

namespace MeProp.Examples.Reproduce;

/// <summary>
/// Makes pages: for each experiment, gets its runs (stored or trained), writes its page into the
/// output folder, and keeps the folder's index current.
/// </summary>
public sealed class Reproduction
{
    private readonly RunPlanner _planner;

    /// <param name="folder">Where the pages, plots and runs/ go.</param>
    /// <param name="quick">The quick form: small subsets, one or two epochs.</param>
    /// <param name="dataOption">The --data folder, or null for MEPROP_DATA and the user cache.</param>
    /// <param name="fresh">Train every run even when a stored one matches.</param>
    public Reproduction(string folder, bool quick, string? dataOption, bool fresh)
    {
        Folder = Path.GetFullPath(folder);
        Quick = quick;
        _planner = new RunPlanner(new TaskData(dataOption), new RunStore(Path.Combine(Folder, "runs")), fresh);
    }

    public string Folder { get; }

    public bool Quick { get; }

    /// <summary>Runs trained so far.</summary>
    public int Trained => _planner.Trained;

    /// <summary>Runs taken from the store so far.</summary>
    public int Reused => _planner.Reused;

    /// <summary>The page of <paramref name="experiment"/> in the output folder.</summary>
    public string PagePath(Experiment experiment) => Path.Combine(Folder, experiment.Name + ".md");

    public async Task RunAsync(IEnumerable<Experiment> experiments)
    {
        foreach (Experiment experiment in experiments)
        {
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(experiment.Title)}[/]");
            IReadOnlyDictionary<RunSpec, RunResult> results = await _planner.GetAllAsync(experiment.Runs(Quick));
            string command = $"dotnet run -c Release --project examples/Reproduce -- {experiment.Name}{(Quick ? " --quick" : "")}";
            var page = new Page(experiment.Title, command, Quick);
            Directory.CreateDirectory(Folder);
            experiment.Write(page, results, Quick, Folder);
            page.Save(PagePath(experiment));
            AnsiConsole.MarkupLine($"[green]wrote {Markup.Escape(PagePath(experiment))}[/]");
            IndexPage.Write(Folder, Quick);
        }
    }
}
