using System.Globalization;

namespace Overparam.Reports;

/// <summary>
/// Number formatting shared by plots, tables and claims (invariant culture, typographic minus), and the fields of every
/// CSV file the library writes (round-trip numbers, RFC 4180 quoting).
/// </summary>
public static class ReportFormat
{
    /// <summary>
    /// <paramref name="value"/> with at most <paramref name="maxDecimals"/> decimals and a true minus sign (U+2212):
    /// Signed(−0.4913, 2) = "−0.49", Signed(−0.5, 2) = "−0.5".
    /// </summary>
    public static string Signed(double value, int maxDecimals = 2)
    {
        if (!double.IsFinite(value)) return value.ToString(CultureInfo.InvariantCulture);
        string format = maxDecimals <= 0 ? "0" : "0." + new string('#', maxDecimals);
        string text = Math.Abs(value).ToString(format, CultureInfo.InvariantCulture);
        bool negative = value < 0 && text.Any(c => c is >= '1' and <= '9');
        return negative ? "\u2212" + text : text;
    }

    /// <summary>
    /// A short rendering with <paramref name="significant"/> significant digits (invariant culture, true minus signs,
    /// exponents as "e−9": General(1e-9) = "1e−9", General(-0.4567) = "−0.457").
    /// </summary>
    public static string General(double value, int significant = 3)
    {
        string text = value.ToString("G" + significant, CultureInfo.InvariantCulture);
        int e = text.IndexOf('E');
        if (e >= 0)
        {
            int exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e] + "e" + exponent.ToString(CultureInfo.InvariantCulture);
        }
        return text.Replace('-', '\u2212');
    }

    /// <summary>Round-trip text of a double, as written to CSV files ("R", invariant culture).</summary>
    public static string RoundTrip(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Parses text written by <see cref="RoundTrip"/>.</summary>
    public static double ParseRoundTrip(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary><see cref="RoundTrip"/> of a finite value; empty for NaN and infinities (a summary's "no value").</summary>
    public static string RoundTripOrEmpty(double value) => double.IsFinite(value) ? RoundTrip(value) : "";

    /// <summary>A CSV text field, quoted RFC 4180 style (inner quotes doubled) when it holds a comma, quote or line break.</summary>
    public static string CsvField(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
}
