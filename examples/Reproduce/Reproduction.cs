using System.Collections.Generic;
using System.Globalization;
using System.Linq;
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

    // Provenance: every run behind the page, with its stored result and when it finished (runs
    // shared between tables may come from another invocation, or another day).
    private void AddRuns(Page page, Experiment experiment)
    {
        page.Heading("Runs behind this page");
        page.Bullets(experiment.Runs(Quick).Distinct().Select(spec =>
            $"[{spec.Id}](runs/{spec.Id}.json): {spec.Task}, {spec.Options.Title(RunPlanner.BatchUnit(spec.Task))}, {spec.Options.Epochs} epochs"
            + $"{(spec.Options.Dropout > 0 ? $", dropout {spec.Options.Dropout.ToString(CultureInfo.InvariantCulture)}" : "")}"
            + $"{(spec.Options is MeProp.Examples.Mnist.TrainingOptions { Layers: not 2 } m ? $", {m.Layers} hidden layers" : "")}; {_planner.Store.Provenance(spec) ?? "not stored"}"));
    }

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
            AddRuns(page, experiment);
            page.Save(PagePath(experiment));
            AnsiConsole.MarkupLine($"[green]wrote {Markup.Escape(PagePath(experiment))}[/]");
            IndexPage.Write(Folder, Quick);
        }
    }
}
