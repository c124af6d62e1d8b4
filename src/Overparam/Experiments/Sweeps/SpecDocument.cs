using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Overparam.Experiments.Sweeps;

/// <summary>Reads a specification file, JSON (<c>.json</c>) or YAML (anything else), into a JSON tree.</summary>
public static class SpecDocument
{
    /// <summary>The file's tree; a syntax error becomes a <see cref="SweepSpecException"/> naming line and column.</summary>
    public static JsonNode? Load(string path)
    {
        if (!File.Exists(path)) throw new SweepSpecException(path, ["file not found"]);
        string text = File.ReadAllText(path);
        return Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase) ? ParseJson(text, path) : ParseYaml(text, path);
    }

    public static JsonNode? ParseJson(string text, string source)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new SweepSpecException(source, [$"invalid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {e.Message}"]);
        }
    }

    public static JsonNode? ParseYaml(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new SweepSpecException(source, [$"invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}"]);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner fails this way, without a position, on some unclosed flow collections ({ or [ at the end).
            throw new SweepSpecException(source, [$"invalid YAML: the parser stopped without a position ({e.Message}); look for a {{ or [ that is not closed"]);
        }
        if (stream.Documents.Count == 0) return null;
        var problems = new List<string>();
        var node = Convert(stream.Documents[0].RootNode, "", problems);
        if (problems.Count > 0) throw new SweepSpecException(source, problems);
        return node;
    }

    private static JsonNode? Convert(YamlNode node, string path, List<string> problems)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (k, v) in map.Children)
                {
                    string key = (k as YamlScalarNode)?.Value ?? k.ToString();
                    string child = path.Length == 0 ? key : $"{path}.{key}";
                    if (obj.ContainsKey(key)) problems.Add($"{child}: given twice (line {k.Start.Line})");
                    else obj[key] = Convert(v, child, problems);
                }
                return obj;
            case YamlSequenceNode seq:
                var arr = new JsonArray();
                int i = 0;
                foreach (var item in seq.Children) arr.Add(Convert(item, $"{path}[{i++}]", problems));
                return arr;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                problems.Add($"{path}: unsupported YAML node (line {node.Start.Line})");
                return null;
        }
    }

    /// <summary>Plain scalars are typed as YAML 1.2's core schema types them (null, bool, integer, float); quoted ones stay strings.</summary>
    private static JsonNode? Scalar(YamlScalarNode s)
    {
        string v = s.Value ?? "";
        if (s.Style != ScalarStyle.Plain) return JsonValue.Create(v);
        switch (v)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
        }
        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return JsonValue.Create(l);
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return JsonValue.Create(d);
        return JsonValue.Create(v);
    }
}
