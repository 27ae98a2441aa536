using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using MeProp.Checkpoints;
using MeProp.Datasets;

namespace MeProp.Examples;

/// <summary>Where a run saves its checkpoints (--save) and which one it resumes (--resume); either may be absent.</summary>
public sealed record CheckpointPaths(string? Save, string? Resume)
{
    public static CheckpointPaths None { get; } = new(null, null);

    /// <summary>Where the checkpoint of the best development epoch so far goes: "run.safetensors" gives "run.best.safetensors".</summary>
    public string? Best => Save is null ? null : BestOf(Save);

    public static string BestOf(string path)
        => path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
            ? path[..^".safetensors".Length] + ".best.safetensors"
            : path + ".best";

    /// <summary>The first problem with the paths as options (a missing file to resume, a folder to save into that is missing or not writable); null when none.</summary>
    public string? Problem()
    {
        if (Resume is not null && !File.Exists(Resume)) return $"--resume: there is no file '{Resume}'.";
        return Save is null ? null : WritablePath.Problem("--save", Save, createsFolders: false) ?? WritablePath.Problem("--save", BestOf(Save), createsFolders: false);
    }
}

/// <summary>A checkpoint written by a run with other settings than the one resuming from it.</summary>
public sealed class CheckpointMismatchException(string message) : Exception(message);

