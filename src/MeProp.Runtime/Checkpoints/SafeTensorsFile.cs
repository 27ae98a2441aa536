using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using MeProp.Datasets;

namespace MeProp.Checkpoints;

/// <summary>One tensor as a safetensors header describes it: its dtype, shape and bytes [Begin, End) of the data section.</summary>
public sealed record SafeTensorsEntry(string Name, SafeTensorsDType DType, IReadOnlyList<long> Shape, long Begin, long End)
{
    /// <summary>Number of elements (the product of the shape; 1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, dimension) => product * dimension);

    /// <summary>The shape as the format writes it, e.g. [500, 784].</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}

/// <summary>
/// Reads a safetensors file: the header is read and checked completely when the file is opened,
/// the tensors' bytes when asked for.
/// </summary>
/// <remarks>
/// <para>Opening checks everything the header promises before any tensor is read, so that a caller
/// restoring a model either gets every tensor or an exception before it has changed anything: the
/// header length against the file's length (and a 100 MB limit, so a corrupt length cannot make us
/// allocate gigabytes), the JSON, each tensor's dtype (a known one), shape (non-negative sizes) and
/// byte range (its length equals elements x element size), and that the ranges tile the data
/// section exactly: no overlap, no gap, nothing after the last tensor. These are the reference
/// implementation's rules.</para>
/// <para>Every problem is a <see cref="DataFormatException"/> naming the file and the byte where it
/// was found (for a tensor's problem, the byte where its name starts in the header).</para>
/// </remarks>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>The header key of the string-to-string metadata, which is not a tensor.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The largest header accepted (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const int LengthBytes = 8;
    private readonly Stream _stream;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafeTensorsEntry> _tensors;

