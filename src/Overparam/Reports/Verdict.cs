namespace Overparam.Reports;

/// <summary>What the measured data say about one claim of the paper.</summary>
public enum Verdict
{
    /// <summary>The data satisfy the claim at every probed point.</summary>
    Holds,
    /// <summary>The data contradict the claim at the sizes that were run (the theorem may still hold at larger widths).</summary>
    DoesNotHoldAtTheseSizes,
    /// <summary>
    /// Not enough data to decide (no finished run, no probe after k = 0, too few widths to fit, ...); shown as
    /// "not enough data". Every check that cannot decide gives it, whatever the reason.
    /// </summary>
    NotApplicable,
}

/// <summary>Display text of verdicts.</summary>
public static class VerdictText
{
    /// <summary>"holds", "does not hold at these sizes" or "not enough data".</summary>
    public static string Of(Verdict verdict) => verdict switch
    {
        Verdict.Holds => "holds",
        Verdict.DoesNotHoldAtTheseSizes => "does not hold at these sizes",
        Verdict.NotApplicable => "not enough data",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict)),
    };
}
