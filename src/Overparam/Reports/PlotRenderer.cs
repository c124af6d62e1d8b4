using Overparam.IO;
using System.Text;
using ScottPlot;

namespace Overparam.Reports;

/// <summary>
/// Draws a <see cref="PlotSpec"/> with ScottPlot 5 and writes baseName.png, baseName.svg and baseName.csv.
/// Log axes plot log10 of the values (see <see cref="LogAxisTicks"/>); points that an axis cannot show
/// (non-finite anywhere, non-positive on a log axis, beyond ±<see cref="MaxLinearValue"/> on a linear one) are left
/// out of the picture but kept in the CSV. Any data can be drawn: empty, constant, single-point or NaN-only series too.
/// </summary>
public static class PlotRenderer
{
    /// <summary>Image width in pixels (PNG) or user units (SVG).</summary>
    public const int Width = 900;

    /// <summary>Image height in pixels (PNG) or user units (SVG).</summary>
    public const int Height = 540;

    /// <summary>Largest magnitude drawn on a linear axis: beyond it the axis' span and padding would overflow a double.</summary>
    public const double MaxLinearValue = 1e300;

    /// <summary>Padding of an axis whose values differ by less than this fraction of their size (round-off apart).</summary>
    private const double RelativePadFloor = 1e-9;

    /// <summary>First installed sans-serif font of a short list (ScottPlot would otherwise pick a serif one here).</summary>
    private static readonly string? SansFont =
        new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica" }
            .FirstOrDefault(SkiaSharp.SKFontManager.Default.FontFamilies.Contains);

    /// <summary>
    /// Renders the plot fully in memory, then writes <c>dir/baseName.png</c>, <c>.svg</c> and <c>.csv</c>
    /// (each through a temporary file and a rename). The CSV holds <see cref="PlotSpec.PlottedSeries"/> in raw units.
    /// </summary>
    public static PlotFiles Render(PlotSpec spec, string dir, string baseName)
    {
        ArgumentNullException.ThrowIfNull(spec);
        (spec with { Name = baseName }).Validate();
        var plot = Build(spec);
        byte[] png = plot.GetImageBytes(Width, Height, ImageFormat.Png);
        string svg = plot.GetSvgXml(Width, Height);
        string csv = PlotCsv.Write(spec.PlottedSeries());

        Directory.CreateDirectory(dir);
        var files = new PlotFiles(
            Path.Combine(dir, baseName + ".png"),
            Path.Combine(dir, baseName + ".svg"),
            Path.Combine(dir, baseName + ".csv"));
        AtomicFile.WriteAllBytes(files.Png, png);
        AtomicFile.WriteAllText(files.Svg, svg);
        AtomicFile.WriteAllText(files.Csv, csv);
        return files;
    }

