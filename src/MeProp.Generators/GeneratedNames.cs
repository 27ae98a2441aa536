namespace MeProp.Generators;

/// <summary>
/// The names generated code declares for itself, in one place. Lowering keeps every value name off
/// <see cref="Reserved"/>, so a user's local can never collide with a generated local, a tape
/// member or a tape method; user inputs with one of these names are renamed in generated code.
/// </summary>
internal static class GeneratedNames
{
    /// <summary>Members the generator adds to a model type (public API); a user member of the same name is reported (MEPROP013).</summary>
    public static readonly string[] ModelMembers =
        { "ForwardTrain", "Backward", "Parameters", "LinearWeights", "MePropSettings", "MePropTimings", "MePropRandom" };

    /// <summary>
    /// Private members and nested types the generator adds to a model type, and the names its
    /// parameter set uses beside the parameters: a user member of one of these names is reported
    /// (MEPROP013) rather than left to collide in generated code.
    /// </summary>
    public static readonly string[] PrivateModelMembers =
    {
        "__mepropSettings", "__mepropRandom", "__mepropTapes", "__mepropLastTape", "__mepropGradients",
        "__MePropBind", "__MePropTapeFor", "__MePropGradients", "__MePropTape", "__MePropSideLoop", "__all", "__linearWeights",
    };

    /// <summary>Names an input cannot have: ForwardTrain's own locals and the tape's own members (inputs are recorded on the tape under their names).</summary>
    public static readonly string[] NotForInputs = { "start", "tape", "Fits", "SetLength" };

    /// <summary>Names of locals, parameters and tape members that generated code declares itself.</summary>
    public static readonly string[] Reserved =
    {
        "start", "tape", "settings", "timings", "gradients", "linearStart", "dOutput", "bound", "loop",
        "Fits", "SetLength", "__examples", "__owner", "__length",
    };
}
