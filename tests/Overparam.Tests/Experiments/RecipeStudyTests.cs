using Overparam.Data;
using Overparam.Experiments.Verify;
using Overparam.Reports;
using Overparam.Tests.Cli;
using Overparam.Training;

namespace Overparam.Tests.Experiments;

/// <summary>`verify --preset recipe`: every verdict on constructed runs both ways, the cells' specs, and a tiny study through the CLI.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class RecipeStudyTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static readonly RecipeConfig Config = new() { Epochs = 10, Tau = 4, EvalEvery = 2 };

    /// <summary>A finished run: evaluations at epochs 0, 2, …, 10 with the given training losses.</summary>
    private static RecipeRun Run(string dataSet, string method, int seed, double testError = 0.2, double trainError = 0, double[]? trainLoss = null,
        bool holds = true, double[]? ratio = null, TrainingStatus status = TrainingStatus.BudgetExhausted, double[]? stepLoss = null) =>
        new(dataSet, false, method, seed, status, null, $"/runs/{dataSet}-{method}-s{seed}")
        {
            TestError = testError, TrainError = trainError, EvalEpochs = [0, 2, 4, 6, 8, 10], TrainLoss = trainLoss ?? [2, 1, 0.5, 0.3, 0.2, 0.1],
            StepLoss = stepLoss ?? [1, 0.5, 0.25],
            ConditionChecked = method == "two-phase", ConditionHolds = method == "two-phase" && holds, Rank = holds ? 1000 : 990, STau = 0.1,
            Phase2Epochs = method == "two-phase" && holds ? [5, 6, 7, 8, 9, 10] : [], SigmaRatio = method == "two-phase" && holds ? ratio ?? [1, 1.01, 1.02, 1.02, 1.03, 1.03] : [],
            SigmaRatioTried = method == "two-phase" && holds ? ratio ?? [1, 1.01, 1.02, 1.02, 1.03, 1.03] : [],
        };

    private static List<RecipeRun> Grid(Func<string, string, int, RecipeRun>? make = null)
    {
        make ??= (d, m, s) => Run(d, m, s, testError: 0.2 + 0.01 * s);
        return (from d in RecipeConfig.DataSets from m in RecipeConfig.Methods from s in Enumerable.Range(1, 3) select make(d, m, s)).ToList();
    }

    [Fact]
    public void TheConditionClaim_HoldsWhenEveryRunVerifiedIt_AndNotWhenOneFailed()
    {
        Assert.Equal(Verdict.Holds, RecipeReport.ConditionAtTau(Grid(), RecipeConfig.DataSets).Verdict);
        var one = Grid((d, m, s) => Run(d, m, s, holds: !(d == "mixture" && s == 2)));
        var r = RecipeReport.ConditionAtTau(one, RecipeConfig.DataSets);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, r.Verdict);
        Assert.Contains("mixture: 2/3", r.Measured);
        // A data set whose A(SGD) runs all failed cannot vouch for "every data set".
        var failed = Grid((d, m, s) => Run(d, m, s, status: d == "mixture" && m == "two-phase" ? TrainingStatus.Failed : TrainingStatus.BudgetExhausted));
        Assert.Equal(Verdict.NotApplicable, RecipeReport.ConditionAtTau(failed, RecipeConfig.DataSets).Verdict);
    }

    [Fact]
    public void TheTrainingClaim_NeedsErrorZero_AndALossFallingAcrossPhase2()
    {
        Assert.Equal(Verdict.Holds, RecipeReport.ReachesZeroAndFalls(Grid(), Config).Verdict);
        var notZero = Grid((d, m, s) => Run(d, m, s, trainError: d == "mixture" ? 0.009 : 0));
        var r = RecipeReport.ReachesZeroAndFalls(notZero, Config);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, r.Verdict);
        Assert.Contains("3/6 runs", r.Measured);
        // τ = 4: L(4) = 0.5, the middle of phase 2 (epoch 7) is nearest to the evaluations at 6 and 8 (the first is taken), L(10).
        var rising = Run("mixture", "two-phase", 1, trainLoss: [2, 1, 0.5, 0.3, 0.2, 0.4]);
        var (falls, text) = RecipeReport.Falls(rising, Config);
        Assert.False(falls);
        Assert.Equal("training loss 0.5 (epoch 4) → 0.3 (epoch 6) → 0.4 (epoch 10)", text);
        Assert.True(RecipeReport.Falls(Run("mixture", "two-phase", 1, trainLoss: [2, 1, 0.5, 0.3, 0.2, 0.1]), Config).Falls);
        Assert.False(RecipeReport.Falls(Run("mixture", "two-phase", 1, trainLoss: [2, 1, 0.5, 0.5, 0.2, 0.1]), Config).Falls);
        // Runs whose condition failed never ran phase 2 and are not evidence either way.
        var noPhase2 = Grid((d, m, s) => Run(d, m, s, holds: false));
        Assert.Equal(Verdict.NotApplicable, RecipeReport.ReachesZeroAndFalls(noPhase2, Config).Verdict);
    }

    [Fact]
    public void TheSigmaClaim_HoldsAtOneHalf_AndNotBelow()
    {
        var r = RecipeReport.SigmaKept(Grid(), 0.5);
        Assert.Equal(Verdict.Holds, r.Verdict);
        Assert.Equal(1, r.Worst);
        var below = Grid((d, m, s) => Run(d, m, s, ratio: d == "fashion-mnist" && s == 3 ? [1, 0.9, 0.49, 0.6, 0.7, 0.7] : null));
        r = RecipeReport.SigmaKept(below, 0.5);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, r.Verdict);
        Assert.Equal(0.49, r.Worst);
        Assert.Equal(7, r.WorstAt);
        Assert.Contains("fashion-mnist seed 3, epoch 7", r.Measured);
    }

    [Fact]
    public void TheTestErrorClaim_IsWithinTwoStandardErrors_OrNot()
    {
        // Base 0.21, 0.22, 0.23 on both data sets; A(SGD) the same: Δ = 0.
        Assert.Equal(Verdict.Holds, RecipeReport.TestErrorWithinNoise(Grid(), RecipeConfig.DataSets).Verdict);
        // A(SGD) 0.31, 0.32, 0.33 on the mixture: Δ = 0.1, se = sqrt(2·0.01²/3) = 0.00816, far outside.
        var worse = Grid((d, m, s) => Run(d, m, s, testError: 0.2 + 0.01 * s + (d == "mixture" && m == "two-phase" ? 0.1 : 0), stepLoss: m == "two-phase" ? [1, 0.4, 0.2] : null));
        var r = RecipeReport.TestErrorWithinNoise(worse, RecipeConfig.DataSets);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, r.Verdict);
        Assert.Contains("mixture: Δ = 10 points, 2se = 1.63, 0/3 A(SGD) runs equal to SGD step for step (outside)", r.Measured);
        Assert.Contains("fashion-mnist: Δ = 0 points", r.Measured);
        // One finished seed per method is too few to estimate the noise.
        var few = Grid((d, m, s) => Run(d, m, s, status: s > 1 ? TrainingStatus.Diverged : TrainingStatus.BudgetExhausted));
        Assert.Equal(Verdict.NotApplicable, RecipeReport.TestErrorWithinNoise(few, RecipeConfig.DataSets).Verdict);
        Assert.Equal(3, RecipeReport.IdenticalToBase(Grid(), "mixture", out int pairs));
        Assert.Equal(3, pairs);
    }

    [Fact]
    public void BothMethodsShareEveryHyperparameterAndTheBudget_OnlyTheSwitchDiffers()
    {
        Assert.IsType<RecipeStudy>(PresetStudies.TryParse("recipe"));
        var c = RecipeConfig.Scaled(1);
        Assert.True(c.FeatureWidth > c.N, "rank Φ = n needs M_H ≥ n");
        foreach (var d in RecipeConfig.DataSets)
        {
            foreach (bool bn in RecipeConfig.BatchNorms)
            {
            var sgd = c.Spec(d, bn, "sgd", 3);
            var a = c.Spec(d, bn, "two-phase", 3);
            Assert.Equal(bn, sgd.BatchNorm);
            Assert.Null(sgd.TwoPhaseAt);
            Assert.Equal(c.Tau, a.TwoPhaseAt);
            Assert.Equal(sgd, a with { TwoPhaseAt = null });
            Assert.Equal((c.Epochs, c.FeatureWidth, "resnet", 3UL), (sgd.Epochs!.Value, sgd.FeatureWidth!.Value, sgd.Architecture, sgd.Seed));
            }
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2.5")]
    public void BadScale_IsExit2_AndWritesNothing(string scale)
    {
        string dir = tmp.File("out");
        var r = CliHarness.Run("verify", "--preset", "recipe", "--scale", scale, "--out", dir, "--quiet");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains($"--scale {scale}: the recipe preset takes a scale in (0, 2]", r.Err);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TinyStudyThroughTheCli_WritesTableOneClaimsPlotsAndEveryRun()
    {
        bool fashion = IdxData.HasPart(DataSpec.FashionMnistDirectory, IdxPart.Train) && IdxData.HasPart(DataSpec.FashionMnistDirectory, IdxPart.Test);
        string dir = tmp.File("recipe");
        var r = CliHarness.Run("verify", "--preset", "recipe", "--scale", "0.02", "--out", dir, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        string md = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("## Table 1 (the paper's layout)", md);
        Assert.Contains("| mixture | 20 | no |", md);
        Assert.Contains("| mixture | 20 | yes |", md);
        Assert.Contains("reconstruction (not the paper's verbatim Algorithm 1)", md);
        foreach (var claim in new[] { "holds at τ on every data set", "reaches training error 0", "σ_min(Φ_t) ≥ s_τ/2 throughout phase 2", "within noise of base" })
            Assert.Contains(claim, md);
        Assert.True(File.Exists(Path.Combine(dir, "report.html")));
        Assert.True(File.Exists(Path.Combine(dir, "mixture-train-loss.png")));
        Assert.True(File.Exists(Path.Combine(dir, "mixture-sigma-ratio.csv")));
        var dataSets = fashion ? RecipeConfig.DataSets : ["mixture"];
        foreach (var d in dataSets.SelectMany(d => new[] { d, d + "-bn" }))
            for (int seed = 1; seed <= 5; seed++)
            {
                Assert.True(File.Exists(Path.Combine(dir, "runs", $"{d}-sgd-s{seed}", "summary.json")));
                Assert.True(File.Exists(Path.Combine(dir, "runs", $"{d}-two-phase-s{seed}", "two-phase.json")));
            }
        // Without batch norm every A(SGD) run ran phase 2 here and no check rejected, so each equals its SGD run step for step (the table says 5/5).
        Assert.Contains("| mixture | 20 | no | yes (5/5) |", md);
        Assert.Contains("| 0 | 5/5 |", md);
    }
}
