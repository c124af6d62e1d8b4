using System.Text;

namespace Overparam.Reports;

/// <summary>
/// The long-format CSV of a plot: header <c>series,x,y</c> (<c>series,x,y,y_sd</c> when a series has error bars: the ±
/// error of y, empty for series without), then one row per point in series order, values
/// in invariant culture with round-trip ("R") formatting so that parsing them back gives the identical doubles.
/// Raw (un-logged) values are kept, including non-finite and non-positive ones that a log axis does not draw.
/// Series names are quoted RFC 4180 style when they contain a comma, quote or line break.
/// </summary>
public static class PlotCsv
{
    /// <summary>The header line.</summary>
    public const string Header = "series,x,y";

    /// <summary>The header line when some series has error bars.</summary>
    public const string HeaderWithErrors = "series,x,y,y_sd";

    /// <summary>Writes the series as CSV text (LF line ends, trailing newline).</summary>
    public static string Write(IEnumerable<Series> series)
    {
        var all = series.ToList();
        bool errors = all.Any(s => s.YError is not null);
        var sb = new StringBuilder();
        sb.Append(errors ? HeaderWithErrors : Header).Append('\n');
        foreach (var s in all)
        {
            string name = ReportFormat.CsvField(s.Name);
            for (int i = 0; i < s.X.Length; i++)
            {
                sb.Append(name).Append(',')
                  .Append(ReportFormat.RoundTrip(s.X[i])).Append(',')
                  .Append(ReportFormat.RoundTrip(s.Y[i]));
                if (errors) sb.Append(',').Append(s.YError is null ? "" : ReportFormat.RoundTrip(s.YError[i]));
                sb.Append('\n');
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Parses CSV text written by <see cref="Write"/> back into series (in order of first appearance;
    /// styles are not stored in the CSV, so every series comes back as <see cref="SeriesStyle.LineMarkers"/>).
    /// </summary>
    public static IReadOnlyList<Series> Read(string csv)
    {
        var rows = ParseRows(csv);
        string header = rows.Count == 0 ? "" : string.Join(",", rows[0]);
        if (header != Header && header != HeaderWithErrors)
            throw new FormatException($"Plot CSV must start with the header '{Header}' or '{HeaderWithErrors}'.");
        int fields = rows[0].Count;
        var order = new List<string>();
        var points = new Dictionary<string, (List<double> X, List<double> Y, List<double> E)>();
        foreach (var row in rows.Skip(1))
        {
            if (row.Count != fields) throw new FormatException($"Plot CSV row has {row.Count} fields, expected {fields}.");
            if (!points.TryGetValue(row[0], out var p))
            {
                p = ([], [], []);
                points[row[0]] = p;
                order.Add(row[0]);
            }
            p.X.Add(ReportFormat.ParseRoundTrip(row[1]));
            p.Y.Add(ReportFormat.ParseRoundTrip(row[2]));
            if (fields == 4 && row[3].Length > 0) p.E.Add(ReportFormat.ParseRoundTrip(row[3]));
        }
        return order.Select(n => new Series(n, [.. points[n].X], [.. points[n].Y])
        {
            YError = points[n].E.Count == points[n].Y.Count && points[n].E.Count > 0 ? [.. points[n].E] : null,
        }).ToList();
    }

    /// <summary>Minimal RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private static List<List<string>> ParseRows(string csv)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, rowHasContent = false;
        for (int i = 0; i < csv.Length; i++)
        {
            char c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; rowHasContent = true; break;
                case ',': row.Add(field.ToString()); field.Clear(); rowHasContent = true; break;
                case '\r': break;
                case '\n':
                    if (rowHasContent || field.Length > 0) { row.Add(field.ToString()); rows.Add(row); }
                    row = []; field.Clear(); rowHasContent = false;
                    break;
                default: field.Append(c); rowHasContent = true; break;
            }
        }
        if (rowHasContent || field.Length > 0) { row.Add(field.ToString()); rows.Add(row); }
        return rows;
    }
}
