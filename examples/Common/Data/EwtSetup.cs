using System.Threading.Tasks;
using MeProp.Datasets.UdEnglishEwt;
using Spectre.Console;

namespace MeProp.Examples;

/// <summary>
/// Finds UD English EWT (--data, then MEPROP_DATA, then the user's cache), obtains it when missing
/// with a progress display, and loads it: the tagger and the parser read the same treebank.
/// </summary>
public static class EwtSetup
{
    public static async Task<EwtDataset> LoadAsync(string? dataOption)
    {
        EwtLocation location = new EwtLocator().Locate(dataOption);
        AnsiConsole.MarkupLine($"[grey]UD English EWT: {Markup.Escape(location.ToString())}[/]");
        if (!location.HasAllFiles)
        {
            AnsiConsole.MarkupLine($"[yellow]Obtaining {location.MissingFiles.Count} missing file(s) of release {EwtDownloader.ReleaseTag} into {Markup.Escape(location.Directory)}[/]");
            using EwtDownloader downloader = EwtDownloader.CreateDefault();
            await DownloadView.RunAsync(progress => downloader.EnsureFilesAsync(location.Directory, progress));
        }
        return EwtDataset.Load(location.Directory);
    }
}
