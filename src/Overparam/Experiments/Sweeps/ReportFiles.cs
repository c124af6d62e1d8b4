using System.Text;
using Overparam.Reports;

namespace Overparam.Experiments.Sweeps;

/// <summary>What a sweep or critical-width report writes into its folder: text files and plots, listed in the order written.</summary>
internal sealed class ReportFiles(string directory)
{
    private readonly List<string> written = [];

    public IReadOnlyList<string> Written => written;

    public void Save(string name, string text)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        written.Add(path);
    }

    /// <summary>Renders <paramref name="plot"/> as PNG, SVG and CSV and embeds the PNG at the end of <paramref name="markdown"/>.</summary>
    public void AddPlot(PlotSpec plot, StringBuilder markdown)
    {
        var files = PlotRenderer.Render(plot, directory, plot.Name);
        written.AddRange([files.Png, files.Svg, files.Csv]);
        markdown.AppendLine();
        markdown.AppendLine($"![{plot.Title}]({Path.GetFileName(files.Png)})");
    }
}
