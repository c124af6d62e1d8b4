using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Overparam.IO;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face), for F64 and F32 tensors:
/// <list type="number">
/// <item>8 bytes: N, the header length, unsigned 64-bit little-endian;</item>
/// <item>N bytes: a UTF-8 JSON object mapping each tensor name to
///   <c>{"dtype":"F64","shape":[2,3],"data_offsets":[begin,end]}</c>, plus an optional
///   <c>"__metadata__"</c> object of string → string; padded with spaces so that 8 + N is a multiple of 8;</item>
/// <item>the byte buffer: each tensor's elements, row-major, little-endian, at [begin, end) counted from the
///   start of the buffer (just after the header).</item>
/// </list>
/// The writer lays the tensors out back to back in the order given and writes atomically (see <see cref="AtomicFile"/>).
/// The reader checks the file as the reference implementation does (offsets must tile the buffer exactly)
/// and reports problems as <see cref="InvalidDataException"/> naming the file and the tensor.
/// </summary>
public static class SafeTensors
{
    /// <summary>The header key of the free-form string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Largest header accepted by the reader (the reference implementation's limit: 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes <paramref name="tensors"/> (names must be distinct) and optional metadata to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var names = new HashSet<string>();
        foreach (var t in tensors)
            if (!names.Add(t.Name)) throw new ArgumentException($"tensor name \"{t.Name}\" occurs twice", nameof(tensors));

