using System.Net;
using System.Text;

namespace Overparam.Reports;

/// <summary>
/// Builds report.html, self-contained so that it can be opened offline: inline CSS, every plot embedded as a PNG
/// data: URI (the SVG files of several plots would share clip-path ids if inlined), no external scripts, fonts or
/// links. Each plot sits in a &lt;figure data-plot="Name"&gt; with a caption. A small inline script checks on load
/// that every plot image decoded and has a size, and writes "plots-ok:N/M" into &lt;div id="plot-check"&gt;.
/// </summary>
public static class HtmlReport
{
    /// <summary>Id of the element the inline check script writes its "plots-ok:N/M" summary into.</summary>
    public const string PlotCheckId = "plot-check";

    /// <summary>The HTML text; <paramref name="pngOf"/> gives the PNG bytes of a plot by its name.</summary>
    public static string Build(Report report, Func<string, byte[]> pngOf)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Encode(report.Title)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n<main>\n");

        html.Append("<h1>").Append(Encode(report.Title)).Append("</h1>\n");
        foreach (var p in report.Intro) html.Append(MiniMarkdown.ParagraphToHtml(p)).Append('\n');

        html.Append("<h2>Claims of the paper</h2>\n");
        AppendClaims(html, report.Claims);

        foreach (var section in report.Sections)
        {
            html.Append("<section>\n<h2>").Append(Encode(section.Heading)).Append("</h2>\n");
            foreach (var p in section.Paragraphs) html.Append(MiniMarkdown.ParagraphToHtml(p)).Append('\n');
            foreach (var plot in section.Plots) AppendPlot(html, plot, pngOf(plot.Name));
            foreach (var table in section.Tables) AppendTable(html, table);
            html.Append("</section>\n");
        }

        html.Append("<footer><div id=\"").Append(PlotCheckId).Append("\" class=\"machine\" aria-hidden=\"true\">plots-check: not run</div></footer>\n")
            .Append("</main>\n<script>\n").Append(PlotCheckScript).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendPlot(StringBuilder html, PlotSpec plot, byte[] png)
    {
        string name = Encode(plot.Name);
        html.Append("<figure class=\"plot\" data-plot=\"").Append(name).Append("\">\n")
            .Append("<img alt=\"").Append(Encode(plot.Title)).Append("\" width=\"").Append(PlotRenderer.Width)
            .Append("\" height=\"").Append(PlotRenderer.Height).Append("\" src=\"data:image/png;base64,")
            .Append(Convert.ToBase64String(png)).Append("\">\n<figcaption>");
        if (plot.Caption.Length > 0) html.Append(MiniMarkdown.Inline(plot.Caption)).Append(' ');
        html.Append("<span class=\"files\">Files: <code>").Append(name).Append(".png</code>, <code>")
            .Append(name).Append(".svg</code>, data <code>").Append(name).Append(".csv</code>.</span>")
            .Append("</figcaption>\n</figure>\n");
    }

    private static void AppendClaims(StringBuilder html, ClaimTable claims)
    {
        if (claims.Count == 0)
        {
            html.Append("<p>No claims were checked.</p>\n");
            return;
        }
        html.Append("<p class=\"summary\">").Append(Encode(ClaimSummary.Of(claims))).Append("</p>\n")
            .Append("<div class=\"table-wrap\"><table class=\"claims\">\n<thead><tr><th>#</th><th>Claim</th><th>Measured</th><th>Verdict</th></tr></thead>\n<tbody>\n");
        int i = 0;
        foreach (var claim in claims)
        {
            html.Append("<tr><td>").Append(++i).Append("</td><td>").Append(MiniMarkdown.Inline(claim.Text))
                .Append("</td><td>").Append(MiniMarkdown.Inline(claim.Measured))
                .Append("</td><td class=\"verdict ").Append(CssClass(claim.Verdict)).Append("\">")
                .Append(Encode(VerdictText.Of(claim.Verdict))).Append("</td></tr>\n");
        }
        html.Append("</tbody>\n</table></div>\n");
    }

    private static void AppendTable(StringBuilder html, ReportTable table)
    {
        html.Append("<div class=\"table-wrap\"><table class=\"data\">\n");
        if (table.Caption.Length > 0) html.Append("<caption>").Append(MiniMarkdown.Inline(table.Caption)).Append("</caption>\n");
        html.Append("<thead><tr>");
        foreach (var h in table.Header) html.Append("<th>").Append(MiniMarkdown.Inline(h)).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            foreach (var cell in row) html.Append("<td>").Append(MiniMarkdown.Inline(cell)).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table></div>\n");
    }

    /// <summary>CSS class of a verdict cell: "holds", "fails" or "na".</summary>
    public static string CssClass(Verdict verdict) => verdict switch
    {
        Verdict.Holds => "holds",
        Verdict.DoesNotHoldAtTheseSizes => "fails",
        _ => "na",
    };

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body { margin: 0; background: #f6f7f9; color: #1d2330; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
        main { max-width: 1120px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
        h1 { font-size: 1.8em; margin: 0.4em 0; }
        h2 { font-size: 1.35em; margin-top: 1.8em; border-bottom: 1px solid #dde1e7; padding-bottom: 0.2em; }
        code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; background: #f0f2f5; padding: 0 3px; border-radius: 3px; }
        figure.plot { margin: 1.2em 0; }
        figure.plot img { display: block; max-width: 100%; height: auto; border: 1px solid #e3e6eb; }
        figure.plot.broken { outline: 3px solid #c0392b; }
        figcaption { font-size: 0.92em; color: #4a5363; margin-top: 0.4em; }
        figcaption .files { color: #7a8291; }
        .table-wrap { overflow-x: auto; margin: 1em 0; }
        table { border-collapse: collapse; font-size: 0.92em; }
        caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 0.3em; }
        th, td { border: 1px solid #d5dae1; padding: 4px 8px; text-align: left; vertical-align: top; }
        table.data td { white-space: nowrap; }
        thead th { background: #eef1f5; }
        td.verdict { font-weight: 600; white-space: nowrap; }
        td.verdict.holds { background: #d8f0de; color: #14532d; }
        td.verdict.fails { background: #fbdada; color: #7f1d1d; }
        td.verdict.na { background: #e8e9ec; color: #4b5060; }
        p.summary { font-weight: 600; }
        footer { margin-top: 3em; font-size: 0.8em; color: #9aa1ad; }
        .machine { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }

        """;

    private const string PlotCheckScript = """
        window.addEventListener('load', function () {
          var figures = document.querySelectorAll('[data-plot]');
          var ok = 0;
          figures.forEach(function (figure) {
            var image = figure.querySelector('img, svg');
            var box = image ? image.getBoundingClientRect() : null;
            var decoded = image && (image.tagName.toLowerCase() !== 'img' || (image.complete && image.naturalWidth > 0));
            if (decoded && box.width > 0 && box.height > 0) ok++; else figure.classList.add('broken');
          });
          document.getElementById('plot-check').textContent = 'plots-ok:' + ok + '/' + figures.length;
        });

        """;
}
