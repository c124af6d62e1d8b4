using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Overparam.Experiments.Sweeps;

/// <summary>One resolved cell of a sweep: its position in the deterministic order, its key and its run.</summary>
/// <param name="Index">0-based position in the sweep's order (grid cells first, outermost grid field first, then the listed cells).</param>
/// <param name="Key">The cell's identity: <see cref="CellIdentity.Key"/> of <paramref name="Spec"/>.</param>
/// <param name="Json">The canonical resolved RunSpec JSON that the key hashes.</param>
public sealed record SweepCell(int Index, string Key, RunSpec Spec, string Json)
{
    public static SweepCell Create(int index, RunSpec spec)
    {
        string json = CellIdentity.CanonicalJson(spec);
        return new SweepCell(index, CellIdentity.Hash(json), spec, json);
    }
}

/// <summary>Cell identity: SHA-256 of the canonical (compact, declaration-ordered, snake_case) RunSpec JSON, 16 hex digits.</summary>
public static class CellIdentity
{
    private static readonly JsonSerializerOptions Compact = new(RunSpec.Json) { WriteIndented = false };

    public static string CanonicalJson(RunSpec spec) => JsonSerializer.Serialize(spec, Compact);

    public static string Key(RunSpec spec) => Hash(CanonicalJson(spec));

    /// <summary>The first 16 hex digits (64 bits) of SHA-256 of the UTF-8 text.</summary>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    public static RunSpec Parse(string json) => JsonSerializer.Deserialize<RunSpec>(json, RunSpec.Json)
        ?? throw new JsonException("null run spec");
}
