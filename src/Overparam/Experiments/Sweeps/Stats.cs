using System.Globalization;

namespace Overparam.Experiments.Sweeps;

/// <summary>Mean and sample standard deviation (n − 1) of the finite values among a group's seeds.</summary>
public readonly record struct MeanSd(double Mean, double Sd, int Count)
{
    public static MeanSd Of(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).ToArray();
        if (v.Length == 0) return new MeanSd(double.NaN, double.NaN, 0);
        double mean = v.Average();
        double sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : double.NaN;
        return new MeanSd(mean, sd, v.Length);
    }

    /// <summary>"1.23e-05 ± 4.1e-06" (plus-minus given), the mean alone for one value, "–" for none.</summary>
    public string Format(string pm = "±") => Count == 0 ? "–"
        : Count == 1 || !double.IsFinite(Sd) ? G(Mean) : $"{G(Mean)} {pm} {G(Sd)}";

    public static string G(double x) => double.IsFinite(x) ? x.ToString("G3", CultureInfo.InvariantCulture) : x.ToString(CultureInfo.InvariantCulture);
}
