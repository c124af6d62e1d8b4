using System.Text.Json;
using System.Text.Json.Nodes;

namespace Overparam.Experiments.Sweeps;

/// <summary>
/// A sweep: a <c>base</c> of RunSpec defaults, a <c>grid</c> (field → list of values, expanded as a cartesian product,
/// the first field outermost) and/or a list of explicit <c>cells</c> (each a set of fields over the base).
/// Top-level <c>steps</c>, <c>target_loss</c> and <c>probe_every</c> belong to the base; <c>seeds: K</c> is short for
/// <c>grid.seed: [1 … K]</c> as the innermost grid field. Example (YAML):
/// <code>
/// base: { architecture: fc, n: 16, d: 8, lr: 0.1 }
/// grid: { depth: [1, 2, 4], width: [16, 64, 256] }
/// seeds: 3
/// steps: 2000
/// target_loss: 1.0e-6
/// </code>
/// Construct with <see cref="Load"/> or <see cref="Parse"/>, which check everything and report every problem at once.
/// </summary>
public sealed class SweepSpec
{
    /// <summary>Upper bound on the number of cells one specification may expand to.</summary>
    public const int MaxCells = 1_000_000;

    public string? Name { get; }

    /// <summary>Defaults for every cell (normalized values, snake_case RunSpec fields).</summary>
    public JsonObject Base { get; }

    /// <summary>Grid fields in expansion order (first outermost), each with its non-empty list of values.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonArray>> Grid { get; }

    /// <summary>Explicit cells: field overrides over <see cref="Base"/>, run after the grid cells.</summary>
    public IReadOnlyList<JsonObject> Cells { get; }

    internal SweepSpec(string? name, JsonObject @base, IReadOnlyList<KeyValuePair<string, JsonArray>> grid, IReadOnlyList<JsonObject> cells)
    {
        Name = name;
        Base = @base;
        Grid = grid;
        Cells = cells;
    }

    /// <summary>Above this many cells `sweep SPEC` asks for --yes before it expands and runs the grid.</summary>
    public const int ConfirmCells = 10_000;

    /// <summary>
    /// Reads and checks a JSON or YAML file; throws <see cref="SweepSpecException"/> listing every problem, and, when
    /// <paramref name="confirmAbove"/> is given, saying the size of a larger sweep (before its cells are expanded).
    /// </summary>
    public static SweepSpec Load(string path, long? confirmAbove = null) => SweepSpecParser.Parse(SpecDocument.Load(path), path, confirmAbove);

    /// <summary>Checks a parsed document; throws <see cref="SweepSpecException"/> listing every problem.</summary>
    public static SweepSpec Parse(JsonNode? document, string source) => SweepSpecParser.Parse(document, source);

    /// <summary>The cells in their deterministic order, duplicates (same key) dropped after their first occurrence.</summary>
    public IReadOnlyList<SweepCell> Resolve()
    {
        var cells = new List<SweepCell>();
        var seen = new HashSet<string>();
        void Add(JsonObject fields)
        {
            var merged = (JsonObject)Base.DeepClone();
            foreach (var (k, v) in fields) merged[k] = v?.DeepClone();
            var spec = merged.Deserialize<RunSpec>(RunSpec.Json) ?? throw new InvalidOperationException("null cell");
            var cell = SweepCell.Create(cells.Count, spec);
            if (seen.Add(cell.Key)) cells.Add(cell);
        }

        if (Grid.Count > 0)
        {
            var at = new int[Grid.Count];
            while (true)
            {
                var fields = new JsonObject();
                for (int g = 0; g < Grid.Count; g++) fields[Grid[g].Key] = Grid[g].Value[at[g]]?.DeepClone();
                Add(fields);
                int j = Grid.Count - 1;   // odometer: the last field turns fastest
                while (j >= 0 && ++at[j] == Grid[j].Value.Count) at[j--] = 0;
                if (j < 0) break;
            }
        }
        foreach (var c in Cells) Add(c);
        if (Grid.Count == 0 && Cells.Count == 0) Add(new JsonObject());
        return cells;
    }

    /// <summary>The sweep's identity: a hash of its resolved cell keys in order. Folders with different hashes do not merge.</summary>
    public string Hash() => CellIdentity.Hash(string.Join("\n", Resolve().Select(c => c.Key)));

    /// <summary>The normalized specification as JSON (what the result store keeps; <see cref="Parse"/> reads it back).</summary>
    public string ToJson()
    {
        var doc = new JsonObject();
        if (Name is not null) doc["name"] = Name;
        doc["base"] = Base.DeepClone();
        if (Grid.Count > 0)
        {
            var grid = new JsonObject();
            foreach (var (k, v) in Grid) grid[k] = v.DeepClone();
            doc["grid"] = grid;
        }
        if (Cells.Count > 0) doc["cells"] = new JsonArray(Cells.Select(c => (JsonNode)c.DeepClone()).ToArray());
        return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
