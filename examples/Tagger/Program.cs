using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using MeProp;
using MeProp.Accelerators;
using MeProp.Datasets;
using MeProp.Datasets.UdEnglishEwt;
using MeProp.Examples;
using MeProp.Examples.Tagger;
using Spectre.Console;

// The paper's second task: part-of-speech tagging with a BiLSTM on UD English EWT (XPOS), trained
// with meProp (and, with --compare, a dense baseline with the same seed and data order).

// Redirected output (a log file, CI) has no terminal width; Spectre would assume 80 columns and
// wrap the epoch lines and the comparison table.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;

var k = new Option<int>("--k") { Description = "Entries of dL/dy kept at each LSTM gate product (the output layer stays dense).", DefaultValueFactory = _ => 5 };
var mode = new Option<string>("--mode") { Description = "topk | unified | random | dense.", DefaultValueFactory = _ => "topk" };
mode.AcceptOnlyFromAmong("topk", "unified", "random", "dense");
var optimizer = new Option<string>("--optimizer") { Description = "adam | adagrad | sgd.", DefaultValueFactory = _ => "adam" };
optimizer.AcceptOnlyFromAmong("adam", "adagrad", "sgd");
var lr = new Option<double?>("--lr") { Description = "Learning rate (default: the paper's, Adam 0.001, AdaGrad 0.01; SGD 0.1)." };
var batch = new Option<int>("--batch") { Description = "Sentences per mini-batch (the paper's: 1); a batch holds sentences of one length.", DefaultValueFactory = _ => 1 };
var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 5 };
var hidden = new Option<int>("--hidden") { Description = "LSTM units per direction.", DefaultValueFactory = _ => 500 };
var dropout = new Option<double>("--dropout") { Description = "Dropout rate on the word inputs and the LSTM outputs during training.", DefaultValueFactory = _ => 0.0 };
var seed = new Option<int>("--seed") { Description = "Seed of initialisation, data order and dropout.", DefaultValueFactory = _ => 1 };
var data = new Option<string?>("--data") { Description = "Folder with en_ewt-ud-{train,dev,test}.conllu (or with ud-english-ewt/ inside). Default: $MEPROP_DATA/ud-english-ewt, else the user cache, downloading when missing." };
var trainLimit = new Option<int?>("--train-limit") { Description = "Use only the first N of the 12,544 training sentences (quick runs)." };
var compare = new Option<bool>("--compare") { Description = "Train dense, then meProp, with the same seed and data order, and print them side by side." };
var touched = new Option<bool>("--touched-rows-only") { Description = "Update only the weight rows each step touched (faster; different semantics for Adam's moments)." };
var accelerator = DeviceChoice.CreateOption();
var checkpoints = new CheckpointChoice();
var report = new Option<string?>("--report") { Description = "Write machine-readable results (JSON) to this file." };

var root = new RootCommand("Train the paper's BiLSTM part-of-speech tagger on UD English EWT with meProp: sparsified back propagation.")
{
    k, mode, optimizer, lr, batch, epochs, hidden, dropout, seed, data, trainLimit, compare, touched, accelerator, report,
};
foreach (Option option in checkpoints.Options) root.Options.Add(option);

root.SetAction(async (parse, cancellation) =>
{
    var options = new TaggerOptions
    {
        K = parse.GetValue(k),
        Mode = Enum.Parse<MePropMode>(parse.GetValue(mode)!, ignoreCase: true),
        Optimizer = Enum.Parse<OptimizerKind>(parse.GetValue(optimizer)!, ignoreCase: true),
        LearningRate = parse.GetValue(lr),
        Batch = parse.GetValue(batch),
        Epochs = parse.GetValue(epochs),
        Hidden = parse.GetValue(hidden),
        Dropout = parse.GetValue(dropout),
        Seed = parse.GetValue(seed),
        TrainLimit = parse.GetValue(trainLimit),
        TouchedRowsOnly = parse.GetValue(touched),
    };
    // Checked before the data is located, so a typo does not wait for a download.
    if (options.Problem() is string problem) return Fail(problem);
    string? acceleratorName = parse.GetValue(accelerator);
    if (DeviceChoice.Conflict(acceleratorName, options) is string conflict) return Fail(conflict);
    var (checkpointPaths, checkpointProblem) = checkpoints.Read(parse, parse.GetValue(compare), acceleratorName);
    if (checkpointProblem is not null) return Fail(checkpointProblem);
    string? reportPath = parse.GetValue(report);
    if (reportPath is not null && WritablePath.Problem("--report", reportPath, createsFolders: true) is string reportProblem) return Fail(reportProblem);
    if (checkpointPaths.Resume is not null) AnsiConsole.MarkupLine($"[grey]resuming the run saved in {Markup.Escape(checkpointPaths.Resume)}[/]");

    TaggingCorpus corpus;
    try
    {
        EwtDataset dataset = await EwtSetup.LoadAsync(parse.GetValue(data));
        corpus = TaggingCorpus.Build(dataset, options.TrainLimit);
    }
    catch (Exception e) when (e is EwtAcquisitionException or ConlluFormatException or System.IO.IOException or UnauthorizedAccessException)
    {
        return Fail(e.Message);
    }
    AnsiConsole.MarkupLine($"[grey]{Markup.Escape(corpus.Describe())}[/]");
    AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
        $"baselines on test: majority tag {Baselines.MajorityTag(corpus.Training, corpus.Test):P2}, most frequent tag per word {Baselines.MostFrequentTagPerWord(corpus.Training, corpus.Test):P2}")));

    var plan = new List<TaggerOptions>();
    if (parse.GetValue(compare)) plan.Add(options with { Mode = MePropMode.Dense });
    plan.Add(options);

    // Opened after the option checks and the data, which fail faster; loading the device runtime compiles its kernels.
    if (!DeviceChoice.TryOpen(acceleratorName, out OpenedAccelerator? device, out string? unavailable)) return Fail(unavailable!);
    using (device)
        return ConsoleView.RunAndReport(plan, device, "sentence(s)", "sent/s",
            warmUp: p => { if (device is null) TaggerTrainer.WarmUp(p, corpus); else TaggerDeviceTrainer.WarmUp(p, corpus, device); },
            train: (run, observer) => device is null ? TaggerTrainer.Train(run, corpus, observer, checkpointPaths) : TaggerDeviceTrainer.Train(run, corpus, observer, device),
            reportPath, "pos");
});

return await CommandLineErrors.InvokeAsync(root, args);

static int Fail(string message) => CommandLineErrors.Fail(message);