        byte[] header = BuildHeader(tensors, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var t in tensors) t.WriteData(stream);
        });
    }

    /// <summary>The JSON header, padded with spaces to a multiple of 8 bytes.</summary>
    private static byte[] BuildHeader(IReadOnlyList<Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            if (metadata is not null && metadata.Count > 0)
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) w.WriteString(key, value);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in tensors)
            {
                long size = t.ElementCount * t.ElementSize;
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", t.DType.ToString());
                w.WriteStartArray("shape");
                foreach (int s in t.Shape) w.WriteNumberValue(s);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + size);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += size;
            }
            w.WriteEndObject();
        }
        int length = (int)json.Length, padded = (length + 7) / 8 * 8;
        var header = new byte[padded];
        json.GetBuffer().AsSpan(0, length).CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    /// <summary>Reads all tensors of <paramref name="path"/>, keyed by name, in the order of the header.</summary>
    public static Dictionary<string, Tensor> Read(string path) => Read(path, out _);

    /// <summary>Reads all tensors and the <c>__metadata__</c> strings (empty when absent).</summary>
    public static Dictionary<string, Tensor> Read(string path, out Dictionary<string, string> metadata)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long fileLength = file.Length;
        if (fileLength < 8) throw Bad(path, $"file has {fileLength} bytes, too short for the 8-byte header length");

        Span<byte> lengthBytes = stackalloc byte[8];
        file.ReadExactly(lengthBytes);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (n < 2 || n > MaxHeaderBytes || (long)n > fileLength - 8)
            throw Bad(path, $"header length {n} is impossible for a file of {fileLength} bytes");
        var headerBytes = new byte[n];
        file.ReadExactly(headerBytes);
        long bufferStart = 8 + (long)n, bufferLength = fileLength - bufferStart;

        JsonDocument doc;
        try { doc = JsonDocument.Parse(headerBytes); }
        catch (JsonException e) { throw Bad(path, $"header is not valid JSON: {e.Message}", e); }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(path, "header is not a JSON object");
            metadata = new Dictionary<string, string>();
            var entries = new List<(string Name, TensorDType DType, int[] Shape, long Begin, long End)>();
            var seen = new HashSet<string>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name)) throw Bad(path, $"\"{prop.Name}\" occurs twice in the header");
                if (prop.Name == MetadataKey)
                {
                    metadata = ReadMetadata(path, prop.Value);
                    continue;
                }
                entries.Add(ReadEntry(path, prop.Name, prop.Value, bufferLength));
            }

            // The tensors must tile the buffer: sorted by offset, each begins where the previous ended.
            long expectedBegin = 0;
            foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
            {
                if (e.Begin != expectedBegin)
                    throw Bad(path, $"tensor \"{e.Name}\": data_offsets begin at {e.Begin}, expected {expectedBegin} (tensors must be back to back without gaps or overlaps)");
                expectedBegin = e.End;
            }
            if (expectedBegin != bufferLength)
                throw Bad(path, $"tensors cover {expectedBegin} bytes of a {bufferLength}-byte data buffer");

            var result = new Dictionary<string, Tensor>();
            foreach (var e in entries)
            {
                file.Position = bufferStart + e.Begin;
                result.Add(e.Name, ReadData(file, e.Name, e.DType, e.Shape, e.End - e.Begin));
            }
            return result;
        }
    }

    private static Dictionary<string, string> ReadMetadata(string path, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Bad(path, $"{MetadataKey} is not a JSON object");
        var metadata = new Dictionary<string, string>();
        foreach (var p in value.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String) throw Bad(path, $"{MetadataKey}: value of \"{p.Name}\" is not a string");
            metadata[p.Name] = p.Value.GetString()!;
        }
        return metadata;
    }

    private static (string, TensorDType, int[], long, long) ReadEntry(string path, string name, JsonElement value, long bufferLength)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Bad(path, $"tensor \"{name}\": entry is not a JSON object");
        if (!value.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw Bad(path, $"tensor \"{name}\": missing or non-string \"dtype\"");
        string dtypeName = dtypeEl.GetString()!;
        TensorDType dtype = dtypeName switch
        {
            "F64" => TensorDType.F64,
            "F32" => TensorDType.F32,
            _ => throw Bad(path, $"tensor \"{name}\": dtype {dtypeName} is not supported (only F64 and F32)"),
        };

        if (!value.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
            throw Bad(path, $"tensor \"{name}\": missing or non-array \"shape\"");
        var shape = new int[shapeEl.GetArrayLength()];
        int k = 0;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
                throw Bad(path, $"tensor \"{name}\": shape entry {d.GetRawText()} is not a non-negative integer");
            shape[k++] = dim;
        }

        if (!value.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2)
            throw Bad(path, $"tensor \"{name}\": \"data_offsets\" must be an array [begin, end]");
        if (!offEl[0].TryGetInt64(out long begin) || !offEl[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw Bad(path, $"tensor \"{name}\": data_offsets {offEl.GetRawText()} are not 0 <= begin <= end");

        long elements = 1;
        foreach (int dim in shape) elements = checked(elements * dim);
        long bytes = elements * (dtype == TensorDType.F64 ? 8 : 4);
        if (end - begin != bytes)
            throw Bad(path, $"tensor \"{name}\": data_offsets [{begin}, {end}] hold {end - begin} bytes, shape [{string.Join(", ", shape)}] of {dtypeName} needs {bytes}");
        if (end > bufferLength)
            throw Bad(path, $"tensor \"{name}\": data_offsets [{begin}, {end}] go past the end of the {bufferLength}-byte data buffer");
        return (name, dtype, shape, begin, end);
    }

    private static Tensor ReadData(Stream file, string name, TensorDType dtype, int[] shape, long bytes)
    {
        int count = checked((int)(bytes / (dtype == TensorDType.F64 ? 8 : 4)));
        if (dtype == TensorDType.F64)
        {
            var data = new double[count];
            file.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
            if (!BitConverter.IsLittleEndian)
                for (int i = 0; i < count; i++) data[i] = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReverseEndianness(BitConverter.DoubleToInt64Bits(data[i])));
            return Tensor.F64(name, shape, data);
        }
        else
        {
            var data = new float[count];
            file.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
            if (!BitConverter.IsLittleEndian)
                for (int i = 0; i < count; i++) data[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(data[i])));
            return Tensor.F32(name, shape, data);
        }
    }

    private static InvalidDataException Bad(string path, string problem, Exception? inner = null) =>
        new($"{path}: {problem}", inner);
}
