using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace MeProp.Examples.Parser;

/// <summary>Trains the parser network on the oracle's transition examples and scores greedy parses of the development and test sets.</summary>
public static class ParserTrainer
{
    private const int ProgressEvery = 4;
    private const int DecodingBatch = 1000;

    /// <summary>The model a run starts from: the same seed gives the same weights, so a --compare pair differs only in its backward pass.</summary>
    public static IParserNetwork CreateModel(ParserOptions options, ParsingCorpus corpus)
    {
        var shape = new ParserShape(corpus.Features.WordTableSize, corpus.Features.TagTableSize, corpus.Features.LabelTableSize,
            corpus.Transitions.Count, options.Hidden);
        IParserNetwork model = options.Activation switch
        {
            ParserActivation.Tanh => new TanhParserNetwork(shape, options.Seed),
            ParserActivation.Relu => new ReluParserNetwork(shape, options.Seed),
            ParserActivation.Cube => new CubeParserNetwork(shape, options.Seed),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Activation, $"Unknown activation {options.Activation}."),
        };
        model.MePropSettings.Mode = options.Mode;
        if (options.Mode != MePropMode.Dense) model.MePropSettings.K = options.K;
        model.MePropSettings.DenseOutput = options.DenseOutput;
        model.DropoutRate = options.Dropout;
        model.MePropRandom.Reseed(options.Seed);
        return model;
    }

    /// <summary>
    /// Runs a few steps of each mode a run will use, on throwaway models, so that the JIT has
    /// compiled and optimised every hot path before anything is timed.
    /// </summary>
    public static void WarmUp(IEnumerable<ParserOptions> runs, ParsingCorpus corpus, TrainingExamples examples, int steps = 3)
    {
        foreach (ParserOptions options in runs)
            Train(options with { Epochs = 1 }, corpus, examples, NullObserver.Instance, steps, evaluate: false, CheckpointPaths.None);
    }

    /// <summary>Trains a run; with <paramref name="checkpoints"/>, resumes from one and saves one after every epoch.</summary>
    public static RunResult Train(ParserOptions options, ParsingCorpus corpus, TrainingExamples examples, ITrainingObserver observer, CheckpointPaths? checkpoints = null)
        => Train(options, corpus, examples, observer, int.MaxValue, evaluate: true, checkpoints ?? CheckpointPaths.None);

    private static RunResult Train(ParserOptions options, ParsingCorpus corpus, TrainingExamples examples, ITrainingObserver observer, int maxStepsPerEpoch, bool evaluate, CheckpointPaths checkpoints)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(observer);
        if (options.Problem() is string problem) throw new ArgumentException(problem, nameof(options));
        if (examples.Count == 0) throw new ArgumentException("There are no training examples (no projective training sentence).", nameof(examples));

        IParserNetwork model = CreateModel(options, corpus);
        Optimizer<float> optimizer = options.CreateOptimizer();
        var shuffle = new SeededRandom(options.Seed ^ 0x5EED);
        int count = examples.Count;
        int[] order = Enumerable.Range(0, count).ToArray();
        int batch = Math.Min(options.Batch, count);
        var full = new ParserStepIds(batch);
        var last = new ParserStepIds(Math.Max(1, count % batch));
        var fullGradient = new Batch<float>(full.Gold.Length, corpus.Transitions.Count);
        var lastGradient = new Batch<float>(last.Gold.Length, corpus.Transitions.Count);
        string[] layerNames = model.LinearWeights.Select(p => p.Name).ToArray();
        List<EpochResult> epochs = checkpoints.Resume is null ? new()
            : RunCheckpoint.Restore(checkpoints.Resume, options, model, optimizer, shuffle, order);

        for (int epoch = epochs.Count + 1; epoch <= options.Epochs; epoch++)
        {
            shuffle.Shuffle(order.AsSpan());
            model.MePropTimings.Reset();
            long updateTicks = 0;
            var progress = new EpochProgress(observer, epoch, count, layerNames, ProgressEvery);
            var rows = new UpdatedRowShares(model.LinearWeights);

            for (int start = 0; start < count && progress.Steps < maxStepsPerEpoch; start += batch)
            {
                int size = Math.Min(batch, count - start);
                (ParserStepIds step, Batch<float> gradient) = size == batch ? (full, fullGradient) : (last, lastGradient);
                step.Fill(examples, order.AsSpan(start, size));

                Batch<float> scores = model.ForwardTrain(step.Words, step.Tags, step.Labels);
                float loss = SoftmaxCrossEntropy.LossAndGradient(scores, step.Gold, gradient);
                model.Backward(gradient);
                long before = Stopwatch.GetTimestamp();
                optimizer.Step(model.Parameters);
                updateTicks += Stopwatch.GetTimestamp() - before;

                rows.Add();
                progress.Add(loss, size, size);
            }

            var seconds = PhaseSeconds.From(model.MePropTimings, updateTicks);
            long parseStart = Stopwatch.GetTimestamp();
            AttachmentScores dev = evaluate ? Evaluate(model, corpus, corpus.Development) : default;
            AttachmentScores test = evaluate ? Evaluate(model, corpus, corpus.Test) : default;
            // Parsing speed: greedy decoding of dev and test, batched over sentences, features included.
            double parseSeconds = Stopwatch.GetElapsedTime(parseStart).TotalSeconds;
            double sentencesPerSecond = evaluate ? (corpus.Development.Count + corpus.Test.Count) / Math.Max(parseSeconds, 1e-9) : 0;
            var result = new EpochResult(epoch, progress.MeanLoss, dev.Uas, test.Uas, seconds, rows.Means())
            {
                Metrics = new Dictionary<string, double> { ["devLas"] = dev.Las, ["testLas"] = test.Las },
                Measures = new Dictionary<string, double> { ["parseSentencesPerSecond"] = sentencesPerSecond },
            };
            epochs.Add(result);
            RunCheckpoint.AfterEpoch(checkpoints, options, model, optimizer, shuffle, order, epochs);
            observer.EpochCompleted(result);
        }
        return new RunResult(options, epochs, layerNames);
    }

    /// <summary>Greedy parses of <paramref name="sentences"/> (inference: the annotated method itself) scored against their gold trees.</summary>
    public static AttachmentScores Evaluate(IParserNetwork model, ParsingCorpus corpus, IReadOnlyList<EncodedSentence> sentences)
    {
        (int[][] heads, int[][] labels) = Parse(model, corpus, sentences);
        return AttachmentScores.Of(sentences, heads, labels);
    }

    /// <summary>Greedy parses of <paramref name="sentences"/>, batched over sentences.</summary>
    public static (int[][] Heads, int[][] Labels) Parse(IParserNetwork model, ParsingCorpus corpus, IReadOnlyList<EncodedSentence> sentences)
    {
        var decoder = new GreedyDecoder(corpus, DecodingBatch);
        return decoder.Parse(sentences, (count, words, tags, labels, scores) =>
        {
            // The decoder's batches shrink as sentences finish: one set of id batches per call.
            var w = new IdBatch(count, FeatureTemplate.WordFeatures, words.ToArray());
            var t = new IdBatch(count, FeatureTemplate.TagFeatures, tags.ToArray());
            var l = new IdBatch(count, FeatureTemplate.LabelFeatures, labels.ToArray());
            model.Forward(w, t, l).Span.CopyTo(scores);
        });
    }
}

