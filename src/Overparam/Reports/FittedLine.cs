namespace Overparam.Reports;

/// <summary>
/// A straight line in log–log space, log10(y) = Slope·log10(x) + Intercept, i.e. y = 10^Intercept · x^Slope,
/// drawn over the x range of a plot's data. <see cref="Label"/> is its legend text,
/// e.g. "fit slope −0.49 (theory −0.5)".
/// </summary>
public sealed record FittedLine(double Slope, double Intercept, string Label)
{
    /// <summary>The line's y at a (positive) x: 10^Intercept · x^Slope.</summary>
    public double Evaluate(double x) => Math.Pow(10, Intercept + Slope * Math.Log10(x));

    /// <summary>The fitted line of a <see cref="LogLogFit"/>, labelled "fit slope s" plus an optional theory value.</summary>
    public static FittedLine From(LogLogFit fit, double? theorySlope = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        string label = $"fit slope {ReportFormat.Signed(fit.Slope, 2)}";
        if (theorySlope is double t) label += $" (theory {ReportFormat.Signed(t, 2)})";
        return new FittedLine(fit.Slope, fit.Intercept, label);
    }
}
