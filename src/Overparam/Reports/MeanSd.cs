using System.Globalization;

namespace Overparam.Reports;

/// <summary>Mean and sample standard deviation (n − 1) of a group of values, e.g. one configuration's seeds.</summary>
public readonly record struct MeanSd(double Mean, double Sd, int Count)
{
    /// <summary>Of the finite values only: a diverged seed is left out. Sd is NaN for fewer than two values.</summary>
    public static MeanSd Of(IEnumerable<double> values) => OfAll(values.Where(double.IsFinite));

    /// <summary>Of every value, so a NaN or infinity (a diverged run) shows in the mean. Sd is NaN for fewer than two values.</summary>
    public static MeanSd OfAll(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length == 0) return new MeanSd(double.NaN, double.NaN, 0);
        double mean = v.Average();
        double sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : double.NaN;
        return new MeanSd(mean, sd, v.Length);
    }

    /// <summary>Sweep tables: "1.23E-05 ± 4.1E-06" (3 significant digits, plus-minus given), the mean alone for one value, "–" for none.</summary>
    public string Format(string pm = "±") => Count == 0 ? "–"
        : Count == 1 || !double.IsFinite(Sd) ? G3(Mean) : $"{G3(Mean)} {pm} {G3(Sd)}";

    /// <summary>Reports: "1.234e−5 ± 4.1e−6" (<see cref="ReportFormat.General"/>, 4 and 2 digits), the mean alone for one value, "" for none.</summary>
    public string FormatGeneral() => Count == 0 ? ""
        : Count == 1 ? ReportFormat.General(Mean, 4) : $"{ReportFormat.General(Mean, 4)} ± {ReportFormat.General(Sd, 2)}";

    private static string G3(double x) => double.IsFinite(x) ? x.ToString("G3", CultureInfo.InvariantCulture) : x.ToString(CultureInfo.InvariantCulture);
}
