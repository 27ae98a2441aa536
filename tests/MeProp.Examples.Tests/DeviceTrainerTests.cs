using System;
using System.Linq;
using MeProp.Accelerators;
using MeProp.Datasets.Conllu;
using MeProp.Datasets.Mnist;
using MeProp.Examples.Mnist;
using MeProp.Examples.Parser;
using MeProp.Examples.Tagger;
using MeProp.Examples.Tests.Tagger;
using MeProp.TestSupport;
using Xunit;

namespace MeProp.Examples.Tests;

/// <summary>
/// The examples' <c>--accelerator</c> trainers on ILGPU's CPU accelerator, against the CPU trainers
/// with the same options: the same seed, data order and steps give the same epoch loss (the
/// whole-step equality of each generated device pass is tested in MeProp.Accelerators.Tests; here
/// the trainers' own glue: batches, the loss's weighting, the phase clock, the report's fields).
/// </summary>
/// <remarks>In the non-parallel collection: the CPU accelerator's worker threads would otherwise compete with every other test for the two cores.</remarks>
[Collection(AllocationCounting.Name)]
public sealed class DeviceTrainerTests
{
    // Float sums in another order (device reductions) move the loss in its last digits only.
    private const double Tolerance = 1e-4;

    private static OpenedAccelerator OpenCpu() => AcceleratorChoice.Open(AcceleratorKind.Cpu)!;

    private static void AssertLikeTheCpuRun(RunResult cpu, RunResult device, OpenedAccelerator opened)
    {
        Assert.Equal(cpu.Epochs.Count, device.Epochs.Count);
        for (int e = 0; e < cpu.Epochs.Count; e++)
        {
            double expected = cpu.Epochs[e].TrainLoss, actual = device.Epochs[e].TrainLoss;
            Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Max(1, Math.Abs(expected)),
                $"epoch {e + 1}: CPU loss {expected:R}, device loss {actual:R}");
            Assert.Equal(cpu.Epochs[e].DevAccuracy, device.Epochs[e].DevAccuracy, 2);
        }
        Assert.Equal(opened.Description, device.Options.Device);
        PhaseSeconds seconds = device.Seconds;
        Assert.True(seconds.Forward > 0 && seconds.Backward > 0 && seconds.Update > 0, $"phases {seconds}");
        Assert.Equal(0, seconds.LinearBackward);
        Assert.Empty(device.Epochs[0].UpdatedRowFraction);
    }

    [DataTheory(RealData.Mnist)]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Unified)]
    public void Mnist_device_epochs_match_the_cpu_ones(MePropMode mode)
    {
        MnistDataset data = MnistDataset.Load(RealData.Folder(RealData.Mnist), trainLimit: 230, developmentSize: 200);
        // 230 images in batches of 50: four full batches and a short last one.
        // No dropout: the device draws its own masks.
        var options = new TrainingOptions { Mode = mode, K = 6, Hidden = 24, Batch = 50, Epochs = 2, TrainLimit = 230, Dropout = 0 };
        using OpenedAccelerator device = OpenCpu();
        AssertLikeTheCpuRun(MnistTrainer.Train(options, data, NullObserver.Instance),
            MnistDeviceTrainer.Train(options, data, NullObserver.Instance, device), device);
    }

    [Fact]
    public void Parser_device_epochs_match_the_cpu_ones()
    {
        static ConlluSentence Sentence(params (string Form, string Upos, int Head, string Deprel)[] words) =>
            new(words.Select((w, i) => new ConlluWord(i + 1, w.Form, w.Form, w.Upos, w.Upos, "_", w.Head, w.Deprel, "_", "_")));
        ConlluSentence[] sentences =
        {
            Sentence(("She", "PRON", 2, "nsubj"), ("saw", "VERB", 0, "root"), ("him", "PRON", 2, "obj"), (".", "PUNCT", 2, "punct")),
            Sentence(("Dogs", "NOUN", 2, "nsubj"), ("bark", "VERB", 0, "root")),
            Sentence(("The", "DET", 2, "det"), ("cat", "NOUN", 3, "nsubj"), ("sleeps", "VERB", 0, "root"), ("here", "ADV", 3, "advmod")),
        };
        ParsingCorpus corpus = ParsingCorpus.Build(sentences, sentences, sentences);
        TrainingExamples examples = TrainingExamples.Extract(corpus);
        // 20 transitions in batches of 6: a short last batch.
        var options = new ParserOptions { K = 3, Hidden = 12, Batch = 6, Epochs = 2 };
        using OpenedAccelerator device = OpenCpu();
        AssertLikeTheCpuRun(ParserTrainer.Train(options, corpus, examples, NullObserver.Instance),
            ParserDeviceTrainer.Train(options, corpus, examples, NullObserver.Instance, device), device);
    }

    [Fact]
    public void Tagger_device_epochs_match_the_cpu_ones()
    {
        TaggingCorpus corpus = TaggerTrainingTests.MadeUpCorpus();
        var options = new TaggerOptions { K = 3, Hidden = 8, Batch = 4, Epochs = 1 };
        using OpenedAccelerator device = OpenCpu();
        AssertLikeTheCpuRun(TaggerTrainer.Train(options, corpus, NullObserver.Instance),
            TaggerDeviceTrainer.Train(options, corpus, NullObserver.Instance, device), device);
    }
}
