using Overparam.Training;
using System.Globalization;
using System.Text;
using Overparam.Reports;
using static Overparam.Reports.ReportFormat;

namespace Overparam.Experiments.Sweeps;

/// <summary>
/// Writes a sweep folder's report: <c>summary.md</c>, <c>summary.tex</c>, <c>summary.csv</c> (<see cref="SweepTable"/>),
/// <c>cells.csv</c> (every record), and, when width varies, log–log plots of final loss and of steps vs width, one
/// series per remaining configuration (e.g. per depth and architecture), as PNG + SVG + CSV.
/// </summary>
public static class SweepReport
{
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> Write(string sweepDirectory, string outputDirectory)
    {
        if (!ResultStore.Exists(sweepDirectory)) throw new SweepSpecException(sweepDirectory, [$"no {ResultStore.FileName}: not a sweep folder"]);
        var records = SweepFolder.Records(sweepDirectory);
        if (records.Count == 0) throw new SweepSpecException(sweepDirectory, ["no finished cells to report"]);
        var folder = new SummaryFolder(outputDirectory);
        var table = SweepTable.Build(records);
        folder.Save("summary.csv", table.ToCsv());
        folder.Save("summary.tex", table.ToLatex());
        folder.Save("cells.csv", CellsCsv(records));

        var md = new StringBuilder();
        md.AppendLine($"# Sweep report: {Path.GetFileName(Path.GetFullPath(sweepDirectory))}");
        md.AppendLine();
        md.AppendLine($"{records.Count} finished cells; {string.Join(", ", records.GroupBy(r => r.Status).Select(g => $"{g.Count()} {TrainingStatusText.Name(g.Key)}"))}. " +
                      "Values are mean ± sample sd over seeds; seconds is each run's wall-clock.");
        md.AppendLine();
        md.Append(table.ToMarkdown());
        foreach (var (metric, label) in WidthPlots.Where(p => table.MetricColumns.Contains(p.Metric)))
        {
            var plot = WidthPlot(table, metric, label);
            if (plot is not null) folder.AddPlot(plot, md);
        }
        folder.Save("summary.md", md.ToString());
        return folder.Written;
    }

    /// <summary>
    /// The metrics plotted against width when present: final loss and steps, and with probes (probe_every &gt; 0) the
    /// quantities of the verify report at the last step: Gram drift, λ_min ratio and output-layer movement.
    /// </summary>
    private static readonly (string Metric, string Label)[] WidthPlots =
    [
        ("final_loss", "final loss"), ("steps", "steps"),
        (MetricColumns.GhDriftRel, "relative Gram drift ‖G^(H)(T) − G^(H)(0)‖₂ / ‖G^(H)(0)‖₂"),
        (MetricColumns.GDriftRel, "relative NTK drift ‖G(T) − G(0)‖₂ / ‖G(0)‖₂"),
        (MetricColumns.LambdaMinGhRatio, "λ_min(G^(H)(T)) / λ₀"),
        (MetricColumns.Da, "output-layer movement ‖a(T) − a(0)‖"),
    ];

    /// <summary>Mean of a metric vs width, log–log, one series per other configuration; null when width does not vary.</summary>
    public static PlotSpec? WidthPlot(SweepTable table, string metric, string label)
    {
        int w = table.ConfigColumns.ToList().IndexOf("width");
        if (w < 0) return null;
        var others = Enumerable.Range(0, table.ConfigColumns.Count).Where(i => i != w).ToArray();
        var series = table.Rows
            .GroupBy(r => string.Join(" ", others.Select(i => $"{table.ConfigColumns[i]}={r.Config[i]}")))
            .Select(g =>
            {
                var points = g.Select(r => (x: double.Parse(r.Config[w], CultureInfo.InvariantCulture), y: r.Metrics[metric].Mean))
                    .Where(p => double.IsFinite(p.y) && p.y > 0).OrderBy(p => p.x).ToArray();
                return new Series(g.Key.Length == 0 ? label : g.Key, points.Select(p => p.x).ToArray(), points.Select(p => p.y).ToArray());
            })
            .Where(s => s.X.Length > 0).ToArray();
        if (series.Length == 0) return null;
        return new PlotSpec
        {
            Title = $"{label} vs width", XLabel = "width m", YLabel = $"{label} (mean over seeds)", LogX = true, LogY = true,
            Series = series, Name = $"{metric}_vs_width", Caption = $"{label} vs width m, log–log",
        };
    }

    private static string CellsCsv(IReadOnlyList<CellRecord> records)
    {
        var specs = records.Select(r => System.Text.Json.Nodes.JsonNode.Parse(r.SpecJson)!.AsObject()).ToArray();
        var fields = specs[0].Select(kv => kv.Key).ToArray();
        var probes = records.SelectMany(r => r.Final.Keys).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", new[] { "key", "cell_index" }.Concat(fields)
            .Concat(["status", "reason", "steps", "initial_loss", "final_loss", "seconds", "eta", "lambda0"]).Concat(probes).Concat(["finished_at", "worker"])));
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            var cols = new List<string> { r.Key, r.CellIndex.ToString(CultureInfo.InvariantCulture) };
            cols.AddRange(fields.Select(f => CsvField(specs[i][f] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out string? s) ? s : specs[i][f]?.ToJsonString() ?? "")));
            cols.AddRange([TrainingStatusText.Name(r.Status), CsvField(r.Reason ?? ""), r.Steps.ToString(CultureInfo.InvariantCulture),
                RoundTripOrEmpty(r.InitialLoss), RoundTripOrEmpty(r.FinalLoss), RoundTripOrEmpty(r.Seconds), RoundTripOrEmpty(r.Eta), RoundTripOrEmpty(r.Lambda0 ?? double.NaN)]);
            cols.AddRange(probes.Select(p => RoundTripOrEmpty(r.Final.TryGetValue(p, out double v) ? v : double.NaN)));
            cols.AddRange([r.FinishedAt.ToString("O", CultureInfo.InvariantCulture), r.Worker]);
            sb.AppendLine(string.Join(",", cols));
        }
        return sb.ToString();
    }
}
