namespace MeProp.Datasets.Idx;

/// <summary>Constants of the IDX format (LeCun's MNIST distribution format).</summary>
/// <remarks>
/// Layout: two zero bytes, a type byte, a dimension-count byte, one big-endian int32 per dimension,
/// then the elements row-major. Only type 0x08 (unsigned byte) is read and written here: it is the
/// only type MNIST uses, and the other types would need per-element byte swapping.
/// </remarks>
public static class IdxFormat
{
    /// <summary>The type byte of unsigned-byte data.</summary>
    public const byte UnsignedByte = 0x08;

    /// <summary>The first two bytes of every gzip stream; how compressed files are recognised.</summary>
    internal const byte GzipMagic0 = 0x1f, GzipMagic1 = 0x8b;

    /// <summary>Bytes of the header of a file with <paramref name="rank"/> dimensions.</summary>
    public static int HeaderLength(int rank) => 4 + 4 * rank;

    /// <summary>A readable name of an IDX type byte, for messages.</summary>
    public static string TypeName(byte type) => type switch
    {
        0x08 => "0x08 (unsigned byte)",
        0x09 => "0x09 (signed byte)",
        0x0B => "0x0B (16-bit integer)",
        0x0C => "0x0C (32-bit integer)",
        0x0D => "0x0D (32-bit float)",
        0x0E => "0x0E (64-bit float)",
        _ => $"0x{type:X2} (not an IDX type)",
    };
}
