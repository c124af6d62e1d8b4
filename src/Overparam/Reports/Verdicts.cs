namespace Overparam.Reports;

/// <summary>
/// Small, separately testable checks that turn measured data into a <see cref="VerdictResult"/>.
/// Every check returns <see cref="Verdict.NotApplicable"/> when its input is missing or too small to decide,
/// and treats a non-finite measurement (NaN, ∞: a diverged run) as a violation.
/// </summary>
public static class Verdicts
{
    /// <summary>Fewest points a log–log fit needs before its slope is judged (two points leave no error estimate).</summary>
    public const int MinPointsForTrend = 3;

    /// <summary>
    /// Theorems 5.1/6.1/7.1: L(k) ≤ (1 − ηλ₀/2)^k L(0). Holds iff loss[i] ≤ bound[i]·(1 + relTol) at every probe.
    /// <see cref="VerdictResult.Worst"/> is the largest loss[i]/bound[i] and <see cref="VerdictResult.WorstAt"/> its step
    /// (<paramref name="steps"/>[i], or i when steps are not given; the text also names <paramref name="runs"/>[i] when given),
    /// and the text gives the margin 1 − max ratio. Not applicable when there are no probes or the bound has non-finite values
    /// (e.g. λ₀ unknown).
    /// </summary>
    public static VerdictResult LossBelowBound(double[]? loss, double[]? bound, double relTol, long[]? steps = null, string[]? runs = null)
    {
        if (loss is null || bound is null || loss.Length == 0) return VerdictResult.NotApplicable("no loss probes");
        CheckLengths(loss.Length, bound.Length, steps, nameof(bound), runs);
        if (bound.Any(b => !double.IsFinite(b))) return VerdictResult.NotApplicable("bound not available");

        bool holds = true;
        double worst = double.NegativeInfinity;
        int worstIndex = 0;
        for (int i = 0; i < loss.Length; i++)
        {
            if (!(loss[i] <= bound[i] * (1 + relTol))) holds = false;
            double ratio = Ratio(loss[i], bound[i]);
            if (ratio > worst || double.IsNaN(ratio)) { worst = double.IsNaN(ratio) ? double.PositiveInfinity : ratio; worstIndex = i; }
        }
        long at = StepOf(worstIndex, steps);
        string measured = $"max L(k)/bound(k) = {ReportFormat.General(worst)} at {Where(worstIndex, steps, runs)}, margin {ReportFormat.General(1 - worst, 3)} ({loss.Length} probes, tolerance {ReportFormat.General(relTol)})";
        return new VerdictResult(holds ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes, measured, worst, at);
    }

    /// <summary>
    /// The proofs' condition "λ_min(G^(H)(k)) ≥ λ₀/2 for all k", given ratios λ_min(G^(H)(k))/λ₀: holds iff every ratio ≥ <paramref name="threshold"/>.
    /// <see cref="VerdictResult.Worst"/> is the smallest ratio and <see cref="VerdictResult.WorstAt"/> its step.
    /// </summary>
    public static VerdictResult MinRatioAtLeast(double[]? ratios, double threshold, long[]? steps = null, string[]? runs = null)
    {
        if (ratios is null || ratios.Length == 0) return VerdictResult.NotApplicable("no probes");
        CheckLengths(ratios.Length, ratios.Length, steps, nameof(ratios), runs);
        int worstIndex = WorstIndex(ratios, (a, b) => a < b);
        double worst = ratios[worstIndex];
        bool holds = ratios.All(r => double.IsFinite(r) && r >= threshold);
        long at = StepOf(worstIndex, steps);
        string measured = $"min = {ReportFormat.General(worst)} at {Where(worstIndex, steps, runs)} ({ratios.Length} probes, threshold {ReportFormat.General(threshold)})";
        return new VerdictResult(holds ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes, measured, worst, at);
    }

    /// <summary>
    /// Bounded quantity, e.g. ‖W(h)(k) − W(h)(0)‖_F ≤ R′ for all k: holds iff every value ≤ <paramref name="limit"/>.
    /// <see cref="VerdictResult.Worst"/> is the largest value and <see cref="VerdictResult.WorstAt"/> its step.
    /// </summary>
    public static VerdictResult AllAtMost(double[]? values, double limit, long[]? steps = null, string[]? runs = null)
    {
        if (values is null || values.Length == 0) return VerdictResult.NotApplicable("no probes");
        if (!double.IsFinite(limit)) return VerdictResult.NotApplicable("limit not available");
        CheckLengths(values.Length, values.Length, steps, nameof(values), runs);
        int worstIndex = WorstIndex(values, (a, b) => a > b);
        double worst = values[worstIndex];
        bool holds = values.All(v => double.IsFinite(v) && v <= limit);
        long at = StepOf(worstIndex, steps);
        string measured = $"max = {ReportFormat.General(worst)} at {Where(worstIndex, steps, runs)} (limit {ReportFormat.General(limit)})";
        return new VerdictResult(holds ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes, measured, worst, at);
    }

