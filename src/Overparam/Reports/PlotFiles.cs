namespace Overparam.Reports;

/// <summary>Paths of the three files <see cref="PlotRenderer.Render"/> writes for one plot.</summary>
public sealed record PlotFiles(string Png, string Svg, string Csv);
