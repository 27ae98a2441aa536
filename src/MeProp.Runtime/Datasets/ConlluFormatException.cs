using System;

namespace MeProp.Datasets;

/// <summary>
/// A CoNLL-U file is not what the format promises. The message names the file and the 1-based line
/// number, <c>path:line N: what is wrong</c>, so a user can open the file at that line (for example
/// with <c>sed -n Np</c> or an editor's go-to-line).
/// </summary>
/// <remarks>
/// The sibling of <see cref="DataFormatException"/>, which locates problems in binary files by byte
/// offset: a text format is read, edited and diffed by line, so a line number is what helps.
/// </remarks>
public sealed class ConlluFormatException : Exception
{
    /// <summary>Creates the exception; <paramref name="detail"/> says what is wrong at line <paramref name="lineNumber"/>.</summary>
    public ConlluFormatException(string filePath, int lineNumber, string detail, Exception? innerException = null)
        : base($"{filePath}:line {lineNumber}: {detail}", innerException)
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        Detail = detail;
    }

    /// <summary>The file (or the display name of the reader) that holds the bad data.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based number of the offending line.</summary>
    public int LineNumber { get; }

    /// <summary>What is wrong, without the file name and line number.</summary>
    public string Detail { get; }
}
