using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Threading.Tasks;
using MeProp;
using MeProp.Accelerators;
using MeProp.Datasets;
using MeProp.Datasets.Mnist;
using MeProp.Examples;
using MeProp.Examples.Mnist;
using Spectre.Console;

// The main job: train the paper's MNIST MLP with meProp (and, with --compare, a dense baseline
// with the same seed and data order), print a table, and optionally write a JSON report.

// Redirected output (a log file, CI) has no terminal width; Spectre would assume 80 columns and
// wrap the epoch lines and the comparison table.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;

var k = new Option<int>("--k") { Description = "Entries of dL/dy kept at each hidden linear operation.", DefaultValueFactory = _ => 20 };
var mode = new Option<string>("--mode") { Description = "topk | unified | random | dense.", DefaultValueFactory = _ => "topk" };
mode.AcceptOnlyFromAmong("topk", "unified", "random", "dense");
var optimizer = new Option<string>("--optimizer") { Description = "adam | adagrad | sgd.", DefaultValueFactory = _ => "adam" };
optimizer.AcceptOnlyFromAmong("adam", "adagrad", "sgd");
var lr = new Option<double?>("--lr") { Description = "Learning rate (default: the paper's, Adam 0.001, AdaGrad 0.1; SGD 0.1)." };
var batch = new Option<int>("--batch") { Description = "Mini-batch size (the paper's: 10).", DefaultValueFactory = _ => 10 };
var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 20 };
var hidden = new Option<int>("--hidden") { Description = "Units per hidden layer.", DefaultValueFactory = _ => 500 };
var layers = new Option<int>("--layers") { Description = "Hidden layers: 1 to 5 (the paper's: 2).", DefaultValueFactory = _ => 2 };
var dropout = new Option<double>("--dropout") { Description = "Dropout rate after each hidden layer during training (0.1: the authors' released MNIST setup).", DefaultValueFactory = _ => 0.1 };
var seed = new Option<int>("--seed") { Description = "Seed of initialisation, data order and dropout.", DefaultValueFactory = _ => 1 };
var data = new Option<string?>("--data") { Description = "Folder with the MNIST files (or with mnist/ inside). Default: $MEPROP_DATA/mnist, else the user cache, downloading when missing." };
var trainLimit = new Option<int?>("--train-limit") { Description = "Use only the first N of the 55,000 training images (quick runs)." };
var compare = new Option<bool>("--compare") { Description = "Train dense, then meProp, with the same seed and data order, and print them side by side." };
var touched = new Option<bool>("--touched-rows-only") { Description = "Update only the weight rows each step touched (faster; different semantics for Adam's moments)." };
var threads = new Option<int>("--threads") { Description = "Threads a matrix product may use (Gemm.MaxThreads): 2, or 1 to keep all work on the training thread (another process on the second core, or one-core timings).", DefaultValueFactory = _ => 2 };
var accelerator = DeviceChoice.CreateOption();
var checkpoints = new CheckpointChoice();
var report = new Option<string?>("--report") { Description = "Write machine-readable results (JSON) to this file." };

var root = new RootCommand("Train the paper's MNIST MLP (784-500-500-10) with meProp: sparsified back propagation.")
{
    k, mode, optimizer, lr, batch, epochs, hidden, layers, dropout, seed, data, trainLimit, compare, touched, threads, accelerator, report,
};
foreach (Option option in checkpoints.Options) root.Options.Add(option);

root.SetAction(async (parse, cancellation) =>
{
    var options = new TrainingOptions
    {
        K = parse.GetValue(k),
        Mode = Enum.Parse<MePropMode>(parse.GetValue(mode)!, ignoreCase: true),
        Optimizer = Enum.Parse<OptimizerKind>(parse.GetValue(optimizer)!, ignoreCase: true),
        LearningRate = parse.GetValue(lr),
        Batch = parse.GetValue(batch),
        Epochs = parse.GetValue(epochs),
        Hidden = parse.GetValue(hidden),
        Layers = parse.GetValue(layers),
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

    MnistDataset dataset;
    try
    {
        dataset = await DataSetup.LoadAsync(parse.GetValue(data), options.TrainLimit);
    }
    catch (Exception e) when (e is MnistAcquisitionException or DataFormatException or System.IO.IOException or UnauthorizedAccessException)
    {
        return Fail(e.Message);
    }
    catch (ArgumentOutOfRangeException e) when (e.ParamName == "trainLimit")
    {
        return Fail($"--train-limit: {e.Message}");
    }

    var plan = new List<TrainingOptions>();
    if (parse.GetValue(compare)) plan.Add(options with { Mode = MePropMode.Dense });
    plan.Add(options);

    // Opened after the option checks and the data, which fail faster; loading the device runtime compiles its kernels.
    if (!DeviceChoice.TryOpen(acceleratorName, out OpenedAccelerator? device, out string? unavailable)) return Fail(unavailable!);

    using (device)
        return ConsoleView.RunAndReport(plan, device, "images", "img/s",
            warmUp: p => { if (device is null) MnistTrainer.WarmUp(p, dataset); else MnistDeviceTrainer.WarmUp(p, dataset, device); },
            train: (run, observer) => device is null ? MnistTrainer.Train(run, dataset, observer, checkpointPaths) : MnistDeviceTrainer.Train(run, dataset, observer, device),
            reportPath, "mnist");
});

return await CommandLineErrors.InvokeAsync(root, args);

static int Fail(string message) => CommandLineErrors.Fail(message);
