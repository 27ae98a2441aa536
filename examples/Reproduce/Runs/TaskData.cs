using System;
using System.Linq;
using System.Threading.Tasks;
using MeProp.Datasets.Conllu;
using MeProp.Datasets.UdEnglishEwt;
using MeProp.Datasets.Mnist;
using MeProp.Examples.Mnist;
using MeProp.Examples.Parser;
using MeProp.Examples.Tagger;

namespace MeProp.Examples.Reproduce;

/// <summary>
/// The data of the three tasks, loaded once and only when a run needs it. Quick runs use small
/// subsets (the first training examples, and the first sentences of dev and test for the two EWT
/// tasks, whose evaluation decodes every sentence).
/// </summary>
public sealed class TaskData(string? dataOption)
{
    /// <summary>Training images of a quick MNIST run.</summary>
    public const int QuickImages = 500;

    /// <summary>Training sentences of a quick tagging or parsing run.</summary>
    public const int QuickSentences = 40;

    /// <summary>Development and test sentences of a quick tagging or parsing run.</summary>
    public const int QuickEvaluationSentences = 60;

    private readonly System.Collections.Generic.Dictionary<int, MnistDataset> _mnist = new();
    private EwtDataset? _ewt;
    private TaggingCorpus? _tagging, _quickTagging;
    private (ParsingCorpus Corpus, TrainingExamples Examples)? _parsing, _quickParsing;

    /// <summary>MNIST with the first <paramref name="trainLimit"/> training images (all: null), loaded once per limit.</summary>
    public async Task<MnistDataset> MnistAsync(int? trainLimit)
    {
        int key = trainLimit ?? 0;
        if (!_mnist.TryGetValue(key, out MnistDataset? data)) _mnist[key] = data = await DataSetup.LoadAsync(dataOption, trainLimit);
        return data;
    }

    public async Task<TaggingCorpus> TaggingAsync(bool quick)
    {
        if (quick) return _quickTagging ??= TaggingCorpus.Build(Take(await EwtAsync(), out var dev, out var test), dev, test);
        return _tagging ??= TaggingCorpus.Build(await EwtAsync());
    }

    public async Task<(ParsingCorpus Corpus, TrainingExamples Examples)> ParsingAsync(bool quick)
    {
        if (quick)
        {
            if (_quickParsing is null)
            {
                EwtDataset ewt = await EwtAsync();
                ParsingCorpus corpus = ParsingCorpus.Build(Take(ewt, out var dev, out var test), dev, test, ewt.Directory);
                _quickParsing = (corpus, TrainingExamples.Extract(corpus));
            }
            return _quickParsing.Value;
        }
        if (_parsing is null)
        {
            ParsingCorpus corpus = ParsingCorpus.Build(await EwtAsync());
            _parsing = (corpus, TrainingExamples.Extract(corpus));
        }
        return _parsing.Value;
    }

    /// <summary>Trains <paramref name="spec"/>'s run, showing its progress through <paramref name="observer"/>.</summary>
    public async Task<Func<ITrainingObserver, RunResult>> PrepareAsync(RunSpec spec)
    {
        switch (spec.Task)
        {
            case PaperTask.Mnist:
            {
                var options = (TrainingOptions)spec.Options;
                MnistDataset data = await MnistAsync(options.TrainLimit);
                return observer => MnistTrainer.Train(options, data, observer);
            }
            case PaperTask.Pos:
            {
                TaggingCorpus corpus = await TaggingAsync(spec.Quick);
                return observer => TaggerTrainer.Train((TaggerOptions)spec.Options, corpus, observer);
            }
            default:
            {
                var (corpus, examples) = await ParsingAsync(spec.Quick);
                return observer => ParserTrainer.Train((ParserOptions)spec.Options, corpus, examples, observer);
            }
        }
    }

    private async Task<EwtDataset> EwtAsync() => _ewt ??= await EwtSetup.LoadAsync(dataOption);

    private static ConlluSentence[] Take(EwtDataset data, out ConlluSentence[] development, out ConlluSentence[] test)
    {
        development = data.Development.Take(QuickEvaluationSentences).ToArray();
        test = data.Test.Take(QuickEvaluationSentences).ToArray();
        return data.Training.Take(QuickSentences).ToArray();
    }
}
