using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace MeProp.Examples.Tests;

/// <summary>
/// Every example program, run as a user runs it, answers a bad option with exactly one line starting
/// "error:" and a non-zero exit code: no help text, no stack trace. The cases fail before any data is
/// read, so they need none.
/// </summary>
public sealed class CommandLineErrorTests
{
    private static readonly string[] Common =
    {
        "--k abc", "--k 0", "--mode foo", "--bogus", "--train-limit 0", "--epochs 0", "--lr -1", "--dropout 1.5", "--batch 0",
        "--hidden 0", "--optimizer foo", "--seed x",
        "--save /nonexistent-folder/run.safetensors", "--resume /nonexistent-folder/run.safetensors", "--compare --save run.safetensors",
        "--touched-rows-only --accelerator cpu",
        // Output paths are checked before any data or training: a run must not end in a failed write.
        "--report /proc/meprop-report.json", "--report {file}/report.json", "--report {folder}", "--save /proc/meprop-run.safetensors",
        "--save {file}/run.safetensors",
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string program in new[] { "MeProp.Mnist", "MeProp.Tagger", "MeProp.Parser" })
            foreach (string arguments in Common) data.Add(program, arguments);
        data.Add("MeProp.Mnist", "--threads 3");
        data.Add("MeProp.Mnist", "--layers 6");
        data.Add("MeProp.Parser", "--threads 0");
        data.Add("MeProp.Parser", "--activation foo");
        data.Add("MeProp.Reproduce", "tableX");
        data.Add("MeProp.Reproduce", "table1 --threads 3");
        data.Add("MeProp.Reproduce", "--quick");
        data.Add("MeProp.Reproduce", "table1 --quick --out /proc/meprop-reproduction");
        data.Add("MeProp.Reproduce", "table1 --quick --out {file}");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_bad_option_is_one_line_and_a_failure_exit_code(string program, string arguments)
    {
        var (exitCode, lines, printed) = Run(program, arguments);
        Assert.True(exitCode != 0, $"{program} {arguments} exited with 0:\n{printed}");
        Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal),
            $"{program} {arguments} printed {lines.Length} lines, not one error line:\n{printed}");
    }

    /// <summary>A data folder that cannot be made (a file in its place or on its path) ends the program with one error line that says so, after the lines naming the folder.</summary>
    [Theory]
    [InlineData("MeProp.Mnist", "--data {file}")]
    [InlineData("MeProp.Mnist", "--data {file}/data")]
    [InlineData("MeProp.Tagger", "--data {file}")]
    [InlineData("MeProp.Parser", "--data {file}/data")]
    public void A_data_folder_that_cannot_be_made_ends_in_one_error_line(string program, string arguments)
    {
        var (exitCode, lines, printed) = Run(program, arguments);
        Assert.True(exitCode != 0, $"{program} {arguments} exited with 0:\n{printed}");
        Assert.StartsWith("error: The data folder ", lines[^1]);
        Assert.DoesNotContain(lines, l => l.StartsWith("at ", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal));
    }

    // Runs the program as a user would, with {file} and {folder} in the arguments replaced by a new file and folder.
    private static (int ExitCode, string[] Lines, string Printed) Run(string program, string arguments)
    {
        string folder = Directory.CreateTempSubdirectory("meprop-cli-").FullName;
        try
        {
            string file = Path.Combine(folder, "a-file");
            File.WriteAllText(file, "not a folder");
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetTempPath(), RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, program + ".dll"));
            foreach (string argument in arguments.Split(' ')) start.ArgumentList.Add(argument.Replace("{file}", file, StringComparison.Ordinal).Replace("{folder}", folder, StringComparison.Ordinal));
            // No data anywhere: a case that got as far as looking for data would fail differently, not download.
            start.Environment["MEPROP_DATA"] = "/nonexistent-meprop-data";
            start.Environment["DOTNET_NOLOGO"] = "1";
            using var process = Process.Start(start)!;
            string stdout = process.StandardOutput.ReadToEnd(), stderr = process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(60_000), $"{program} {arguments} did not end");
            return (process.ExitCode, (stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), stdout + stderr);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
