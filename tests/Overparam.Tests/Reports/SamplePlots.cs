using Overparam.Reports;

namespace Overparam.Tests.Reports;

/// <summary>Synthetic plot specs shaped like the study's plots (no training involved).</summary>
internal static class SamplePlots
{
    /// <summary>Loss vs step on a log y axis, with the geometric bound dashed.</summary>
    public static PlotSpec LossCurve()
    {
        int steps = 200;
        var k = Enumerable.Range(0, steps).Select(i => (double)i).ToArray();
        double rate = 1 - 0.05 / 2;
        var bound = k.Select(s => Math.Pow(rate, s)).ToArray();
        var narrow = k.Select(s => 0.9 * Math.Pow(0.96, s) * (1 + 0.1 * Math.Sin(s / 5))).ToArray();
        var wide = k.Select(s => 0.8 * Math.Pow(0.95, s)).ToArray();
        return new PlotSpec
        {
            Title = "Training loss vs bound (1 − ηλ₀/2)^k L(0)",
            XLabel = "step k",
            YLabel = "loss L(k)",
            LogY = true,
            Series =
            [
                new Series("m = 64", k, narrow, SeriesStyle.Line),
                new Series("m = 1024", k, wide, SeriesStyle.Line),
                new Series("bound", k, bound, SeriesStyle.Dashed),
            ],
            Name = "loss-vs-bound",
            Caption = "Loss of each width against the theorem's bound.",
        };
    }

    /// <summary>Drift ‖G(k) − G(0)‖ vs width on log–log axes with a fitted line, including a zero and a NaN.</summary>
    public static PlotSpec DriftVsWidth()
    {
        double[] widths = [16, 32, 64, 128, 256, 512, 1024, 2048];
        double[] drift = widths.Select((m, i) => 3.0 / Math.Sqrt(m) * (1 + 0.05 * ((i % 3) - 1))).ToArray();
        double[] xs = [.. widths, 4096, 8192];
        double[] ys = [.. drift, 0.0, double.NaN];
        var fit = LogLogFit.TryFit(widths, drift)!;
        return new PlotSpec
        {
            Title = "Gram drift vs width",
            XLabel = "width m",
            YLabel = "‖G(H)(k) − G(H)(0)‖₂ / λ₀",
            LogX = true,
            LogY = true,
            Series = [new Series("drift, seed 0", xs, ys, SeriesStyle.Markers)],
            Fit = FittedLine.From(fit, theorySlope: -0.5),
            Name = "drift-vs-width",
            Caption = "Drift shrinks like m^(−1/2).",
        };
    }

    /// <summary>A linear-axes plot with a name that needs CSV quoting.</summary>
    public static PlotSpec MinEigenvalueRatio()
    {
        double[] k = [0, 10, 20, 30, 40, 50];
        return new PlotSpec
        {
            Title = "λ_min(G(H)(k)) / λ₀",
            XLabel = "step k",
            YLabel = "ratio",
            Series =
            [
                new Series("m = 256, \"seed\" 1", k, [1.0, 0.98, 0.97, 0.965, 0.96, 0.96], SeriesStyle.LineMarkers),
                new Series("1/2", [0, 50], [0.5, 0.5], SeriesStyle.Dashed),
            ],
            Name = "min-eig-ratio",
        };
    }

    /// <summary>Log y axis spanning less than one decade (manual 1-2-5 ticks).</summary>
    public static PlotSpec NarrowLogRange()
    {
        double[] m = [64, 128, 256, 512];
        return new PlotSpec
        {
            Title = "Weight movement vs width",
            XLabel = "width m",
            YLabel = "max_h ‖W(h)(k) − W(h)(0)‖_F",
            LogX = true,
            LogY = true,
            Series = [new Series("depth 3", m, [2.1, 2.4, 2.9, 3.3])],
            Name = "weights-vs-width",
        };
    }

    public static IReadOnlyList<PlotSpec> All() => [LossCurve(), DriftVsWidth(), MinEigenvalueRatio(), NarrowLogRange()];
}
