using System;
using System.Collections.Generic;

namespace MeProp.Checkpoints;

/// <summary>The element types of the safetensors format, by the names its header uses.</summary>
public enum SafeTensorsDType
{
    BOOL,
    U8,
    I8,
    F8_E5M2,
    F8_E4M3,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    I64,
    U64,
    F64,
}

/// <summary>Sizes and .NET types of <see cref="SafeTensorsDType"/>.</summary>
public static class SafeTensorsDTypes
{
    private static readonly Dictionary<string, SafeTensorsDType> ByName = CreateNames();

    /// <summary>Bytes per element.</summary>
    public static int Size(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.BOOL or SafeTensorsDType.U8 or SafeTensorsDType.I8 or SafeTensorsDType.F8_E5M2 or SafeTensorsDType.F8_E4M3 => 1,
        SafeTensorsDType.I16 or SafeTensorsDType.U16 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 => 2,
        SafeTensorsDType.I32 or SafeTensorsDType.U32 or SafeTensorsDType.F32 => 4,
        SafeTensorsDType.I64 or SafeTensorsDType.U64 or SafeTensorsDType.F64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>The dtype named <paramref name="name"/> in a header (case-sensitive, as the format has it); false for an unknown name.</summary>
    public static bool TryParse(string name, out SafeTensorsDType dtype) => ByName.TryGetValue(name, out dtype);

    /// <summary>
    /// The dtype that holds <typeparamref name="TElement"/>: float F32, double F64, int I32, long I64,
    /// byte U8, the element types a checkpoint of ours contains.
    /// </summary>
    public static SafeTensorsDType Of<TElement>() where TElement : unmanaged
    {
        if (typeof(TElement) == typeof(float)) return SafeTensorsDType.F32;
        if (typeof(TElement) == typeof(double)) return SafeTensorsDType.F64;
        if (typeof(TElement) == typeof(int)) return SafeTensorsDType.I32;
        if (typeof(TElement) == typeof(long)) return SafeTensorsDType.I64;
        if (typeof(TElement) == typeof(byte)) return SafeTensorsDType.U8;
        throw new NotSupportedException($"{typeof(TElement).Name} has no safetensors dtype here; use float, double, int, long or byte.");
    }

    private static Dictionary<string, SafeTensorsDType> CreateNames()
    {
        var names = new Dictionary<string, SafeTensorsDType>(StringComparer.Ordinal);
        foreach (SafeTensorsDType dtype in Enum.GetValues<SafeTensorsDType>()) names.Add(dtype.ToString(), dtype);
        return names;
    }
}
