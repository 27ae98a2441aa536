using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using MeProp.Examples.Mnist;
using MeProp.Examples.Parser;
using MeProp.Examples.Tagger;
using Spectre.Console;

namespace MeProp.Examples.Reproduce;

/// <summary>Gets each run a table needs: from the store when it holds it, else by training it (shown on the console) and storing it.</summary>
public sealed class RunPlanner(TaskData data, RunStore store, bool fresh)
{
    /// <summary>Where the runs are kept.</summary>
    public RunStore Store => store;

    private readonly Dictionary<string, RunResult> _done = new(StringComparer.Ordinal);
    private readonly HashSet<PaperTask> _warm = new();

    /// <summary>Runs trained (not reused) in this process.</summary>
    public int Trained { get; private set; }

    /// <summary>Runs reused from the store.</summary>
    public int Reused { get; private set; }

    public async Task<IReadOnlyDictionary<RunSpec, RunResult>> GetAllAsync(IEnumerable<RunSpec> specs)
    {
        var results = new Dictionary<RunSpec, RunResult>();
        foreach (RunSpec spec in specs) results[spec] = await GetAsync(spec);
        return results;
    }

    public async Task<RunResult> GetAsync(RunSpec spec)
    {
        if (_done.TryGetValue(spec.Id, out RunResult? known)) return known;
        if (!fresh && store.TryLoad(spec) is RunResult stored)
        {
            AnsiConsole.MarkupLine($"[grey]reusing {Markup.Escape(store.PathOf(spec))}[/]");
            Reused++;
            return _done[spec.Id] = stored;
        }
        Func<ITrainingObserver, RunResult> train = await data.PrepareAsync(spec);
        if (!spec.Quick && _warm.Add(spec.Task)) await WarmUpAsync(spec);
        var view = new ConsoleView($"{spec.Task}: {spec.Options.Title(BatchUnit(spec.Task))}", RateUnit(spec.Task));
        double? loadAtStart = RunStore.LoadAverage();
        RunResult result = view.Run(train);
        store.Save(spec, result, loadAtStart, RunStore.LoadAverage());
        Trained++;
        return _done[spec.Id] = result;
    }

    // Timed runs compare the halves of a table, so the JIT must not be timed in the first of them:
    // the examples' warm-up, once per task, on throwaway models.
    private async Task WarmUpAsync(RunSpec spec)
    {
        RunOptions dense = spec.Options with { Mode = MePropMode.Dense };
        switch (spec.Task)
        {
            case PaperTask.Mnist:
                var mnist = (TrainingOptions)spec.Options;
                MnistTrainer.WarmUp(new[] { (TrainingOptions)dense, mnist }, await data.MnistAsync(mnist.TrainLimit));
                break;
            case PaperTask.Pos:
                TaggerTrainer.WarmUp(new[] { (TaggerOptions)dense, (TaggerOptions)spec.Options }, await data.TaggingAsync(spec.Quick));
                break;
            default:
                var (corpus, examples) = await data.ParsingAsync(spec.Quick);
                ParserTrainer.WarmUp(new[] { (ParserOptions)dense, (ParserOptions)spec.Options }, corpus, examples);
                break;
        }
    }

    internal static string BatchUnit(PaperTask task) => task switch
    {
        PaperTask.Mnist => "images",
        PaperTask.Pos => "sentence(s)",
        _ => "transition(s)",
    };

    private static string RateUnit(PaperTask task) => task switch
    {
        PaperTask.Mnist => "img/s",
        PaperTask.Pos => "sent/s",
        _ => "trans/s",
    };
}
