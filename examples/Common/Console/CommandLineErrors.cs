using System;
using System.CommandLine;
using System.Linq;
using System.Threading.Tasks;
using Spectre.Console;

namespace MeProp.Examples;

/// <summary>
/// How the example programs end on bad input: one line saying what is wrong, and exit code 1; never
/// System.CommandLine's error followed by the whole help text, nor a stack trace for an option
/// value out of range.
/// </summary>
public static class CommandLineErrors
{
    /// <summary>Parses <paramref name="args"/>; a parse error (unknown option, unparsable or unlisted value) is one line, else the command runs.</summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        ArgumentNullException.ThrowIfNull(root);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
            return Fail($"{string.Join("; ", parse.Errors.Select(e => OneLine(e.Message).TrimEnd('.')).Distinct())} ({root.Name} --help lists the options).");
        return await parse.InvokeAsync();
    }

    /// <summary>Prints "error: " and <paramref name="message"/> and returns the exit code of a failure.</summary>
    public static int Fail(string message)
    {
        AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(OneLine(message))}");
        return 1;
    }

    /// <summary>
    /// A message as one line: an ArgumentException's " (Parameter 'x')" and "Actual value was" lines
    /// and System.CommandLine's lists of accepted values (one per line) folded onto it.
    /// </summary>
    public static string OneLine(string message)
    {
        string text = message.Replace("\r", "", StringComparison.Ordinal);
        int actual = text.IndexOf("\nActual value was", StringComparison.Ordinal);
        if (actual >= 0) text = text[..actual];
        int parameter = text.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (parameter >= 0) text = text[..parameter];
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" ", lines);
    }
}
