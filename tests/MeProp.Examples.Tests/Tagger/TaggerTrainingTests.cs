using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using MeProp.Datasets.Conllu;
using MeProp.Datasets.UdEnglishEwt;
using MeProp.Examples.Tagger;
using MeProp.Kernels;
using MeProp.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MeProp.Examples.Tests.Tagger;

/// <summary>
/// The tagger example trained for real: on a few hundred UD English EWT sentences when MEPROP_DATA
/// has them (skipped otherwise), and on a small made-up corpus for what needs no real data.
/// </summary>
public class TaggerTrainingTests
{
    private readonly ITestOutputHelper _output;

    public TaggerTrainingTests(ITestOutputHelper output) => _output = output;

    private static readonly Lazy<TaggingCorpus> SmallEwt = new(() =>
    {
        EwtDataset data = EwtDataset.Load(RealData.Folder(RealData.UdEnglishEwt));
        // 400 training sentences; the first 300 of dev and test keep evaluation quick.
        return TaggingCorpus.Build(data.Training.Take(400).ToArray(), data.Development.Take(300).ToArray(), data.Test.Take(300).ToArray());
    });

    [DataTheory(RealData.UdEnglishEwt)]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Dense)]
    public void Three_epochs_on_400_sentences_beat_the_baselines_and_the_loss_falls(MePropMode mode)
    {
        TaggingCorpus corpus = SmallEwt.Value;
        var options = new TaggerOptions { Mode = mode, Epochs = 3, Hidden = 100, TrainLimit = 400 };
        var observer = new LossObserver();
        RunResult run = TaggerTrainer.Train(options, corpus, observer);

        double majority = Baselines.MajorityTag(corpus.Training, corpus.Test);
        double perWord = Baselines.MostFrequentTagPerWord(corpus.Training, corpus.Test);
        _output.WriteLine($"{mode}: test {run.Best.TestAccuracy:P2} (majority tag {majority:P2}, most frequent tag per word {perWord:P2}); " +
            $"epoch losses {string.Join(", ", run.Epochs.Select(e => e.TrainLoss.ToString("F3")))}; gate rows updated {run.UpdatedRowFraction[0]:P1}");
        Assert.True(run.Best.TestAccuracy > majority + 0.5, $"{mode}: test accuracy {run.Best.TestAccuracy:P2} against the majority tag's {majority:P2}");
        Assert.True(run.Best.TestAccuracy > perWord, $"{mode}: test accuracy {run.Best.TestAccuracy:P2} against the per-word baseline's {perWord:P2}");
        Assert.True(run.Epochs[^1].TrainLoss < 0.5 * run.Epochs[0].TrainLoss, $"{mode}: the loss went from {run.Epochs[0].TrainLoss:F3} to {run.Epochs[^1].TrainLoss:F3}");
        Assert.True(observer.Reports > 0);
        if (mode == MePropMode.Dense) Assert.Equal(1.0, run.UpdatedRowFraction[0]);
        else Assert.True(run.UpdatedRowFraction[0] < 0.6, $"meProp updated {run.UpdatedRowFraction[0]:P1} of the gate rows per sentence");
        Assert.Equal(1.0, run.UpdatedRowFraction[1]); // the output layer is dense
        Assert.True(run.Seconds.LinearBackward > 0 && run.Seconds.LinearBackward <= run.Seconds.Backward);
    }

    [DataFact(RealData.UdEnglishEwt)]
    public void The_report_has_the_documented_shape()
    {
        TaggingCorpus corpus = SmallEwt.Value;
        var options = new TaggerOptions { Epochs = 1, Hidden = 20, Optimizer = OptimizerKind.AdaGrad };
        var runs = new[]
        {
            TaggerTrainer.Train(options with { Mode = MePropMode.Dense }, corpus, NullObserver.Instance),
            TaggerTrainer.Train(options, corpus, NullObserver.Instance),
        };
        using JsonDocument json = JsonDocument.Parse(Report.Serialize("pos", runs));
        JsonElement root = json.RootElement;
        Assert.Equal("pos", root.GetProperty("task").GetString());
        JsonElement[] entries = root.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(new[] { "dense", "topk" }, entries.Select(e => e.GetProperty("mode").GetString()));
        foreach (JsonElement run in entries)
        {
            Assert.Equal(5, run.GetProperty("k").GetInt32());
            Assert.Equal("adagrad", run.GetProperty("optimizer").GetString());
            Assert.Equal(0.01, run.GetProperty("learningRate").GetDouble());
            Assert.Equal(1, run.GetProperty("batch").GetInt32());
            Assert.Equal(20, run.GetProperty("hidden").GetInt32());
            Assert.Equal(1, run.GetProperty("epochs").GetInt32());
            Assert.Equal(1, run.GetProperty("bestEpoch").GetInt32());
            Assert.Equal(50, run.GetProperty("wordDimension").GetInt32());
            Assert.Equal(7, run.GetProperty("features").GetInt32());
            Assert.InRange(run.GetProperty("devAccuracy").GetDouble(), 0.0, 1.0);
            Assert.InRange(run.GetProperty("testAccuracy").GetDouble(), 0.0, 1.0);
            JsonElement seconds = run.GetProperty("seconds");
            foreach (string phase in new[] { "forward", "linearBackward", "backward", "update", "total" })
                Assert.True(seconds.GetProperty(phase).GetDouble() > 0, phase);
            Assert.Equal(2, run.GetProperty("updatedRowFraction").GetArrayLength());
        }
    }

    // A made-up corpus: a noun is NN, except right after "to", where the same form is a verb (VB):
    // only the state carried from the previous step tells the two apart.
    internal static TaggingCorpus MadeUpCorpus()
    {
        var random = new SeededRandom(5);
        string[] nouns = { "cat", "dog", "tree", "house" };
        ConlluSentence Sentence(int length)
        {
            var words = new List<ConlluWord>();
            for (int i = 0; i < length; i++)
            {
                bool afterTo = words.Count > 0 && words[^1].Form == "to";
                (string form, string tag) = afterTo ? (nouns[random.NextInt(nouns.Length)], "VB")
                    : random.NextInt(3) == 0 ? ("to", "TO") : (nouns[random.NextInt(nouns.Length)], "NN");
                words.Add(new ConlluWord(i + 1, form, "_", "_", tag, "_", 0, "dep", "_", "_"));
            }
            return new ConlluSentence(words);
        }
        var sentences = Enumerable.Range(0, 40).Select(i => Sentence(1 + i % 9)).ToArray();
        return TaggingCorpus.Build(sentences, sentences[..10], sentences[..10]);
    }

    [Fact]
    public void The_made_up_task_is_learnt_with_meProp()
    {
        TaggingCorpus corpus = MadeUpCorpus();
        var options = new TaggerOptions { Hidden = 24, K = 4, Epochs = 15, Optimizer = OptimizerKind.Adam, LearningRate = 0.01 };
        RunResult run = TaggerTrainer.Train(options, corpus, NullObserver.Instance);
        Assert.True(run.Best.DevAccuracy > 0.95, $"dev accuracy {run.Best.DevAccuracy:P1}");
    }

    [Theory]
    [InlineData(0, "--k must be at least 1")]
    [InlineData(-1, "--batch must be at least 1")]
    public void Options_out_of_range_are_named(int which, string message)
    {
        var options = which == 0 ? new TaggerOptions { K = 0 } : new TaggerOptions { Batch = 0 };
        Assert.StartsWith(message, options.Problem());
        Assert.Null(new TaggerOptions().Problem());
        Assert.Equal(0.01, new TaggerOptions { Optimizer = OptimizerKind.AdaGrad }.EffectiveLearningRate);
    }

    private sealed class LossObserver : ITrainingObserver
    {
        public int Reports { get; private set; }

        public void EpochStarted(int epoch, int examples, IReadOnlyList<string> layerNames) { }

        public void Progress(int examplesDone, double meanLoss) => Reports++;

        public void EpochCompleted(EpochResult result) { }
    }
}
