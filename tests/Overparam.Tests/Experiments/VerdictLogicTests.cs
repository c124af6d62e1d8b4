using System.Globalization;
using Overparam.Experiments;
using Overparam.Experiments.Verify;
using Overparam.Reports;
using Overparam.Training;

namespace Overparam.Tests.Experiments;

/// <summary>The verify report's verdicts are computed from the data: a hand-written metrics table that violates a claim gives "does not hold".</summary>
public sealed class VerdictLogicTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static readonly Study Study = new()
    {
        Name = "synthetic", Architectures = ["fc"], Depths = [2], Widths = [64], Seeds = 1, N = 8, D = 4, Steps = 4, ProbeEvery = 2,
    };

    /// <summary>A metrics.csv with probes at steps 0, 2, 4; <paramref name="loss"/> per step, bound (1 − 0.1)^k·L(0).</summary>
    private CellResult Cell(string name, double[] loss, double[] ghRatio, double[] linear, TrainingStatus status = TrainingStatus.BudgetExhausted, int seed = 1)
    {
        var dir = tmp.File(name);
        Directory.CreateDirectory(dir);
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var lines = new List<string> { "step,loss,seconds,bound,lambda_min_gh_ratio,gh_drift_rel,dW2_fro,dW2_avg,loss_linear" };
        for (int k = 0; k < loss.Length; k++)
        {
            bool probed = k % 2 == 0;
            int p = k / 2;
            lines.Add(probed
                ? $"{k},{F(loss[k])},{F(0.01 * k)},{F(Math.Pow(0.9, k) * loss[0])},{F(ghRatio[p])},{F(0.01 * k)},{F(0.1 * k)},{F(0.1 * k / 8)},{F(linear[p])}"
                : $"{k},{F(loss[k])},{F(0.01 * k)},,,,,,");
        }
        File.WriteAllLines(Path.Combine(dir, "metrics.csv"), lines);
        var metrics = MetricsTable.Read(Path.Combine(dir, "metrics.csv"));
        var outcome = new RunOutcome(status, loss.Length - 1, loss[0], loss[^1], 0.04, 0.1, 0.2, new Dictionary<string, double>(), null);
        return new CellResult("fc", 2, 64, seed, outcome, metrics, dir);
    }

    private static Claim ClaimOf(Report report, string fragment) => Assert.Single(report.Claims, c => c.Text.Contains(fragment));

    [Fact]
    public void LossAboveTheBound_DoesNotHold()
    {
        // Bound at k = 4 is 0.9^4 · 10 = 6.561; the loss there is 7.
        var cell = Cell("violating", [10, 9.5, 8, 7.5, 7], [1.0, 0.9, 0.8], [10, 8, 7]);
        var report = VerifyReport.Build(Study, [cell]);
        var claim = ClaimOf(report, "loss ≤ (1 − ηλ₀/2)^k L(0)");
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, claim.Verdict);
        Assert.Equal(Verdict.Holds, ClaimOf(report, "λ_min(G^(H)(k)) ≥ λ₀/2").Verdict);
        Assert.Equal(Verdict.Holds, ClaimOf(report, "within 10% of the linearized prediction").Verdict);
    }

    [Fact]
    public void LossBelowTheBound_Holds_AndOtherClaimsFailOnTheirOwnData()
    {
        // Loss below the bound everywhere; λ_min ratio drops to 0.4 < 1/2; linearized prediction off by 50% at k = 4.
        var cell = Cell("mixed", [10, 8, 6, 5, 4], [1.0, 0.6, 0.4], [10, 6, 6]);
        var report = VerifyReport.Build(Study, [cell]);
        Assert.Equal(Verdict.Holds, ClaimOf(report, "loss ≤ (1 − ηλ₀/2)^k L(0)").Verdict);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, ClaimOf(report, "λ_min(G^(H)(k)) ≥ λ₀/2").Verdict);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, ClaimOf(report, "within 10% of the linearized prediction").Verdict);
    }

    [Fact]
    public void ClaimsNameTheRunAndTheRealStep_AndTheBoundIsJudgedAfterStepZero()
    {
        // Two runs; the second one's λ_min ratio is lowest at its step 2 (its second probe, the fifth value pooled).
        var first = Cell("fc-H2-m64-s1", [10, 8, 6, 5, 4], [1.0, 0.9, 0.8], [10, 6, 4]);
        var second = Cell("fc-H2-m64-s2", [10, 8, 6, 5, 4], [1.0, 0.6, 0.7], [10, 6, 4]);
        var report = VerifyReport.Build(Study with { Seeds = 2 }, [first, second with { Seed = 2 }]);
        Assert.Contains("min = 0.6 at k = 2 in fc-H2-m64-s2", ClaimOf(report, "λ_min(G^(H)(k)) ≥ λ₀/2").Measured);
        // L(k)/bound(k) at k = 2: 6/8.1 = 0.7407…, at k = 4: 4/6.561 = 0.6097: the largest over k ≥ 1 is at k = 2, not the 1 at k = 0.
        var bound = ClaimOf(report, "loss ≤ (1 − ηλ₀/2)^k L(0)").Measured;
        Assert.Contains($"max L(k)/bound(k) = {ReportFormat.General(6 / 8.1)} at k = 2 in fc-H2-m64-s1", bound);
        Assert.Contains($"margin {ReportFormat.General(1 - 6 / 8.1, 3)}", bound);
        Assert.Contains("(4 probes,", bound);
    }

    [Fact]
    public void BoundWithOnlyTheStepZeroProbe_IsNotJudged()
    {
        var cell = Cell("fc-H2-m64-s1", [10], [1.0], [10]);
        var report = VerifyReport.Build(Study, [cell]);
        Assert.Equal(Verdict.NotApplicable, ClaimOf(report, "loss ≤ (1 − ηλ₀/2)^k L(0)").Verdict);
    }

    [Theory]
    [InlineData(0.4, 0.75, Verdict.Holds)]
    [InlineData(0.75, 0.4, Verdict.DoesNotHoldAtTheseSizes)]
    public void DepthContrast_ComparesTheLossOfGramMarginWithDepth(double fcDeepest, double resnetDeepest, Verdict expected)
    {
        var study = Study with { Architectures = ["fc", "resnet"], Depths = [2, 4, 8] };
        var cells = new List<CellResult>();
        foreach (var arch in study.Architectures)
            foreach (var h in study.Depths)
            {
                double deepest = arch == "fc" ? fcDeepest : resnetDeepest;
                double min = h == 8 ? deepest : 0.8;
                cells.Add(Cell($"{arch}-H{h}-m64-s1", [10, 8, 6, 5, 4], [1.0, min, 0.9], [10, 6, 4]) with { Arch = arch, Depth = h });
            }
        var claim = ClaimOf(VerifyReport.Build(study, cells), "Depth contrast");
        Assert.Equal(expected, claim.Verdict);
        Assert.Contains($"fully-connected 0.8 → {ReportFormat.General(fcDeepest, 4)}", claim.Measured);
    }

    [Fact]
    public void ADivergedRun_IsLeftOutOfTheVerdicts_AndListed()
    {
        // Seed 2 violates the bound (7 > 6.561 at k = 4) but diverged: the verdict comes from seed 1, which holds.
        var good = Cell("good", [10, 8, 6, 5, 4], [1.0, 0.9, 0.8], [10, 6, 4]);
        var diverged = Cell("diverged", [10, 9.5, 8, 7.5, 7], [1.0, 0.2, 0.1], [10, 8, 7], TrainingStatus.Diverged, seed: 2);
        var report = VerifyReport.Build(Study with { Seeds = 2 }, [good, diverged]);
        var bound = ClaimOf(report, "loss ≤ (1 − ηλ₀/2)^k L(0)");
        Assert.Equal(Verdict.Holds, bound.Verdict);
        Assert.Contains("all 1 finished runs", bound.Text);
        Assert.Equal(Verdict.Holds, ClaimOf(report, "λ_min(G^(H)(k)) ≥ λ₀/2").Verdict);
        Assert.Contains(report.Sections, s => s.Heading == "Runs that did not finish");
        Assert.Contains(report.Intro, p => p.Contains("1 of 2 runs did not finish (1 diverged"));

        var alone = VerifyReport.Build(Study, [diverged with { Seed = 1 }]);
        Assert.All(alone.Claims, c => Assert.Equal(Verdict.NotApplicable, c.Verdict));
    }
}
