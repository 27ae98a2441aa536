using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace MeProp.Package.Tests;

/// <summary>
/// A fresh project that references the MeProp package from a local folder feed, and nothing else,
/// builds (the generator inside the package runs in the SDK's compiler, with warnings as errors, so a
/// generator that fails to load, CS9057, fails the test) and trains its model: the loss falls.
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(8);
    private readonly ITestOutputHelper _output;
    private readonly string _folder = Directory.CreateTempSubdirectory("meprop-package-").FullName;

    public PackageConsumerTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A build server may still hold a file for a moment; the temporary folder is the system's to clean.
        }
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_fresh_project_referencing_the_package_trains_a_model(bool withAccelerators)
    {
        string root = RepositoryRoot();
        string feed = Path.Combine(_folder, "feed");
        // The projects were built before this test (project references); pack their outputs as they are.
        Run(root, "pack", Path.Combine("src", "MeProp.Runtime", "MeProp.Runtime.csproj"), "-c", Configuration, "--no-build", "--no-restore", "-o", feed);
        if (withAccelerators)
            Run(root, "pack", Path.Combine("src", "MeProp.Accelerators", "MeProp.Accelerators.csproj"), "-c", Configuration, "--no-build", "--no-restore", "-o", feed);
        string version = Path.GetFileNameWithoutExtension(Directory.GetFiles(feed, "MeProp.*.nupkg").Single(p => Path.GetFileName(p).StartsWith("MeProp.0", StringComparison.Ordinal) || Path.GetFileName(p).StartsWith("MeProp.1", StringComparison.Ordinal)))["MeProp.".Length..];

        string project = Path.Combine(_folder, "consumer");
        Directory.CreateDirectory(project);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Consumer", "Program.cs.txt"), Path.Combine(project, "Program.cs"));
        string reference = withAccelerators
            ? $"<PackageReference Include=\"MeProp.Accelerators\" Version=\"{version}\" />"
            : $"<PackageReference Include=\"MeProp\" Version=\"{version}\" />";
        File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <DefineConstants>$(DefineConstants){(withAccelerators ? ";WITH_ACCELERATORS" : "")}</DefineConstants>
                <!-- Its own package folder: the package under test is never taken from, or left in, the user's cache. -->
                <RestorePackagesPath>{Path.Combine(_folder, "packages")}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                {reference}
              </ItemGroup>
            </Project>
            """);
        // Offline: the local feed, and the packages this machine already restored (a folder in the
        // layout of a local feed) for the package's own dependencies.
        File.WriteAllText(Path.Combine(project, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="restored" value="{GlobalPackagesFolder()}" />
              </packageSources>
            </configuration>
            """);

        string output = Run(project, "run", "-c", "Release");
        double first = Number(output, "first-loss"), last = Number(output, "last-loss");
        Assert.True(last < 0.5 * first, $"the loss did not fall: first ten steps {first}, last ten {last}");
        // K = 8 of the 64 hidden units per example: the batch of 16 touched fewer than all 64 rows of W1.
        Assert.InRange(Number(output, "rows-updated"), 8, 63);
        Assert.Contains("checkpoint-round-trip True", output);
        if (withAccelerators) Assert.Contains("device-pass True", output);
    }

    private static double Number(string output, string key)
    {
        string line = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(key + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"the program printed no '{key}' line:\n{output}");
        return double.Parse(line[(key.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "MeProp.sln"))) return folder.FullName;
        throw new InvalidOperationException($"No MeProp.sln above {AppContext.BaseDirectory}.");
    }

    private static string GlobalPackagesFolder()
    {
        string? configured = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        return string.IsNullOrEmpty(configured)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages")
            : configured;
    }

    // Runs the dotnet CLI in `folder`; fails the test with the command's output unless it exits with 0.
    private string Run(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        // No build servers or reused MSBuild nodes outliving the test (CI waits for every child process).
        start.ArgumentList.Add("--disable-build-servers");
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        var text = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (text) text.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (text) text.AppendLine(e.Data); };
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"dotnet {string.Join(' ', arguments)} took over {CommandTimeout.TotalMinutes} minutes:\n{text}");
        }
        process.WaitForExit();
        string output;
        lock (text) output = text.ToString();
        _output.WriteLine($"$ dotnet {string.Join(' ', arguments)}  ({clock.Elapsed.TotalSeconds:F0} s, exit {process.ExitCode})\n{output}");
        if (process.ExitCode != 0)
            throw new Xunit.Sdk.XunitException($"dotnet {string.Join(' ', arguments)} in {folder} exited with {process.ExitCode}:\n{output}");
        return output;
    }
}
