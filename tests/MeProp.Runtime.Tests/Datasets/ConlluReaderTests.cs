using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using MeProp.Datasets;
using MeProp.Datasets.Conllu;
using Xunit;

namespace MeProp.Runtime.Tests.Datasets;

public class ConlluReaderTests
{
    // A word line with the given id, form and head; the other columns are fixed or '_'.
    private static string W(string id, string form, string head, string deprel = "dep")
        => $"{id}\t{form}\t{form.ToLowerInvariant()}\tX\tXX\t_\t{head}\t{deprel}\t_\t_";

    private static string Lines(params string[] lines) => string.Join("\n", lines) + "\n";

    [Fact]
    public void Reads_words_columns_comments_and_line_numbers()
    {
        string text = Lines(
            "# sent_id = s1",
            "# text = Dogs bark.",
            "1\tDogs\tdog\tNOUN\tNNS\tNumber=Plur\t2\tnsubj\t2:nsubj\t_",
            "2\tbark\tbark\tVERB\tVBP\tMood=Ind|Tense=Pres\t0\troot\t0:root\tSpaceAfter=No",
            "3\t.\t.\tPUNCT\t.\t_\t2\tpunct\t2:punct\t_",
            "",
            "1\tHi\thi\tINTJ\tUH\t_\t_\t_\t_\t_",
            "");
        var sentences = ConlluReader.Read(new StringReader(text), "mem.conllu");

        Assert.Equal(2, sentences.Count);
        ConlluSentence first = sentences[0];
        Assert.Equal(1, first.LineNumber);
        Assert.Equal(new[] { "# sent_id = s1", "# text = Dogs bark." }, first.Comments);
        Assert.Equal("s1", first.SentenceId);
        Assert.Equal(3, first.Count);
        Assert.Equal(new ConlluWord(1, "Dogs", "dog", "NOUN", "NNS", "Number=Plur", 2, "nsubj", "2:nsubj", "_", 3), first.Words[0]);
        Assert.Equal(new ConlluWord(2, "bark", "bark", "VERB", "VBP", "Mood=Ind|Tense=Pres", 0, "root", "0:root", "SpaceAfter=No", 4), first.Words[1]);
        Assert.Equal(5, first.Words[2].LineNumber);

        ConlluSentence second = sentences[1];
        Assert.Equal(7, second.LineNumber);
        Assert.Empty(second.Comments);
        Assert.Null(second.SentenceId);
        Assert.Null(second.Words[0].Head); // '_'
        Assert.Equal("_", second.Words[0].Deprel);
    }

    [Fact]
    public void Multiword_tokens_and_empty_nodes_are_skipped()
    {
        string text = Lines(
            "# text = I don't know",
            "0.1\tnull\t_\t_\t_\t_\t_\t_\t2:dep\t_",
            "1\tI\tI\tPRON\tPRP\t_\t4\tnsubj\t4:nsubj\t_",
            "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_",
            "2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t4:aux\t_",
            "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t4:advmod\t_",
            "4\tknow\tknow\tVERB\tVB\t_\t0\troot\t0:root\t_",
            "4.1\tknows\tknow\tVERB\tVBZ\t_\t_\t_\t4:conj\t_",
            "",
            "1-2\tcannot\t_\t_\t_\t_\t_\t_\t_\t_",
            "1\tcan\tcan\tAUX\tMD\t_\t0\troot\t0:root\t_",
            "2\tnot\tnot\tPART\tRB\t_\t1\tadvmod\t1:advmod\t_",
            "");
        var sentences = Read(text);

        Assert.Equal(2, sentences.Count);
        Assert.Equal(new[] { "I", "do", "n't", "know" }, sentences[0].Words.Select(w => w.Form));
        Assert.Equal(new[] { 1, 2, 3, 4 }, sentences[0].Words.Select(w => w.Id));
        Assert.Equal(new[] { 3, 5, 6, 7 }, sentences[0].Words.Select(w => w.LineNumber));
        Assert.Equal(new[] { "can", "not" }, sentences[1].Words.Select(w => w.Form));
        Assert.Equal(10, sentences[1].LineNumber); // the sentence starts at its multiword-token line
    }

