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

    /// <summary>When the stored run of <paramref name="spec"/> finished (as written at the time), or null when none is stored.</summary>
    public string? Finished(RunSpec spec)
    {
        string path = PathOf(spec);
        if (!File.Exists(path)) return null;
        try
        {
            return (string?)JsonNode.Parse(File.ReadAllText(path))?["finished"];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Stores <paramref name="result"/> (atomically: an interrupted write leaves no half file to trip the next reproduction).</summary>
    public void Save(RunSpec spec, RunResult result)
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
            ["layerNames"] = new JsonArray(result.LayerNames.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
            ["epochs"] = JsonNode.Parse(EpochJson.Serialize(result.Epochs)),
        };
        string text = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        AtomicFile.Write(PathOf(spec), stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)));
    }
}
