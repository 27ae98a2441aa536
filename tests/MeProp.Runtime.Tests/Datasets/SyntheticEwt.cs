using System.IO;
using System.Text;
using MeProp.Datasets.UdEnglishEwt;

namespace MeProp.Runtime.Tests.Datasets;

// Three tiny CoNLL-U files under the EWT names: sentence counts 3, 2 and 1 (so each file can be told
// apart after a copy), with a tag that differs per file.
internal static class SyntheticEwt
{
    public static int Sentences(string file) => file == EwtFiles.Train ? 3 : file == EwtFiles.Development ? 2 : 1;

    public static byte[] Content(string file, string variant = "")
    {
        var text = new StringBuilder();
        for (int s = 1; s <= Sentences(file); s++)
        {
            text.Append($"# sent_id = {file}-{s}{variant}\n");
            text.Append($"1\tHello\thello\tINTJ\tUH\t_\t0\troot\t0:root\tSpaceAfter=No\n");
            text.Append($"2\t!\t!\tPUNCT\t.\t_\t1\tpunct\t1:punct\t_\n\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public static void Write(string folder, string variant = "")
    {
        Directory.CreateDirectory(folder);
        foreach (string name in EwtFiles.All) File.WriteAllBytes(Path.Combine(folder, name), Content(name, variant));
    }
}
