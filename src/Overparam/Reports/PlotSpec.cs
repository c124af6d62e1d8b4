namespace Overparam.Reports;

/// <summary>
/// Everything needed to draw one plot, as data: labels, axis scales, the series in raw units and an optional
/// log–log fitted line. <see cref="PlotRenderer"/> turns it into PNG, SVG and CSV files.
/// </summary>
public sealed record PlotSpec
{
    /// <summary>Plot title, drawn above the axes.</summary>
    public required string Title { get; init; }

    /// <summary>Label of the horizontal axis (units included, e.g. "width m").</summary>
    public string XLabel { get; init; } = "";

    /// <summary>Label of the vertical axis.</summary>
    public string YLabel { get; init; } = "";

    /// <summary>Logarithmic x axis: log10 of positive x is plotted, ticks read 10^k.</summary>
    public bool LogX { get; init; }

    /// <summary>Logarithmic y axis: log10 of positive y is plotted, ticks read 10^k.</summary>
    public bool LogY { get; init; }

    /// <summary>The curves, in raw (un-logged) units. Names must be distinct.</summary>
    public IReadOnlyList<Series> Series { get; init; } = [];

    /// <summary>
    /// Optional major ticks of the x axis at exactly these raw values (e.g. every width or depth used), labelled with the
    /// values; without it the axis chooses its own.
    /// </summary>
    public IReadOnlyList<double>? XTicks { get; init; }

    /// <summary>Optional straight line in log–log space (y = 10^Intercept · x^Slope), drawn dashed.</summary>
    public FittedLine? Fit { get; init; }

    /// <summary>
    /// Base file name (no extension) of the plot's files in a report folder: Name.png, Name.svg and Name.csv,
    /// the CSV being the plot's data. Letters, digits, '-', '_' and '.' only.
    /// </summary>
    public string Name { get; init; } = "plot";

    /// <summary>Optional caption shown under the plot in the report.</summary>
    public string Caption { get; init; } = "";

    /// <summary>Number of points used to draw <see cref="Fit"/> when it is not a straight line on screen.</summary>
    private const int CurvedFitPoints = 64;

    /// <summary>
    /// The series exactly as drawn: <see cref="Series"/> followed, when <see cref="Fit"/> is set, by the fitted line
    /// sampled over the x range of the data points that are drawn and have x &gt; 0 (2 end points on log–log axes, where it is straight;
    /// otherwise 64 points evenly spaced in log10 x). This is what the plot's CSV holds.
    /// </summary>
    public IReadOnlyList<Series> PlottedSeries()
    {
        if (Fit is null) return Series;
        double[] xs = Series
            .SelectMany(s => s.X.Zip(s.Y))
            .Where(p => double.IsFinite(p.First) && p.First > 0 && double.IsFinite(p.Second) && (!LogY || p.Second > 0))
            .Select(p => p.First)
            .ToArray();
        if (xs.Length == 0) return Series;
        double lo = Math.Log10(xs.Min()), hi = Math.Log10(xs.Max());
        int n = LogX && LogY ? 2 : CurvedFitPoints;
        var fx = new double[n];
        var fy = new double[n];
        for (int i = 0; i < n; i++)
        {
            fx[i] = i == 0 ? xs.Min() : i == n - 1 ? xs.Max() : Math.Pow(10, lo + (hi - lo) * i / (n - 1));
            fy[i] = Fit.Evaluate(fx[i]);
        }
        return [.. Series, new Series(Fit.Label, fx, fy, SeriesStyle.Dashed)];
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless the name is a safe file name and series names are distinct.</summary>
    public void Validate()
    {
        if (Name.Length == 0 || Name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || Name.StartsWith('.'))
            throw new ArgumentException($"Plot name '{Name}' must be a plain file name (letters, digits, '-', '_', '.').");
        var duplicate = PlottedSeries().GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Plot '{Name}': two series are named '{duplicate.Key}'.");
    }
}
