using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using MeProp.Datasets;
using MeProp.Datasets.Conllu;
using MeProp.Datasets.Mnist;
using MeProp.Datasets.UdEnglishEwt;
using MeProp.Examples;
using MeProp.Examples.Reproduce;
using Spectre.Console;

// The paper's tables and figures by one command: `reproduce table1`, ..., `reproduce figure4`, or
// `reproduce all`. Each trains the runs it needs (or reuses those already stored under runs/) and
// writes its page into docs/reproduction/.

if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;

var quick = new Option<bool>("--quick") { Description = "Small subsets and one or two epochs: checks the pipeline in minutes (CI); writes into docs/reproduction/quick unless --out says otherwise.", Recursive = true };
var output = new Option<string?>("--out") { Description = "Folder for the pages, plots and stored runs (default: docs/reproduction, or docs/reproduction/quick with --quick).", Recursive = true };
var data = new Option<string?>("--data") { Description = "Folder with mnist/ and ud-english-ewt/ (default: $MEPROP_DATA, else the user cache, downloading when missing).", Recursive = true };
var fresh = new Option<bool>("--fresh") { Description = "Train every run again, even when a stored result with the same settings exists.", Recursive = true };
var threads = new Option<int>("--threads") { Description = "Threads a matrix product may use (Gemm.MaxThreads): 2, or 1.", DefaultValueFactory = _ => 2, Recursive = true };

var root = new RootCommand("Reproduce the meProp paper's tables and figures with the three examples; each subcommand writes a markdown page (and plots) into docs/reproduction/.")
{
    quick, output, data, fresh, threads,
};

foreach (Experiment experiment in Experiment.All)
{
    var command = new Command(experiment.Name, experiment.Summary);
    command.SetAction((parse, _) => RunAsync(parse, new[] { experiment }));
    root.Subcommands.Add(command);
}
var all = new Command("all", "Every table and figure, in the paper's order (runs shared between them train once).");
all.SetAction((parse, _) => RunAsync(parse, Experiment.All));
root.Subcommands.Add(all);

return await CommandLineErrors.InvokeAsync(root, args);

async Task<int> RunAsync(ParseResult parse, IReadOnlyList<Experiment> experiments)
{
    bool isQuick = parse.GetValue(quick);
    string folder = parse.GetValue(output) ?? Path.Combine("docs", "reproduction", isQuick ? "quick" : "");
    int threadCount = parse.GetValue(threads);
    if (threadCount is not (1 or 2)) return Fail($"--threads must be 1 or 2, not {threadCount}.");
    MeProp.Kernels.Gemm.MaxThreads = threadCount;
    if (WritablePath.FolderProblem("--out", folder) is string outProblem) return Fail(outProblem);

    var reproduction = new Reproduction(folder, isQuick, parse.GetValue(data), parse.GetValue(fresh));
    try
    {
        await reproduction.RunAsync(experiments);
    }
    catch (Exception e) when (e is MnistAcquisitionException or EwtAcquisitionException or DataFormatException or ConlluFormatException
                                 or IOException or UnauthorizedAccessException)
    {
        return Fail(e.Message);
    }
    AnsiConsole.MarkupLine($"[grey]{reproduction.Trained} run(s) trained, {reproduction.Reused} reused from {Markup.Escape(Path.Combine(folder, "runs"))}[/]");
    return 0;
}

static int Fail(string message) => CommandLineErrors.Fail(message);
