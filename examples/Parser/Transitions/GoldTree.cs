using System;

namespace MeProp.Examples.Parser;

/// <summary>
/// A sentence's gold dependency tree: for each word (positions 1 .. n) its head (0 for the root)
/// and the id of its arc label, with what the static oracle asks of it.
/// </summary>
public sealed class GoldTree
{
    private readonly int[] _heads, _labels, _childCounts;

    /// <param name="heads">Head of word i + 1 at index i: 0 (ROOT) or a position 1 .. n.</param>
    /// <param name="labels">Arc label id of word i + 1 at index i.</param>
    /// <exception cref="ArgumentException">Lengths differ, a head is out of range or is the word itself.</exception>
    public GoldTree(ReadOnlySpan<int> heads, ReadOnlySpan<int> labels)
    {
        if (heads.Length == 0) throw new ArgumentException("A tree has at least one word.", nameof(heads));
        if (labels.Length != heads.Length) throw new ArgumentException($"{heads.Length} heads but {labels.Length} labels.", nameof(labels));
        int n = heads.Length;
        _heads = new int[n + 1];
        _labels = new int[n + 1];
        _childCounts = new int[n + 1];
        _heads[0] = Configuration.None;
        _labels[0] = Configuration.None;
        for (int i = 1; i <= n; i++)
        {
            int head = heads[i - 1];
            if (head < 0 || head > n) throw new ArgumentException($"Word {i} has head {head}, outside 0 .. {n}.", nameof(heads));
            if (head == i) throw new ArgumentException($"Word {i} is its own head.", nameof(heads));
            _heads[i] = head;
            _labels[i] = labels[i - 1];
            _childCounts[head]++;
        }
    }

    public int Length => _heads.Length - 1;

    /// <summary>The head of word <paramref name="word"/> (1 .. n).</summary>
    public int HeadOf(int word) => _heads[word];

    public int LabelOf(int word) => _labels[word];

    /// <summary>How many dependents <paramref name="word"/> (0 .. n) has.</summary>
    public int ChildCountOf(int word) => _childCounts[word];

    /// <summary>
    /// Whether the tree is one tree (exactly one word on ROOT, every word reachable from ROOT) with
    /// no crossing arcs, the arc from ROOT included: exactly the trees arc-standard can build.
    /// </summary>
    public bool IsProjective()
    {
        int n = Length;
        if (_childCounts[0] != 1) return false;
        // Reachable from ROOT: follow heads up from each word, at most n steps (a cycle never ends at 0).
        for (int i = 1; i <= n; i++)
        {
            int w = i, steps = 0;
            while (w != 0 && steps++ <= n) w = _heads[w];
            if (w != 0) return false;
        }
        // Arcs (a, b) and (c, d) as spans lo < hi cross when one starts strictly inside the other
        // and ends strictly outside it.
        for (int i = 1; i <= n; i++)
        {
            int lo1 = Math.Min(i, _heads[i]), hi1 = Math.Max(i, _heads[i]);
            for (int j = i + 1; j <= n; j++)
            {
                int lo2 = Math.Min(j, _heads[j]), hi2 = Math.Max(j, _heads[j]);
                if ((lo1 < lo2 && lo2 < hi1 && hi1 < hi2) || (lo2 < lo1 && lo1 < hi2 && hi2 < hi1)) return false;
            }
        }
        return true;
    }
}
