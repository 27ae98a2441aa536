using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using MeProp.Checkpoints;

namespace MeProp.Examples.Reproduce;

/// <summary>
/// One reproduction page in markdown: what was run and where, the paper's figures beside ours, and
/// in words where they agree.
/// </summary>
public sealed class Page
{
    private readonly StringBuilder _text = new();

    public Page(string title, string command, bool quick)
    {
        _text.AppendLine($"# {title}").AppendLine();
        if (quick)
            _text.AppendLine("> **Quick form**: small subsets and one or two epochs, to check that the pipeline runs (CI does). "
                + "These numbers say nothing about the paper's claims; the full page comes from the command without `--quick`.").AppendLine();
        _text.AppendLine($"Command: `{command}`").AppendLine();
        _text.AppendLine($"Machine: {Machine.Describe()}.").AppendLine();
        string? commit = Machine.Commit();
        _text.AppendLine($"Written {DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}"
            + (commit is null ? "." : $" from commit {commit}.")).AppendLine();
    }

    public Page Heading(string text)
    {
        _text.AppendLine($"## {text}").AppendLine();
        return this;
    }

    public Page Paragraph(string text)
    {
        _text.AppendLine(text).AppendLine();
        return this;
    }

    public Page Bullets(IEnumerable<string> items)
    {
        foreach (string item in items) _text.AppendLine($"- {item}");
        _text.AppendLine();
        return this;
    }

    public Page Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        _text.AppendLine("| " + string.Join(" | ", headers) + " |");
        _text.AppendLine("|" + string.Concat(headers.Select(_ => "---|")));
        foreach (var row in rows) _text.AppendLine("| " + string.Join(" | ", row) + " |");
        _text.AppendLine();
        return this;
    }

    public Page Image(string alt, string fileName)
    {
        _text.AppendLine($"![{alt}]({fileName})").AppendLine();
        return this;
    }

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string text = _text.ToString();
        AtomicFile.Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(text)));
    }

    public static string Percent(double fraction) => (100 * fraction).ToString("F2", CultureInfo.InvariantCulture);

    public static string Seconds(double seconds) => seconds.ToString(seconds < 10 ? "F2" : "F1", CultureInfo.InvariantCulture);

    public static string Ratio(double ratio) => ratio.ToString("F1", CultureInfo.InvariantCulture) + "x";

    public static string Points(double difference) => (difference >= 0 ? "+" : "") + difference.ToString("F2", CultureInfo.InvariantCulture);
}
