using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace MeProp.Checkpoints;

/// <summary>
/// Writes tensors in the safetensors format, which other tools (Python's <c>safetensors</c>,
/// PyTorch, Hugging Face) read: an 8-byte little-endian header length, a UTF-8 JSON header that
/// gives each tensor's dtype, shape and byte range (plus an optional string-to-string
/// <c>__metadata__</c> object), then the tensors' raw little-endian bytes, row-major, back to back.
/// </summary>
/// <remarks>
/// The tensors are referenced, not copied, until <see cref="WriteTo"/> or <see cref="Save"/>: a
/// checkpoint of a large model costs no second copy of its weights. Tensors are written in the order
/// they were added. The header is padded with spaces to a multiple of 8 bytes, as the reference
/// implementation does, so that every tensor of 8-byte elements starts 8-byte aligned in the file.
/// </remarks>
public sealed class SafeTensorsWriter
{
    private readonly List<Entry> _entries = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>String pairs written as the header's <c>__metadata__</c> (the format allows strings only).</summary>
    public IDictionary<string, string> Metadata { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Adds tensor <paramref name="name"/>, of shape <paramref name="shape"/>, whose elements are <paramref name="data"/> in row-major order.</summary>
    /// <exception cref="ArgumentException">The name is empty, reserved or already used, or the shape does not hold data's length.</exception>
    public void Add<TElement>(string name, ReadOnlyMemory<TElement> data, params long[] shape) where TElement : unmanaged
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (name.Length == 0 || name == SafeTensorsFile.MetadataKey)
            throw new ArgumentException($"'{name}' cannot name a tensor.", nameof(name));
        if (_names.Contains(name)) throw new ArgumentException($"A tensor named '{name}' was already added.", nameof(name));
        long count = 1;
        foreach (long dimension in shape)
        {
            if (dimension < 0) throw new ArgumentException($"Tensor '{name}' has a negative dimension ({dimension}).", nameof(shape));
            count = checked(count * dimension);
        }
        if (count != data.Length)
            throw new ArgumentException($"Tensor '{name}' has shape [{string.Join(", ", shape)}] ({count} elements) but {data.Length} values.", nameof(shape));
        _names.Add(name);
        _entries.Add(new Entry<TElement>(name, SafeTensorsDTypes.Of<TElement>(), (long[])shape.Clone(), data));
    }

    /// <summary>Writes the file's bytes to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors stores little-endian bytes; writing them on a big-endian machine is not implemented.");
        byte[] header = Header();
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (Entry entry in _entries) entry.Write(stream);
    }

    /// <summary>
    /// Writes the file to <paramref name="path"/> atomically (<see cref="AtomicFile"/>): whatever
    /// happens meanwhile, the path afterwards holds either its previous content or the whole new file.
    /// </summary>
    public void Save(string path) => AtomicFile.Write(path, WriteTo);

    private byte[] Header()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (Metadata.Count > 0)
            {
                json.WriteStartObject(SafeTensorsFile.MetadataKey);
                foreach (var (key, value) in Metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (Entry entry in _entries)
            {
                json.WriteStartObject(entry.Name);
                json.WriteString("dtype", entry.DType.ToString());
                json.WriteStartArray("shape");
                foreach (long dimension in entry.Shape) json.WriteNumberValue(dimension);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += entry.ByteLength;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        int padded = (buffer.WrittenCount + 7) / 8 * 8;
        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private abstract class Entry(string name, SafeTensorsDType dtype, long[] shape)
    {
        public string Name { get; } = name;
        public SafeTensorsDType DType { get; } = dtype;
        public long[] Shape { get; } = shape;
        public abstract long ByteLength { get; }
        public abstract void Write(Stream stream);
    }

    private sealed class Entry<TElement>(string name, SafeTensorsDType dtype, long[] shape, ReadOnlyMemory<TElement> data)
        : Entry(name, dtype, shape) where TElement : unmanaged
    {
        public override long ByteLength => (long)data.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<TElement>();

        public override void Write(Stream stream) => stream.Write(MemoryMarshal.AsBytes(data.Span));
    }
}
