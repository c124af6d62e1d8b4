using Overparam.Reports;
using ScottPlot;

namespace Overparam.Tests.Reports;

/// <summary>
/// Plot code terminates on any data (issue 11, item 1: `verify` grew memory until it died when every run diverged, in
/// <see cref="LogAxisTicks"/>' linear fallback). Each case runs on a worker thread with a time limit, so a loop that does
/// not advance fails the test instead of hanging the suite.
/// </summary>
public class PlotTerminationTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static T Bounded<T>(Func<T> work)
    {
        var task = Task.Run(work);
        Assert.True(task.Wait(Limit), "did not finish in time");
        return task.Result;
    }

    public static TheoryData<double, double> AxisLimits() => new()
    {
        { 0, 0 }, { double.NaN, double.NaN }, { double.NegativeInfinity, double.PositiveInfinity }, { 1, double.NaN },
        { 5, 3 }, { 0, 1e-17 }, { -1e-17, 1e-17 }, { 300, 300.0000001 }, { 2.0000000000000004, 2.000000000000001 },
        { 308.2, 308.4 }, { 308.3, 400 }, { -323.6, -323.4 }, { -400, -399.9 }, { -300, 300 }, { 1e15, 1e15 + 0.5 },
        { 0.95, 1.05 }, { 2.1, 2.3 },
    };

    [Theory]
    [MemberData(nameof(AxisLimits))]
    public void LogTicksAreFewFiniteAndLabelledForAnyLimits(double lo, double hi)
    {
        var majors = Bounded(() => { LogAxisTicks.Create(lo, hi); return LogAxisTicks.Majors(lo, hi); });
        if (majors is null)
        {
            Assert.True(Math.Floor(hi) - Math.Ceiling(lo) >= 1, "automatic ticks only over two powers of ten");
            return;
        }
        Assert.InRange(majors.Count, double.IsFinite(lo) || double.IsFinite(hi) ? 1 : 0, 30);
        Assert.All(majors, t => Assert.True(double.IsFinite(t.Position) && t.Label.Length > 0, $"tick {t.Position} '{t.Label}'"));
    }

    [Fact]
    public void NarrowSpanStillGetsRoundTicks()
    {
        // log10 of 1.20 … 1.30: no 1-2-5 or single-digit multiple inside, so evenly spaced round values (1.2, 1.22, …)
        var majors = LogAxisTicks.Majors(Math.Log10(1.2), Math.Log10(1.3))!;
        Assert.Equal(["1.2", "1.22", "1.24", "1.26", "1.28", "1.3"], majors.Select(t => t.Label));
    }

    public static TheoryData<string, double[], double[]> Data() => new()
    {
        { "empty", [], [] },
        { "constant", [1, 2, 3], [3, 3, 3] },
        { "NaN only", [double.NaN, double.NaN], [double.NaN, double.NaN] },
        { "infinities", [1, 2, 3], [double.PositiveInfinity, double.NegativeInfinity, double.NaN] },
        { "single point", [4], [100] },
        { "huge range", [-1.7e308, 1.7e308], [-1e308, 1.79e308] },
        { "every magnitude", [1e-300, 1, 1e300], [1e-300, 1, 1e300] },
        { "equal but round-off", [1, 1.0000000000000002, 1.0000000000000004], [1, 1.0000000000000002, 1.0000000000000004] },
        { "denormals", [5e-324, 1e-323], [5e-324, 1e-323] },
        { "near overflow", [1e308, 1.5e308], [1.7e308, 1.7976931348623157e308] },
        { "diverged loss", [0, 1, 2, 3], [8.5, double.NaN, double.NaN, double.NaN] },
    };

    [Theory]
    [MemberData(nameof(Data))]
    public void EveryAxisScaleDrawsAnyData(string name, double[] x, double[] y)
    {
        foreach (bool logX in new[] { false, true })
            foreach (bool logY in new[] { false, true })
            {
                var spec = new PlotSpec { Title = name, LogX = logX, LogY = logY, Series = [new Series(name, x, y)] };
                byte[] png = Bounded(() => PlotRenderer.Build(spec).GetImageBytes(300, 200, ImageFormat.Png));
                Assert.True(png.Length > 100, $"{name}, logX {logX}, logY {logY}");
            }
    }
}
