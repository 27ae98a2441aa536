using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using MeProp.Datasets.UdEnglishEwt;
using MeProp.Examples.Parser;
using MeProp.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MeProp.Examples.Tests.Parser;

/// <summary>
/// The parser example trained for real on a few hundred UD English EWT sentences (MEPROP_DATA, as CI
/// sets it; skipped without it): the oracle's examples, the generated training pass, greedy decoding
/// of dev and test, the scores and the report, in well under a minute.
/// </summary>
public class ParserTrainingTests
{
    private readonly ITestOutputHelper _output;

    public ParserTrainingTests(ITestOutputHelper output) => _output = output;

    internal static readonly Lazy<(ParsingCorpus Corpus, TrainingExamples Examples)> SmallEwt = new(() =>
    {
        EwtDataset data = EwtDataset.Load(RealData.Folder(RealData.UdEnglishEwt));
        // 500 training sentences (about 15,000 transitions); the first 300 of dev and test keep decoding quick.
        ParsingCorpus corpus = ParsingCorpus.Build(data.Training.Take(500).ToArray(), data.Development.Take(300).ToArray(), data.Test.Take(300).ToArray());
        return (corpus, TrainingExamples.Extract(corpus));
    });

    private static ParserOptions Small(MePropMode mode) => new() { Mode = mode, Epochs = 4, Batch = 500, Hidden = 200, TrainLimit = 500 };

    [DataTheory(RealData.UdEnglishEwt)]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Unified)]
    [InlineData(MePropMode.Dense)]
    public void Four_epochs_on_500_sentences_beat_both_neighbour_chains_and_the_loss_falls(MePropMode mode)
    {
        var (corpus, examples) = SmallEwt.Value;
        RunResult run = ParserTrainer.Train(Small(mode), corpus, examples, NullObserver.Instance);

        double left = Baselines.LeftNeighbour(corpus.Test).Uas, right = Baselines.RightNeighbour(corpus.Test).Uas;
        EpochResult best = run.Best;
        _output.WriteLine($"{mode}: test UAS {best.TestAccuracy:P2} LAS {best.Metrics!["testLas"]:P2} (chains: left {left:P2}, right {right:P2}); " +
            $"epoch losses {string.Join(", ", run.Epochs.Select(e => e.TrainLoss.ToString("F3")))}; rows updated {string.Join(", ", run.UpdatedRowFraction.Select(f => f.ToString("P1")))}");
        double chain = Math.Max(left, right);
        Assert.True(best.TestAccuracy > chain + 0.15, $"{mode}: test UAS {best.TestAccuracy:P2} against the better neighbour chain's {chain:P2}");
        Assert.True(best.Metrics["testLas"] > 0.5 * best.TestAccuracy, $"{mode}: test LAS {best.Metrics["testLas"]:P2} with UAS {best.TestAccuracy:P2}");
        Assert.True(run.Epochs[^1].TrainLoss < 0.6 * run.Epochs[0].TrainLoss, $"{mode}: the loss went from {run.Epochs[0].TrainLoss:F3} to {run.Epochs[^1].TrainLoss:F3}");
        if (mode == MePropMode.Dense) Assert.All(run.UpdatedRowFraction, f => Assert.Equal(1.0, f));
        else Assert.True(run.UpdatedRowFraction[1] < 1.0, $"{mode}: meProp updated every row of W2 in every step");
        Assert.True(run.Seconds.LinearBackward > 0 && run.Seconds.LinearBackward <= run.Seconds.Backward);
    }

    [DataFact(RealData.UdEnglishEwt)]
    public void The_report_names_attachment_scores()
    {
        var (corpus, examples) = SmallEwt.Value;
        var options = Small(MePropMode.TopK) with { Epochs = 1, Hidden = 50 };
        var runs = new[] { ParserTrainer.Train(options, corpus, examples, NullObserver.Instance) };
        string path = Path.Combine(Path.GetTempPath(), $"meprop-parser-report-{Guid.NewGuid():N}.json");
        try
        {
            Report.Write(path, "parsing", runs);
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
            Assert.Equal("parsing", json.RootElement.GetProperty("task").GetString());
            JsonElement run = json.RootElement.GetProperty("runs").EnumerateArray().Single();
            Assert.Equal("topk", run.GetProperty("mode").GetString());
            Assert.Equal(20, run.GetProperty("k").GetInt32());
            Assert.Equal("adagrad", run.GetProperty("optimizer").GetString());
            Assert.Equal(500, run.GetProperty("batch").GetInt32());
            Assert.Equal(50, run.GetProperty("hidden").GetInt32());
            Assert.Equal(1, run.GetProperty("bestEpoch").GetInt32());
            foreach (string score in new[] { "devUas", "testUas", "devLas", "testLas" })
                Assert.InRange(run.GetProperty(score).GetDouble(), 0.0, 1.0);
            Assert.False(run.TryGetProperty("devAccuracy", out _), "a parsing report names UAS, not accuracy");
            Assert.True(run.GetProperty("parseSentencesPerSecond").GetDouble() > 0);
            JsonElement seconds = run.GetProperty("seconds");
            foreach (string phase in new[] { "forward", "linearBackward", "backward", "update", "total" })
                Assert.True(seconds.GetProperty(phase).GetDouble() >= 0, phase);
            Assert.Equal(3, run.GetProperty("updatedRowFraction").GetArrayLength());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
