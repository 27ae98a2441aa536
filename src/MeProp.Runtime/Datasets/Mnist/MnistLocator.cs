using System;
using System.Collections.Generic;
using System.IO;

namespace MeProp.Datasets.Mnist;

/// <summary>Where a <see cref="MnistLocation"/> came from.</summary>
public enum MnistDataSource
{
    /// <summary>An explicit path, the <c>--data DIR</c> option.</summary>
    DataOption,

    /// <summary>The <c>MEPROP_DATA</c> environment variable (a folder with <c>mnist/</c>).</summary>
    EnvironmentVariable,

    /// <summary>The per-user cache folder (<c>MeProp/mnist</c> under the platform's cache root).</summary>
    UserCache,
}

/// <summary>
/// The folder chosen for MNIST, why, and which files it still lacks. When <see cref="HasAllFiles"/>
/// is false the folder is where <see cref="MnistDownloader"/> may put them: never a MEPROP_DATA
/// folder, which belongs to whoever set the variable.
/// </summary>
/// <param name="Directory">The folder that holds (or is to hold) the four files.</param>
/// <param name="Source">Which rule chose it.</param>
/// <param name="MissingFiles">Names of the files it lacks in both raw and .gz form.</param>
/// <param name="Description">The choice in words, for the user ("--data /x → /x/mnist").</param>
/// <param name="Note">Why an earlier rule was passed over (MEPROP_DATA set but incomplete), or null.</param>
public sealed record MnistLocation(string Directory, MnistDataSource Source, IReadOnlyList<string> MissingFiles, string Description, string? Note)
{
    /// <summary>True when all four files are there (raw or .gz), so acquisition is not needed.</summary>
    public bool HasAllFiles => MissingFiles.Count == 0;

    /// <inheritdoc/>
    public override string ToString() => Note is null ? Description : $"{Description} ({Note})";
}

/// <summary>
/// Finds the MNIST folder, in this order: an explicit <c>--data DIR</c> (a folder with the four
/// files, or with <c>mnist/</c> holding them); else <c>$MEPROP_DATA/mnist</c>; else the per-user
/// cache, <c>MeProp/mnist</c> under <c>$XDG_CACHE_HOME</c> or <c>~/.cache</c> (Linux, macOS) or
/// LocalApplicationData (Windows).
/// </summary>
/// <remarks>
/// An explicit path wins even when it lacks files: the user asked for it, so it becomes the download
/// target (its <c>mnist/</c> subfolder if that exists, the folder itself otherwise). MEPROP_DATA is
/// used only when complete: it points at shared, read-only data (CI), so an incomplete one falls
/// through to the cache with a <see cref="MnistLocation.Note"/>. The environment and the cache root
/// are injectable so that tests do not depend on the machine.
/// </remarks>
public sealed class MnistLocator
{
    /// <summary>The environment variable naming a data folder that contains <c>mnist/</c>.</summary>
    public const string EnvironmentVariable = "MEPROP_DATA";

    /// <summary>The subfolder of a data folder that holds MNIST.</summary>
    public const string Subfolder = "mnist";

    private readonly Func<string, string?> _environment;

    /// <summary>A locator reading the process environment and the platform's cache root.</summary>
    public MnistLocator() : this(Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>A locator reading variables through <paramref name="environment"/>, with the cache under <paramref name="cacheRoot"/> (default: the platform's).</summary>
    public MnistLocator(Func<string, string?> environment, string? cacheRoot = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _environment = environment;
        CacheDirectory = Path.Combine(cacheRoot ?? DefaultCacheRoot(environment), "MeProp", Subfolder);
    }

    /// <summary>The per-user cache folder for MNIST (…/MeProp/mnist).</summary>
    public string CacheDirectory { get; }

    /// <summary>Chooses the folder; <paramref name="dataOption"/> is the <c>--data</c> value, or null when not given.</summary>
    public MnistLocation Locate(string? dataOption)
    {
        if (!string.IsNullOrWhiteSpace(dataOption))
        {
            string root = Path.GetFullPath(dataOption);
            string nested = Path.Combine(root, Subfolder);
            string chosen = HasAll(root) ? root
                : HasAll(nested) || System.IO.Directory.Exists(nested) ? nested
                : root;
            return new MnistLocation(chosen, MnistDataSource.DataOption, MnistFiles.Missing(chosen),
                chosen == root ? $"--data {root}" : $"--data {root} (its {Subfolder}/ folder)", null);
        }

        string? note = null;
        string? variable = _environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(variable))
        {
            string nested = Path.Combine(Path.GetFullPath(variable), Subfolder);
            var missing = MnistFiles.Missing(nested);
            if (missing.Count == 0)
                return new MnistLocation(nested, MnistDataSource.EnvironmentVariable, missing, $"{EnvironmentVariable}={variable} ({nested})", null);
            note = $"{EnvironmentVariable}={variable} was passed over: {nested} lacks {string.Join(", ", missing)}";
        }

        return new MnistLocation(CacheDirectory, MnistDataSource.UserCache, MnistFiles.Missing(CacheDirectory), $"user cache {CacheDirectory}", note);
    }

    /// <summary>The platform's per-user cache root (see <see cref="DataCache.DefaultRoot"/>); MNIST is in <c>MeProp/mnist</c> under it.</summary>
    public static string DefaultCacheRoot(Func<string, string?> environment) => DataCache.DefaultRoot(environment);

    private static bool HasAll(string directory) => MnistFiles.Missing(directory).Count == 0;
}
