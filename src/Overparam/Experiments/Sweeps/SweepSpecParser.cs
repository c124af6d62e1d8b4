using System.Text.Json.Nodes;

namespace Overparam.Experiments.Sweeps;

/// <summary>Checks a sweep document and builds a <see cref="SweepSpec"/>; collects every problem before failing.</summary>
internal static class SweepSpecParser
{
    private static readonly string[] TopLevel = ["name", "description", "base", "grid", "cells", "steps", "target_loss", "probe_every", "seeds"];
    private static readonly string[] BaseShortcuts = ["steps", "target_loss", "probe_every"];

    public static SweepSpec Parse(JsonNode? document, string source, long? confirmAbove = null)
    {
        var problems = new List<string>();
        if (document is not JsonObject root)
            throw new SweepSpecException(source, [$"expected a mapping with base, grid and/or cells, got {Describe(document)}"]);

        foreach (var (key, _) in root)
            if (!TopLevel.Contains(key))
                problems.Add($"{key}: unknown top-level field (expected one of {string.Join(", ", TopLevel)})"
                    + (RunSpecFields.IsField(key) ? $"; put run fields under base: or grid:" : ""));

        string? name = null;
        if (root["name"] is { } nameNode && !(nameNode is JsonValue nv && nv.TryGetValue(out name)))
            problems.Add($"name: {RunSpecFields.Expected("a string", nameNode)}");

        var @base = root.ContainsKey("base") ? Fields(root["base"], "base", problems) : new JsonObject();
        foreach (string key in BaseShortcuts)
        {
            if (!root.ContainsKey(key)) continue;
            if (@base.ContainsKey(key)) { problems.Add($"{key}: given both at the top level and in base"); continue; }
            var (value, error) = RunSpecFields.Check(key, root[key]);
            if (error is not null) problems.Add($"{key}: {error}");
            else @base[key] = value;
        }

        var grid = new List<KeyValuePair<string, JsonArray>>();
        if (root.ContainsKey("grid"))
        {
            if (root["grid"] is not JsonObject g) problems.Add($"grid: expected a mapping of field → list of values, got {Describe(root["grid"])}");
            else foreach (var (field, values) in g) GridField(field, values, grid, problems);
        }
        if (root.ContainsKey("seeds"))
        {
            var (k, error) = RunSpecFields.Check("depth", root["seeds"]);   // a positive integer
            if (error is not null) problems.Add($"seeds: {error.Replace("a positive integer", "a positive integer (number of seeds, 1 … K)")}");
            else if (grid.Any(e => e.Key == "seed")) problems.Add("seeds: given together with grid.seed; use one");
            else grid.Add(new("seed", new JsonArray(Enumerable.Range(1, (int)k!.GetValue<long>()).Select(s => (JsonNode)JsonValue.Create((long)s)).ToArray())));
        }

        var cells = new List<JsonObject>();
        if (root.ContainsKey("cells"))
        {
            if (root["cells"] is not JsonArray list) problems.Add($"cells: expected a list of mappings, got {Describe(root["cells"])}");
            else if (list.Count == 0) problems.Add("cells: empty list");
            else for (int i = 0; i < list.Count; i++) cells.Add(Fields(list[i], $"cells[{i}]", problems));
        }

        double product = grid.Aggregate(1.0, (p, e) => p * Math.Max(1, e.Value.Count));
        if (product + cells.Count > SweepSpec.MaxCells)
            problems.Add($"grid: expands to {product:G3} cells, more than the {SweepSpec.MaxCells} allowed");

        if (problems.Count > 0) throw new SweepSpecException(source, problems);
        if (confirmAbove is long limit && product + cells.Count > limit)
            throw new SweepSpecException(source, [$"the sweep has {product + cells.Count:N0} cells ({string.Join(" x ", grid.Select(e => $"{e.Value.Count} {e.Key}"))}" +
                $"{(cells.Count > 0 ? $" + {cells.Count} listed" : "")}), each of up to {@base["steps"]?.ToJsonString() ?? new RunSpec().Steps.ToString()} steps; " +
                $"a sweep of more than {limit:N0} cells runs only with --yes"]);
        var spec = new SweepSpec(name, @base, grid, cells);
        try { spec.Resolve(); }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new SweepSpecException(source, [$"a cell does not form a valid run: {e.Message}"]);
        }
        return spec;
    }

    /// <summary>A mapping of RunSpec fields (base or one cell), each value checked.</summary>
    private static JsonObject Fields(JsonNode? node, string path, List<string> problems)
    {
        var result = new JsonObject();
        if (node is not JsonObject obj)
        {
            problems.Add($"{path}: expected a mapping of run fields, got {Describe(node)}");
            return result;
        }
        foreach (var (field, value) in obj)
        {
            string key = Canonical(field);
            if (!RunSpecFields.IsField(key)) { problems.Add(Unknown($"{path}.{field}", field)); continue; }
            var (normalized, error) = RunSpecFields.Check(key, value);
            if (error is not null) problems.Add($"{path}.{field}: {error}");
            else result[key] = normalized;
        }
        return result;
    }

    private static void GridField(string field, JsonNode? values, List<KeyValuePair<string, JsonArray>> grid, List<string> problems)
    {
        string key = Canonical(field);
        string path = $"grid.{field}";
        if (!RunSpecFields.IsField(key)) { problems.Add(Unknown(path, field)); return; }
        if (values is not JsonArray list) { problems.Add($"{path}: expected a list of values, got {Describe(values)}"); return; }
        if (list.Count == 0) { problems.Add($"{path}: empty list (a grid field needs at least one value)"); return; }
        var normalized = new JsonArray();
        for (int i = 0; i < list.Count; i++)
        {
            var (value, error) = RunSpecFields.Check(key, list[i]);
            if (error is not null) { problems.Add($"{path}[{i}]: {error}"); continue; }
            int previous = normalized.Select((v, j) => (v, j)).FirstOrDefault(t => JsonNode.DeepEquals(t.v, value), (null, -1)).Item2;
            if (previous >= 0) problems.Add($"{path}[{i}]: repeats an earlier value ({value?.ToJsonString()})");
            normalized.Add(value);
        }
        grid.Add(new(key, normalized));
    }

    /// <summary>Accepted spellings of RunSpec fields besides their snake_case names.</summary>
    private static string Canonical(string field) => field switch
    {
        "dtype" => "d_type",
        "arch" => "architecture",
        _ => field,
    };

    private static string Unknown(string path, string field)
    {
        string? hint = RunSpecFields.Suggest(field);
        return $"{path}: unknown field" + (hint is null ? "" : $" (did you mean \"{hint}\"?)");
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "a mapping",
        JsonArray => "a list",
        _ => node.ToJsonString(),
    };
}
