using System;
using System.Collections.Generic;
using System.IO;

namespace MeProp.Datasets.UdEnglishEwt;

/// <summary>Where an <see cref="EwtLocation"/> came from.</summary>
public enum EwtDataSource
{
    /// <summary>An explicit path, the <c>--data DIR</c> option.</summary>
    DataOption,

    /// <summary>The <c>MEPROP_DATA</c> environment variable (a folder with <c>ud-english-ewt/</c>).</summary>
    EnvironmentVariable,

    /// <summary>The per-user cache folder (<c>MeProp/ud-english-ewt</c> under the platform's cache root).</summary>
    UserCache,
}

/// <summary>
/// The folder chosen for UD English EWT, why, and which files it still lacks. When
/// <see cref="HasAllFiles"/> is false the folder is where <see cref="EwtDownloader"/> may put them:
/// never a MEPROP_DATA folder, which belongs to whoever set the variable.
/// </summary>
/// <param name="Directory">The folder that holds (or is to hold) the three files.</param>
/// <param name="Source">Which rule chose it.</param>
/// <param name="MissingFiles">Names of the files it lacks.</param>
/// <param name="Description">The choice in words, for the user ("--data /x (its ud-english-ewt/ folder)").</param>
/// <param name="Note">Why an earlier rule was passed over (MEPROP_DATA set but incomplete), or null.</param>
public sealed record EwtLocation(string Directory, EwtDataSource Source, IReadOnlyList<string> MissingFiles, string Description, string? Note)
{
    /// <summary>True when all three files are there, so acquisition is not needed.</summary>
    public bool HasAllFiles => MissingFiles.Count == 0;

    /// <inheritdoc/>
    public override string ToString() => Note is null ? Description : $"{Description} ({Note})";
}

/// <summary>
/// Finds the UD English EWT folder, in this order: an explicit <c>--data DIR</c> (a folder with the
/// three files, or with <c>ud-english-ewt/</c> holding them); else <c>$MEPROP_DATA/ud-english-ewt</c>;
/// else the per-user cache, <c>MeProp/ud-english-ewt</c> under the same root as MNIST's
/// (<see cref="DataCache.DefaultRoot"/>).
/// </summary>
/// <remarks>
/// The rules are MNIST's (<see cref="Mnist.MnistLocator"/>). An explicit path wins even when it lacks
/// files: the user asked for it, so it becomes the download target (its <c>ud-english-ewt/</c>
/// subfolder if that exists, the folder itself otherwise). MEPROP_DATA is used only when complete: it
/// points at shared, read-only data (CI), so an incomplete one falls through to the cache with a
/// <see cref="EwtLocation.Note"/>. Files found are used as they are, without a checksum, so that a
/// user can work with another release or a corrected copy. The environment and the cache root are
/// injectable so that tests do not depend on the machine.
/// </remarks>
public sealed class EwtLocator
{
    /// <summary>The environment variable naming a data folder that contains <c>ud-english-ewt/</c>.</summary>
    public const string EnvironmentVariable = "MEPROP_DATA";

    /// <summary>The subfolder of a data folder (and of the cache) that holds the treebank.</summary>
    public const string Subfolder = "ud-english-ewt";

    private readonly Func<string, string?> _environment;

    /// <summary>A locator reading the process environment and the platform's cache root.</summary>
    public EwtLocator() : this(Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>A locator reading variables through <paramref name="environment"/>, with the cache under <paramref name="cacheRoot"/> (default: the platform's).</summary>
    public EwtLocator(Func<string, string?> environment, string? cacheRoot = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _environment = environment;
        CacheDirectory = Path.Combine(cacheRoot ?? DataCache.DefaultRoot(environment), "MeProp", Subfolder);
    }

    /// <summary>The per-user cache folder for the treebank (…/MeProp/ud-english-ewt).</summary>
    public string CacheDirectory { get; }

    /// <summary>Chooses the folder; <paramref name="dataOption"/> is the <c>--data</c> value, or null when not given.</summary>
    public EwtLocation Locate(string? dataOption)
    {
        if (!string.IsNullOrWhiteSpace(dataOption))
        {
            string root = Path.GetFullPath(dataOption);
            string nested = Path.Combine(root, Subfolder);
            string chosen = HasAll(root) ? root
                : HasAll(nested) || System.IO.Directory.Exists(nested) ? nested
                : root;
            return new EwtLocation(chosen, EwtDataSource.DataOption, EwtFiles.Missing(chosen),
                chosen == root ? $"--data {root}" : $"--data {root} (its {Subfolder}/ folder)", null);
        }

        string? note = null;
        string? variable = _environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(variable))
        {
            string nested = Path.Combine(Path.GetFullPath(variable), Subfolder);
            var missing = EwtFiles.Missing(nested);
            if (missing.Count == 0)
                return new EwtLocation(nested, EwtDataSource.EnvironmentVariable, missing, $"{EnvironmentVariable}={variable} ({nested})", null);
            note = $"{EnvironmentVariable}={variable} was passed over: {nested} lacks {string.Join(", ", missing)}";
        }

        return new EwtLocation(CacheDirectory, EwtDataSource.UserCache, EwtFiles.Missing(CacheDirectory), $"user cache {CacheDirectory}", note);
    }

    private static bool HasAll(string directory) => EwtFiles.Missing(directory).Count == 0;
}
