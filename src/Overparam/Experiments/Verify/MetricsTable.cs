using Overparam.Reports;

namespace Overparam.Experiments.Verify;

/// <summary>A run's metrics.csv read back: one array per column, NaN where a row has no value (step not probed).</summary>
public sealed class MetricsTable
{
    private readonly Dictionary<string, double[]> columns;

    private MetricsTable(Dictionary<string, double[]> columns) { this.columns = columns; }

    public double[] this[string name] => columns.TryGetValue(name, out var c) ? c : [];
    public bool Has(string name) => columns.ContainsKey(name);

    public static MetricsTable Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',');
        var values = header.Select(_ => new double[lines.Length - 1]).ToArray();
        for (int r = 1; r < lines.Length; r++)
        {
            var fields = lines[r].Split(',');
            for (int c = 0; c < header.Length; c++)
                values[c][r - 1] = c < fields.Length && fields[c].Length > 0 ? ReportFormat.ParseRoundTrip(fields[c]) : double.NaN;
        }
        return new MetricsTable(header.Select((h, i) => (h, i)).ToDictionary(t => t.h, t => values[t.i]));
    }

    /// <summary>The rows where <paramref name="column"/> has a value: (steps, values).</summary>
    public (double[] Steps, double[] Values) Probed(string column)
    {
        var steps = this[MetricColumns.Step];
        var v = this[column];
        var idx = Enumerable.Range(0, v.Length).Where(i => !double.IsNaN(v[i])).ToArray();
        return (idx.Select(i => steps[i]).ToArray(), idx.Select(i => v[i]).ToArray());
    }

    /// <summary>The last probed value of a column (NaN if none).</summary>
    public double Last(string column)
    {
        var (_, v) = Probed(column);
        return v.Length == 0 ? double.NaN : v[^1];
    }
}