    /// <summary>
    /// A power law with the predicted exponent, e.g. drift ‖G(k) − G(0)‖ ∝ m^(−1/2): holds iff the fitted slope is within
    /// <paramref name="tolerance"/> of <paramref name="target"/>, or within two standard errors of it.
    /// Not applicable without a fit or with fewer than <see cref="MinPointsForTrend"/> points.
    /// </summary>
    public static VerdictResult SlopeNear(LogLogFit? fit, double target, double tolerance)
    {
        if (fit is null || fit.Count < MinPointsForTrend)
            return VerdictResult.NotApplicable($"fewer than {MinPointsForTrend} points to fit");
        double gap = Math.Abs(fit.Slope - target);
        bool holds = gap <= tolerance || (double.IsFinite(fit.SlopeStdError) && gap <= 2 * fit.SlopeStdError);
        string measured = $"slope {SlopeText(fit)} (target {ReportFormat.Signed(target, 3)} ± {ReportFormat.General(tolerance)}, n = {fit.Count})";
        return new VerdictResult(holds ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes, measured, fit.Slope);
    }

    /// <summary>
    /// A bound of the form "decays at least like x^target" (e.g. the proof's ‖G^(H)(k) − G^(H)(0)‖ = O(m^(−1/2))): holds iff
    /// the fitted slope is at most target + tolerance, or within two standard errors of that. A faster decay holds.
    /// </summary>
    public static VerdictResult SlopeAtMost(LogLogFit? fit, double target, double tolerance)
    {
        if (fit is null || fit.Count < MinPointsForTrend)
            return VerdictResult.NotApplicable($"fewer than {MinPointsForTrend} points to fit");
        double limit = target + tolerance;
        bool holds = fit.Slope <= limit || (double.IsFinite(fit.SlopeStdError) && fit.Slope - limit <= 2 * fit.SlopeStdError);
        string measured = $"slope {SlopeText(fit)} (bound: slope ≤ {ReportFormat.Signed(target, 3)} + {ReportFormat.General(tolerance)}, n = {fit.Count})";
        return new VerdictResult(holds ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes, measured, fit.Slope);
    }

    /// <summary>
    /// A quantity that should not depend on the width (e.g. the number of steps to reach a loss, or λ_min(G(0))/λ₀):
    /// holds iff the |slope| of the log–log fit of <paramref name="values"/> against <paramref name="widths"/> is at most
    /// <paramref name="tolerance"/> (e.g. 0.15). Pairs with a non-positive or non-finite entry are ignored by the fit.
    /// Not applicable with fewer than <see cref="MinPointsForTrend"/> usable points or a single width.
    /// </summary>
    public static VerdictResult IndependentOfWidth(double[]? widths, double[]? values, double tolerance)
    {
        if (widths is null || values is null || widths.Length == 0) return VerdictResult.NotApplicable("no widths");
        CheckLengths(widths.Length, values.Length, null, nameof(values));
        var fit = LogLogFit.TryFit(widths, values);
        if (fit is null || fit.Count < MinPointsForTrend)
            return VerdictResult.NotApplicable($"fewer than {MinPointsForTrend} points over at least 2 widths to fit");
        bool holds = Math.Abs(fit.Slope) <= tolerance;
        string measured = $"log–log slope vs width {SlopeText(fit)} (independent if |slope| ≤ {ReportFormat.General(tolerance)}, n = {fit.Count})";
        return new VerdictResult(holds ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes, measured, fit.Slope);
    }

    private static string SlopeText(LogLogFit fit) =>
        double.IsFinite(fit.SlopeStdError)
            ? $"{ReportFormat.Signed(fit.Slope, 3)} ± {ReportFormat.General(fit.SlopeStdError, 2)}"
            : ReportFormat.Signed(fit.Slope, 3);

    /// <summary>Index of the first non-finite value if any, else of the value that is <paramref name="worse"/> than all others.</summary>
    private static int WorstIndex(double[] values, Func<double, double, bool> worse)
    {
        int nonFinite = Array.FindIndex(values, v => !double.IsFinite(v));
        if (nonFinite >= 0) return nonFinite;
        int worst = 0;
        for (int i = 1; i < values.Length; i++)
            if (worse(values[i], values[worst])) worst = i;
        return worst;
    }

    private static double Ratio(double value, double bound) =>
        bound > 0 ? value / bound : value <= 0 ? 0 : double.PositiveInfinity;

    private static long StepOf(int index, long[]? steps) => steps is null ? index : steps[index];

    /// <summary>"k = 81 in fc-H4-m2048-s3": the step of a pooled value and the run it came from (or "index 3" without steps).</summary>
    private static string Where(int index, long[]? steps, string[]? runs) =>
        (steps is null ? $"index {index}" : $"k = {steps[index]}") + (runs is null ? "" : $" in {runs[index]}");

    private static void CheckLengths(int n, int other, long[]? steps, string otherName, string[]? runs = null)
    {
        if (other != n) throw new ArgumentException($"{otherName} has {other} values, expected {n}.");
        if (steps is not null && steps.Length != n) throw new ArgumentException($"steps has {steps.Length} values, expected {n}.");
        if (runs is not null && runs.Length != n) throw new ArgumentException($"runs has {runs.Length} values, expected {n}.");
    }
}
