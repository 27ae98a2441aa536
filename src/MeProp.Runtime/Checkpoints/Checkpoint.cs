using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using MeProp.Datasets;

namespace MeProp.Checkpoints;

/// <summary>
/// Saves a model's parameters, and an optimizer's state, as a safetensors file, and restores them.
/// </summary>
/// <remarks>
/// <para>Layout: each parameter is a tensor named as the model's field ("W1"), of shape [rows, cols]
/// (a bias [rows, 1]); each optimizer state array is a tensor "optimizer.{state}.{parameter}"
/// ("optimizer.m.W1") of the parameter's shape. The metadata records the format
/// (<c>meprop.checkpoint</c> = 1), the element type, the optimizer's class and step count, next to
/// any entries of the caller's. Another tool reads the weights by their names.</para>
/// <para>Loading checks everything before it changes anything: every parameter and state tensor
/// must be present with the model's element type and shape, and the optimizer must be of the saved
/// kind; any mismatch is a <see cref="DataFormatException"/> naming the file and the tensor, and
/// leaves the model and the optimizer as they were.</para>
/// </remarks>
public static class Checkpoint
{
    /// <summary>Metadata key of the checkpoint layout version.</summary>
    public const string FormatKey = "meprop.checkpoint";

    /// <summary>Metadata key of the parameters' element type ("float", "double").</summary>
    public const string ElementTypeKey = "meprop.elementType";

    /// <summary>Metadata key of the optimizer's kind ("Adam", "AdaGrad", "Sgd"; absent without optimizer).</summary>
    public const string OptimizerKey = "meprop.optimizer";

    /// <summary>Metadata key of the optimizer's step count.</summary>
    public const string OptimizerStepsKey = "meprop.optimizerSteps";

    private const string FormatVersion = "1";
    private const string OptimizerPrefix = "optimizer.";

    /// <summary>
    /// Adds <paramref name="parameters"/> (and, when given, <paramref name="optimizer"/>'s state for
    /// them) to <paramref name="writer"/>, with the metadata that <see cref="Restore{T}"/> checks.
    /// The writer references the arrays: save it before the next training step.
    /// </summary>
    public static void AddTo<T>(SafeTensorsWriter writer, IReadOnlyList<Parameter<T>> parameters, Optimizer<T>? optimizer = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(parameters);
        writer.Metadata[FormatKey] = FormatVersion;
        writer.Metadata[ElementTypeKey] = ElementTypeName<T>();
        foreach (Parameter<T> p in parameters) writer.Add<T>(p.Name, p.ValueMemory, p.Rows, p.Cols);
        if (optimizer is null) return;
        writer.Metadata[OptimizerKey] = OptimizerName(optimizer);
        writer.Metadata[OptimizerStepsKey] = optimizer.StepCount.ToString(CultureInfo.InvariantCulture);
        IReadOnlyList<string> states = optimizer.StateNames;
        for (int s = 0; s < states.Count; s++)
            for (int i = 0; i < parameters.Count; i++)
                writer.Add<T>(StateTensorName(states[s], parameters[i].Name), optimizer.StateOf(parameters, s, i), parameters[i].Rows, parameters[i].Cols);
    }

    /// <summary>Saves <paramref name="parameters"/> (and the optimizer's state) to <paramref name="path"/>, atomically, with the caller's <paramref name="metadata"/>.</summary>
    public static void Save<T>(string path, IReadOnlyList<Parameter<T>> parameters, Optimizer<T>? optimizer = null, IReadOnlyDictionary<string, string>? metadata = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var writer = new SafeTensorsWriter();
        if (metadata is not null)
            foreach (var (key, value) in metadata) writer.Metadata[key] = value;
        AddTo(writer, parameters, optimizer);
        writer.Save(path);
    }

