using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using MeProp.Datasets;
using MeProp.Datasets.Conllu;
using MeProp.Datasets.UdEnglishEwt;
using MeProp.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MeProp.Runtime.Tests.Datasets;

// Runs on the real UD English EWT when MEPROP_DATA points at a data folder (CI: ../shared/data);
// skipped otherwise.
public class RealEwtTests
{
    private readonly ITestOutputHelper _output;

    public RealEwtTests(ITestOutputHelper output) => _output = output;

    private static string Folder => RealData.Folder(RealData.UdEnglishEwt);

    [DataTheory(RealData.UdEnglishEwt)]
    [InlineData(EwtFiles.Train, 12_544, 204_577)]
    [InlineData(EwtFiles.Development, 2_001, 25_147)]
    [InlineData(EwtFiles.Test, 2_077, 25_094)]
    public void Each_file_has_the_documented_sentence_and_word_counts(string file, int sentences, int words)
    {
        string path = Path.Combine(Folder, file);
        var watch = Stopwatch.StartNew();
        var read = ConlluReader.ReadFile(path);
        double first = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        read = ConlluReader.ReadFile(path);
        double second = watch.Elapsed.TotalMilliseconds;
        _output.WriteLine($"{file}: {new FileInfo(path).Length / 1e6:F1} MB read in {first:F0} ms (first read, JIT included), {second:F0} ms (second)");

        Assert.Equal(sentences, read.Count);
        Assert.Equal(words, read.Sum(s => s.Count));
        // Every word of the released treebank has a head and a relation; sentences are trees of their words.
        Assert.All(read, s => Assert.Single(s.Words, w => w.Head == 0));
        Assert.DoesNotContain(read.SelectMany(s => s.Words), w => w.Head is null || w.Deprel == "_");
    }

    [DataFact(RealData.UdEnglishEwt)]
    public void The_first_training_sentence_is_read_with_its_tags_heads_and_lines()
    {
        var data = EwtDataset.Load(Folder);
        ConlluSentence first = data.Training[0];
        Assert.Equal(1, first.LineNumber);
        Assert.Equal("weblog-juancole.com_juancole_20051126063000_ENG_20051126_063000-0001", first.SentenceId);
        Assert.Equal(new ConlluWord(1, "Al", "Al", "PROPN", "NNP", "Number=Sing", 0, "root", "0:root", "SpaceAfter=No", 5), first.Words[0]);
        Assert.Equal(new ConlluWord(7, "killed", "kill", "VERB", "VBD", "Mood=Ind|Number=Plur|Person=3|Tense=Past|VerbForm=Fin", 1, "parataxis", "1:parataxis", "_", 11), first.Words[6]);
        // Column 5 holds the Penn Treebank tags of the POS task: about 50 of them.
        int tags = data.Training.SelectMany(s => s.Words).Select(w => w.Xpos).Distinct().Count();
        Assert.InRange(tags, 45, 55);
    }

    [DataFact(RealData.UdEnglishEwt)]
    public async Task The_locator_finds_MEPROP_DATA_and_the_files_are_release_r2_16()
    {
        var location = new EwtLocator().Locate(null);
        Assert.Equal(EwtDataSource.EnvironmentVariable, location.Source);
        Assert.True(location.HasAllFiles);
        // The shared copies are the pinned release, so the downloader's checksums are the right ones.
        foreach (string name in EwtFiles.All)
            Assert.Equal(EwtDownloader.CanonicalSha256[name], await DataCache.Sha256Async(Path.Combine(location.Directory, name)));
    }

    [DataFact(RealData.UdEnglishEwt)]
    public async Task The_development_set_written_back_reads_as_the_same_words()
    {
        var sentences = ConlluReader.ReadFile(Path.Combine(Folder, EwtFiles.Development));
        using var temp = new TempFolder();
        string copy = temp.File("dev.conllu");
        ConlluWriter.WriteFile(copy, sentences);
        var again = ConlluReader.ReadFile(copy);

        Assert.Equal(sentences.Count, again.Count);
        Assert.Equal(
            sentences.SelectMany(s => s.Words).Select(w => w with { LineNumber = 0 }),
            again.SelectMany(s => s.Words).Select(w => w with { LineNumber = 0 }));
        Assert.Equal(sentences.Select(s => s.Comments), again.Select(s => s.Comments));
        // Only the multiword-token and empty-node lines are gone.
        var original = await File.ReadAllLinesAsync(Path.Combine(Folder, EwtFiles.Development));
        int skipped = original.Count(line => line.Length > 0 && line[0] != '#' && line.Split('\t')[0].IndexOfAny(new[] { '-', '.' }) >= 0);
        Assert.True(skipped > 0);
        Assert.Equal(original.Length - skipped, (await File.ReadAllLinesAsync(copy)).Length);
    }
}
