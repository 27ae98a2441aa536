using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace MeProp.Runtime.Tests.Checkpoints;

/// <summary>
/// A second reader of the safetensors format, written in the test from the format's description
/// alone (u64 little-endian header size N, N bytes of JSON mapping names to dtype, shape and
/// data_offsets relative to the byte after the header, plus "__metadata__"), with JsonDocument and
/// no code of the library's reader: a file both readers agree on is one other tools can read.
/// </summary>
internal static class IndependentSafeTensorsReader
{
    public sealed record Tensor(string DType, long[] Shape, byte[] Bytes);

    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(byte[] file)
    {
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        string json = Encoding.UTF8.GetString(file, 8, checked((int)n));
        using JsonDocument document = JsonDocument.Parse(json);
        var tensors = new Dictionary<string, Tensor>();
        var metadata = new Dictionary<string, string>();
        int dataStart = 8 + (int)n;
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                foreach (JsonProperty entry in property.Value.EnumerateObject()) metadata[entry.Name] = entry.Value.GetString()!;
                continue;
            }
            string dtype = property.Value.GetProperty("dtype").GetString()!;
            var shape = new List<long>();
            foreach (JsonElement d in property.Value.GetProperty("shape").EnumerateArray()) shape.Add(d.GetInt64());
            JsonElement offsets = property.Value.GetProperty("data_offsets");
            int begin = offsets[0].GetInt32(), end = offsets[1].GetInt32();
            tensors[property.Name] = new Tensor(dtype, shape.ToArray(), file[(dataStart + begin)..(dataStart + end)]);
        }
        return (tensors, metadata);
    }

    public static float[] Floats(Tensor tensor)
    {
        if (tensor.DType != "F32") throw new InvalidDataException(tensor.DType);
        var values = new float[tensor.Bytes.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(tensor.Bytes.AsSpan(4 * i));
        return values;
    }

    public static double[] Doubles(Tensor tensor)
    {
        if (tensor.DType != "F64") throw new InvalidDataException(tensor.DType);
        var values = new double[tensor.Bytes.Length / 8];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(tensor.Bytes.AsSpan(8 * i));
        return values;
    }
}
