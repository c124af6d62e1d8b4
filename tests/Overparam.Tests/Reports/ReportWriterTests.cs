using System.Text.RegularExpressions;
using Overparam.Reports;

namespace Overparam.Tests.Reports;

public class ReportWriterTests
{
    [Fact]
    public void ReportFolderIsComplete()
    {
        using var dir = new TempDirectory();
        var report = SampleReport.Build();
        var output = ReportWriter.Write(report, dir.Path);

        foreach (var plot in report.Plots)
            foreach (var ext in new[] { ".png", ".svg", ".csv" })
                Assert.True(File.Exists(Path.Combine(dir.Path, plot.Name + ext)), $"missing {plot.Name}{ext}");
        Assert.True(File.Exists(Path.Combine(dir.Path, "report.md")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "report.html")));
        Assert.Equal(3 * report.Plots.Count() + 2, Directory.GetFiles(dir.Path).Length); // no temporary files
        Assert.Equal(report.Plots.Count(), output.Plots.Count);
    }

    [Fact]
    public void HtmlIsSelfContained()
    {
        using var dir = new TempDirectory();
        var report = SampleReport.Build();
        string html = File.ReadAllText(ReportWriter.Write(report, dir.Path).Html);

        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(new Regex("<script[^>]*\\ssrc\\s*=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex("<link\\b", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex("@import|url\\(", RegexOptions.IgnoreCase), html);
        foreach (Match src in Regex.Matches(html, "\\s(?:src|href)\\s*=\\s*\"([^\"]*)\"", RegexOptions.IgnoreCase))
            Assert.StartsWith("data:", src.Groups[1].Value);

        foreach (var plot in report.Plots)
        {
            var figure = Regex.Match(html, $"<figure[^>]*data-plot=\"{Regex.Escape(plot.Name)}\"[^>]*>(.*?)</figure>", RegexOptions.Singleline);
            Assert.True(figure.Success, $"no figure for {plot.Name}");
            Assert.Contains("src=\"data:image/png;base64,", figure.Groups[1].Value);
            Assert.Contains("<figcaption>", figure.Groups[1].Value);
            // The embedded image is exactly the PNG file.
            string base64 = Regex.Match(figure.Groups[1].Value, "base64,([^\"]+)\"").Groups[1].Value;
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Path, plot.Name + ".png")), Convert.FromBase64String(base64));
        }
    }

    [Fact]
    public void ClaimTableShowsComputedVerdictsWithColoredCells()
    {
        using var dir = new TempDirectory();
        var report = SampleReport.Build();
        var output = ReportWriter.Write(report, dir.Path);
        string html = File.ReadAllText(output.Html);
        string md = File.ReadAllText(output.Markdown);

        var cells = Regex.Matches(html, "<td class=\"verdict (\\w+)\">([^<]*)</td>").ToList();
        Assert.Equal(report.Claims.Count, cells.Count);
        for (int i = 0; i < cells.Count; i++)
        {
            Assert.Equal(HtmlReport.CssClass(report.Claims[i].Verdict), cells[i].Groups[1].Value);
            Assert.Equal(VerdictText.Of(report.Claims[i].Verdict), cells[i].Groups[2].Value);
        }
        // The sample data are built so that every verdict occurs.
        Assert.Contains(report.Claims, c => c.Verdict == Verdict.Holds);
        Assert.Contains(report.Claims, c => c.Verdict == Verdict.DoesNotHoldAtTheseSizes);
        Assert.Contains(report.Claims, c => c.Verdict == Verdict.NotApplicable);
        Assert.Contains("td.verdict.holds {", html);
        Assert.Contains("td.verdict.fails {", html);
        foreach (var claim in report.Claims) Assert.Contains(VerdictText.Of(claim.Verdict), md);
    }

    [Fact]
    public void MarkdownHasHeadingsImagesAndTables()
    {
        using var dir = new TempDirectory();
        var report = SampleReport.Build();
        string md = File.ReadAllText(ReportWriter.Write(report, dir.Path).Markdown);

        Assert.StartsWith("# " + report.Title + "\n", md);
        foreach (var section in report.Sections) Assert.Contains("\n## " + section.Heading + "\n", md);
        foreach (var plot in report.Plots) Assert.Contains($"]({plot.Name}.png)", md);
        Assert.Contains("| width m | drift | λ_min ratio |", md);
        Assert.Contains("0.99 \\| ok", md); // pipes in cells are escaped
        Assert.Contains("| # | Claim | Measured | Verdict |", md);
    }

    [Fact]
    public void RejectsTwoPlotsWithTheSameName()
    {
        using var dir = new TempDirectory();
        var report = new Report("dup")
        {
            Sections = [new ReportSection("s") { Plots = [SamplePlots.LossCurve(), SamplePlots.LossCurve()] }],
        };
        Assert.Throws<ArgumentException>(() => ReportWriter.Write(report, dir.Path));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void MiniMarkdownEscapesHtml()
    {
        Assert.Equal("<p>a &lt;b&gt; <code>x&amp;y</code> <strong>z</strong></p>", MiniMarkdown.ParagraphToHtml("a <b> `x&y` **z**"));
        Assert.Equal("<ul><li>one</li><li>two</li></ul>", MiniMarkdown.ParagraphToHtml("- one\n- two"));
    }
}
