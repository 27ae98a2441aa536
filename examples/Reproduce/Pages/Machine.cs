using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace MeProp.Examples.Reproduce;

/// <summary>The machine and code a page's numbers come from, in words.</summary>
public static class Machine
{
    public static string Describe()
    {
        string cpu = CpuModel() ?? RuntimeInformation.ProcessArchitecture.ToString();
        double memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"{cpu}, {Environment.ProcessorCount} cores, {memory:F0} GiB; {RuntimeInformation.OSDescription}; {RuntimeInformation.FrameworkDescription}; "
            + "MeProp's CPU runtime (each run's thread count and machine load are listed with the runs)";
    }

    /// <summary>The commit of the working tree (with "+changes" when its code has uncommitted changes), or null without git.</summary>
    public static string? Commit()
    {
        string? head = Git("rev-parse --short HEAD");
        if (head is null) return null;
        // The reproduction's own outputs (pages, plots, stored runs) are not changes to the code behind them.
        string? status = Git("status --porcelain --untracked-files=no -- :(top,exclude)docs/reproduction");
        return string.IsNullOrWhiteSpace(status) ? head : head + " +changes";
    }

    private static string? CpuModel()
    {
        try
        {
            return File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? Git(string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true });
            if (process is null) return null;
            string output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git on this machine
        }
    }
}
