using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MeProp.Runtime.Tests.Fuzzing;

/// <summary>
/// Ways of damaging a file, each drawn from a seeded source so that a failing case can be replayed
/// from its number: bit flips and byte edits anywhere, truncation, inserted and deleted runs of bytes,
/// huge values written over header fields; and for text, lines deleted, duplicated, swapped, and
/// numbers or tabs changed within a line.
/// </summary>
internal static class Mutations
{
    /// <summary>One to three byte-level mutations of <paramref name="file"/>.</summary>
    public static byte[] Bytes(byte[] file, SeededRandom random)
    {
        var data = new List<byte>(file);
        int count = 1 + random.NextInt(3);
        for (int m = 0; m < count; m++) ApplyByteMutation(data, random);
        return data.ToArray();
    }

    /// <summary>One to three mutations of <paramref name="file"/> as lines of text, or of its bytes (one case in three).</summary>
    public static byte[] Lines(byte[] file, SeededRandom random)
    {
        if (random.NextInt(3) == 0) return Bytes(file, random);
        var lines = Encoding.UTF8.GetString(file).Split('\n').ToList();
        int count = 1 + random.NextInt(3);
        for (int m = 0; m < count && lines.Count > 0; m++)
        {
            int at = random.NextInt(lines.Count);
            switch (random.NextInt(7))
            {
                case 0: lines.RemoveAt(at); break;
                case 1: lines.Insert(at, lines[at]); break;
                case 2: (lines[at], lines[random.NextInt(lines.Count)]) = (lines[random.NextInt(lines.Count)], lines[at]); break;
                case 3: lines[at] = ReplaceNumber(lines[at], random); break;
                case 4: lines[at] = EditTabs(lines[at], random); break;
                case 5: lines.Insert(at, ""); break;
                default: lines[at] = lines[at].Length == 0 ? lines[at] : lines[at][..random.NextInt(lines[at].Length)]; break;
            }
        }
        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }

    private static void ApplyByteMutation(List<byte> data, SeededRandom random)
    {
        int length = data.Count;
        switch (random.NextInt(7))
        {
            case 0 when length > 0:
                int bit = random.NextInt(length * 8);
                data[bit / 8] ^= (byte)(1 << (bit % 8));
                break;
            case 1 when length > 0:
                data[random.NextInt(length)] = (byte)random.NextInt(256);
                break;
            case 2:
                int cut = random.NextInt(length + 1);
                data.RemoveRange(cut, length - cut);
                break;
            case 3:
                int insertAt = random.NextInt(length + 1);
                data.InsertRange(insertAt, Enumerable.Range(0, 1 + random.NextInt(16)).Select(_ => (byte)random.NextInt(256)));
                break;
            case 4 when length > 0:
                int deleteAt = random.NextInt(length);
                data.RemoveRange(deleteAt, Math.Min(length - deleteAt, 1 + random.NextInt(16)));
                break;
            case 5 when length > 0:
                int from = random.NextInt(length);
                int size = Math.Min(length - from, 1 + random.NextInt(64));
                data.InsertRange(random.NextInt(length + 1), data.GetRange(from, size));
                break;
            default:
                // A huge value over a (likely) header field: 4 or 8 bytes near the start, either byte order.
                if (length < 4) break;
                int field = Math.Min(length - 4, 4 * random.NextInt(Math.Min(16, length / 4)));
                byte[] huge = random.NextInt(2) == 0 ? new byte[] { 0x7F, 0xFF, 0xFF, 0xFF } : new byte[] { 0xFF, 0xFF, 0xFF, 0x7F };
                if (random.NextInt(3) == 0) huge = new byte[] { 0xFF, 0xFF, 0xFF, 0xFF };
                for (int i = 0; i < 4; i++) data[field + i] = huge[i];
                break;
        }
    }

    // Replaces one run of digits with another number: 0, a neighbour, or a huge one.
    private static string ReplaceNumber(string line, SeededRandom random)
    {
        var runs = new List<(int Start, int Length)>();
        for (int i = 0; i < line.Length;)
        {
            if (!char.IsAsciiDigit(line[i])) { i++; continue; }
            int start = i;
            while (i < line.Length && char.IsAsciiDigit(line[i])) i++;
            runs.Add((start, i - start));
        }
        if (runs.Count == 0) return line;
        var (s, n) = runs[random.NextInt(runs.Count)];
        string replacement = random.NextInt(4) switch
        {
            0 => "0",
            1 => (long.Parse(line.AsSpan(s, Math.Min(n, 18))) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            2 => "99999999999999999999",
            _ => "-1",
        };
        return line[..s] + replacement + line[(s + n)..];
    }

    // Removes a tab, adds one, or turns one into a space: a field too few, too many, or merged.
    private static string EditTabs(string line, SeededRandom random)
    {
        int tab = line.IndexOf('\t', random.NextInt(line.Length + 1));
        if (tab < 0) tab = line.IndexOf('\t');
        return random.NextInt(3) switch
        {
            0 when tab >= 0 => line.Remove(tab, 1),
            1 when tab >= 0 => line.Remove(tab, 1).Insert(tab, " "),
            _ => line.Insert(random.NextInt(line.Length + 1), "\t"),
        };
    }
}
