namespace Overparam.Reports;

/// <summary>One row of the claim table: a statement of the paper, what was measured, and the verdict.</summary>
/// <param name="Text">The claim, e.g. "L(k) ≤ (1 − ηλ₀/2)^k L(0) (Theorem 5.1)".</param>
/// <param name="Measured">The measured value(s) as text.</param>
/// <param name="Verdict">The verdict computed from the data.</param>
public sealed record Claim(string Text, string Measured, Verdict Verdict)
{
    /// <summary>A claim whose measurement and verdict come from a check in <see cref="Verdicts"/>.</summary>
    public static Claim From(string text, VerdictResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new Claim(text, result.Measured, result.Verdict);
    }
}
