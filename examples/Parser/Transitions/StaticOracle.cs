using System;

namespace MeProp.Examples.Parser;

/// <summary>
/// The arc-standard static oracle: the one transition sequence that builds a projective gold tree,
/// which gives the parser's training examples (each configuration on the way, with the transition
/// taken there).
/// </summary>
/// <remarks>
/// Preference order: LEFT-ARC when the word below the top is a gold dependent of the top; RIGHT-ARC
/// when the top is a gold dependent of the word below it and has already collected all its own
/// dependents (popping it earlier would lose them); SHIFT otherwise. For a projective tree this never
/// gets stuck and ends with exactly the gold arcs; for a non-projective one it reaches a
/// configuration with an empty buffer and no gold arc to build, and says so.
/// </remarks>
public static class StaticOracle
{
    /// <summary>The gold transition in <paramref name="configuration"/>.</summary>
    /// <exception cref="InvalidOperationException">No transition builds the gold tree from here (it is not projective).</exception>
    public static int Next(Configuration configuration, GoldTree gold, TransitionSet transitions)
    {
        if (configuration.StackCount >= 2)
        {
            int top = configuration.Stack(0), below = configuration.Stack(1);
            if (below != Configuration.Root && gold.HeadOf(below) == top)
                return transitions.LeftArc(gold.LabelOf(below));
            if (gold.HeadOf(top) == below && configuration.ChildCountOf(top) == gold.ChildCountOf(top) && configuration.CanRightArc)
                return transitions.RightArc(gold.LabelOf(top));
        }
        if (configuration.CanShift) return TransitionSet.Shift;
        throw new InvalidOperationException("The static oracle is stuck: the gold tree is not projective.");
    }
}
