using System.Text;

namespace Overparam.Reports;

/// <summary>Builds report.md: headings, text, the claim table, images referencing the plots' PNGs, and tables.</summary>
public static class MarkdownReport
{
    /// <summary>The Markdown text of a report whose plot files sit beside report.md.</summary>
    public static string Build(Report report)
    {
        var md = new StringBuilder();
        md.Append("# ").Append(report.Title).Append("\n\n");
        foreach (var p in report.Intro) md.Append(p).Append("\n\n");

        md.Append("## Claims of the paper\n\n");
        AppendClaims(md, report.Claims);

        foreach (var section in report.Sections)
        {
            md.Append("## ").Append(section.Heading).Append("\n\n");
            foreach (var p in section.Paragraphs) md.Append(p).Append("\n\n");
            foreach (var plot in section.Plots)
            {
                md.Append("![").Append(plot.Title.Replace("]", "\\]")).Append("](").Append(plot.Name).Append(".png)\n\n");
                if (plot.Caption.Length > 0) md.Append('*').Append(plot.Caption).Append("* ");
                md.Append($"Data: [{plot.Name}.csv]({plot.Name}.csv), vector image: [{plot.Name}.svg]({plot.Name}.svg).\n\n");
            }
            foreach (var table in section.Tables) AppendTable(md, table);
        }
        return md.ToString();
    }

    private static void AppendClaims(StringBuilder md, ClaimTable claims)
    {
        if (claims.Count == 0)
        {
            md.Append("No claims were checked.\n\n");
            return;
        }
        md.Append(ClaimSummary.Of(claims)).Append("\n\n");
        var rows = claims.Select((c, i) => new[]
        {
            (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            c.Text,
            c.Measured,
            c.Verdict == Verdict.NotApplicable ? VerdictText.Of(c.Verdict) : "**" + VerdictText.Of(c.Verdict) + "**",
        }).ToArray();
        AppendTable(md, new ReportTable(["#", "Claim", "Measured", "Verdict"], rows));
    }

    private static void AppendTable(StringBuilder md, ReportTable table)
    {
        if (table.Caption.Length > 0) md.Append(table.Caption).Append("\n\n");
        md.Append("| ").Append(string.Join(" | ", table.Header.Select(MiniMarkdown.TableCell))).Append(" |\n");
        md.Append('|').Append(string.Concat(table.Header.Select(_ => " --- |"))).Append('\n');
        foreach (var row in table.Rows)
            md.Append("| ").Append(string.Join(" | ", row.Select(MiniMarkdown.TableCell))).Append(" |\n");
        md.Append('\n');
    }
}