    public static IEnumerable<object[]> Malformed()
    {
        // name, text, line of the error, its detail (the message is "path:line N: detail")
        yield return Case("seven columns", Lines(W("1", "a", "0"), "2\tb\tb\tX\tXX\t_\t1", ""), 2,
            "expected 10 tab-separated columns, found 7");
        yield return Case("eleven columns", Lines(W("1", "a", "0") + "\textra", ""), 1,
            "expected 10 tab-separated columns, found 11");
        yield return Case("spaces instead of tabs", Lines("# c", "1 a a X XX _ 0 root _ _", ""), 2,
            "expected 10 tab-separated columns, found 1");
        yield return Case("empty column", Lines(W("1", "a", "0"), "2\tb\t\tX\tXX\t_\t1\tdep\t_\t_", ""), 2,
            "column 3 (LEMMA) is empty; a missing value is written _");
        yield return Case("id skips one", Lines(W("1", "a", "0"), W("3", "c", "1"), ""), 2,
            "word id 3 is out of order: expected 2");
        yield return Case("id does not start at 1", Lines(W("1", "a", "0"), "", W("2", "b", "0"), ""), 3,
            "word id 2 is out of order: expected 1");
        yield return Case("id repeated", Lines(W("1", "a", "0"), W("1", "a", "0"), ""), 2,
            "word id 1 is out of order: expected 2");
        yield return Case("id not a number", Lines(W("1", "a", "0"), W("two", "b", "1"), ""), 2,
            "the ID is 'two'; expected a word id");
        yield return Case("negative id", Lines(W("-1", "a", "0"), ""), 1,
            "the ID is '-1'");
        yield return Case("head beyond the sentence", Lines("# s", W("1", "a", "0"), W("2", "b", "3"), "", W("1", "c", "0"), ""), 3,
            "HEAD 3 of word 2 is outside 0..2: the sentence has 2 words");
        yield return Case("head not a number", Lines(W("1", "a", "0"), W("2", "b", "x"), ""), 2,
            "HEAD is 'x'; expected _ or the id of a word of the sentence (0 for the root)");
        yield return Case("negative head", Lines(W("1", "a", "-1"), ""), 1,
            "HEAD is '-1'");
        yield return Case("no blank line at the end", Lines("# s", W("1", "a", "0"), W("2", "b", "1")), 3,
            "missing blank line at the end of the file: the sentence that starts at line 1 must be followed by an empty line");
        yield return Case("no line break at the end", Lines(W("1", "a", "0"), "", W("1", "b", "0")).TrimEnd('\n'), 3,
            "missing blank line at the end of the file: the sentence that starts at line 3");
        yield return Case("comments only", Lines(W("1", "a", "0"), "", "# lonely", "", W("1", "b", "0"), ""), 3,
            "the sentence from here to the blank line 4 has no word lines");
        yield return Case("white space line", Lines(W("1", "a", "0"), "  ", ""), 2,
            "the line holds only white space");
    }

    private static object[] Case(string name, string text, int line, string detail) => new object[] { name, text, line, detail };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_text_read_from_a_TextReader_names_the_line(string name, string text, int line, string detail)
    {
        var e = Assert.Throws<ConlluFormatException>(() => ConlluReader.Read(new StringReader(text), "given.conllu"));
        Assert.True(line == e.LineNumber, $"{name}: reported line {e.LineNumber}, expected {line}: {e.Message}");
        Assert.Equal("given.conllu", e.FilePath);
        Assert.StartsWith(detail, e.Detail);
        Assert.StartsWith($"given.conllu:line {line}: {detail}", e.Message);
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_file_names_the_file_and_line(string name, string text, int line, string detail)
    {
        using var temp = new TempFolder();
        string path = temp.File("bad.conllu");
        File.WriteAllText(path, text, new UTF8Encoding(false));
        var e = Assert.Throws<ConlluFormatException>(() => ConlluReader.ReadFile(path));
        Assert.True(line == e.LineNumber, $"{name}: reported line {e.LineNumber}, expected {line}: {e.Message}");
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith($"{path}:line {line}: {detail}", e.Message);
    }

    [Fact]
    public void The_message_has_the_documented_form()
    {
        var e = Assert.Throws<ConlluFormatException>(() => ConlluReader.Read(new StringReader(Lines(W("1", "a", "0"), "1\ta\tb\tc\td\te\tf", "")), "x/en.conllu"));
        Assert.Equal("x/en.conllu:line 2: expected 10 tab-separated columns, found 7", e.Message);
    }

