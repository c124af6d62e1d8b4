using Overparam.Reports;
using SkiaSharp;

namespace Overparam.Tests.Reports;

public class PlotRendererTests
{
    public static TheoryData<string> PlotNames() => new(SamplePlots.All().Select(p => p.Name));

    private static PlotSpec Spec(string name) => SamplePlots.All().Single(p => p.Name == name);

    [Theory]
    [MemberData(nameof(PlotNames))]
    public void WritesPngSvgAndCsv(string name)
    {
        using var dir = new TempDirectory();
        var files = PlotRenderer.Render(Spec(name), dir.Path, name);
        Assert.True(File.Exists(files.Png));
        Assert.True(File.Exists(files.Svg));
        Assert.True(File.Exists(files.Csv));
        Assert.Equal(3, Directory.GetFiles(dir.Path).Length); // no temporary files left behind
        string svg = File.ReadAllText(files.Svg);
        Assert.Contains("<svg", svg);
        Assert.Contains(PlotImages.SvgTextOf(Spec(name).XLabel), PlotImages.SvgText(svg));
    }

    [Theory]
    [MemberData(nameof(PlotNames))]
    public void CsvReproducesThePlottedValuesExactly(string name)
    {
        using var dir = new TempDirectory();
        var spec = Spec(name);
        var files = PlotRenderer.Render(spec, dir.Path, name);
        var back = PlotCsv.Read(File.ReadAllText(files.Csv));
        var plotted = spec.PlottedSeries();
        Assert.Equal(plotted.Select(s => s.Name), back.Select(s => s.Name));
        for (int i = 0; i < plotted.Count; i++)
        {
            Assert.Equal(plotted[i].X, back[i].X); // exact double equality, NaN included
            Assert.Equal(plotted[i].Y, back[i].Y);
        }
        Assert.StartsWith("series,x,y\n", File.ReadAllText(files.Csv));
    }

    [Fact]
    public void CsvKeepsTheDataSeriesOfTheSpecAndTheFitAsItsOwnSeries()
    {
        var spec = SamplePlots.DriftVsWidth();
        var back = PlotCsv.Read(PlotCsv.Write(spec.PlottedSeries()));
        Assert.Equal(spec.Series[0].X, back[0].X);
        Assert.Equal(spec.Series[0].Y, back[0].Y); // raw values: the 0 and the NaN are kept
        Assert.Contains(double.NaN, back[0].Y);
        Assert.Equal(spec.Fit!.Label, back[1].Name);
        Assert.Equal(2, back[1].X.Length); // straight on log–log axes: two end points
        Assert.Equal(16, back[1].X[0]);
        Assert.Equal(2048, back[1].X[1]); // the range of the drawn points: 4096 (y = 0) and 8192 (y = NaN) are not drawn
    }

    [Theory]
    [MemberData(nameof(PlotNames))]
    public void PngIsValidAndNotBlank(string name)
    {
        using var dir = new TempDirectory();
        var files = PlotRenderer.Render(Spec(name), dir.Path, name);
        byte[] bytes = File.ReadAllBytes(files.Png);
        PlotImages.AssertNonBlankPng(bytes, PlotRenderer.Width, PlotRenderer.Height);
    }

    [Fact]
    public void RejectsUnsafeNamesAndDuplicateSeries()
    {
        using var dir = new TempDirectory();
        Assert.Throws<ArgumentException>(() => PlotRenderer.Render(SamplePlots.LossCurve(), dir.Path, "../escape"));
        var twice = SamplePlots.LossCurve() with
        {
            Series = [new Series("a", [1, 2], [1, 2]), new Series("a", [1, 2], [2, 3])],
        };
        Assert.Throws<ArgumentException>(() => PlotRenderer.Render(twice, dir.Path, "twice"));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AllPointsHiddenStillRenders()
    {
        using var dir = new TempDirectory();
        var spec = new PlotSpec
        {
            Title = "nothing positive",
            LogY = true,
            Series = [new Series("zeros", [1, 2, 3], [0, -1, double.NaN])],
        };
        var files = PlotRenderer.Render(spec, dir.Path, "empty");
        Assert.True(new FileInfo(files.Png).Length > 1000);
        Assert.Equal(3, PlotCsv.Read(File.ReadAllText(files.Csv))[0].X.Length);
    }
}
