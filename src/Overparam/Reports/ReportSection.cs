namespace Overparam.Reports;

/// <summary>One section of a report: a heading, paragraphs, then plots, then tables.</summary>
public sealed record ReportSection(string Heading)
{
    /// <summary>Paragraphs of Markdown-ish plain text (see <see cref="MiniMarkdown"/> for what the HTML understands).</summary>
    public IReadOnlyList<string> Paragraphs { get; init; } = [];

    /// <summary>Plots, each written as Name.png / Name.svg / Name.csv.</summary>
    public IReadOnlyList<PlotSpec> Plots { get; init; } = [];

    /// <summary>Tables shown after the plots.</summary>
    public IReadOnlyList<ReportTable> Tables { get; init; } = [];
}