/// <summary>A mini-batch's inputs, gold transitions and loss gradient, allocated once per batch size.</summary>
internal sealed class ParserStepIds
{
    public ParserStepIds(int size)
    {
        Words = new IdBatch(size, FeatureTemplate.WordFeatures);
        Tags = new IdBatch(size, FeatureTemplate.TagFeatures);
        Labels = new IdBatch(size, FeatureTemplate.LabelFeatures);
        Gold = new int[size];
    }

    public IdBatch Words { get; }
    public IdBatch Tags { get; }
    public IdBatch Labels { get; }
    public int[] Gold { get; }

    public void Fill(TrainingExamples examples, ReadOnlySpan<int> indices)
    {
        Span<int> w = Words.Span, t = Tags.Span, l = Labels.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            int e = indices[i];
            examples.WordIds.AsSpan(e * FeatureTemplate.WordFeatures, FeatureTemplate.WordFeatures).CopyTo(w.Slice(i * FeatureTemplate.WordFeatures));
            examples.TagIds.AsSpan(e * FeatureTemplate.TagFeatures, FeatureTemplate.TagFeatures).CopyTo(t.Slice(i * FeatureTemplate.TagFeatures));
            examples.LabelIds.AsSpan(e * FeatureTemplate.LabelFeatures, FeatureTemplate.LabelFeatures).CopyTo(l.Slice(i * FeatureTemplate.LabelFeatures));
            Gold[i] = examples.Transitions[e];
        }
    }
}
