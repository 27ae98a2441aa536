using System;
using System.IO;
using Xunit;

// Compiled into each test project that reads real data (linked from tests/Shared), so that every
// project skips such tests by the same rule and with the same message.
namespace MeProp.TestSupport;

/// <summary>
/// The real data sets the tests may read: <c>$MEPROP_DATA/&lt;subfolder&gt;</c>, the layout of the
/// shared data folder (<c>mnist/</c>, <c>ud-english-ewt/</c>) that CI points MEPROP_DATA at.
/// </summary>
internal static class RealData
{
    public const string Variable = "MEPROP_DATA";
    public const string Mnist = "mnist";
    public const string UdEnglishEwt = "ud-english-ewt";

    /// <summary>Why a test needing <paramref name="subfolder"/> cannot run here, or null when it can.</summary>
    public static string? Unavailable(string subfolder)
    {
        string? root = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(root))
            return $"{Variable} is not set: this test needs the real data in ${Variable}/{subfolder}/ (CI sets {Variable}=../shared/data).";
        string folder = Path.Combine(root, subfolder);
        if (!Directory.Exists(folder))
            return $"{Variable}={root} has no {subfolder}/ folder: this test needs the real data in {folder}.";
        return null;
    }

    /// <summary>Why a test needing all of <paramref name="subfolders"/> cannot run here (the first missing one), or null when it can.</summary>
    public static string? Unavailable(string[] subfolders)
    {
        foreach (string subfolder in subfolders)
            if (Unavailable(subfolder) is string reason) return reason;
        return null;
    }

    /// <summary>The folder of <paramref name="subfolder"/>; only for tests marked <see cref="DataFactAttribute"/> or <see cref="DataTheoryAttribute"/>, which run only when it exists.</summary>
    public static string Folder(string subfolder)
    {
        if (Unavailable(subfolder) is string reason)
            throw new InvalidOperationException($"{reason} Mark the test [DataFact(\"{subfolder}\")] so that it is skipped instead.");
        return Path.Combine(Environment.GetEnvironmentVariable(Variable)!, subfolder);
    }
}

/// <summary>
/// A fact that needs <c>$MEPROP_DATA/&lt;subfolder&gt;</c>: reported as skipped, with the reason,
/// when MEPROP_DATA is unset or lacks the subfolder, so that a run without data never counts the
/// test as passed. (xunit 2 has no run-time skip; the attribute decides when tests are discovered.)
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class DataFactAttribute : FactAttribute
{
    public DataFactAttribute(params string[] subfolders)
    {
        Subfolders = subfolders;
        Skip = RealData.Unavailable(subfolders);
    }

    /// <summary>Every data set the test reads: it runs only when all are present.</summary>
    public string[] Subfolders { get; }
}

/// <summary>The theory form of <see cref="DataFactAttribute"/>: every case is skipped when the data is missing.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class DataTheoryAttribute : TheoryAttribute
{
    public DataTheoryAttribute(params string[] subfolders)
    {
        Subfolders = subfolders;
        Skip = RealData.Unavailable(subfolders);
    }

    /// <summary>Every data set the test reads: it runs only when all are present.</summary>
    public string[] Subfolders { get; }
}
