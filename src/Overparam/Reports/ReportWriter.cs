using Overparam.IO;
namespace Overparam.Reports;

/// <summary>
/// Writes a <see cref="Report"/> into a folder: every plot as Name.png, Name.svg and Name.csv (via
/// <see cref="PlotRenderer"/>), then report.md and the self-contained report.html. Each file is rendered in memory
/// and lands in the folder by a rename, so a reader never sees a half-written file; report.md and report.html come
/// last, so once they exist every file they mention exists too.
/// </summary>
public static class ReportWriter
{
    /// <summary>File name of the Markdown report.</summary>
    public const string MarkdownFile = "report.md";

    /// <summary>File name of the HTML report.</summary>
    public const string HtmlFile = "report.html";

    /// <summary>Writes the report into <paramref name="dir"/> (created if missing) and returns the paths written.</summary>
    /// <exception cref="ArgumentException">Two plots share a name, or a plot's name is not a plain file name.</exception>
    public static ReportOutput Write(Report report, string dir)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plots = report.Plots.ToList();
        foreach (var plot in plots) plot.Validate();
        var duplicate = plots.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Two plots are named '{duplicate.Key}'.");

        Directory.CreateDirectory(dir);
        var files = plots.Select(p => PlotRenderer.Render(p, dir, p.Name)).ToList();
        var pngByName = files.Zip(plots).ToDictionary(f => f.Second.Name, f => f.First.Png);

        string markdown = MarkdownReport.Build(report);
        string html = HtmlReport.Build(report, name => File.ReadAllBytes(pngByName[name]));
        var output = new ReportOutput(dir, Path.Combine(dir, MarkdownFile), Path.Combine(dir, HtmlFile), files);
        AtomicFile.WriteAllText(output.Markdown, markdown);
        AtomicFile.WriteAllText(output.Html, html);
        return output;
    }
}
