using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CsCheck;

namespace MeProp.Generators.Tests.RandomPrograms;

/// <summary>
/// Runs a property over many random programs, each a list of choices. In CI a fixed batch: program i
/// comes from seed i, the same on every run; a failure is shrunk by removing and lowering choices
/// while the property still fails. With the count set in the environment (the long form) CsCheck
/// samples fresh programs, shrinks a failure itself and reports the seed that repeats it.
/// </summary>
internal static class ProgramBatch
{
    /// <summary>The environment variable that runs the one program of the choices it lists, comma-separated.</summary>
    public const string ChoicesVariable = "MEPROP_RANDOM_PROGRAM_CHOICES";

    /// <summary>The choice lists of the fixed batch: 1 to 60 choices from seed <paramref name="index"/>.</summary>
    public static int[] FixedChoices(int index)
    {
        var random = new SeededRandom(index + 1);
        return Enumerable.Range(0, 1 + random.NextInt(60)).Select(_ => random.NextInt(1 << 20)).ToArray();
    }

    /// <summary>Runs <paramref name="property"/> on <paramref name="ciCount"/> fixed programs, or on the number in <paramref name="variable"/> sampled by CsCheck.</summary>
    /// <returns>How many programs passed.</returns>
    public static int Run(string variable, int ciCount, Action<int[]> property, Func<int[], string> print)
    {
        // One program, by the choices a failure printed ("12, 0, 7"): to repeat it, and to debug it.
        if (Environment.GetEnvironmentVariable(ChoicesVariable) is { Length: > 0 } given)
        {
            int[] choices = given.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(c => int.Parse(c, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
            if (Fails(property, choices) is Exception failure)
                throw new Xunit.Sdk.XunitException($"The program of {ChoicesVariable} fails: {Describe(failure)}\n{print(choices)}");
            return 1;
        }
        if (int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count > 0)
        {
            int passed = 0;
            Gen.Int[0, 1 << 20].Array[1, 60].Sample(choices =>
            {
                try
                {
                    property(choices);
                }
                catch (Exception e)
                {
                    // CsCheck prints the smallest failing program; the choices repeat it exactly (MEPROP_RANDOM_PROGRAM_CHOICES).
                    throw new InvalidOperationException($"choices [{string.Join(", ", choices)}]: {Describe(e)}", e);
                }
                System.Threading.Interlocked.Increment(ref passed);
            }, iter: count, threads: 1, print: print);
            return passed;
        }
        for (int i = 0; i < ciCount; i++)
        {
            int[] choices = FixedChoices(i);
            if (Fails(property, choices) is not Exception error) continue;
            int[] smallest = Shrink(property, choices);
            throw new Xunit.Sdk.XunitException($"Program {i} of the fixed batch fails: {Describe(Fails(property, smallest) ?? error)}\n"
                + $"Shrunk from {choices.Length} choices to [{string.Join(", ", smallest)}]:\n{print(smallest)}");
        }
        return ciCount;
    }

    // A failed comparison is its message. Anything else is a crash, in the generated code or the
    // runtime (reached through reflection, which wraps it): its type, message and stack are the news.
    private static string Describe(Exception e)
    {
        while (e is System.Reflection.TargetInvocationException { InnerException: { } inner }) e = inner;
        return e is Xunit.Sdk.XunitException ? e.Message : $"{e.GetType().Name}: {e.Message}\n{e.StackTrace}";
    }

    private static Exception? Fails(Action<int[]> property, int[] choices)
    {
        try
        {
            property(choices);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    // Greedy: drop one choice, or lower one to 0 or to half, whenever the property still fails; until nothing helps.
    private static int[] Shrink(Action<int[]> property, int[] choices)
    {
        int[] current = choices;
        for (bool progress = true; progress;)
        {
            progress = false;
            foreach (int[] candidate in Smaller(current))
            {
                if (Fails(property, candidate) is null) continue;
                current = candidate;
                progress = true;
                break;
            }
        }
        return current;
    }

    private static IEnumerable<int[]> Smaller(int[] choices)
    {
        for (int i = 0; i < choices.Length; i++) yield return choices.Where((_, j) => j != i).ToArray();
        for (int i = 0; i < choices.Length; i++)
        {
            if (choices[i] == 0) continue;
            foreach (int lower in new[] { 0, choices[i] / 2 })
            {
                int[] copy = (int[])choices.Clone();
                copy[i] = lower;
                yield return copy;
            }
        }
    }
}
