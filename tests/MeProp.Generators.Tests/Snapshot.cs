using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace MeProp.Generators.Tests;

/// <summary>
/// Approved-file snapshots, laid out as Verify lays them out (Snapshots/{TestClass}.{TestMethod}.verified.cs
/// beside the test source), so that a switch to Verify.Xunit is mechanical.
/// </summary>
/// <remarks>
/// On a mismatch or a missing verified file the actual text is written to {...}.received.cs and the
/// test fails. To accept: look at the received file, then run the tests with MEPROP_ACCEPT_SNAPSHOTS=1,
/// which overwrites the verified files with what was generated (and passes), and commit them.
/// The test class name is taken from the test's file name, which must match the class.
/// </remarks>
public static class Snapshot
{
    public const string AcceptVariable = "MEPROP_ACCEPT_SNAPSHOTS";

    public static void Verify(string actual, [CallerFilePath] string testFile = "", [CallerMemberName] string testMethod = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");
        Assert.True(Directory.Exists(directory), $"The snapshot folder {directory} does not exist (is the test built from another checkout?).");
        string stem = Path.Combine(directory, Path.GetFileNameWithoutExtension(testFile) + "." + testMethod);
        string verified = stem + ".verified.cs", received = stem + ".received.cs";
        actual = Normalize(actual);

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }
        string? expected = File.Exists(verified) ? Normalize(File.ReadAllText(verified)) : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        string what = expected is null ? "There is no verified snapshot" : "The generated source differs from the verified snapshot";
        Assert.Fail($"{what}: {verified}\nThe generated source was written to {received}; compare the two, and to accept it run the tests with {AcceptVariable}=1.\n{FirstDifference(expected, actual)}");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n");

    private static string FirstDifference(string? expected, string actual)
    {
        if (expected is null) return "";
        string[] e = expected.Split('\n'), a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string el = i < e.Length ? e[i] : "<end of file>", al = i < a.Length ? a[i] : "<end of file>";
            if (el != al) return $"First difference at line {i + 1}:\n  verified: {el}\n  received: {al}";
        }
        return "";
    }
}