/// <summary>
/// A training run's checkpoint: after every epoch, the example trainers save what continuing needs
/// (the weights, the optimizer's state, the data-order and dropout random states, the data order
/// itself, the epochs so far) in one safetensors file; a run started with --resume loads it and goes
/// on with the next epoch, producing the same bits as the run that was never interrupted.
/// </summary>
/// <remarks>
/// The run's settings are recorded too, and resuming under other settings is refused: only the epoch
/// count may differ (to train a finished run further). The weights are plain named tensors ("W1",
/// "b1"), so other tools read them; the trainer's extras are under "run.".
/// </remarks>
public static class RunCheckpoint
{
    private const string OptionsKey = "run.options";
    private const string EpochsKey = "run.epochs";
    private const string ShuffleKey = "run.shuffleRandom";
    private const string ModelRandomKey = "run.modelRandom";
    private const string OrderTensor = "run.order";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>
    /// The settings a checkpoint must share with the run that resumes it, as JSON: every settable
    /// option of the run's record (its task's included) but the epoch count and the device.
    /// </summary>
    public static string Settings(RunOptions options)
    {
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (PropertyInfo property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is null || property.Name is nameof(RunOptions.Epochs) or nameof(RunOptions.Device)) continue;
            settings[property.Name] = Convert.ToString(property.GetValue(options), CultureInfo.InvariantCulture) ?? "";
        }
        return JsonSerializer.Serialize(settings, Json);
    }

    // "Hidden: 64 in the checkpoint, 32 now; Seed: ..." for the settings that differ.
    private static string Differences(string saved, string current)
    {
        Dictionary<string, string> before, now;
        try
        {
            before = JsonSerializer.Deserialize<Dictionary<string, string>>(saved, Json) ?? new();
        }
        catch (JsonException)
        {
            return $"the checkpoint's settings are {saved}";
        }
        now = JsonSerializer.Deserialize<Dictionary<string, string>>(current, Json)!;
        var lines = now.Keys.Union(before.Keys).Order(StringComparer.Ordinal)
            .Where(key => !(before.TryGetValue(key, out string? b) && now.TryGetValue(key, out string? n) && b == n))
            .Select(key => $"{key}: {(before.TryGetValue(key, out string? b) ? (b == "" ? "(none)" : b) : "(absent)")} in the checkpoint, {(now.TryGetValue(key, out string? n) ? (n == "" ? "(none)" : n) : "(absent)")} now");
        return string.Join("; ", lines);
    }

    /// <summary>Saves the state after <paramref name="epochs"/>.Count epochs to <paramref name="path"/>, atomically.</summary>
    /// <param name="order">The data order the trainer shuffles in place each epoch (null where it draws a fresh one from <paramref name="shuffle"/>).</param>
    public static void Save(string path, RunOptions options, IMePropTrainable<float> model, Optimizer<float> optimizer,
        SeededRandom shuffle, int[]? order, IReadOnlyList<EpochResult> epochs)
    {
        var writer = new SafeTensorsWriter();
        writer.Metadata[OptionsKey] = Settings(options);
        writer.Metadata[EpochsKey] = EpochJson.Serialize(epochs);
        writer.Metadata[ShuffleKey] = shuffle.State.ToString();
        writer.Metadata[ModelRandomKey] = model.MePropRandom.State.ToString();
        Checkpoint.AddTo(writer, model.Parameters, optimizer);
        if (order is not null) writer.Add<int>(OrderTensor, order, order.Length);
        writer.Save(path);
    }

    /// <summary>
    /// Restores the state saved in <paramref name="path"/> into a freshly created model, optimizer,
    /// shuffle and order, and returns the epochs it had finished.
    /// </summary>
    /// <exception cref="DataFormatException">The file is no checkpoint of this model.</exception>
    /// <exception cref="CheckpointMismatchException">It was written by a run with other settings.</exception>
    public static List<EpochResult> Restore(string path, RunOptions options, IMePropTrainable<float> model, Optimizer<float> optimizer,
        SeededRandom shuffle, int[]? order)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        string saved = Required(file, OptionsKey);
        string current = Settings(options);
        if (saved != current)
            throw new CheckpointMismatchException($"{path} was written by a run with other settings ({Differences(saved, current)}); resume with the same options (only --epochs may differ).");
        List<EpochResult> epochs;
        try
        {
            epochs = EpochJson.Deserialize(Required(file, EpochsKey));
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, 8, $"the metadata's '{EpochsKey}' is not the list of epochs a run writes: {e.Message}", innerException: e);
        }
        if (epochs.Count >= options.Epochs)
            throw new CheckpointMismatchException($"{path} holds {epochs.Count} finished epochs; ask for more with --epochs (now {options.Epochs}).");
        SeededRandomState shuffleState = ParseState(file, ShuffleKey), modelState = ParseState(file, ModelRandomKey);
        if (order is not null) file.Require<int>(OrderTensor, order.Length);

        Checkpoint.Restore(file, model.Parameters, optimizer);
        if (order is not null) file.Read<int>(OrderTensor, order);
        shuffle.State = shuffleState;
        model.MePropRandom.State = modelState;
        return epochs;
    }

    /// <summary>
    /// What a trainer does after each epoch: the checkpoint to --save, and the best-dev one beside it
    /// when this epoch is the best so far.
    /// </summary>
    public static void AfterEpoch(CheckpointPaths paths, RunOptions options, IMePropTrainable<float> model, Optimizer<float> optimizer,
        SeededRandom shuffle, int[]? order, IReadOnlyList<EpochResult> epochs)
    {
        if (paths.Save is null) return;
        Save(paths.Save, options, model, optimizer, shuffle, order, epochs);
        EpochResult last = epochs[^1];
        if (epochs.All(e => e == last || e.DevAccuracy < last.DevAccuracy))
            AtomicFile.Copy(paths.Save, paths.Best!);
    }

    private static string Required(SafeTensorsFile file, string key)
        => file.Metadata.TryGetValue(key, out string? value) ? value
            : throw new DataFormatException(file.Name, 8, $"the metadata has no '{key}': this is not a checkpoint of an example's training run");

    private static SeededRandomState ParseState(SafeTensorsFile file, string key)
    {
        try
        {
            return SeededRandomState.Parse(Required(file, key));
        }
        catch (FormatException e)
        {
            throw new DataFormatException(file.Name, 8, $"the metadata's '{key}': {e.Message}", innerException: e);
        }
    }
}
