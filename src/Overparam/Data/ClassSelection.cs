using System.Text.Json;
using System.Text.Json.Serialization;

namespace Overparam.Data;

/// <summary>
/// Which classes of an IDX data set to use (<c>--classes</c>): two of them, mapped to the ±1 labels of a binary task
/// ("a,b"; JSON [a, b], as run specs have always written it), or all of them as class ids 0 … C−1 ("all"; JSON "all").
/// </summary>
[JsonConverter(typeof(ClassSelectionJsonConverter))]
public sealed record ClassSelection
{
    /// <summary>Every class, labels kept as class ids.</summary>
    public static ClassSelection All { get; } = new(pair: null);

    /// <summary>The two classes of the binary task (A → −1, B → +1); null for <see cref="All"/>.</summary>
    public (int A, int B)? Pair { get; }

    private ClassSelection((int A, int B)? pair) { Pair = pair; }

    /// <summary>Class <paramref name="a"/> becomes −1, class <paramref name="b"/> +1.</summary>
    public static ClassSelection Binary(int a, int b) => new((a, b));

    public bool IsAll => Pair is null;

    /// <summary>"all" or "a,b" with distinct non-negative integers; throws <see cref="FormatException"/> otherwise.</summary>
    public static ClassSelection Parse(string text)
    {
        string s = text.Trim();
        if (s.Equals("all", StringComparison.OrdinalIgnoreCase)) return All;
        var parts = s.Split(',');
        if (parts.Length == 2 && int.TryParse(parts[0], out int a) && int.TryParse(parts[1], out int b) && a >= 0 && b >= 0)
            return a != b ? Binary(a, b) : throw new FormatException($"--classes {text}: the two classes must differ");
        throw new FormatException($"--classes {text}: expected two class labels, e.g. 0,1, or all");
    }

    /// <summary>"all" or "a,b", the <c>--classes</c> form.</summary>
    public override string ToString() => Pair is (int a, int b) ? $"{a},{b}" : "all";
}

/// <summary>Reads and writes a <see cref="ClassSelection"/> as [a, b] or "all".</summary>
public sealed class ClassSelectionJsonConverter : JsonConverter<ClassSelection>
{
    public override ClassSelection Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            string? s = reader.GetString();
            if (s == "all") return ClassSelection.All;
            throw new JsonException($"classes: expected \"all\" or two class labels such as [0, 1], got \"{s}\"");
        }
        var pair = JsonSerializer.Deserialize<int[]>(ref reader, options);
        if (pair is not { Length: 2 }) throw new JsonException("classes: expected \"all\" or two class labels such as [0, 1]");
        if (pair[0] == pair[1] || pair[0] < 0 || pair[1] < 0) throw new JsonException($"classes: [{pair[0]}, {pair[1]}]: expected two different class labels ≥ 0");
        return ClassSelection.Binary(pair[0], pair[1]);
    }

    public override void Write(Utf8JsonWriter writer, ClassSelection value, JsonSerializerOptions options)
    {
        if (value.Pair is not (int a, int b)) { writer.WriteStringValue("all"); return; }
        writer.WriteStartArray();
        writer.WriteNumberValue(a);
        writer.WriteNumberValue(b);
        writer.WriteEndArray();
    }
}