    private SafeTensorsFile(Stream stream, string name, long dataStart, Dictionary<string, SafeTensorsEntry> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        _stream = stream;
        Name = name;
        _dataStart = dataStart;
        _tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The file's path (or the name a stream was opened with), as errors give it.</summary>
    public string Name { get; }

    /// <summary>The tensors, in the order of their bytes in the file.</summary>
    public IReadOnlyList<SafeTensorsEntry> Tensors => _tensors.Values.OrderBy(t => t.Begin).ThenBy(t => t.Name, StringComparer.Ordinal).ToArray();

    /// <summary>The header's <c>__metadata__</c> (empty when it has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and checks <paramref name="path"/>.</summary>
    /// <exception cref="DataFormatException">The file is not valid safetensors.</exception>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            return Open(stream, path);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads and checks the header of <paramref name="stream"/> (seekable; disposed with the result); <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="DataFormatException">The content is not valid safetensors.</exception>
    public static SafeTensorsFile Open(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        if (!stream.CanSeek) throw new ArgumentException("A safetensors stream must be seekable.", nameof(stream));
        long fileLength = stream.Length;
        stream.Position = 0;
        Span<byte> lengthBytes = stackalloc byte[LengthBytes];
        if (fileLength < LengthBytes)
            throw new DataFormatException(name, 0, $"the file is {fileLength} bytes long, too short for the 8-byte header length that starts a safetensors file");
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw new DataFormatException(name, 0, $"the header length is {headerLength} bytes, more than the format's limit of {MaxHeaderBytes}");
        if ((long)headerLength > fileLength - LengthBytes)
            throw new DataFormatException(name, 0, $"the header length is {headerLength} bytes, but only {fileLength - LengthBytes} bytes follow it (truncated file?)");
        if (headerLength < 2)
            throw new DataFormatException(name, 0, $"the header length is {headerLength} bytes, too short for a JSON object");
        byte[] header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = LengthBytes + (long)headerLength;
        var (tensors, metadata) = new HeaderParser(name, header).Parse();
        CheckTiling(name, tensors.Values, dataStart, fileLength - dataStart);
        return new SafeTensorsFile(stream, name, dataStart, tensors, metadata);
    }

    /// <summary>Whether the file holds tensor <paramref name="name"/>, and its description.</summary>
    public bool TryGetTensor(string name, out SafeTensorsEntry entry)
    {
        bool found = _tensors.TryGetValue(name, out SafeTensorsEntry? value);
        entry = value!;
        return found;
    }

    /// <summary>
    /// Reads tensor <paramref name="name"/> into <paramref name="destination"/>, after checking that
    /// it exists, has <typeparamref name="TElement"/>'s dtype and exactly destination's length.
    /// </summary>
    /// <exception cref="DataFormatException">No such tensor, another dtype or another size.</exception>
    public void Read<TElement>(string name, Span<TElement> destination) where TElement : unmanaged
    {
        SafeTensorsEntry entry = Require<TElement>(name, destination.Length);
        _stream.Position = _dataStart + entry.Begin;
        try
        {
            _stream.ReadExactly(MemoryMarshal.AsBytes(destination));
        }
        catch (EndOfStreamException e)
        {
            // The length was checked at opening: the file shrank since.
            throw new DataFormatException(Name, _dataStart + entry.Begin, $"tensor '{name}' ends past the end of the file (was it truncated while open?)", innerException: e);
        }
    }

    /// <summary>Reads tensor <paramref name="name"/> into a new array (checked as <see cref="Read{TElement}"/>, any length).</summary>
    public TElement[] ReadArray<TElement>(string name) where TElement : unmanaged
    {
        SafeTensorsEntry entry = Require<TElement>(name, expectedLength: null);
        if (entry.ElementCount > Array.MaxLength)
            throw new DataFormatException(Name, _dataStart + entry.Begin, $"tensor '{name}' has {entry.ElementCount} elements, more than an array holds");
        var values = new TElement[entry.ElementCount];
        Read<TElement>(name, values);
        return values;
    }

    /// <summary>Throws the format's error for tensor <paramref name="name"/> unless it exists with <typeparamref name="TElement"/>'s dtype (and <paramref name="expectedLength"/> elements when given).</summary>
    public SafeTensorsEntry Require<TElement>(string name, long? expectedLength) where TElement : unmanaged
    {
        if (!_tensors.TryGetValue(name, out SafeTensorsEntry? entry))
            throw new DataFormatException(Name, 0, $"there is no tensor named '{name}' (the file has {_tensors.Count}: {Summary()})");
        SafeTensorsDType wanted = SafeTensorsDTypes.Of<TElement>();
        if (entry.DType != wanted)
            throw new DataFormatException(Name, _dataStart + entry.Begin, $"tensor '{name}' is {entry.DType}, but {wanted} was expected");
        if (expectedLength is long length && entry.ElementCount != length)
            throw new DataFormatException(Name, _dataStart + entry.Begin, $"tensor '{name}' has shape {entry.ShapeText} ({entry.ElementCount} elements), but {length} were expected");
        return entry;
    }

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();

    private string Summary()
    {
        var names = _tensors.Keys.Order(StringComparer.Ordinal).Take(8).Select(n => $"'{n}'");
        return string.Join(", ", names) + (_tensors.Count > 8 ? ", ..." : "");
    }

    // The byte ranges must cover [0, dataLength) of the data section exactly once, in some order.
    // Errors point at the file byte where the trouble starts.
    private static void CheckTiling(string name, IEnumerable<SafeTensorsEntry> tensors, long dataStart, long dataLength)
    {
        long expected = 0;
        SafeTensorsEntry? previous = null;
        foreach (SafeTensorsEntry entry in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (entry.Begin < expected)
                throw new DataFormatException(name, dataStart + entry.Begin, $"tensor '{entry.Name}' (bytes {entry.Begin}-{entry.End} of the data) overlaps tensor '{previous!.Name}' (bytes {previous.Begin}-{previous.End})");
            if (entry.Begin > expected)
                throw new DataFormatException(name, dataStart + expected, previous is null
                    ? $"the data section starts with {entry.Begin} bytes that no tensor covers (the first, '{entry.Name}', starts at {entry.Begin})"
                    : $"bytes {expected}-{entry.Begin} of the data belong to no tensor (between '{previous.Name}' and '{entry.Name}')");
            if (entry.End > dataLength)
                throw new DataFormatException(name, dataStart + entry.Begin, $"tensor '{entry.Name}' ends at byte {entry.End} of the data, but the data section has only {dataLength} bytes (truncated file?)");
            expected = entry.End;
            previous = entry;
        }
        if (expected < dataLength)
            throw new DataFormatException(name, dataStart + expected, $"the data section has {dataLength - expected} bytes after its last tensor that no tensor covers");
    }

    // A hand-driven Utf8JsonReader rather than JsonDocument: every error can then give the byte of the
    // token at fault, and no tree of the whole header is built.
    private ref struct HeaderParser
    {
        private readonly string _name;
        private readonly byte[] _header;
        private Utf8JsonReader _reader;

        public HeaderParser(string name, byte[] header)
        {
            _name = name;
            _header = header;
            _reader = new Utf8JsonReader(header, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 });
        }

        public (Dictionary<string, SafeTensorsEntry> Tensors, IReadOnlyDictionary<string, string> Metadata) Parse()
        {
            var tensors = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            try
            {
                Next();
                if (_reader.TokenType != JsonTokenType.StartObject) throw Error("the header is not a JSON object");
                while (true)
                {
                    Next();
                    if (_reader.TokenType == JsonTokenType.EndObject) break;
                    long keyAt = At();
                    string key = _reader.GetString()!;
                    if (key == MetadataKey)
                    {
                        if (sawMetadata) throw Error($"'{MetadataKey}' appears twice", keyAt);
                        sawMetadata = true;
                        ParseMetadata(metadata);
                    }
                    else
                    {
                        if (tensors.ContainsKey(key)) throw Error($"tensor '{key}' appears twice", keyAt);
                        tensors.Add(key, ParseTensor(key, keyAt));
                    }
                }
                // Only padding (spaces, as writers pad) may follow the object.
                if (_reader.Read()) throw Error("there is more JSON after the header object");
            }
            catch (JsonException e)
            {
                throw new DataFormatException(_name, LengthBytes + OffsetOf(e.LineNumber ?? 0, e.BytePositionInLine ?? 0),
                    $"the header is not valid JSON: {FirstSentence(e.Message)}", innerException: e);
            }
            catch (InvalidOperationException e)
            {
                // GetString on malformed UTF-8 or escapes.
                throw new DataFormatException(_name, At(), $"the header has a string that is not valid UTF-8 text: {FirstSentence(e.Message)}", innerException: e);
            }
            return (tensors, metadata);
        }

        private void ParseMetadata(Dictionary<string, string> metadata)
        {
            Next();
            if (_reader.TokenType != JsonTokenType.StartObject) throw Error($"'{MetadataKey}' is not an object of strings");
            while (true)
            {
                Next();
                if (_reader.TokenType == JsonTokenType.EndObject) return;
                long keyAt = At();
                string key = _reader.GetString()!;
                Next();
                if (_reader.TokenType != JsonTokenType.String) throw Error($"metadata entry '{key}' is not a string (the format allows strings only)");
                if (metadata.ContainsKey(key)) throw Error($"metadata entry '{key}' appears twice", keyAt);
                metadata.Add(key, _reader.GetString()!);
            }
        }

        private SafeTensorsEntry ParseTensor(string name, long keyAt)
        {
            Next();
            if (_reader.TokenType != JsonTokenType.StartObject) throw Error($"tensor '{name}' is not an object with dtype, shape and data_offsets");
            SafeTensorsDType? dtype = null;
            List<long>? shape = null;
            List<long>? offsets = null;
            while (true)
            {
                Next();
                if (_reader.TokenType == JsonTokenType.EndObject) break;
                string field = _reader.GetString()!;
                long fieldAt = At();
                switch (field)
                {
                    case "dtype":
                        Next();
                        if (_reader.TokenType != JsonTokenType.String) throw Error($"tensor '{name}': dtype is not a string");
                        string dtypeName = _reader.GetString()!;
                        if (!SafeTensorsDTypes.TryParse(dtypeName, out SafeTensorsDType parsed)) throw Error($"tensor '{name}' has unknown dtype '{dtypeName}'");
                        dtype = parsed;
                        break;
                    case "shape":
                        shape = ReadIntegers(name, "shape");
                        break;
                    case "data_offsets":
                        offsets = ReadIntegers(name, "data_offsets");
                        if (offsets.Count != 2) throw Error($"tensor '{name}': data_offsets has {offsets.Count} numbers, not 2 (begin, end)", fieldAt);
                        break;
                    default:
                        // Fields other writers may add are no concern of ours.
                        Next();
                        _reader.Skip();
                        break;
                }
            }
            if (dtype is null) throw Error($"tensor '{name}' has no dtype", keyAt);
            if (shape is null) throw Error($"tensor '{name}' has no shape", keyAt);
            if (offsets is null) throw Error($"tensor '{name}' has no data_offsets", keyAt);
            long begin = offsets[0], end = offsets[1];
            if (end < begin) throw Error($"tensor '{name}': data_offsets [{begin}, {end}] end before they begin", keyAt);
            long elements = 1;
            foreach (long dimension in shape)
            {
                if (elements != 0 && dimension > long.MaxValue / Math.Max(1, elements) / 8)
                    throw Error($"tensor '{name}' has shape [{string.Join(", ", shape)}], too large for any file", keyAt);
                elements *= dimension;
            }
            long bytes = elements * dtype.Value.Size();
            if (end - begin != bytes)
                throw Error($"tensor '{name}' is {dtype} of shape [{string.Join(", ", shape)}], {bytes} bytes, but data_offsets [{begin}, {end}] give {end - begin}", keyAt);
            return new SafeTensorsEntry(name, dtype.Value, shape, begin, end);
        }

        private List<long> ReadIntegers(string tensor, string field)
        {
            Next();
            if (_reader.TokenType != JsonTokenType.StartArray) throw Error($"tensor '{tensor}': {field} is not an array of integers");
            var values = new List<long>();
            while (true)
            {
                Next();
                if (_reader.TokenType == JsonTokenType.EndArray) return values;
                if (_reader.TokenType != JsonTokenType.Number || !_reader.TryGetInt64(out long value) || value < 0)
                    throw Error($"tensor '{tensor}': {field} holds something other than a non-negative integer");
                if (values.Count == 64) throw Error($"tensor '{tensor}': {field} has more than 64 entries");
                values.Add(value);
            }
        }

        // The reader reports a syntax error by line and byte within it; the header is normally one line.
        private readonly long OffsetOf(long line, long positionInLine)
        {
            long start = 0;
            for (long seen = 0; seen < line && start < _header.Length; start++)
                if (_header[start] == (byte)'\n') seen++;
            return start + positionInLine;
        }

        private void Next()
        {
            if (!_reader.Read()) throw Error("the header's JSON ends early");
        }

        private readonly long At() => LengthBytes + _reader.TokenStartIndex;

        private readonly DataFormatException Error(string detail, long? at = null) => new(_name, at ?? At(), detail);

        private static string FirstSentence(string message)
        {
            int end = message.IndexOf(". ", StringComparison.Ordinal);
            return end < 0 ? message.TrimEnd('.') : message[..end];
        }
    }
}