    [Fact]
    public void Invalid_UTF8_is_reported_at_its_line()
    {
        byte[] good = Encoding.UTF8.GetBytes(Lines(W("1", "naïve", "0"), "", W("1", "a", "0")));
        byte[] bad = Encoding.UTF8.GetBytes(W("2", "bXd", "1") + "\n\n");
        bad[Array.IndexOf(bad, (byte)'X')] = 0xFF;
        byte[] data = good.Concat(bad).ToArray();

        var e = Assert.Throws<ConlluFormatException>(() => ConlluReader.Read(new MemoryStream(data), "bytes.conllu"));
        Assert.Equal(4, e.LineNumber);
        Assert.Contains("invalid UTF-8 at byte 4 of the line", e.Message);
        Assert.Contains($"byte offset {good.Length + 3} in the file", e.Message);
    }

    [Fact]
    public void Byte_order_mark_and_CRLF_line_ends_are_accepted()
    {
        string text = "# c\r\n" + W("1", "é", "0") + "\r\n\r\n";
        byte[] data = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text)).ToArray();
        var fromBytes = ConlluReader.Read(new MemoryStream(data), "crlf.conllu");
        var fromText = ConlluReader.Read(new StringReader("\uFEFF" + text), "crlf.conllu");
        foreach (var sentences in new[] { fromBytes, fromText })
        {
            Assert.Equal("# c", Assert.Single(sentences).Comments[0]);
            Assert.Equal("é", sentences[0].Words[0].Form);
            Assert.Equal("_", sentences[0].Words[0].Misc);
        }
    }

    [Fact]
    public void Extra_blank_lines_between_sentences_are_ignored_and_an_empty_file_has_no_sentences()
    {
        Assert.Equal(2, Read(Lines(W("1", "a", "0"), "", "", W("1", "b", "0"), "", "")).Count);
        Assert.Empty(Read(""));
        Assert.Empty(Read("\n\n"));
    }

    [Fact]
    public void Line_numbers_stay_right_across_buffer_refills_and_lines_longer_than_the_buffer()
    {
        // Over 64 KiB of sentences (the reader's first buffer), one word line of 200,000 characters,
        // and an error after them: the line count must survive every refill and the buffer growth.
        var lines = new List<string>();
        for (int s = 0; s < 3000; s++)
        {
            lines.Add($"# sent_id = {s}");
            lines.Add(W("1", "word" + s, "0"));
            lines.Add(W("2", "next", "1"));
            lines.Add("");
        }
        string longMisc = "Note=" + new string('m', 200_000);
        lines.Add($"1\tlong\tlong\tX\tXX\t_\t0\troot\t_\t{longMisc}");
        lines.Add("");
        lines.Add(W("1", "a", "0"));
        lines.Add(W("3", "c", "1"));
        lines.Add("");
        using var temp = new TempFolder();
        string path = temp.File("big.conllu");
        File.WriteAllText(path, Lines(lines.ToArray()));

        var e = Assert.Throws<ConlluFormatException>(() => ConlluReader.ReadFile(path));
        Assert.Equal(3000 * 4 + 4, e.LineNumber);

        File.WriteAllText(path, Lines(lines.Take(3000 * 4 + 2).ToArray()));
        var sentences = ConlluReader.ReadFile(path);
        Assert.Equal(3001, sentences.Count);
        Assert.Equal("word2999", sentences[2999].Words[0].Form);
        Assert.Equal(2999 * 4 + 2, sentences[2999].Words[0].LineNumber);
        Assert.Equal(longMisc, sentences[3000].Words[0].Misc);
        Assert.Equal(3000 * 4 + 1, sentences[3000].LineNumber);
    }

    [Fact]
    public void A_file_the_test_writes_round_trips_byte_for_byte()
    {
        string text = Lines(
            "# newdoc id = d1",
            "# sent_id = d1-1",
            "# text = Émile's café, isn't it?",
            "1\tÉmile\tÉmile\tPROPN\tNNP\tNumber=Sing\t3\tnmod:poss\t3:nmod:poss\tSpaceAfter=No",
            "2\t's\t's\tPART\tPOS\t_\t1\tcase\t1:case\t_",
            "3\tcafé\tcafé\tNOUN\tNN\tNumber=Sing\t0\troot\t0:root\tSpaceAfter=No",
            "4\t,\t,\tPUNCT\t,\t_\t3\tpunct\t3:punct\t_",
            "5\tis\tbe\tAUX\tVBZ\tMood=Ind|Number=Sing|Person=3|Tense=Pres|VerbForm=Fin\t3\tparataxis\t3:parataxis\tSpaceAfter=No",
            "6\tn't\tnot\tPART\tRB\t_\t5\tadvmod\t5:advmod\t_",
            "7\tit\tit\tPRON\tPRP\tCase=Nom|Gender=Neut|Number=Sing|Person=3|PronType=Prs\t5\tnsubj\t5:nsubj\tSpaceAfter=No",
            "8\t?\t?\tPUNCT\t.\t_\t3\tpunct\t3:punct\t_",
            "",
            "# sent_id = d1-2",
            "1\tYes\tyes\tINTJ\tUH\t_\t_\t_\t_\t_",
            "",
            "1\tOK\tok\tINTJ\tUH\t_\t0\troot\t0:root\t_",
            "2\t.\t.\tPUNCT\t.\t_\t1\tpunct\t1:punct\t_",
            "");
        using var temp = new TempFolder();
        string original = temp.File("original.conllu");
        File.WriteAllBytes(original, Encoding.UTF8.GetBytes(text));

        var sentences = ConlluReader.ReadFile(original);
        string copy = temp.File("copy.conllu");
        ConlluWriter.WriteFile(copy, sentences);

        Assert.Equal(File.ReadAllBytes(original), File.ReadAllBytes(copy));
        Assert.Equal(text, ConlluWriter.ToText(sentences));
        var again = ConlluReader.ReadFile(copy);
        Assert.Equal(sentences.SelectMany(s => s.Words), again.SelectMany(s => s.Words));
        Assert.Equal(sentences.Select(s => s.Comments), again.Select(s => s.Comments));
    }

    [Fact]
    public void Writing_drops_multiword_tokens_and_empty_nodes_and_reads_back_the_same_words()
    {
        string text = Lines(
            "1-2\tdon't\t_\t_\t_\t_\t_\t_\t_\t_",
            "1\tdo\tdo\tAUX\tVBP\t_\t0\troot\t0:root\t_",
            "2\tn't\tnot\tPART\tRB\t_\t1\tadvmod\t1:advmod\t_",
            "2.1\tdo\tdo\tVERB\tVB\t_\t_\t_\t1:conj\t_",
            "");
        var sentences = Read(text);
        string written = ConlluWriter.ToText(sentences);
        Assert.Equal(Lines("1\tdo\tdo\tAUX\tVBP\t_\t0\troot\t0:root\t_", "2\tn't\tnot\tPART\tRB\t_\t1\tadvmod\t1:advmod\t_", ""), written);
        var again = Read(written);
        Assert.Equal(
            sentences[0].Words.Select(w => w with { LineNumber = 0 }),
            again[0].Words.Select(w => w with { LineNumber = 0 }));
    }

    [Fact]
    public void Sentences_made_in_code_are_checked_and_written()
    {
        var words = new[]
        {
            new ConlluWord(1, "Go", "go", "VERB", "VB", "_", 0, "root", "_", "_"),
            new ConlluWord(2, "!", "!", "PUNCT", ".", "_", 1, "punct", "_", "_"),
        };
        var sentence = new ConlluSentence(words, new[] { "# sent_id = made" });
        Assert.Equal("# sent_id = made\n1\tGo\tgo\tVERB\tVB\t_\t0\troot\t_\t_\n2\t!\t!\tPUNCT\t.\t_\t1\tpunct\t_\t_\n\n", ConlluWriter.ToText(new[] { sentence }));

        Assert.Contains("ids must run 1, 2, 3", Assert.Throws<ArgumentException>(() => new ConlluSentence(new[] { words[1] })).Message);
        Assert.Contains("outside 0..1", Assert.Throws<ArgumentException>(() => new ConlluSentence(new[] { words[0] with { Head = 2 } })).Message);
        Assert.Contains("at least one word", Assert.Throws<ArgumentException>(() => new ConlluSentence(Array.Empty<ConlluWord>())).Message);
        Assert.Contains("must start with '#'", Assert.Throws<ArgumentException>(() => new ConlluSentence(words, new[] { "sent_id = x" })).Message);

        var tab = new ConlluSentence(new[] { words[0] with { Form = "G\to" } });
        Assert.Contains("FORM 'G\to' holds a tab", Assert.Throws<ArgumentException>(() => ConlluWriter.ToText(new[] { tab })).Message);
        var empty = new ConlluSentence(new[] { words[0] with { Misc = "" } });
        Assert.Contains("word 1: MISC is empty", Assert.Throws<ArgumentException>(() => ConlluWriter.ToText(new[] { empty })).Message);
    }

    // Reads text through the byte path (the one files take).
    private static IReadOnlyList<ConlluSentence> Read(string text)
        => ConlluReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), "test.conllu");
}
