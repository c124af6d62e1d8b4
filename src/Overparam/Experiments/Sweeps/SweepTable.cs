using Overparam.Training;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Overparam.Reports;
using static Overparam.Reports.ReportFormat;

namespace Overparam.Experiments.Sweeps;

/// <summary>
/// The summary of a sweep's records: one row per configuration (the fields that vary across the sweep, seeds
/// excluded), with the number of seeds, how many converged, and mean ± sd over seeds of the final loss, steps,
/// wall-clock seconds, η, λ₀ and each final probe metric.
/// </summary>
public sealed class SweepTable
{
    /// <summary>Fields not treated as configuration (they index repetitions).</summary>
    public static readonly string[] SeedFields = ["seed", "data_seed"];

    public IReadOnlyList<string> ConfigColumns { get; }
    public IReadOnlyList<string> MetricColumns { get; }
    public IReadOnlyList<Row> Rows { get; }

    /// <summary>One configuration: its field values (as text), its records, and per-metric statistics.</summary>
    public sealed record Row(IReadOnlyList<string> Config, IReadOnlyList<CellRecord> Records, IReadOnlyDictionary<string, MeanSd> Metrics)
    {
        public int Converged => Records.Count(r => r.Status == TrainingStatus.Converged);
    }

    private SweepTable(IReadOnlyList<string> config, IReadOnlyList<string> metrics, IReadOnlyList<Row> rows)
    {
        ConfigColumns = config;
        MetricColumns = metrics;
        Rows = rows;
    }

    public static SweepTable Build(IReadOnlyList<CellRecord> records)
    {
        var specs = records.Select(r => JsonNode.Parse(r.SpecJson)!.AsObject()).ToArray();
        var fields = specs.FirstOrDefault()?.Select(kv => kv.Key).ToArray() ?? [];
        var varying = fields.Where(f => !SeedFields.Contains(f) && specs.Select(s => Text(s[f])).Distinct().Count() > 1).ToArray();
        var probeNames = records.SelectMany(r => r.Final.Keys).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToArray();
        string[] metrics = ["final_loss", "initial_loss", "steps", "seconds", "eta", "lambda0", .. probeNames];

        var rows = new List<Row>();
        foreach (var group in records.Select((r, i) => (r, key: varying.Select(f => Text(specs[i][f])).ToArray()))
                     .GroupBy(t => string.Join("\u0001", t.key)))
        {
            var recs = group.Select(t => t.r).ToArray();
            var stats = metrics.ToDictionary(m => m, m => MeanSd.Of(recs.Select(r => Value(r, m))));
            rows.Add(new Row(group.First().key, recs, stats));
        }
        return new SweepTable(varying, metrics.Where(m => rows.Any(r => r.Metrics[m].Count > 0)).ToArray(), rows);
    }

    public static double Value(CellRecord r, string metric) => metric switch
    {
        "final_loss" => r.FinalLoss,
        "initial_loss" => r.InitialLoss,
        "steps" => r.Steps,
        "seconds" => r.Seconds,
        "eta" => r.Eta,
        "lambda0" => r.Lambda0 ?? double.NaN,
        _ => r.Final.TryGetValue(metric, out double v) ? v : double.NaN,
    };

    private static string Text(JsonNode? node) => node is null ? "null" : node is JsonValue v && v.TryGetValue(out string? s) ? s : node.ToJsonString();

    /// <summary>Machine-readable: configuration columns, seeds, converged, then METRIC_mean and METRIC_sd per metric.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", ConfigColumns.Concat(["seeds", "converged"]).Concat(MetricColumns.SelectMany(m => new[] { m + "_mean", m + "_sd" }))));
        foreach (var row in Rows)
            sb.AppendLine(string.Join(",", row.Config.Select(CsvField)
                .Concat([row.Records.Count.ToString(CultureInfo.InvariantCulture), row.Converged.ToString(CultureInfo.InvariantCulture)])
                .Concat(MetricColumns.SelectMany(m => new[] { RoundTripOrEmpty(row.Metrics[m].Mean), RoundTripOrEmpty(row.Metrics[m].Sd) }))));
        return sb.ToString();
    }

    public string ToMarkdown()
    {
        var header = ConfigColumns.Concat(["seeds", "converged"]).Concat(MetricColumns).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine("| " + string.Join(" | ", header) + " |");
        sb.AppendLine("|" + string.Concat(header.Select(_ => " --- |")));
        foreach (var row in Rows)
            sb.AppendLine("| " + string.Join(" | ", row.Config.Concat([row.Records.Count.ToString(), row.Converged.ToString()])
                .Concat(MetricColumns.Select(m => row.Metrics[m].Format()))) + " |");
        return sb.ToString();
    }

    public string ToLatex()
    {
        var header = ConfigColumns.Concat(["seeds", "converged"]).Concat(MetricColumns).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine("\\begin{tabular}{" + new string('l', ConfigColumns.Count) + new string('r', header.Length - ConfigColumns.Count) + "}");
        sb.AppendLine("\\hline");
        sb.AppendLine(string.Join(" & ", header.Select(Tex)) + " \\\\");
        sb.AppendLine("\\hline");
        foreach (var row in Rows)
            sb.AppendLine(string.Join(" & ", row.Config.Select(Tex).Concat([row.Records.Count.ToString(), row.Converged.ToString()])
                .Concat(MetricColumns.Select(m => "$" + row.Metrics[m].Format("\\pm").Replace("–", "-") + "$"))) + " \\\\");
        sb.AppendLine("\\hline");
        sb.AppendLine("\\end{tabular}");
        return sb.ToString();
    }

    internal static string Tex(string s) => s.Replace("\\", "\\textbackslash{}").Replace("_", "\\_").Replace("&", "\\&").Replace("%", "\\%").Replace("#", "\\#");
}
