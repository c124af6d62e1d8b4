using Overparam.Reports;

namespace Overparam.Tests.Reports;

/// <summary>Each check on synthetic data that satisfy and that violate its claim.</summary>
public class VerdictsTests
{
    private static double[] Geometric(double start, double rate, int n) =>
        Enumerable.Range(0, n).Select(k => start * Math.Pow(rate, k)).ToArray();

    [Fact]
    public void LossBelowBoundHoldsWhenTheLossDecaysFaster()
    {
        var bound = Geometric(1, 0.99, 100);
        var loss = Geometric(1, 0.97, 100);
        var r = Verdicts.LossBelowBound(loss, bound, relTol: 1e-9);
        Assert.Equal(Verdict.Holds, r.Verdict);
        Assert.Equal(1, r.Worst, 1e-15); // equal at k = 0
        Assert.Equal(0, r.WorstAt);
    }

    [Fact]
    public void LossBelowBoundFailsWhenTheLossCrossesTheBoundAndReportsWhere()
    {
        var bound = Geometric(1, 0.95, 50);
        var loss = Geometric(1, 0.97, 50); // slower than the bound
        long[] steps = Enumerable.Range(0, 50).Select(i => 10L * i).ToArray();
        var r = Verdicts.LossBelowBound(loss, bound, relTol: 0.01, steps);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, r.Verdict);
        Assert.Equal(490, r.WorstAt); // the ratio (0.97/0.95)^k grows: worst at the last probe
        Assert.Equal(Math.Pow(0.97 / 0.95, 49), r.Worst, 1e-9);
        Assert.Contains("k = 490", r.Measured);
    }

    [Fact]
    public void LossBelowBoundUsesTheRelativeTolerance()
    {
        double[] bound = [1, 0.5, 0.25];
        double[] loss = [1, 0.504, 0.25];
        Assert.Equal(Verdict.Holds, Verdicts.LossBelowBound(loss, bound, 0.01).Verdict);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, Verdicts.LossBelowBound(loss, bound, 0.001).Verdict);
    }

    [Fact]
    public void LossBelowBoundTreatsDivergenceAsViolationAndMissingDataAsNotApplicable()
    {
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, Verdicts.LossBelowBound([1, double.NaN], [1, 0.5], 0).Verdict);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, Verdicts.LossBelowBound([1, double.PositiveInfinity], [1, 0.5], 0).Verdict);
        Assert.Equal(Verdict.NotApplicable, Verdicts.LossBelowBound([], [], 0).Verdict);
        Assert.Equal(Verdict.NotApplicable, Verdicts.LossBelowBound(null, null, 0).Verdict);
        Assert.Equal(Verdict.NotApplicable, Verdicts.LossBelowBound([1, 0.5], [double.NaN, double.NaN], 0).Verdict);
        Assert.Throws<ArgumentException>(() => Verdicts.LossBelowBound([1, 2], [1], 0));
    }

    [Fact]
    public void MinRatioAtLeastHoldsAboveTheThresholdAndFailsBelow()
    {
        double[] good = [1.0, 0.9, 0.8, 0.75, 0.76];
        var r = Verdicts.MinRatioAtLeast(good, 0.5);
        Assert.Equal(Verdict.Holds, r.Verdict);
        Assert.Equal(0.75, r.Worst);
        Assert.Equal(3, r.WorstAt);

        double[] bad = [1.0, 0.7, 0.45, 0.6];
        var b = Verdicts.MinRatioAtLeast(bad, 0.5, [0, 100, 200, 300]);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, b.Verdict);
        Assert.Equal(0.45, b.Worst);
        Assert.Equal(200, b.WorstAt);

        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, Verdicts.MinRatioAtLeast([1.0, double.NaN], 0.5).Verdict);
        Assert.Equal(Verdict.NotApplicable, Verdicts.MinRatioAtLeast([], 0.5).Verdict);
    }

    [Fact]
    public void AllAtMostHoldsWithinTheLimitAndFailsBeyond()
    {
        Assert.Equal(Verdict.Holds, Verdicts.AllAtMost([0.1, 0.3, 0.2], 0.5).Verdict);
        var r = Verdicts.AllAtMost([0.1, 0.7, 0.2], 0.5);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, r.Verdict);
        Assert.Equal(0.7, r.Worst);
        Assert.Equal(1, r.WorstAt);
        Assert.Equal(Verdict.NotApplicable, Verdicts.AllAtMost([0.1], double.NaN).Verdict);
    }

    [Fact]
    public void SlopeNearHoldsForTheTheoreticalExponentAndFailsForAnother()
    {
        double[] m = [16, 32, 64, 128, 256, 512];
        var sqrtDecay = LogLogFit.TryFit(m, m.Select(x => 2 / Math.Sqrt(x) * (1 + 0.02 * Math.Sin(x))).ToArray());
        var r = Verdicts.SlopeNear(sqrtDecay, target: -0.5, tolerance: 0.1);
        Assert.Equal(Verdict.Holds, r.Verdict);
        Assert.Contains("slope", r.Measured);

        var linearDecay = LogLogFit.TryFit(m, m.Select(x => 2 / x * (1 + 0.02 * Math.Sin(x))).ToArray());
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, Verdicts.SlopeNear(linearDecay, -0.5, 0.1).Verdict);
    }

    [Fact]
    public void SlopeNearAcceptsAnOffTargetSlopeWithinTwoStandardErrors()
    {
        // Very noisy data: slope far from −0.5 in absolute terms but its standard error is large.
        double[] m = [16, 32, 64, 128];
        double[] y = [1.0, 0.2, 1.0, 0.3]; // slope ≈ −0.29 ± 0.62
        var fit = LogLogFit.TryFit(m, y)!;
        Assert.True(Math.Abs(fit.Slope + 0.5) > 0.05);
        Assert.True(Math.Abs(fit.Slope + 0.5) <= 2 * fit.SlopeStdError);
        Assert.Equal(Verdict.Holds, Verdicts.SlopeNear(fit, -0.5, 0.05).Verdict);
    }

    [Fact]
    public void SlopeNearIsNotApplicableWithoutEnoughPoints()
    {
        Assert.Equal(Verdict.NotApplicable, Verdicts.SlopeNear(null, -0.5, 0.1).Verdict);
        Assert.Equal(Verdict.NotApplicable, Verdicts.SlopeNear(LogLogFit.TryFit([16, 32], [1, 0.7]), -0.5, 0.1).Verdict);
    }

    [Fact]
    public void IndependentOfWidthHoldsForAFlatQuantityAndFailsForAGrowingOne()
    {
        double[] m = [16, 32, 64, 128, 256, 16, 32, 64, 128, 256];
        double[] flat = m.Select((x, i) => 120.0 + 5 * (i % 3)).ToArray();
        var r = Verdicts.IndependentOfWidth(m, flat, 0.15);
        Assert.Equal(Verdict.Holds, r.Verdict);
        Assert.True(Math.Abs(r.Worst) <= 0.15);

        double[] growing = m.Select(x => 3 * Math.Pow(x, 0.4)).ToArray();
        var g = Verdicts.IndependentOfWidth(m, growing, 0.15);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, g.Verdict);
        Assert.Equal(0.4, g.Worst, 1e-12);
    }

    [Fact]
    public void IndependentOfWidthIsNotApplicableWithTooFewWidths()
    {
        Assert.Equal(Verdict.NotApplicable, Verdicts.IndependentOfWidth([], [], 0.15).Verdict);
        Assert.Equal(Verdict.NotApplicable, Verdicts.IndependentOfWidth([64, 64, 64], [1, 2, 3], 0.15).Verdict);
        Assert.Equal(Verdict.NotApplicable, Verdicts.IndependentOfWidth([64, 128], [1, 2], 0.15).Verdict);
        Assert.Equal(Verdict.NotApplicable, Verdicts.IndependentOfWidth(null, null, 0.15).Verdict);
    }

    [Fact]
    public void ClaimTableCollectsComputedVerdicts()
    {
        var table = new ClaimTable()
            .Add("loss below bound", Verdicts.LossBelowBound([1, 0.5], [1, 0.9], 0))
            .Add("λ_min ≥ λ₀/2", Verdicts.MinRatioAtLeast([0.4], 0.5))
            .Add("drift ∝ m^(−1/2)", Verdicts.SlopeNear(null, -0.5, 0.1));
        Assert.Equal(3, table.Count);
        Assert.Equal(1, table.CountOf(Verdict.Holds));
        Assert.Equal(1, table.CountOf(Verdict.DoesNotHoldAtTheseSizes));
        Assert.Equal(1, table.CountOf(Verdict.NotApplicable));
        Assert.Equal("loss below bound", table[0].Text);
    }
}
