using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using MeProp.Checkpoints;
using MeProp.Datasets;
using Xunit;

namespace MeProp.Runtime.Tests.Checkpoints;

public class SafeTensorsTests
{
    private static byte[] Bytes(SafeTensorsWriter writer)
    {
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        return stream.ToArray();
    }

    private static SafeTensorsFile Open(byte[] bytes) => SafeTensorsFile.Open(new MemoryStream(bytes), "test.safetensors");

    // A file with the given header text and data bytes, as a hand-made (possibly broken) writer would produce.
    private static byte[] FileOf(string header, int dataBytes)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        return file;
    }

    [Fact]
    public void Floats_doubles_and_integers_round_trip_bit_for_bit_with_metadata()
    {
        float[] weights = { 1.5f, -0.0f, float.Epsilon, float.MaxValue, float.NaN, 3.25f };
        double[] bias = { Math.PI, -1e-300, double.NegativeInfinity };
        int[] order = { 4, 2, 0, 1, 3 };
        var writer = new SafeTensorsWriter();
        writer.Add<float>("W", weights, 2, 3);
        writer.Add<double>("b", bias, 3);
        writer.Add<int>("order", order, 5);
        writer.Metadata["epoch"] = "7";

        using SafeTensorsFile file = Open(Bytes(writer));
        Assert.Equal("7", file.Metadata["epoch"]);
        Assert.Equal(new[] { "W", "b", "order" }, file.Tensors.Select(t => t.Name));
        Assert.Equal(new long[] { 2, 3 }, file.Tensors[0].Shape);
        Assert.Equal(weights.Select(BitConverter.SingleToInt32Bits), file.ReadArray<float>("W").Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(bias.Select(BitConverter.DoubleToInt64Bits), file.ReadArray<double>("b").Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(order, file.ReadArray<int>("order"));
    }

    [Fact]
    public void The_independent_reader_reads_what_the_writer_wrote()
    {
        var writer = new SafeTensorsWriter();
        float[] w = { 1f, 2f, 3f, 4f, 5f, 6f };
        double[] d = { 0.1, 0.2 };
        writer.Add<float>("layer.W", w, 3, 2);
        writer.Add<double>("layer.b", d, 2, 1);
        writer.Metadata["note"] = "héllo \"quoted\"";
        byte[] bytes = Bytes(writer);

        // The header is padded to a multiple of 8, so 8-byte elements stay aligned in the file.
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes) % 8);
        var (tensors, metadata) = IndependentSafeTensorsReader.Read(bytes);
        Assert.Equal("héllo \"quoted\"", metadata["note"]);
        Assert.Equal(new long[] { 3, 2 }, tensors["layer.W"].Shape);
        Assert.Equal(w, IndependentSafeTensorsReader.Floats(tensors["layer.W"]));
        Assert.Equal(d, IndependentSafeTensorsReader.Doubles(tensors["layer.b"]));
    }

    [Fact]
    public void A_file_written_by_hand_from_the_format_description_is_read()
    {
        // Two F32 scalars' worth of bytes: a [2] tensor; tensors listed out of data order, padding after the JSON.
        string header = "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}   ";
        byte[] file = FileOf(header, 8);
        BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(file.Length - 8), 2.5f);
        BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(file.Length - 4), -1f);
        using SafeTensorsFile read = Open(file);
        Assert.Equal(new[] { 2.5f }, read.ReadArray<float>("a"));
        Assert.Equal(new[] { -1f }, read.ReadArray<float>("b"));
        Assert.Empty(read.Metadata);
    }

    public static TheoryData<string, string, long> Malformed() => new()
    {
        { "no tensors but 4 stray data bytes", "{}", 4 },
        { "truncated: the tensor ends past the file", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8 },
        { "unknown dtype", "{\"a\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4 },
        { "byte count differs from the shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4 },
        { "offsets end before they begin", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4 },
        { "overlapping tensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8 },
        { "a gap between tensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12 },
        { "a gap at the start", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8 },
        { "not JSON", "{\"a\":{\"dtype\":\"F32\",", 0 },
        { "JSON but not an object", "[1,2,3]", 0 },
        { "more JSON after the object", "{} {}", 0 },
        { "a missing dtype", "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4 },
        { "a missing shape", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4 },
        { "three offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4 },
        { "a negative dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4 },
        { "a fractional offset", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.5]}}", 4 },
        { "a duplicate tensor", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2 },
        { "metadata that is not strings", "{\"__metadata__\":{\"epoch\":3}}", 0 },
        { "a shape too large for any file", "{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8 },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_header_fails_with_the_file_and_a_byte_inside_it(string why, string header, long dataBytes)
    {
        byte[] file = FileOf(header, (int)dataBytes);
        var error = Assert.Throws<DataFormatException>(() => Open(file).Dispose());
        Assert.StartsWith("test.safetensors: at byte ", error.Message);
        Assert.InRange(error.Offset, 0, file.Length);
        Assert.False(string.IsNullOrWhiteSpace(error.Detail), why);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void A_file_shorter_than_the_length_field_fails(int length)
    {
        var error = Assert.Throws<DataFormatException>(() => Open(new byte[length]).Dispose());
        Assert.Contains("too short", error.Message);
    }

    [Theory]
    [InlineData(1000ul, "only")]                 // runs past the end
    [InlineData(200_000_000ul, "limit")]         // beyond the format's 100 MB header limit
    [InlineData(ulong.MaxValue, "limit")]        // a corrupt length must not become an allocation
    [InlineData(1ul, "too short for a JSON object")]
    public void A_bad_header_length_fails_before_anything_is_allocated(ulong length, string expected)
    {
        byte[] file = FileOf("{}", 0);
        BinaryPrimitives.WriteUInt64LittleEndian(file, length);
        var error = Assert.Throws<DataFormatException>(() => Open(file).Dispose());
        Assert.Equal(0, error.Offset);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void The_json_error_points_at_the_byte_of_the_fault()
    {
        // The colon missing after "dtype": the reader stops at header character 13, file byte 8 + 13.
        byte[] file = FileOf("{\"a\":{\"dtype\" \"F32\"}}", 0);
        var error = Assert.Throws<DataFormatException>(() => Open(file).Dispose());
        Assert.Contains("not valid JSON", error.Message);
        Assert.InRange(error.Offset, 8 + 12, 8 + 14);
    }

    [Fact]
    public void Reading_with_the_wrong_type_or_size_or_name_fails_clearly()
    {
        var writer = new SafeTensorsWriter();
        writer.Add<float>("W", new float[6], 2, 3);
        using SafeTensorsFile file = Open(Bytes(writer));
        Assert.Contains("is F32, but F64 was expected", Assert.Throws<DataFormatException>(() => file.ReadArray<double>("W")).Message);
        Assert.Contains("6 elements), but 4 were expected", Assert.Throws<DataFormatException>(() => file.Read<float>("W", new float[4])).Message);
        Assert.Contains("no tensor named 'V'", Assert.Throws<DataFormatException>(() => file.ReadArray<float>("V")).Message);
    }

    [Fact]
    public void The_writer_refuses_a_shape_that_does_not_fit_its_data_and_a_name_twice()
    {
        var writer = new SafeTensorsWriter();
        Assert.Throws<ArgumentException>(() => writer.Add<float>("W", new float[6], 2, 2));
        writer.Add<float>("W", new float[6], 2, 3);
        Assert.Throws<ArgumentException>(() => writer.Add<float>("W", new float[6], 6));
        Assert.Throws<ArgumentException>(() => writer.Add<float>(SafeTensorsFile.MetadataKey, new float[1], 1));
    }
}
