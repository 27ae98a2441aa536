using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using MeProp.Datasets.Mnist;
using MeProp.Examples;
using MeProp.Examples.Mnist;
using MeProp.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MeProp.Examples.Tests;

/// <summary>
/// The MNIST example on a subset of the real data (MEPROP_DATA, as CI sets it): the whole pipeline —
/// loading, the generated training pass, the optimizer, evaluation, the report — in well under a minute.
/// Skipped when MEPROP_DATA is unset or has no mnist/ folder.
/// </summary>
public class MnistSmokeTests
{
    private readonly ITestOutputHelper _output;

    public MnistSmokeTests(ITestOutputHelper output) => _output = output;

    private static MnistDataset Data(int trainLimit) => MnistDataset.Load(RealData.Folder(RealData.Mnist), trainLimit);

    [DataTheory(RealData.Mnist)]
    [InlineData(MePropMode.TopK)]
    [InlineData(MePropMode.Unified)]
    [InlineData(MePropMode.Dense)]
    public void Two_epochs_on_20000_images_learn(MePropMode mode)
    {
        MnistDataset data = Data(20000);
        var options = new TrainingOptions { Mode = mode, Epochs = 2, TrainLimit = 20000 };
        var observer = new RecordingObserver();
        RunResult run = MnistTrainer.Train(options, data, observer);

        double first = observer.WindowLosses.First(), last = observer.WindowLosses.Last();
        _output.WriteLine($"{mode}: test accuracy {run.Best.TestAccuracy:P2}, loss over the first 500 examples {first:F3}, over the last 500 {last:F3}, rows updated {string.Join(", ", run.UpdatedRowFraction.Select(f => f.ToString("P1")))}");
        Assert.True(run.Best.TestAccuracy >= 0.85, $"{mode}: test accuracy {run.Best.TestAccuracy:P2} after two epochs on 20,000 images");
        Assert.True(observer.WindowLosses.Last() < observer.WindowLosses.First(), $"{mode}: the loss did not decrease: {string.Join(", ", observer.WindowLosses.Select(l => l.ToString("F3")))}");
        if (mode != MePropMode.Dense)
            Assert.True(run.UpdatedRowFraction[0] < 0.5, $"{mode}: meProp updated {run.UpdatedRowFraction[0]:P1} of W1's rows per step");
        Assert.Equal(1.0, run.UpdatedRowFraction[^1]); // the 10-unit output layer with k = 20 is dense
        Assert.True(run.Seconds.LinearBackward > 0 && run.Seconds.LinearBackward <= run.Seconds.Backward);
    }

    [DataFact(RealData.Mnist)]
    public void Report_has_the_documented_shape()
    {
        MnistDataset data = Data(1000);
        var options = new TrainingOptions { Epochs = 2, TrainLimit = 1000, Hidden = 50 };
        var runs = new[]
        {
            MnistTrainer.Train(options with { Mode = MePropMode.Dense }, data, new RecordingObserver()),
            MnistTrainer.Train(options, data, new RecordingObserver()),
        };
        string path = Path.Combine(Path.GetTempPath(), $"meprop-report-{Guid.NewGuid():N}.json");
        try
        {
            Report.Write(path, "mnist", runs);
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement root = json.RootElement;
            Assert.Equal("mnist", root.GetProperty("task").GetString());
            JsonElement[] entries = root.GetProperty("runs").EnumerateArray().ToArray();
            Assert.Equal(new[] { "dense", "topk" }, entries.Select(e => e.GetProperty("mode").GetString()));
            foreach (JsonElement run in entries)
            {
                Assert.Equal(20, run.GetProperty("k").GetInt32());
                Assert.Equal("adam", run.GetProperty("optimizer").GetString());
                Assert.Equal(10, run.GetProperty("batch").GetInt32());
                Assert.Equal(50, run.GetProperty("hidden").GetInt32());
                Assert.Equal(2, run.GetProperty("layers").GetInt32());
                Assert.Equal(2, run.GetProperty("epochs").GetInt32());
                Assert.InRange(run.GetProperty("bestEpoch").GetInt32(), 1, 2);
                Assert.InRange(run.GetProperty("devAccuracy").GetDouble(), 0.0, 1.0);
                Assert.InRange(run.GetProperty("testAccuracy").GetDouble(), 0.0, 1.0);
                JsonElement seconds = run.GetProperty("seconds");
                foreach (string phase in new[] { "forward", "linearBackward", "backward", "update", "total" })
                    Assert.True(seconds.GetProperty(phase).GetDouble() > 0, phase);
                Assert.Equal(3, run.GetProperty("updatedRowFraction").GetArrayLength());
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class RecordingObserver : ITrainingObserver
    {
        private int _lastExamples;
        private double _lastSum;

        /// <summary>Mean loss over each stretch between two progress reports.</summary>
        public List<double> WindowLosses { get; } = new();

        public void EpochStarted(int epoch, int examples, IReadOnlyList<string> layerNames)
        {
            _lastExamples = 0;
            _lastSum = 0;
        }

        public void Progress(int examplesDone, double meanLoss)
        {
            double sum = meanLoss * examplesDone;
            WindowLosses.Add((sum - _lastSum) / (examplesDone - _lastExamples));
            _lastSum = sum;
            _lastExamples = examplesDone;
        }

        public void EpochCompleted(EpochResult result)
        {
        }
    }
}
