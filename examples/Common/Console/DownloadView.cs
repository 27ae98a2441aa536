using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using MeProp.Datasets;
using Spectre.Console;

namespace MeProp.Examples;

/// <summary>Shows a dataset download: one progress bar per file, then where each file came from.</summary>
public static class DownloadView
{
    /// <param name="download">Fetches the missing files, reporting to the progress it is given.</param>
    public static async Task RunAsync(Func<IProgress<DownloadProgress>, Task> download)
    {
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
                await download(progress);
                foreach (ProgressTask task in tasks.Values) task.Value = task.MaxValue;
            });
        foreach (var (file, source) in sources)
            AnsiConsole.MarkupLine($"[grey]  {Markup.Escape(file)}: {Markup.Escape(source)}, SHA-256 verified[/]");
    }
}

/// <summary>An <see cref="IProgress{T}"/> that runs its handler on the reporting thread.</summary>
public sealed class SynchronousProgress<T> : IProgress<T>
{
    private readonly Action<T> _handler;

    public SynchronousProgress(Action<T> handler) => _handler = handler;

    public void Report(T value) => _handler(value);
}
