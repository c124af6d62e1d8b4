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
    /// <summary>
    /// A tick generator for an axis showing log10 values from <paramref name="lo"/> to <paramref name="hi"/>. Any pair of
    /// numbers is accepted and the work is bounded: limits that are not finite, not ordered or beyond the range of doubles,
    /// or so close together that no round value lies between them, give a tick at each end labelled with its value.
    /// </summary>
    public static ITickGenerator Create(double lo, double hi)
    {
        if (Majors(lo, hi) is not { } majors)
        {
            return new NumericAutomatic
            {
                MinorTickGenerator = new LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = Label,
            };
        }
        var manual = new NumericManual();
        foreach (var (position, label) in majors) manual.AddMajor(position, label);
        return manual;
    }

    /// <summary>
    /// The major ticks (log10 position, label) that <see cref="Create"/> places by hand, or null when the axis spans two
    /// powers of ten or more and ScottPlot's automatic 10^k ticks are used.
    /// </summary>
    public static IReadOnlyList<(double Position, string Label)>? Majors(double lo, double hi)
    {
        if (!double.IsFinite(lo) || !double.IsFinite(hi) || !(hi > lo) || Math.Abs(lo) > MaxDecade || Math.Abs(hi) > MaxDecade) return Ends(lo, hi);
        if (Math.Floor(hi) - Math.Ceiling(lo) >= 1) return null;
        var majors = Multiples(lo, hi, [1, 2, 5]);
        if (majors.Count < 3) majors = Multiples(lo, hi, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        if (majors.Count < 3) majors = LinearNice(Math.Pow(10, lo), Math.Pow(10, hi));
        if (majors.Count < 2) return Ends(lo, hi);
        return majors.Select(v => (Math.Log10(v), ReportFormat.General(v, 3))).ToList();
    }

    /// <summary>Largest |log10| handled by hand: every double lies within 10^±324, so beyond this the axis holds no value.</summary>
    private const double MaxDecade = 400;

    /// <summary>Most ticks <see cref="LinearNice"/> puts on an axis; more means the step was not resolved.</summary>
    private const int MaxLinearTicks = 20;

    /// <summary>A tick at each finite end of the axis (one when they coincide), labelled with its value.</summary>
    private static List<(double, string)> Ends(double lo, double hi) =>
        new[] { lo, hi }.Where(double.IsFinite).Distinct().Select(p => (p, ReportFormat.General(Math.Pow(10, p), 3))).ToList();

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

    /// <summary>
    /// About six round values (steps of 1, 2, 2.5 or 5 × 10^n) between <paramref name="a"/> and <paramref name="b"/>;
    /// none when the limits are not finite and ordered, or when round values that close cannot be told apart in double precision.
    /// The values are i·step for whole numbers i, counted beforehand, so the loop always ends.
    /// </summary>
    internal static List<double> LinearNice(double a, double b)
    {
        var values = new List<double>();
        double raw = (b - a) / 6;
        if (!double.IsFinite(a) || !double.IsFinite(b) || !(raw > 0) || !double.IsFinite(raw)) return values;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 2.5, 5.0, 10.0 }.First(f => f * magnitude >= raw) * magnitude;
        double first = Math.Ceiling(a / step), last = Math.Floor(b / step + 1e-12);
        if (!(last - first >= 0) || last - first > MaxLinearTicks) return values;
        for (int j = 0; j <= (int)(last - first); j++)
        {
            double v = (first + j) * step;
            if (values.Count == 0 || v > values[^1]) values.Add(v);
        }
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
