using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeProp.Checkpoints;

namespace MeProp.Examples.Reproduce;

/// <summary>
/// Finished runs, one JSON file each under <c>runs/</c> of the output folder, named by the run's
/// id. A table reuses a stored run whose settings are its own, so runs shared between tables train
/// once and a reproduction interrupted after some runs goes on with the rest.
/// </summary>
public sealed class RunStore(string folder)
{
    public string Folder { get; } = folder;

    public string PathOf(RunSpec spec) => Path.Combine(Folder, spec.Id + ".json");

    /// <summary>The stored result of <paramref name="spec"/>, or null when there is none with exactly its settings.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a stored run (it names the file).</exception>
    public RunResult? TryLoad(RunSpec spec)
    {
        string path = PathOf(spec);
        if (!File.Exists(path)) return null;
        try
        {
            JsonNode root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new JsonException("empty");
            if ((string?)root["settings"] != spec.Settings) return null;
            List<EpochResult> epochs = EpochJson.Deserialize(root["epochs"]!.ToJsonString());
            string[] layers = root["layerNames"]!.AsArray().Select(n => (string)n!).ToArray();
            RunOptions options = spec.Options with { Device = (string?)root["device"] };
            return new RunResult(options, epochs, layers);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a stored run ({e.Message}); delete it to train the run again.", e);
        }
    }

    /// <summary>
    /// When the stored run of <paramref name="spec"/> finished, and the machine's load average at its
    /// start and end where recorded ("finished 2026-12-06 03:12 UTC, load 1.02 -> 2.10"): a reader can
    /// tell a timing made on an idle machine from one made beside other work. Null when none is stored.
    /// </summary>
    public string? Provenance(RunSpec spec)
    {
        string path = PathOf(spec);
        if (!File.Exists(path)) return null;
        try
        {
            JsonNode? root = JsonNode.Parse(File.ReadAllText(path));
            int? threads = (int?)root?["matrixProductThreads"];
            string finished = $"finished {(string?)root?["finished"]}" + (threads is null ? "" : $", {threads} matrix-product thread(s)");
            double? start = (double?)root?["loadAverageAtStart"], end = (double?)root?["loadAverageAtEnd"];
            return start is null || end is null
                ? finished + ", load not recorded"
                : finished + FormattableString.Invariant($", 1-minute load average {start:F2} at the start, {end:F2} at the end");
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The 1-minute load average (runnable threads, Linux's /proc/loadavg), or null where there is none.</summary>
    public static double? LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg")
                ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture)
                : null;
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Stores <paramref name="result"/> (atomically: an interrupted write leaves no half file to trip the next reproduction).</summary>
    public void Save(RunSpec spec, RunResult result, double? loadAtStart = null, double? loadAtEnd = null)
    {
        Directory.CreateDirectory(Folder);
        var root = new JsonObject
        {
            ["id"] = spec.Id,
            ["task"] = spec.Task.ToString().ToLowerInvariant(),
            ["run"] = spec.Describe(),
            ["title"] = result.Options.Title(RunPlanner.BatchUnit(spec.Task)),
            ["settings"] = spec.Settings,
            ["device"] = result.Options.Device,
            ["finished"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            ["matrixProductThreads"] = MeProp.Kernels.Gemm.MaxThreads,
            ["loadAverageAtStart"] = loadAtStart,
            ["loadAverageAtEnd"] = loadAtEnd,
            ["layerNames"] = new JsonArray(result.LayerNames.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
            ["epochs"] = JsonNode.Parse(EpochJson.Serialize(result.Epochs)),
        };
        string text = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        AtomicFile.Write(PathOf(spec), stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)));
    }
}
