using System;

namespace MeProp.Examples.Tagger;

/// <summary>
/// The seven discrete features of a word that the tagger embeds beside the word itself (the paper
/// uses seven features of 20 dimensions; it does not list them, so these are ours, chosen for
/// English part-of-speech tagging):
/// <list type="number">
/// <item><description>capitalisation: lower, Title, UPPER, mIxed, or no letters;</description></item>
/// <item><description>the first two characters (lower-cased);</description></item>
/// <item><description>the last character;</description></item>
/// <item><description>the last two characters;</description></item>
/// <item><description>the last three characters (-ing, -ed, -ly, ...);</description></item>
/// <item><description>digits: none, only digits, or some;</description></item>
/// <item><description>punctuation: none, only punctuation, a hyphen between other characters, other punctuation inside (U.S., 3.5, e-mail addresses), or punctuation only at an edge (dogs', (a).</description></item>
/// </list>
/// Each feature value is a string prefixed with the feature's number, so that the values of all
/// seven can share one vocabulary and one embedding table.
/// </summary>
public static class WordFeatures
{
    /// <summary>Features per word.</summary>
    public const int Count = 7;

    /// <summary>Writes the seven feature values of <paramref name="form"/> into <paramref name="values"/>.</summary>
    public static void Describe(string form, Span<string> values)
    {
        ArgumentNullException.ThrowIfNull(form);
        if (values.Length != Count) throw new ArgumentException($"Expected room for {Count} features, got {values.Length}.", nameof(values));
        string lower = form.ToLowerInvariant();
        values[0] = "1:" + Capitalisation(form);
        values[1] = "2:" + Prefix(lower, 2);
        values[2] = "3:" + Suffix(lower, 1);
        values[3] = "4:" + Suffix(lower, 2);
        values[4] = "5:" + Suffix(lower, 3);
        values[5] = "6:" + Digits(form);
        values[6] = "7:" + Punctuation(form);
    }

    /// <summary>lower, Title, UPPER, mIxed, or none (no letters).</summary>
    public static string Capitalisation(string form)
    {
        int letters = 0, upper = 0;
        foreach (char c in form)
        {
            if (!char.IsLetter(c)) continue;
            letters++;
            if (char.IsUpper(c)) upper++;
        }
        if (letters == 0) return "none";
        if (upper == 0) return "lower";
        if (upper == letters) return letters == 1 && form.Length == 1 ? "Title" : "UPPER";
        return char.IsUpper(FirstLetter(form)) && upper == 1 ? "Title" : "mIxed";
    }

    /// <summary>none, all (only digits), or some.</summary>
    public static string Digits(string form)
    {
        int digits = 0;
        foreach (char c in form) if (char.IsDigit(c)) digits++;
        return digits == 0 ? "none" : digits == form.Length ? "all" : "some";
    }

    /// <summary>none, all (only punctuation and symbols), hyphen (inside the word), inside (other punctuation inside), or edge.</summary>
    public static string Punctuation(string form)
    {
        int marks = 0;
        bool innerHyphen = false, innerOther = false;
        for (int i = 0; i < form.Length; i++)
        {
            char c = form[i];
            if (!(char.IsPunctuation(c) || char.IsSymbol(c))) continue;
            marks++;
            bool inside = i > 0 && i < form.Length - 1;
            if (inside && c == '-') innerHyphen = true;
            else if (inside) innerOther = true;
        }
        if (marks == 0) return "none";
        if (marks == form.Length) return "all";
        return innerHyphen ? "hyphen" : innerOther ? "inside" : "edge";
    }

    // A word shorter than n characters is its own prefix or suffix, marked so that "s" the word and
    // the suffix "s" of "cats" stay apart.
    private static string Prefix(string lower, int n) => lower.Length >= n ? lower[..n] : "^" + lower;

    private static string Suffix(string lower, int n) => lower.Length >= n ? lower[^n..] : "^" + lower;

    private static char FirstLetter(string form)
    {
        foreach (char c in form) if (char.IsLetter(c)) return c;
        return ' ';
    }
}
