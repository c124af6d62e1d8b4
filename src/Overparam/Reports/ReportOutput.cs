namespace Overparam.Reports;

/// <summary>The files <see cref="ReportWriter.Write"/> produced.</summary>
/// <param name="Directory">The report folder.</param>
/// <param name="Markdown">Path of report.md.</param>
/// <param name="Html">Path of report.html.</param>
/// <param name="Plots">The PNG/SVG/CSV files of every plot, in report order.</param>
public sealed record ReportOutput(string Directory, string Markdown, string Html, IReadOnlyList<PlotFiles> Plots);
