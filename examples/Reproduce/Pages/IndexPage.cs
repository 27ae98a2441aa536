using System.IO;
using System.Linq;
using System.Text;
using MeProp.Checkpoints;

namespace MeProp.Examples.Reproduce;

/// <summary>The folder's README: which pages exist, and how to make the others.</summary>
public static class IndexPage
{
    public static void Write(string folder, bool quick)
    {
        var text = new StringBuilder();
        text.AppendLine(quick ? "# The paper's tables and figures (quick form)" : "# The paper's tables and figures").AppendLine();
        text.AppendLine("Each page is written by `dotnet run -c Release --project examples/Reproduce -- NAME" + (quick ? " --quick" : "")
            + "` (or `all`), states the machine, sets the paper's figures beside ours and says in words where they agree. "
            + "The runs behind the pages are stored under `runs/`, one JSON file per run named by its settings; a page reuses "
            + "them, so runs shared between tables train once (`--fresh` trains again).").AppendLine();
        foreach (Experiment experiment in Experiment.All)
        {
            string page = experiment.Name + ".md";
            text.AppendLine(File.Exists(Path.Combine(folder, page))
                ? $"- [{experiment.Title}]({page})"
                : $"- {experiment.Title}: not yet made (`-- {experiment.Name}`)");
        }
        string content = text.ToString();
        AtomicFile.Write(Path.Combine(folder, "README.md"), s => s.Write(Encoding.UTF8.GetBytes(content)));
    }
}
