namespace MeProp.Generators;

/// <summary>Names of the pipeline steps, for the caching tests.</summary>
public static class TrackingNames
{
    /// <summary>Annotated methods parsed into models and diagnostics.</summary>
    public const string Parse = "MeProp.Parse";

    /// <summary>The diagnostics of each method.</summary>
    public const string Diagnostics = "MeProp.Diagnostics";

    /// <summary>The models without errors.</summary>
    public const string Models = "MeProp.Models";

    /// <summary>The models with their layers inlined, which are emitted.</summary>
    public const string Linked = "MeProp.Linked";

    /// <summary>Whether the compilation references the device runtime (MeProp.Accelerators).</summary>
    public const string DeviceRuntime = "MeProp.DeviceRuntime";
}
