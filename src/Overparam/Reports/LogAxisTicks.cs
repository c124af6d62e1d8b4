using System.Globalization;
using System.Text;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Overparam.Reports;

/// <summary>
/// Tick marks for a logarithmic axis. ScottPlot 5 has no true log scale, so (as in its "log scale" cookbook recipe)
/// the plot holds log10 of the values and the ticks are labelled with the values themselves: major ticks at
/// integer log10 positions read 10^k, with <see cref="LogMinorTickGenerator"/> minor ticks at 2·10^k … 9·10^k.
/// When the axis spans less than two powers of ten, majors go at 1, 2, 5 × 10^k, or every digit × 10^k, or
/// (for a very narrow span) at evenly spaced round values, whichever first gives at least three ticks.
/// </summary>
public static class LogAxisTicks
{
    /// <summary>A tick generator for an axis showing log10 values from <paramref name="lo"/> to <paramref name="hi"/>.</summary>
    public static ITickGenerator Create(double lo, double hi)
    {
        if (Math.Floor(hi) - Math.Ceiling(lo) >= 1)
        {
            return new NumericAutomatic
            {
                MinorTickGenerator = new LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = Label,
            };
        }
        var manual = new NumericManual();
        var majors = Multiples(lo, hi, [1, 2, 5]);
        if (majors.Count < 3) majors = Multiples(lo, hi, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        if (majors.Count < 3) majors = LinearNice(Math.Pow(10, lo), Math.Pow(10, hi));
        foreach (double value in majors)
            manual.AddMajor(Math.Log10(value), ReportFormat.General(value, 3));
        return manual;
    }

    /// <summary>
    /// Label of the tick at log10 position <paramref name="log10Value"/>: "10^k" with a superscript exponent
    /// (e.g. "10⁻³") at integer positions, otherwise the value itself with 3 significant digits.
    /// </summary>
    public static string Label(double log10Value)
    {
        double k = Math.Round(log10Value);
        if (Math.Abs(log10Value - k) > 1e-9) return ReportFormat.General(Math.Pow(10, log10Value), 3);
        var sb = new StringBuilder("10");
        foreach (char c in ((long)k).ToString(CultureInfo.InvariantCulture))
            sb.Append(c == '-' ? '\u207B' : Superscript(c));
        return sb.ToString();
    }

    private static char Superscript(char digit) => digit switch
    {
        '1' => '\u00B9',
        '2' => '\u00B2',
        '3' => '\u00B3',
        _ => (char)('\u2070' + (digit - '0')),
    };

    /// <summary>About six round values (steps of 1, 2, 2.5 or 5 × 10^n) between <paramref name="a"/> and <paramref name="b"/>.</summary>
    private static List<double> LinearNice(double a, double b)
    {
        double raw = (b - a) / 6;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 2.5, 5.0, 10.0 }.First(f => f * magnitude >= raw) * magnitude;
        var values = new List<double>();
        for (double v = Math.Ceiling(a / step) * step; v <= b + 1e-12 * step; v += step)
            values.Add(Math.Round(v / step) * step);
        return values;
    }

    /// <summary>Values m·10^k (m in <paramref name="mantissas"/>) whose log10 lies in [lo, hi].</summary>
    private static List<double> Multiples(double lo, double hi, int[] mantissas)
    {
        var values = new List<double>();
        for (int k = (int)Math.Floor(lo) - 1; k <= (int)Math.Ceiling(hi); k++)
            foreach (int m in mantissas)
            {
                double v = m * Math.Pow(10, k);
                double lv = Math.Log10(v);
                if (lv >= lo - 1e-12 && lv <= hi + 1e-12) values.Add(v);
            }
        return values;
    }
}
