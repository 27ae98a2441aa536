using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using MeProp.Examples.Mnist;
using MeProp.Examples.Reproduce;
using MeProp.TestSupport;
using Xunit;

namespace MeProp.Examples.Tests.Reproduce;

/// <summary>
/// The reproduction command: each table's and figure's quick form trains its runs on the real data
/// and writes its page (and plots); a second invocation reuses the stored runs.
/// </summary>
public sealed class ReproductionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("meprop-reproduce-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> Experiments() => new(Experiment.All.Select(e => e.Name));

    [DataTheory(RealData.Mnist, RealData.UdEnglishEwt)]
    [MemberData(nameof(Experiments))]
    public async Task Each_quick_form_writes_its_page_with_the_papers_figures_and_verdicts(string name)
    {
        Experiment experiment = Experiment.All.Single(e => e.Name == name);
        var reproduction = new Reproduction(_folder, quick: true, dataOption: null, fresh: false);
        await reproduction.RunAsync(new[] { experiment });

        string page = File.ReadAllText(reproduction.PagePath(experiment));
        Assert.StartsWith($"# {experiment.Title}", page);
        Assert.Contains("**Quick form**", page);
        Assert.Contains($"Command: `dotnet run -c Release --project examples/Reproduce -- {name} --quick`", page);
        Assert.Contains("Machine: ", page);
        Assert.Contains("## Where we agree with the paper", page);
        Assert.Contains("paper", page);
        Assert.Matches(@"\*\*[^*]+: (agrees|agrees in direction|agrees in part|disagrees)\.\*\*", page);
        int runs = experiment.Runs(quick: true).Distinct().Count();
        Assert.Equal(runs, Directory.GetFiles(Path.Combine(_folder, "runs"), "*.json").Length);
        Assert.Contains($"]({name}.md)", File.ReadAllText(Path.Combine(_folder, "README.md")));
        if (experiment is Figure4)
        {
            foreach (string png in new[] { "figure4-ratio.png", "figure4-random.png", "figure4-small-dense.png" })
            {
                Assert.Contains($"]({png})", page);
                byte[] bytes = File.ReadAllBytes(Path.Combine(_folder, png));
                Assert.True(bytes.Length > 1000 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G', $"{png} is not a PNG");
            }
        }
    }

    [DataFact(RealData.Mnist)]
    public async Task A_second_invocation_reuses_the_stored_runs_and_writes_the_same_numbers()
    {
        Experiment table6 = new Table6();
        var first = new Reproduction(_folder, quick: true, dataOption: null, fresh: false);
        await first.RunAsync(new[] { table6 });
        string before = File.ReadAllText(first.PagePath(table6));

        var second = new Reproduction(_folder, quick: true, dataOption: null, fresh: false);
        await second.RunAsync(new[] { table6 });
        Assert.Equal(0, second.Trained);
        Assert.Equal(4, second.Reused);
        string after = File.ReadAllText(second.PagePath(table6));
        // Everything after the header (which has the time of writing) is the same.
        Assert.Equal(before[before.IndexOf("Unified meProp", StringComparison.Ordinal)..], after[after.IndexOf("Unified meProp", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void A_run_is_named_by_all_its_settings()
    {
        RunSpec a = Setups.Mnist(quick: false, OptimizerKind.Adam, MePropMode.TopK, k: 20);
        Assert.Equal(a.Id, Setups.Mnist(quick: false, OptimizerKind.Adam, MePropMode.TopK, k: 20).Id);
        Assert.StartsWith("mnist-topk20-h500-adam-", a.Id);
        var others = new[]
        {
            Setups.Mnist(quick: true, OptimizerKind.Adam, MePropMode.TopK, k: 20),
            Setups.Mnist(quick: false, OptimizerKind.Adam, MePropMode.TopK, k: 20, dropout: 0.2),
            Setups.Mnist(quick: false, OptimizerKind.Adam, MePropMode.TopK, k: 20, layers: 3),
            Setups.Mnist(quick: false, OptimizerKind.Adam, MePropMode.TopK, k: 20, batch: 50),
            RunSpec.Mnist((TrainingOptions)a.Options with { Epochs = 21 }, quick: false),
            RunSpec.Mnist((TrainingOptions)a.Options with { Seed = 2 }, quick: false),
        };
        Assert.Equal(others.Length, others.Select(o => o.Id).Distinct().Count(id => id != a.Id));
        // Dense runs ignore k, so tables asking for "the dense baseline" share one run.
        Assert.Equal(Setups.Mnist(false, OptimizerKind.Adam, MePropMode.Dense, k: 10).Id, Setups.Mnist(false, OptimizerKind.Adam, MePropMode.Dense, k: 30).Id);
    }

    [Fact]
    public void A_stored_run_round_trips_and_is_not_taken_for_another()
    {
        var store = new RunStore(_folder);
        RunSpec spec = Setups.Mnist(quick: true, OptimizerKind.Adam, MePropMode.TopK, k: 20);
        var epochs = new[]
        {
            new EpochResult(1, 0.5123456789, 0.91, 0.905, new PhaseSeconds(1.5, 0.25, 0.5, 0.125), new[] { 0.1, 1.0 }),
            new EpochResult(2, 0.25, 0.93, 0.9251, new PhaseSeconds(1.25, 0.2, 0.45, 0.1), new[] { 0.08, 1.0 }),
        };
        store.Save(spec, new RunResult(spec.Options, epochs, new[] { "W1", "W2" }));

        RunResult loaded = store.TryLoad(spec)!;
        Assert.Equal(epochs.Select(e => (e.TrainLoss, e.DevAccuracy, e.TestAccuracy, e.Seconds)), loaded.Epochs.Select(e => (e.TrainLoss, e.DevAccuracy, e.TestAccuracy, e.Seconds)));
        Assert.Equal(new[] { "W1", "W2" }, loaded.LayerNames);
        Assert.Null(store.TryLoad(Setups.Mnist(quick: true, OptimizerKind.Adam, MePropMode.TopK, k: 21)));

        File.WriteAllText(store.PathOf(spec), "{ not json");
        var error = Assert.Throws<InvalidDataException>(() => store.TryLoad(spec));
        Assert.Contains(store.PathOf(spec), error.Message);
    }

    [Fact]
    public void A_verdict_follows_the_papers_claim_of_equal_or_better_accuracy()
    {
        RunSpec dense = Setups.Mnist(true, OptimizerKind.Adam, MePropMode.Dense), meProp = Setups.Mnist(true, OptimizerKind.Adam, MePropMode.TopK);
        RunResult Result(RunSpec spec, double test) => new(spec.Options,
            new[] { new EpochResult(1, 0.1, test, test, new PhaseSeconds(1, 1, 1, 1), new[] { 1.0 }) }, new[] { "W1" });
        var comparison = new Comparison("MNIST", dense, meProp, 97.82, 98.01);
        Assert.StartsWith("**MNIST: agrees.**", comparison.Verdict(new System.Collections.Generic.Dictionary<RunSpec, RunResult> { [dense] = Result(dense, 0.9800), [meProp] = Result(meProp, 0.9795) }));
        // A difference printed as -0.10 is within the slack, whatever the float error behind it.
        Assert.StartsWith("**MNIST: agrees.**", comparison.Verdict(new System.Collections.Generic.Dictionary<RunSpec, RunResult> { [dense] = Result(dense, 0.9798), [meProp] = Result(meProp, 0.9788) }));
        Assert.StartsWith("**MNIST: disagrees.**", comparison.Verdict(new System.Collections.Generic.Dictionary<RunSpec, RunResult> { [dense] = Result(dense, 0.9800), [meProp] = Result(meProp, 0.9780) }));
    }
}
