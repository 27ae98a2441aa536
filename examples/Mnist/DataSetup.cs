using System.Threading.Tasks;
using MeProp.Datasets.Mnist;
using Spectre.Console;

namespace MeProp.Examples.Mnist;

/// <summary>Finds MNIST (--data, then MEPROP_DATA, then the user's cache), obtains it when missing with a progress display, and loads it.</summary>
public static class DataSetup
{
    public static async Task<MnistDataset> LoadAsync(string? dataOption, int? trainLimit)
    {
        MnistLocation location = new MnistLocator().Locate(dataOption);
        AnsiConsole.MarkupLine($"[grey]MNIST: {Markup.Escape(location.ToString())}[/]");
        if (!location.HasAllFiles)
        {
            AnsiConsole.MarkupLine($"[yellow]Obtaining {location.MissingFiles.Count} missing file(s) into {Markup.Escape(location.Directory)}[/]");
            using MnistDownloader downloader = MnistDownloader.CreateDefault();
            await DownloadView.RunAsync(progress => downloader.EnsureFilesAsync(location.Directory, progress));
        }
        MnistDataset data = MnistDataset.Load(location.Directory, trainLimit);
        AnsiConsole.MarkupLine($"[grey]{data.Training.Count} training, {data.Development.Count} development, {data.Test.Count} test images[/]");
        return data;
    }
}