    /// <summary>Builds the ScottPlot <see cref="Plot"/> for a spec (no files written).</summary>
    public static Plot Build(PlotSpec spec)
    {
        var plot = new Plot();
        if (SansFont is string font) plot.Font.Set(font);
        plot.Title(spec.Title);
        plot.XLabel(spec.XLabel);
        plot.YLabel(spec.YLabel);

        var xsAll = new List<double>();
        var ysAll = new List<double>();
        foreach (var series in spec.PlottedSeries())
        {
            var (xs, ys) = Drawable(series, spec.LogX, spec.LogY);
            if (xs.Length == 0) continue;
            xsAll.AddRange(xs);
            ysAll.AddRange(ys);
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = series.Name;
            Style(scatter, series.Style);
            if (series.YError is not null) AddErrorBars(plot, series, spec, scatter.Color);
            if (spec.Fit is not null && series.Name == spec.Fit.Label && series.Style == SeriesStyle.Dashed)
                scatter.Color = Colors.Black;
        }

        SetAxis(plot.Axes.Bottom, xsAll, spec.LogX);
        SetAxis(plot.Axes.Left, ysAll, spec.LogY);
        if (spec.XTicks is not null && xsAll.Count > 0) plot.Axes.Bottom.TickGenerator = ManualTicks(spec.XTicks, spec.LogX);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>
    /// y ± error at each drawable point, in plot coordinates: on a log axis the bar runs from log10(y − e) (or the bottom
    /// of the axis when y − e ≤ 0) to log10(y + e).
    /// </summary>
    private static void AddErrorBars(Plot plot, Series series, PlotSpec spec, Color color)
    {
        var (xs, ys, up, down) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        for (int i = 0; i < series.X.Length; i++)
        {
            double x = series.X[i], y = series.Y[i], e = series.YError![i];
            if (!double.IsFinite(x) || !double.IsFinite(y) || !double.IsFinite(e) || (spec.LogX && x <= 0) || (spec.LogY && y <= 0)) continue;
            double py = spec.LogY ? Math.Log10(y) : y;
            xs.Add(spec.LogX ? Math.Log10(x) : x);
            ys.Add(py);
            up.Add(spec.LogY ? Math.Log10(y + e) - py : e);
            down.Add(spec.LogY ? (y - e > 0 ? py - Math.Log10(y - e) : 0) : e);
        }
        if (xs.Count == 0) return;
        var bars = plot.Add.ErrorBar(xs, ys, up);
        bars.YErrorPositive = up;
        bars.YErrorNegative = down;
        bars.Color = color;
    }

    /// <summary>Major ticks at the given raw values (log10 positions on a log axis), labelled with the values.</summary>
    private static ITickGenerator ManualTicks(IReadOnlyList<double> values, bool log)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (double v in values.Where(v => double.IsFinite(v) && (!log || v > 0)).Distinct())
            ticks.AddMajor(log ? Math.Log10(v) : v, ReportFormat.General(v, 6));
        return ticks;
    }

    /// <summary>The points of a series that the axes can show, in plot coordinates (log10 on log axes).</summary>
    private static (double[] X, double[] Y) Drawable(Series series, bool logX, bool logY)
    {
        var xs = new List<double>(series.X.Length);
        var ys = new List<double>(series.Y.Length);
        for (int i = 0; i < series.X.Length; i++)
        {
            double x = series.X[i], y = series.Y[i];
            if (!double.IsFinite(x) || !double.IsFinite(y)) continue;
            if ((logX && x <= 0) || (logY && y <= 0)) continue;
            if ((!logX && Math.Abs(x) > MaxLinearValue) || (!logY && Math.Abs(y) > MaxLinearValue)) continue;
            xs.Add(logX ? Math.Log10(x) : x);
            ys.Add(logY ? Math.Log10(y) : y);
        }
        return ([.. xs], [.. ys]);
    }

    private static void Style(ScottPlot.Plottables.Scatter scatter, SeriesStyle style)
    {
        scatter.LineWidth = 2;
        scatter.MarkerSize = 7;
        switch (style)
        {
            case SeriesStyle.Line:
                scatter.MarkerSize = 0;
                break;
            case SeriesStyle.Markers:
                scatter.LineWidth = 0;
                break;
            case SeriesStyle.Dashed:
                scatter.MarkerSize = 0;
                scatter.LinePattern = LinePattern.Dashed;
                break;
        }
    }

    /// <summary>
    /// Sets an axis' limits (5% padding; at least <see cref="RelativePadFloor"/> of the values' size (of a decade on a log axis), so that values equal
    /// but for round-off get a readable axis) and, on a log axis, its 10^k tick labels.
    /// </summary>
    private static void SetAxis(IAxis axis, List<double> values, bool log)
    {
        if (values.Count == 0) return;
        double lo = values.Min(), hi = values.Max();
        double size = Math.Max(Math.Max(Math.Abs(lo), Math.Abs(hi)), log ? 1 : 0);
        double pad = hi > lo ? Math.Max(0.05 * (hi - lo), RelativePadFloor * size)
            : log ? 0.1 : Math.Max(Math.Abs(lo) * 0.1, 1);
        axis.Min = lo - pad;
        axis.Max = hi + pad;
        if (log) axis.TickGenerator = LogAxisTicks.Create(lo - pad, hi + pad);
    }
}
