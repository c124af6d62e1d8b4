namespace Overparam.Reports;

/// <summary>
/// A whole report as data: title, introduction, the claim table (shown first, as the summary) and sections.
/// <see cref="ReportWriter"/> writes it as report.md, a self-contained report.html and the plots' files.
/// </summary>
public sealed record Report(string Title)
{
    /// <summary>Introductory paragraphs (Markdown-ish plain text).</summary>
    public IReadOnlyList<string> Intro { get; init; } = [];

    /// <summary>The paper's claims with their measured verdicts.</summary>
    public ClaimTable Claims { get; init; } = new();

    /// <summary>The report's sections, in order.</summary>
    public IReadOnlyList<ReportSection> Sections { get; init; } = [];

    /// <summary>All plots of all sections, in order.</summary>
    public IEnumerable<PlotSpec> Plots => Sections.SelectMany(s => s.Plots);
}
