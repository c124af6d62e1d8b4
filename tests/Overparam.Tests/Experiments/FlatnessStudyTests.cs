using Overparam.Data;
using Overparam.Experiments.Verify;
using Overparam.Reports;
using Overparam.Tests.Cli;
using Overparam.Training;

namespace Overparam.Tests.Experiments;

/// <summary>`verify --preset flatness`: the study at a tiny size end to end, and every verdict computed from the runs.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class FlatnessStudyTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static bool FashionMnistInstalled => File.Exists(Path.Combine(DataSpec.FashionMnistDirectory, "train-images-idx3-ubyte.gz"));

    /// <summary>A test-only size: 2 seeds, a few hundred samples, width 16, 3 σ × 2 draws.</summary>
    private static readonly FlatnessConfig Tiny = new()
    {
        Seeds = 2, MixtureN = 64, MixtureD = 10, MixtureTest = 200, MixtureEpochs = 3, FashionN = 150, FashionTest = 100, FashionEpochs = 3,
        Width = 16, Sigmas = [0, 0.5, 1], Draws = 2,
    };

    [Fact]
    [Trait("Category", "Slow")]
    public void TinyStudy_WritesTheReport_AndEveryRunWithItsLocalEnergy()
    {
        if (!FashionMnistInstalled) return;
        string dir = tmp.File("flatness");
        var report = new FlatnessStudy(Tiny).Run(new PresetContext(dir, null, null, CancellationToken.None));
        var output = ReportWriter.Write(report, dir);
        Assert.True(File.Exists(output.Html));
        string md = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Equal(6, report.Claims.Count);
        foreach (var setting in FlatnessConfig.Settings)
            foreach (var optimizer in FlatnessConfig.Optimizers)
                for (int seed = 1; seed <= Tiny.Seeds; seed++)
                {
                    string run = Path.Combine(dir, "runs", $"{setting}-{optimizer}-s{seed}");
                    foreach (var f in new[] { "metrics.csv", "summary.json", "final.safetensors", "flatness.csv" })
                        Assert.True(File.Exists(Path.Combine(run, f)), $"{run}/{f} missing");
                    var lines = File.ReadAllLines(Path.Combine(run, "flatness.csv"));
                    Assert.Equal("sigma,mean,standard_error", lines[0]);
                    Assert.Equal(Tiny.Sigmas.Length + 1, lines.Length);
                    Assert.StartsWith("0,0,", lines[1]);                                            // δE(w, 0) = 0
                }
        foreach (var tag in new[] { "mixture", "fashion_mnist" })
            foreach (var plot in new[] { "test_error", "local_energy", "energy_vs_error", "train_error", "gamma" })
            {
                foreach (var ext in new[] { "png", "svg", "csv" })
                    Assert.True(new FileInfo(Path.Combine(dir, $"{tag}_{plot}.{ext}")) is { Exists: true, Length: > 0 }, $"{tag}_{plot}.{ext} missing");
                Assert.Contains($"{tag}_{plot}.png", md);
            }
        Assert.Contains("Tie rule", md);
        Assert.Contains("Why explicit γ0", md);
    }

    /// <summary>Constructed runs: eSGD and rSGD with δE and test error below, above or tied with SGD's.</summary>
    private static List<FlatnessRunResult> Runs(Func<string, int, (double DeltaE, double TestError)> values, string setting = "mixture")
    {
        var runs = new List<FlatnessRunResult>();
        foreach (var optimizer in FlatnessConfig.Optimizers)
            for (int seed = 1; seed <= 5; seed++)
            {
                var (e, t) = values(optimizer, seed);
                runs.Add(new FlatnessRunResult(setting, optimizer, seed, TrainingStatus.BudgetExhausted, null, "")
                {
                    TestError = t, TrainError = 0, DeltaE = [0, e, 2 * e], Seconds = 1,
                });
            }
        return runs;
    }

    private static readonly FlatnessConfig Grid = new() { Sigmas = [0, 0.5, 1], FixedSigma = 0.5 };

    private static Verdict[] Verdicts(IReadOnlyList<FlatnessRunResult> runs) =>
        FlatnessReport.Build(Grid, runs, 1, 2).Claims.Take(3).Select(c => c.Verdict).ToArray();

    [Fact]
    public void Verdicts_AreComputedFromTheRuns_AndFlipWithTheData()
    {
        // Flatter and better, δE and error in the same order: every claim holds.
        double Spread(int seed) => 0.001 * seed;
        var good = Runs((o, s) => o == "sgd" ? (0.3 + Spread(s), 0.20 + Spread(s)) : (0.1 + Spread(s), 0.15 + Spread(s)));
        Assert.Equal([Verdict.Holds, Verdict.Holds, Verdict.Holds], Verdicts(good));

        // SGD flatter and better: the first two claims do not hold; the correlation still holds.
        var bad = Runs((o, s) => o == "sgd" ? (0.1 + Spread(s), 0.15 + Spread(s)) : (0.3 + Spread(s), 0.20 + Spread(s)));
        Assert.Equal([Verdict.DoesNotHoldAtTheseSizes, Verdict.DoesNotHoldAtTheseSizes, Verdict.Holds], Verdicts(bad));

        // Flatter but with a higher test error: energy claim holds, error claim and correlation do not.
        var mixed = Runs((o, s) => o == "sgd" ? (0.3 + Spread(s), 0.15 + Spread(s)) : (0.1 + Spread(s), 0.20 + Spread(s)));
        Assert.Equal([Verdict.Holds, Verdict.DoesNotHoldAtTheseSizes, Verdict.DoesNotHoldAtTheseSizes], Verdicts(mixed));

        // Only one of the two is flatter: "eSGD and rSGD" does not hold.
        var one = Runs((o, s) => o == "entropy-sgd" ? (0.1 + Spread(s), 0.2) : (0.3 + Spread(s), 0.2));
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, Verdicts(one)[0]);
    }

    [Fact]
    public void Ties_AreDecidedByTheSeedsSpread()
    {
        // Means 0.01 apart with seeds spread by ±0.1: a tie, so "lower" does not hold and "≤" holds even though the mean is higher.
        double Noise(int seed) => seed % 2 == 0 ? 0.1 : -0.1;
        var tie = Runs((o, s) => o == "sgd" ? (0.30 + Noise(s), 0.20 + Noise(s)) : (0.29 + Noise(s), 0.21 + Noise(s)));
        var v = Verdicts(tie);
        Assert.Equal(Verdict.DoesNotHoldAtTheseSizes, v[0]);
        Assert.Equal(Verdict.Holds, v[1]);

        // Δ and se by hand: x = {1, 3}, baseline = {4, 6}: Δ = −3, se = sqrt(2/2 + 2/2) = √2, so Δ < −2√2: lower.
        var (d, se, sign) = FlatnessReport.Compare([1, 3], [4, 6]);
        Assert.Equal(-3, d, 12);
        Assert.Equal(Math.Sqrt(2), se, 12);
        Assert.Equal(-1, sign);
        Assert.Equal(0, FlatnessReport.Compare([1, 3], [3, 5]).Sign);                    // Δ = −2 > −2√2
    }

    [Fact]
    public void DivergedAndFailedRuns_CountInNoVerdict()
    {
        double Spread(int seed) => 0.001 * seed;
        var runs = Runs((o, s) => o == "sgd" ? (0.3 + Spread(s), 0.20 + Spread(s)) : (0.1 + Spread(s), 0.15 + Spread(s)));
        var before = Verdicts(runs);
        // A diverged eSGD run with a huge δE and error, and a failed one: the verdicts do not change, and the runs are listed.
        runs.Add(new FlatnessRunResult("mixture", "entropy-sgd", 6, TrainingStatus.Diverged, "loss became NaN", "") { TestError = 0.9, DeltaE = [0, 9, 9] });
        runs.Add(new FlatnessRunResult("mixture", "replicated-sgd", 7, TrainingStatus.Failed, "boom", ""));
        Assert.Equal(before, Verdicts(runs));
        var report = FlatnessReport.Build(Grid, runs, 1, 2);
        var table = report.Sections.Last().Tables[0];
        Assert.Contains(table.Rows, r => r[3] == "diverged" && r[4] == "no");
        Assert.Contains(table.Rows, r => r[3] == "failed" && r[4] == "no");

        // With fewer than two finished seeds of an optimizer there is no verdict.
        var few = runs.Where(r => r.Optimizer != "replicated-sgd" || r.Seed == 1).ToList();
        Assert.Equal(Verdict.NotApplicable, Verdicts(few)[0]);
        Assert.Equal(Verdict.NotApplicable, FlatnessReport.Build(Grid, [], 1, 2).Claims[2].Verdict);
    }

    [Fact]
    public void Spearman_MatchesHandComputedValues()
    {
        Assert.Equal(1, RankCorrelation.Spearman([1, 2, 3, 4], [10, 20, 30, 400]), 12);
        Assert.Equal(-1, RankCorrelation.Spearman([1, 2, 3, 4], [4, 3, 2, 1]), 12);
        // No ties: 1 − 6Σd²/(n(n² − 1)); ranks x = 1..5, y = 2,1,4,3,5: Σd² = 4, ρ = 1 − 24/120 = 0.8.
        Assert.Equal(0.8, RankCorrelation.Spearman([1, 2, 3, 4, 5], [0.2, 0.1, 0.4, 0.3, 0.5]), 12);
        // Ties share the mean rank: y = 1, 1, 2 has ranks 1.5, 1.5, 3; Pearson with 1, 2, 3 gives √3/2.
        Assert.Equal([1.5, 1.5, 3], RankCorrelation.Ranks([1, 1, 2]));
        Assert.Equal(Math.Sqrt(3) / 2, RankCorrelation.Spearman([1, 2, 3], [1, 1, 2]), 12);
        Assert.True(double.IsNaN(RankCorrelation.Spearman([1, 2, 3], [5, 5, 5])));
    }

    [Theory]
    [InlineData("0", "--scale 0: the flatness preset takes a scale in (0, 6]")]
    [InlineData("7", "--scale 7: the flatness preset takes a scale in (0, 6]")]
    public void BadScale_IsExit2_AndWritesNothing(string scale, string message)
    {
        string dir = tmp.File("out");
        var r = CliHarness.Run("verify", "--preset", "flatness", "--scale", scale, "--out", dir, "--quiet");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains(message, r.Err);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void ThePreset_IsRegistered_AndItsRunsUseEqualGradientBudgets()
    {
        Assert.IsType<FlatnessStudy>(PresetStudies.TryParse("flatness"));
        var c = FlatnessConfig.Scaled(1);
        foreach (var setting in FlatnessConfig.Settings)
        {
            var sgd = c.Spec(setting, "sgd", 1);
            int perEpoch = (sgd.N + sgd.BatchSize!.Value - 1) / sgd.BatchSize.Value, gradients = sgd.Epochs!.Value * perEpoch;
            var e = c.Spec(setting, "entropy-sgd", 1);
            Assert.True(e.FairBudget);
            Assert.Equal(sgd.Epochs, e.Epochs);                                                  // E·⌈n/B⌉/L outer steps of L
            var r = c.Spec(setting, "replicated-sgd", 1);
            Assert.Equal(gradients / 3, r.Steps);
            Assert.Equal(3, r.Replicas);
            Assert.NotNull(e.Gamma0);                                                            // explicit, not the automatic γ0
            Assert.NotNull(r.Gamma0);
            Assert.True(c.SgldLr * c.EntropyGamma0 * c.EntropyGammaMax < 2, "η′γ must stay below 2");
        }
        Assert.Equal(2 * c.FashionEpochs, FlatnessConfig.Scaled(2).FashionEpochs);
    }
}
