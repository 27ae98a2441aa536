using System;

namespace MeProp.Examples;

/// <summary>How a word form is turned into the key its embedding is looked up by.</summary>
public static class WordForms
{
    /// <summary>
    /// Lower-cased, every digit replaced by 0: capitalisation and the particular digits say little
    /// about a word's tag or attachment and would split its counts over many rare forms.
    /// </summary>
    public static string Normalize(string form)
    {
        ArgumentNullException.ThrowIfNull(form);
        return string.Create(form.Length, form, (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
                span[i] = char.IsDigit(source[i]) ? '0' : char.ToLowerInvariant(source[i]);
        });
    }
}
