namespace Overparam.Reports;

/// <summary>
/// The outcome of one check in <see cref="Verdicts"/>: the verdict, the measurement behind it as text,
/// and, where the check scans a sequence, the worst value found and where.
/// </summary>
/// <param name="Verdict">The verdict.</param>
/// <param name="Measured">What was measured, for the claim table (e.g. "max L(k)/bound(k) = 0.93 at k = 120").</param>
/// <param name="Worst">The deciding value (worst ratio, minimum, slope), or NaN when there is none.</param>
/// <param name="WorstAt">The step (or index) of <paramref name="Worst"/>, or −1 when there is none.</param>
public sealed record VerdictResult(Verdict Verdict, string Measured, double Worst = double.NaN, long WorstAt = -1)
{
    /// <summary>A <see cref="Verdict.NotApplicable"/> result with the reason as its measurement text.</summary>
    public static VerdictResult NotApplicable(string reason) => new(Verdict.NotApplicable, reason);
}
