using System;

namespace MeProp.Examples.Parser;

/// <summary>What an arc-standard transition does; see <see cref="Configuration"/>.</summary>
public enum TransitionKind
{
    /// <summary>Moves the first word of the buffer onto the stack.</summary>
    Shift,

    /// <summary>Makes the stack's top word the head of the word below it, and pops that word.</summary>
    LeftArc,

    /// <summary>Makes the word below the stack's top the head of the top word, and pops the top.</summary>
    RightArc,
}

/// <summary>
/// The 2L + 1 labelled transitions over L arc labels as dense ids, the classes the network scores:
/// 0 is SHIFT, 1 .. L are LEFT-ARC with labels 0 .. L-1, L+1 .. 2L are RIGHT-ARC with them.
/// </summary>
public readonly record struct TransitionSet(int LabelCount)
{
    public const int Shift = 0;

    /// <summary>The number of transitions, 2L + 1.</summary>
    public int Count => 2 * LabelCount + 1;

    public int LeftArc(int label) => 1 + CheckLabel(label);

    public int RightArc(int label) => 1 + LabelCount + CheckLabel(label);

    public TransitionKind KindOf(int transition) =>
        transition == Shift ? TransitionKind.Shift
        : transition <= LabelCount ? TransitionKind.LeftArc
        : transition < Count ? TransitionKind.RightArc
        : throw new ArgumentOutOfRangeException(nameof(transition), transition, $"Transitions run 0 .. {Count - 1}.");

    /// <summary>The arc label of a LEFT-ARC or RIGHT-ARC; -1 for SHIFT.</summary>
    public int LabelOf(int transition) => KindOf(transition) switch
    {
        TransitionKind.Shift => -1,
        TransitionKind.LeftArc => transition - 1,
        _ => transition - 1 - LabelCount,
    };

    private int CheckLabel(int label) => (uint)label < (uint)LabelCount
        ? label
        : throw new ArgumentOutOfRangeException(nameof(label), label, $"Labels run 0 .. {LabelCount - 1}.");
}
