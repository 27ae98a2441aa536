using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using MeProp;
using MeProp.Accelerators;
using MeProp.Datasets;
using MeProp.Datasets.UdEnglishEwt;
using MeProp.Examples;
using MeProp.Examples.Parser;
using Spectre.Console;

// The paper's third task: transition-based dependency parsing with a Chen & Manning feed-forward
// network on UD English EWT, trained with meProp (and, with --compare, a dense baseline with the
// same seed and data order).

// Redirected output (a log file, CI) has no terminal width; Spectre would assume 80 columns and
// wrap the epoch lines and the comparison table.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;

var k = new Option<int>("--k") { Description = "Entries of dL/dy kept at each linear layer, the output layer included.", DefaultValueFactory = _ => 20 };
var mode = new Option<string>("--mode") { Description = "topk | unified | random | dense.", DefaultValueFactory = _ => "topk" };
mode.AcceptOnlyFromAmong("topk", "unified", "random", "dense");
var optimizer = new Option<string>("--optimizer") { Description = "adagrad | adam | sgd.", DefaultValueFactory = _ => "adagrad" };
optimizer.AcceptOnlyFromAmong("adam", "adagrad", "sgd");
var lr = new Option<double?>("--lr") { Description = "Learning rate (default: the paper's, AdaGrad 0.01, Adam 0.001; SGD 0.1)." };
var activation = new Option<string>("--activation") { Description = "Hidden layers' activation: tanh | relu | cube (meProp diverges with relu at the paper's settings; see docs/results-parsing.md).", DefaultValueFactory = _ => "tanh" };
activation.AcceptOnlyFromAmong("tanh", "relu", "cube");
var denseOutput = new Option<bool>("--dense-output") { Description = "Back-propagate the output layer densely (the paper sparsifies it with the same k)." };
var batch = new Option<int>("--batch") { Description = "Transition examples per mini-batch (the paper's: 10,000).", DefaultValueFactory = _ => 10_000 };
var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 10 };
var hidden = new Option<int>("--hidden") { Description = "Units in each of the two hidden layers.", DefaultValueFactory = _ => 500 };
var dropout = new Option<double>("--dropout") { Description = "Dropout rate on the embeddings and the hidden layers during training.", DefaultValueFactory = _ => 0.0 };
var seed = new Option<int>("--seed") { Description = "Seed of initialisation, data order and dropout.", DefaultValueFactory = _ => 1 };
var data = new Option<string?>("--data") { Description = "Folder with en_ewt-ud-{train,dev,test}.conllu (or with ud-english-ewt/ inside). Default: $MEPROP_DATA/ud-english-ewt, else the user cache, downloading when missing." };
var trainLimit = new Option<int?>("--train-limit") { Description = "Use only the first N of the 12,544 training sentences (quick runs)." };
var compare = new Option<bool>("--compare") { Description = "Train dense, then meProp, with the same seed and data order, and print them side by side." };
var touched = new Option<bool>("--touched-rows-only") { Description = "Update only the weight rows each step touched (faster; different semantics for the optimizers' state)." };
var threads = new Option<int>("--threads") { Description = "Threads the kernels may use (Gemm.MaxThreads): 2, or 1 to keep all work on the training thread; the results are the same bits.", DefaultValueFactory = _ => 2 };
var accelerator = DeviceChoice.CreateOption();
var checkpoints = new CheckpointChoice();
var report = new Option<string?>("--report") { Description = "Write machine-readable results (JSON) to this file." };

var root = new RootCommand("Train the paper's transition-based dependency parser (Chen & Manning's network) on UD English EWT with meProp: sparsified back propagation.")
{
    k, mode, optimizer, lr, activation, denseOutput, batch, epochs, hidden, dropout, seed, data, trainLimit, compare, touched, threads, accelerator, report,
};
foreach (Option option in checkpoints.Options) root.Options.Add(option);

