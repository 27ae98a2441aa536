using System;
using System.Collections.Generic;
using System.Linq;

namespace MeProp.Examples;

/// <summary>
/// Strings to dense ids, built from training counts. Id 0 is the unknown entry: strings seen fewer
/// than the minimum count in training map to it, so its embedding is trained on rare words and
/// serves the unseen ones at test time.
/// </summary>
public sealed class Vocabulary
{
    public const int Unknown = 0;

    private readonly Dictionary<string, int> _ids;
    private readonly string[] _entries;

    private Vocabulary(string[] entries)
    {
        _entries = entries;
        _ids = new Dictionary<string, int>(entries.Length, StringComparer.Ordinal);
        for (int i = 1; i < entries.Length; i++) _ids.Add(entries[i], i);
    }

    /// <summary>Entries, the unknown one included.</summary>
    public int Count => _entries.Length;

    /// <summary>The entries seen at least <paramref name="minCount"/> times, in order of decreasing count (ties by ordinal order, so the ids do not depend on hash order).</summary>
    public static Vocabulary Build(IEnumerable<string> occurrences, int minCount, string unknownName = "<unknown>")
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string s in occurrences) counts[s] = counts.GetValueOrDefault(s) + 1;
        var kept = counts.Where(p => p.Value >= minCount)
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key);
        return new Vocabulary(new[] { unknownName }.Concat(kept).ToArray());
    }

    /// <summary>The id of <paramref name="entry"/>, or <see cref="Unknown"/>.</summary>
    public int Id(string entry) => _ids.GetValueOrDefault(entry, Unknown);

    /// <summary>True when <paramref name="entry"/> has an id of its own.</summary>
    public bool Contains(string entry) => _ids.ContainsKey(entry);

    /// <summary>The entry with id <paramref name="id"/>.</summary>
    public string this[int id] => _entries[id];
}
