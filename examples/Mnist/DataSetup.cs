using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using MeProp.Datasets;
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
            var sources = new SortedDictionary<string, string>(StringComparer.Ordinal);
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
                .StartAsync(async context =>
                {
                    var tasks = new Dictionary<string, ProgressTask>();
                    // Reported synchronously on the downloading thread (Progress<T> would post to the
                    // thread pool and race with the summary below).
                    var progress = new SynchronousProgress<DownloadProgress>(p =>
                    {
                        sources[p.FileName] = p.SourceName;
                        if (!tasks.TryGetValue(p.FileName, out ProgressTask? task))
                            tasks[p.FileName] = task = context.AddTask(p.FileName, maxValue: p.TotalBytes ?? 1);
                        task.Description = $"{p.FileName} ({p.SourceName})";
                        if (p.TotalBytes is long total) task.MaxValue = total;
                        task.Value = p.TotalBytes is null ? 0 : p.BytesReceived;
                    });
                    await downloader.EnsureFilesAsync(location.Directory, progress);
                    foreach (ProgressTask task in tasks.Values) task.Value = task.MaxValue;
                });
            foreach (var (file, source) in sources)
                AnsiConsole.MarkupLine($"[grey]  {Markup.Escape(file)}: {Markup.Escape(source)}, SHA-256 verified[/]");
        }
        MnistDataset data = MnistDataset.Load(location.Directory, trainLimit);
        AnsiConsole.MarkupLine($"[grey]{data.Training.Count} training, {data.Development.Count} development, {data.Test.Count} test images[/]");
        return data;
    }
}

/// <summary>An <see cref="IProgress{T}"/> that runs its handler on the reporting thread.</summary>
internal sealed class SynchronousProgress<T> : IProgress<T>
{
    private readonly Action<T> _handler;

    public SynchronousProgress(Action<T> handler) => _handler = handler;

    public void Report(T value) => _handler(value);
}