root.SetAction(async (parse, cancellation) =>
{
    var options = new ParserOptions
    {
        K = parse.GetValue(k),
        Mode = Enum.Parse<MePropMode>(parse.GetValue(mode)!, ignoreCase: true),
        Optimizer = Enum.Parse<OptimizerKind>(parse.GetValue(optimizer)!, ignoreCase: true),
        LearningRate = parse.GetValue(lr),
        Activation = Enum.Parse<ParserActivation>(parse.GetValue(activation)!, ignoreCase: true),
        DenseOutput = parse.GetValue(denseOutput),
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
    int threadCount = parse.GetValue(threads);
    if (threadCount is not (1 or 2)) return Fail($"--threads must be 1 or 2, not {threadCount}.");
    MeProp.Kernels.Gemm.MaxThreads = threadCount;
    string? acceleratorName = parse.GetValue(accelerator);
    if (DeviceChoice.Conflict(acceleratorName, options) is string conflict) return Fail(conflict);
    var (checkpointPaths, checkpointProblem) = checkpoints.Read(parse, parse.GetValue(compare), acceleratorName);
    if (checkpointProblem is not null) return Fail(checkpointProblem);
    string? reportPath = parse.GetValue(report);
    if (reportPath is not null && WritablePath.Problem("--report", reportPath, createsFolders: true) is string reportProblem) return Fail(reportProblem);
    if (checkpointPaths.Resume is not null) AnsiConsole.MarkupLine($"[grey]resuming the run saved in {Markup.Escape(checkpointPaths.Resume)}[/]");

    ParsingCorpus corpus;
    try
    {
        EwtDataset dataset = await EwtSetup.LoadAsync(parse.GetValue(data));
        corpus = ParsingCorpus.Build(dataset, options.TrainLimit);
    }
    catch (Exception e) when (e is EwtAcquisitionException or ConlluFormatException or System.IO.IOException or UnauthorizedAccessException)
    {
        return Fail(e.Message);
    }
    // Feature extraction runs once, before training: the oracle's configurations of every epoch are the same.
    long extractStart = System.Diagnostics.Stopwatch.GetTimestamp();
    var examples = TrainingExamples.Extract(corpus);
    double extractSeconds = System.Diagnostics.Stopwatch.GetElapsedTime(extractStart).TotalSeconds;
    AnsiConsole.MarkupLine($"[grey]{Markup.Escape(corpus.Describe())}[/]");
    AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
        $"{examples.Count:N0} training transitions from {examples.Sentences:N0} projective sentences ({examples.NonProjectiveSkipped:N0} non-projective skipped), features extracted in {extractSeconds:F2} s")));
    AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
        $"baselines on test: each word attached to its left neighbour UAS {Baselines.LeftNeighbour(corpus.Test).Uas:P2}, to its right neighbour UAS {Baselines.RightNeighbour(corpus.Test).Uas:P2}")));

    var plan = new List<ParserOptions>();
    if (parse.GetValue(compare)) plan.Add(options with { Mode = MePropMode.Dense });
    plan.Add(options);

    // Opened after the option checks and the data, which fail faster; loading the device runtime compiles its kernels.
    if (!DeviceChoice.TryOpen(acceleratorName, out OpenedAccelerator? device, out string? unavailable)) return Fail(unavailable!);
    using (device)
        return ConsoleView.RunAndReport(plan, device, "transition(s)", "trans/s",
            warmUp: p => { if (device is null) ParserTrainer.WarmUp(p, corpus, examples); else ParserDeviceTrainer.WarmUp(p, corpus, examples, device); },
            train: (run, observer) => device is null ? ParserTrainer.Train(run, corpus, examples, observer, checkpointPaths) : ParserDeviceTrainer.Train(run, corpus, examples, observer, device),
            reportPath, "parsing");
});

return await CommandLineErrors.InvokeAsync(root, args);

static int Fail(string message) => CommandLineErrors.Fail(message);
