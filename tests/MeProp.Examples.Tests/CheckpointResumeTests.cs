using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MeProp.Checkpoints;
using MeProp.Datasets.Mnist;
using MeProp.Examples.Mnist;
using MeProp.Examples.Parser;
using MeProp.Examples.Tagger;
using MeProp.Examples.Tests.Parser;
using MeProp.Examples.Tests.Tagger;
using MeProp.TestSupport;
using Xunit;

namespace MeProp.Examples.Tests;

/// <summary>
/// --save and --resume: a run interrupted after an epoch and resumed from its checkpoint ends with
/// the same bits (epoch losses and scores, weights, optimizer state) as the run never interrupted.
/// </summary>
public sealed class CheckpointResumeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("meprop-resume-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    // Runs `train` for `epochs` straight, and for `stopAfter` then resumed to `epochs`; both save a
    // checkpoint at the end, and the two must agree in every epoch's results and every tensor.
    private void ResumeIsBitIdentical<TOptions>(TOptions options, int stopAfter, Func<TOptions, CheckpointPaths, RunResult> train)
        where TOptions : RunOptions
    {
        RunResult straight = train(options, new CheckpointPaths(PathOf("straight.safetensors"), null));
        train(options with { Epochs = stopAfter }, new CheckpointPaths(PathOf("first.safetensors"), null));
        RunResult resumed = train(options, new CheckpointPaths(PathOf("resumed.safetensors"), PathOf("first.safetensors")));

        Assert.Equal(options.Epochs, resumed.Epochs.Count);
        for (int e = 0; e < options.Epochs; e++)
        {
            EpochResult a = straight.Epochs[e], b = resumed.Epochs[e];
            Assert.Equal(a.TrainLoss, b.TrainLoss);
            Assert.Equal(a.DevAccuracy, b.DevAccuracy);
            Assert.Equal(a.TestAccuracy, b.TestAccuracy);
            Assert.Equal(a.UpdatedRowFraction, b.UpdatedRowFraction);
            Assert.Equal(a.Metrics, b.Metrics);
        }

        using SafeTensorsFile x = SafeTensorsFile.Open(PathOf("straight.safetensors"));
        using SafeTensorsFile y = SafeTensorsFile.Open(PathOf("resumed.safetensors"));
        Assert.Equal(x.Tensors.Select(t => t.Name), y.Tensors.Select(t => t.Name));
        Assert.Contains(x.Tensors, t => t.Name.StartsWith("optimizer.", StringComparison.Ordinal));
        foreach (SafeTensorsEntry tensor in x.Tensors)
        {
            if (tensor.DType == SafeTensorsDType.I32) Assert.Equal(x.ReadArray<int>(tensor.Name), y.ReadArray<int>(tensor.Name));
            else Assert.Equal(x.ReadArray<float>(tensor.Name).Select(BitConverter.SingleToInt32Bits), y.ReadArray<float>(tensor.Name).Select(BitConverter.SingleToInt32Bits));
        }
        Assert.Equal(x.Metadata["run.shuffleRandom"], y.Metadata["run.shuffleRandom"]);
        Assert.Equal(x.Metadata["run.modelRandom"], y.Metadata["run.modelRandom"]);

        // The best-dev checkpoint beside it holds the weights of the best epoch.
        using SafeTensorsFile best = SafeTensorsFile.Open(PathOf("straight.best.safetensors"));
        Assert.Contains($"\"Epoch\":{straight.Best.Epoch},", best.Metadata["run.epochs"]);
        Assert.DoesNotContain($"\"Epoch\":{straight.Best.Epoch + 1},", best.Metadata["run.epochs"]);
    }

    [DataFact(RealData.Mnist)]
    public void An_mnist_run_resumed_after_its_second_epoch_equals_the_uninterrupted_run()
    {
        MnistDataset data = MnistDataset.Load(RealData.Folder(RealData.Mnist), 1000);
        // Dropout on, so that the model's random state must be carried over too; AdaGrad for its accumulator.
        var options = new TrainingOptions { Epochs = 3, TrainLimit = 1000, Hidden = 40, Dropout = 0.2, Batch = 32, Optimizer = OptimizerKind.AdaGrad };
        ResumeIsBitIdentical(options, stopAfter: 2, (o, paths) => MnistTrainer.Train(o, data, NullObserver.Instance, paths));
    }

    [Fact]
    public void A_tagger_run_resumed_after_its_first_epoch_equals_the_uninterrupted_run()
    {
        TaggingCorpus corpus = TaggerTrainingTests.MadeUpCorpus();
        var options = new TaggerOptions { Hidden = 16, K = 4, Epochs = 3, Dropout = 0.1, LearningRate = 0.01 };
        ResumeIsBitIdentical(options, stopAfter: 1, (o, paths) => TaggerTrainer.Train(o, corpus, NullObserver.Instance, paths));
    }

    [DataFact(RealData.UdEnglishEwt)]
    public void A_parser_run_resumed_after_its_first_epoch_equals_the_uninterrupted_run()
    {
        (ParsingCorpus corpus, TrainingExamples examples) = ParserTrainingTests.SmallEwt.Value;
        var options = new ParserOptions { Epochs = 2, Batch = 500, Hidden = 50, TrainLimit = 500 };
        ResumeIsBitIdentical(options, stopAfter: 1, (o, paths) => ParserTrainer.Train(o, corpus, examples, NullObserver.Instance, paths));
    }

    [Fact]
    public void Resuming_under_other_settings_or_with_no_epochs_left_is_refused_with_the_difference()
    {
        TaggingCorpus corpus = TaggerTrainingTests.MadeUpCorpus();
        var options = new TaggerOptions { Hidden = 16, K = 4, Epochs = 1 };
        TaggerTrainer.Train(options, corpus, NullObserver.Instance, new CheckpointPaths(PathOf("c.safetensors"), null));

        var error = Assert.Throws<CheckpointMismatchException>(() =>
            TaggerTrainer.Train(options with { Epochs = 2, K = 5 }, corpus, NullObserver.Instance, new CheckpointPaths(null, PathOf("c.safetensors"))));
        Assert.Contains("K: 4 in the checkpoint, 5 now", error.Message);
        error = Assert.Throws<CheckpointMismatchException>(() =>
            TaggerTrainer.Train(options, corpus, NullObserver.Instance, new CheckpointPaths(null, PathOf("c.safetensors"))));
        Assert.Contains("holds 1 finished epochs", error.Message);
    }

    [Fact]
    public void The_paths_are_checked_before_training()
    {
        Assert.Contains("there is no file", new CheckpointPaths(null, PathOf("missing.safetensors")).Problem());
        Assert.Contains("does not exist", new CheckpointPaths(PathOf(Path.Combine("no-folder", "c.safetensors")), null).Problem());
        Assert.Contains("is a folder", new CheckpointPaths(_folder, null).Problem());
        Assert.Null(new CheckpointPaths(PathOf("c.safetensors"), null).Problem());
        Assert.Equal(PathOf("c.best.safetensors"), CheckpointPaths.BestOf(PathOf("c.safetensors")));
    }
}
