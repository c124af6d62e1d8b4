using Overparam.Reports;

namespace Overparam.Tests.Reports;

/// <summary>Writes the sample report once for the browser tests.</summary>
public sealed class RenderedReportFixture : IDisposable
{
    private readonly TempDirectory dir = new();

    public RenderedReportFixture()
    {
        Report = SampleReport.Build();
        Output = ReportWriter.Write(Report, dir.Path);
    }

    public Report Report { get; }

    public ReportOutput Output { get; }

    public string Url => new Uri(Output.Html).AbsoluteUri;

    public void Dispose() => dir.Dispose();
}

/// <summary>Opens report.html in headless Chromium, offline, as a user would.</summary>
[Trait("Category", "Slow")]
public class ChromiumReportTests(RenderedReportFixture report) : IClassFixture<RenderedReportFixture>
{
    [Fact]
    public void EveryPlotIsInTheRenderedDomAndShows()
    {
        string dom = HeadlessChromium.Run(report.Url, "--dump-dom");
        int plots = report.Report.Plots.Count();
        foreach (var plot in report.Report.Plots)
            Assert.Contains($"data-plot=\"{plot.Name}\"", dom);
        // Written by the page's inline script once every image decoded and has a size.
        Assert.Contains($"plots-ok:{plots}/{plots}", dom);
        Assert.DoesNotContain("class=\"plot broken\"", dom);
    }

    [Fact]
    public void PlotCheckCountsABrokenImage()
    {
        // The check must be able to fail: corrupt the first plot's PNG in a copy of the page.
        string html = File.ReadAllText(report.Output.Html);
        int start = html.IndexOf("base64,", StringComparison.Ordinal) + "base64,".Length;
        int end = html.IndexOf('"', start);
        string broken = Path.Combine(report.Output.Directory, "broken.html");
        File.WriteAllText(broken, html[..start] + "AAAA" + html[end..]);
        try
        {
            string dom = HeadlessChromium.Run(new Uri(broken).AbsoluteUri, "--dump-dom");
            int plots = report.Report.Plots.Count();
            Assert.Contains($"plots-ok:{plots - 1}/{plots}", dom);
            Assert.Contains("class=\"plot broken\"", dom);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public void ScreenshotIsNotBlank()
    {
        using var shots = new TempDirectory("overparam-screenshot-");
        string png = Path.Combine(shots.Path, "report.png");
        HeadlessChromium.Run(report.Url, $"--screenshot={png}", "--window-size=1200,3000", "--hide-scrollbars");
        Assert.True(File.Exists(png), "Chromium wrote no screenshot.");
        PlotImages.AssertNonBlankPng(File.ReadAllBytes(png), 1200, 3000);
        string keep = Environment.GetEnvironmentVariable("OVERPARAM_KEEP_TEST_OUTPUT") ?? "";
        if (keep.Length > 0 && Directory.Exists(keep)) File.Copy(png, Path.Combine(keep, "report-screenshot.png"), overwrite: true);
    }
}
