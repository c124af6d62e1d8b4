namespace Overparam.Bench;

/// <summary>Min / median / max of a set of timings (seconds).</summary>
public sealed record Summary(double Min, double Median, double Max, int Count)
{
    public static Summary Of(IEnumerable<double> samples)
    {
        var s = samples.OrderBy(v => v).ToArray();
        if (s.Length == 0) return new Summary(double.NaN, double.NaN, double.NaN, 0);
        double median = s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
        return new Summary(s[0], median, s[^1], s.Length);
    }

    public override string ToString() => $"{Format(Min)} / {Format(Median)} / {Format(Max)}";

    public static string Format(double seconds) =>
        double.IsNaN(seconds) ? "n/a" : seconds >= 1 ? $"{seconds:F3} s" : seconds >= 1e-3 ? $"{seconds * 1e3:F1} ms" : $"{seconds * 1e6:F0} µs";
}

public static class Timing
{
    /// <summary>Runs body once per sample after warm-up runs and returns the wall-clock seconds of each sample.</summary>
    public static List<double> Measure(Action body, int warmup, int samples)
    {
        for (int i = 0; i < warmup; i++) body();
        var times = new List<double>(samples);
        for (int i = 0; i < samples; i++)
        {
            long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            body();
            times.Add(System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        return times;
    }
}
