using Overparam.Experiments;
using Overparam.Experiments.Verify;
using Overparam.Reports;

namespace Overparam.Tests.Experiments;

/// <summary>
/// The kernel regime (issue 5): with a tiny η at large width the linearized dynamics u(k+1) − y = (I − ηG(0))(u(k) − y)
/// predict the real loss to within 1%; with a large η at small width they do not, and the report says so.
/// </summary>
public sealed class LinearizedPredictionTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private const string ClaimText = "the real loss stays within 10% of the linearized prediction";

    /// <summary>max over probed k of |L(k) − L_lin(k)| / L(k), computed here independently of VerifyReport.</summary>
    private static double MaxGap(MetricsTable m)
    {
        var (steps, linear) = m.Probed("loss_linear");
        Assert.NotEmpty(steps);
        double worst = 0;
        for (int i = 0; i < steps.Length; i++)
        {
            double loss = m["loss"][(int)steps[i]];
            Assert.Equal(steps[i], m["step"][(int)steps[i]]);
            worst = Math.Max(worst, Math.Abs(loss - linear[i]) / loss);
        }
        return worst;
    }

    private static Study OneCell(int width, double c, int steps) => new()
    {
        Name = "linearized", Architectures = ["fc"], Depths = [2], Widths = [width], Seeds = 1, N = 8, D = 8,
        Steps = steps, ProbeEvery = 10, LrPolicy = "stable", LrConstant = c, TargetLoss = 0,
    };

    private (double Gap, Claim Claim) RunStudy(Study study, string name)
    {
        var dir = tmp.File(name);
        var cells = StudyRunner.Run(study, dir, null, CancellationToken.None);
        var cell = Assert.Single(cells);
        var report = VerifyReport.Build(study, cells);
        var claim = Assert.Single(report.Claims, c => c.Text.Contains(ClaimText));
        return (MaxGap(cell.Metrics), claim);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TinyStepLargeWidth_TracksTheLinearizedLossWithinOnePercent()
    {
        var (gap, claim) = RunStudy(OneCell(2048, 0.05, 100), "tiny");
        Assert.True(gap < 0.01, $"max relative gap {gap}");
        Assert.Equal(Verdict.Holds, claim.Verdict);
    }

    [Fact]
    public void LargeStepSmallWidth_LeavesTheKernelRegime_AndTheReportSaysSo()
    {
        var (gap, claim) = RunStudy(OneCell(16, 1.9, 100), "large");
        Assert.True(gap > 0.01, $"max relative gap {gap}");
        Assert.True(claim.Verdict == Verdict.DoesNotHoldAtTheseSizes, $"{claim.Verdict}: {claim.Measured} (gap {gap})");
    }
}