    /// <summary>
    /// Restores <paramref name="parameters"/> (and the optimizer's state) from <paramref name="file"/>,
    /// after checking that it holds all of them as saved by <see cref="AddTo{T}"/>.
    /// </summary>
    /// <exception cref="DataFormatException">A tensor or the optimizer's record is missing or does not match; nothing was changed.</exception>
    public static void Restore<T>(SafeTensorsFile file, IReadOnlyList<Parameter<T>> parameters, Optimizer<T>? optimizer = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(parameters);
        long steps = CheckOptimizerRecord(file, optimizer);
        // Every check first, so that a bad file changes nothing.
        foreach (Parameter<T> p in parameters) RequireShape<T>(file, p.Name, p);
        IReadOnlyList<string> states = optimizer?.StateNames ?? Array.Empty<string>();
        foreach (string state in states)
            foreach (Parameter<T> p in parameters) RequireShape<T>(file, StateTensorName(state, p.Name), p);

        // Binds the optimizer's state to this list now: a list it kept state for but that differs
        // throws here, before any value was overwritten.
        if (states.Count > 0) optimizer!.StateOf(parameters, 0, 0);

        foreach (Parameter<T> p in parameters) file.Read(p.Name, p.Value);
        if (optimizer is null) return;
        for (int s = 0; s < states.Count; s++)
            for (int i = 0; i < parameters.Count; i++)
                file.Read(StateTensorName(states[s], parameters[i].Name), optimizer.StateOf(parameters, s, i).Span);
        optimizer.RestoreStepCount(steps);
    }

    /// <summary>Opens <paramref name="path"/>, restores as <see cref="Restore{T}"/> does, and returns the file's metadata.</summary>
    public static IReadOnlyDictionary<string, string> Load<T>(string path, IReadOnlyList<Parameter<T>> parameters, Optimizer<T>? optimizer = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        Restore(file, parameters, optimizer);
        return file.Metadata;
    }

    /// <summary>The tensor name of optimizer state <paramref name="state"/> of parameter <paramref name="parameter"/>.</summary>
    public static string StateTensorName(string state, string parameter) => $"{OptimizerPrefix}{state}.{parameter}";

    private static long CheckOptimizerRecord<T>(SafeTensorsFile file, Optimizer<T>? optimizer)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!file.Metadata.TryGetValue(FormatKey, out string? format))
            throw new DataFormatException(file.Name, 8, $"the metadata has no '{FormatKey}' entry: this is a safetensors file, but not a MeProp checkpoint");
        if (format != FormatVersion)
            throw new DataFormatException(file.Name, 8, $"checkpoint layout version '{format}' is not one this version reads ({FormatVersion})");
        if (file.Metadata.TryGetValue(ElementTypeKey, out string? element) && element != ElementTypeName<T>())
            throw new DataFormatException(file.Name, 8, $"the checkpoint holds {element} parameters, but the model's are {ElementTypeName<T>()}");
        if (optimizer is null) return 0;
        if (!file.Metadata.TryGetValue(OptimizerKey, out string? saved))
            throw new DataFormatException(file.Name, 8, $"the checkpoint has no optimizer state, but {OptimizerName(optimizer)}'s was asked for");
        if (saved != OptimizerName(optimizer))
            throw new DataFormatException(file.Name, 8, $"the checkpoint holds {saved}'s state, but the optimizer is {OptimizerName(optimizer)}");
        if (!file.Metadata.TryGetValue(OptimizerStepsKey, out string? stepsText)
            || !long.TryParse(stepsText, NumberStyles.None, CultureInfo.InvariantCulture, out long steps))
            throw new DataFormatException(file.Name, 8, $"the metadata's '{OptimizerStepsKey}' is missing or not a step count");
        return steps;
    }

    private static void RequireShape<T>(SafeTensorsFile file, string name, Parameter<T> parameter)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        SafeTensorsEntry entry = file.Require<T>(name, expectedLength: null);
        bool sameShape = entry.Shape.Count == 2 && entry.Shape[0] == parameter.Rows && entry.Shape[1] == parameter.Cols;
        if (!sameShape)
            throw new DataFormatException(file.Name, 8, $"tensor '{name}' has shape {entry.ShapeText}, but the model's '{parameter.Name}' is [{parameter.Rows}, {parameter.Cols}]");
    }

    private static string OptimizerName<T>(Optimizer<T> optimizer) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        string name = optimizer.GetType().Name;
        int tick = name.IndexOf('`');
        return tick < 0 ? name : name[..tick];
    }

    private static string ElementTypeName<T>() => typeof(T) == typeof(float) ? "float" : typeof(T) == typeof(double) ? "double" : typeof(T).Name;
}
