using System;
using System.Collections.Generic;
using MeProp.Examples.Tagger;
using MeProp.Kernels;
using Xunit;

namespace MeProp.Examples.Tests.Tagger;

/// <summary>
/// A tagger step allocates nothing once warm. Runs alone (see <see cref="AllocationCounting"/>):
/// the side thread's byte count is the process's, and a tagger test training beside it once added
/// its first-epoch allocations to this window (a CI failure of 1,376 bytes).
/// </summary>
[Collection(AllocationCounting.Name)]
public class TaggerAllocationTests
{
    [Theory]
    [InlineData(MePropMode.TopK, 1)]
    [InlineData(MePropMode.Unified, 3)]
    [InlineData(MePropMode.Dense, 2)]
    public void A_training_step_allocates_nothing_after_the_first_epoch(MePropMode mode, int batch)
    {
        TaggingCorpus corpus = TaggerTrainingTests.MadeUpCorpus();
        var options = new TaggerOptions { Mode = mode, Batch = batch, Hidden = 16, K = 3 };
        BiLstmTagger model = TaggerTrainer.CreateModel(options, corpus);
        IOptimizer<float> optimizer = options.CreateOptimizer();
        var buffers = new StepBufferCache(corpus.Tags.Count);
        List<int[]> batches = SentenceBatches.Shuffled(corpus.Training, batch, new SeededRandom(1));
        void Epoch()
        {
            foreach (int[] b in batches)
            {
                StepBuffers step = buffers.Fill(corpus.Training, b);
                Sequence<float> scores = model.ForwardTrain(step.Words, step.Features);
                SoftmaxCrossEntropy.LossAndGradient(scores.AllSteps, step.Labels, step.Gradient.AllSteps);
                model.Backward(step.Gradient);
                optimizer.Step(model.Parameters);
            }
        }
        // Two epochs of warm-up: the tape grows to the longest sentence and makes its per-length views.
        Epoch();
        Epoch();
        // The two directions' loops run at the same time, one on the runtime's side thread: count its bytes too.
        long before = GC.GetAllocatedBytesForCurrentThread() + SideThread.AllocatedBytes;
        for (int i = 0; i < 3; i++) Epoch();
        long allocated = GC.GetAllocatedBytesForCurrentThread() + SideThread.AllocatedBytes - before;
        Assert.True(allocated == 0, $"{mode}, batch {batch}: {allocated} bytes allocated in {3 * batches.Count} steady-state steps over sentences of 1 to 9 words");
    }
}
