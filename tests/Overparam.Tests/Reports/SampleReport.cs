using Overparam.Reports;

namespace Overparam.Tests.Reports;

/// <summary>A report built from the synthetic plots, with claims whose verdicts are computed from the same data.</summary>
internal static class SampleReport
{
    public static Report Build()
    {
        var loss = SamplePlots.LossCurve();
        var drift = SamplePlots.DriftVsWidth();
        var ratio = SamplePlots.MinEigenvalueRatio();
        var weights = SamplePlots.NarrowLogRange();

        var bound = loss.Series.Single(s => s.Name == "bound").Y;
        var claims = new ClaimTable()
            .Add("L(k) ≤ (1 − ηλ₀/2)^k L(0) at m = 1024 (Theorem 5.1)",
                Verdicts.LossBelowBound(loss.Series.Single(s => s.Name == "m = 1024").Y, bound, 1e-9))
            .Add("L(k) ≤ (1 − ηλ₀/2)^k L(0) at m = 64",
                Verdicts.LossBelowBound(loss.Series.Single(s => s.Name == "m = 64").Y, bound, 1e-9))
            .Add("λ_min(G(H)(k)) ≥ λ₀/2 for all k", Verdicts.MinRatioAtLeast(ratio.Series[0].Y, 0.5))
            .Add("‖G(H)(k) − G(H)(0)‖ ∝ m^(−1/2)",
                Verdicts.SlopeNear(LogLogFit.TryFit(drift.Series[0].X, drift.Series[0].Y), -0.5, 0.1))
            .Add("Weight movement independent of width", Verdicts.IndependentOfWidth(weights.Series[0].X, weights.Series[0].Y, 0.15))
            .Add("Steps to reach 10⁻³ independent of depth", Verdicts.IndependentOfWidth([64], [100], 0.15));

        return new Report("Overparam study: fully connected, depth 3")
        {
            Intro =
            [
                "Synthetic data shaped like a `verify` run, for testing the **report** layer.",
                "- widths 16 … 8192\n- 1 seed",
            ],
            Claims = claims,
            Sections =
            [
                new ReportSection("Loss against the bound")
                {
                    Paragraphs = ["Full-batch gradient descent, η = 0.05."],
                    Plots = [loss],
                },
                new ReportSection("Gram matrix")
                {
                    Plots = [drift, ratio],
                    Tables =
                    [
                        new ReportTable(["width m", "drift", "λ_min ratio"],
                            [["16", "0.75", "0.96"], ["1024", "0.09", "0.99 | ok"]], "Drift per width"),
                    ],
                },
                new ReportSection("Weights") { Plots = [weights] },
            ],
        };
    }
}
