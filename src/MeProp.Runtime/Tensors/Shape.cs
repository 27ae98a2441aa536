using System;

namespace MeProp;

/// <summary>Argument checks shared by the runtime; every message names the values involved.</summary>
public static class Shape
{
    /// <summary>Throws unless <paramref name="value"/> is at least 1.</summary>
    public static void RequirePositive(int value, string name)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1, but is {value}.");
    }

    /// <summary>Throws unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
    public static void RequireEqual(int actual, int expected, string what)
    {
        if (actual != expected)
            throw new ArgumentException($"Shape mismatch: {what} is {actual}, expected {expected}.");
    }

    /// <summary>Throws unless <paramref name="length"/> is at least <paramref name="needed"/>.</summary>
    public static void RequireLength(int length, int needed, string name)
    {
        if (length < needed)
            throw new ArgumentException($"{name} has {length} elements, but {needed} are needed.", name);
    }
}
