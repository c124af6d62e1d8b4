namespace Overparam.Reports;

/// <summary>One-sentence summary of a claim table, e.g. "4 of 5 claims hold; 1 does not hold at these sizes."</summary>
public static class ClaimSummary
{
    public static string Of(ClaimTable claims)
    {
        int holds = claims.CountOf(Verdict.Holds);
        int fails = claims.CountOf(Verdict.DoesNotHoldAtTheseSizes);
        int na = claims.CountOf(Verdict.NotApplicable);
        string text = $"{holds} of {claims.Count} claim{(claims.Count == 1 ? "" : "s")} hold{(holds == 1 ? "s" : "")}";
        if (fails > 0) text += $"; {fails} do{(fails == 1 ? "es" : "")} not hold at these sizes";
        if (na > 0) text += $"; {na} without enough data to decide";
        return text + ".";
    }
}
