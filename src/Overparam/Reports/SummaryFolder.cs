using System.Text;

namespace Overparam.Reports;

/// <summary>
/// The folder of a Markdown summary (sweep report, critical width) and the files written into it, in order: text files,
/// and plots rendered as PNG, SVG and CSV with their image link appended to the Markdown.
/// </summary>
public sealed class SummaryFolder
{
    private readonly string directory;
    private readonly List<string> written = [];

    /// <summary>Creates the folder if missing.</summary>
    public SummaryFolder(string directory)
    {
        this.directory = directory;
        Directory.CreateDirectory(directory);
    }

    /// <summary>The paths written so far, in order.</summary>
    public IReadOnlyList<string> Written => written;

    /// <summary>Writes a text file into the folder.</summary>
    public void Save(string name, string text)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        written.Add(path);
    }

    /// <summary>Renders <paramref name="plot"/> into the folder and appends a blank line and its image link to <paramref name="markdown"/>.</summary>
    public void AddPlot(PlotSpec plot, StringBuilder markdown)
    {
        var files = PlotRenderer.Render(plot, directory, plot.Name);
        written.AddRange([files.Png, files.Svg, files.Csv]);
        markdown.AppendLine();
        markdown.AppendLine($"![{plot.Title}]({Path.GetFileName(files.Png)})");
    }
}
