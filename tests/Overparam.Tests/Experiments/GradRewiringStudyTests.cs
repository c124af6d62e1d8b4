using Overparam.Data;
using Overparam.Experiments;
using Overparam.Experiments.Verify;
using Overparam.Reports;
using Overparam.Tests.Cli;
using Overparam.Training;

namespace Overparam.Tests.Experiments;

/// <summary>`verify --preset gradr`: the study at a tiny size through the CLI, and its verdicts computed from finished runs only.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class GradRewiringStudyTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static bool FashionMnistInstalled => File.Exists(Path.Combine(DataSpec.FashionMnistDirectory, "train-images-idx3-ubyte.gz"));

    /// <summary>A test-only size: 784 → 16 → 10, T = 4, 128 images, 2 epochs, 2 seeds, α ∈ {0, 0.1, 1}: 14 runs.</summary>
    private static readonly GradRewiringConfig Tiny = new()
    {
        Width = 16, N = 128, NTest = 100, Epochs = 2, BatchSize = 64, TimeSteps = 4, Lr = 1e-2, Alphas = [0, 0.1, 1], AblationAlpha = 0.1, Seeds = [1, 2],
    };

    /// <summary>The tiny study under its own preset name, so that the CLI runs it as it runs `--preset gradr`.</summary>
    private sealed class TinyGradR : PresetStudy
    {
        public override string Name => "gradr-tiny-test";
        public override string Description => "gradr-tiny-test: the gradr study at a test size";
        public override Report Run(PresetContext context) => new GradRewiringStudy(Tiny).Run(context);
    }

    private static readonly string[] Methods = ["adam", "grad-r", "true-gradient", "deep-r"];

    [Fact]
    [Trait("Category", "Slow")]
    public void TinyStudy_ThroughTheCli_WritesTheReport_WithFourComputedVerdicts()
    {
        if (!FashionMnistInstalled) return;
        if (PresetStudies.TryParse("gradr-tiny-test") is null) PresetStudies.Register(new TinyGradR());
        string dir = tmp.File("gradr");
        var r = CliHarness.Run("verify", "--preset", "gradr-tiny-test", "--out", dir, "--threads", "1", "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var f in new[] { "report.html", "report.md", "accuracy_vs_connectivity.png", "accuracy_vs_connectivity.csv", "regrowth.png", "regrowth.svg" })
            Assert.True(new FileInfo(Path.Combine(dir, f)) is { Exists: true, Length: > 0 }, $"{f} missing");
        // Every planned run finished: 2 seeds × (Adam, 3 Grad R, the ablation, 2 Deep R).
        var runs = Directory.GetDirectories(Path.Combine(dir, "runs")).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(14, runs.Length);
        foreach (var run in runs)
            Assert.Contains("\"status\": \"budget_exhausted\"", File.ReadAllText(Path.Combine(dir, "runs", run!, "summary.json")));
        // Four claims, each judged from the data (holds or does not hold, not "not enough data").
        var claimLines = r.Out.Split('\n').Where(l => l.TrimStart().StartsWith('[')).ToArray();
        Assert.Equal(4, claimLines.Length);
        Assert.All(claimLines, l => Assert.True(l.Contains("[holds]") || l.Contains("[does not hold"), l));
        string md = File.ReadAllText(Path.Combine(dir, "report.md"));
        foreach (var claim in new[] { "Connectivity falls monotonically", "Grad R keeps accuracy within", "at least as accurate as Deep R", "Regrowth happens under Grad R" })
            Assert.Contains(claim, md);
        Assert.DoesNotContain("did not finish", md);
        foreach (var method in Methods) Assert.Matches($@"\| {method} \| [0-9.]+ \| 2/2 \|", md);
    }

    /// <summary>Constructed runs whose finished values make all four claims hold; the unfinished ones carry values that would break each claim.</summary>
    private List<GradRewiringRun> Runs(TrainingStatus unfinished)
    {
        var runs = new List<GradRewiringRun>();
        GradRewiringRun Run(string method, double alpha, ulong seed, double accuracy, double connectivity, double regrown = 0, TrainingStatus status = TrainingStatus.BudgetExhausted)
        {
            string folder = tmp.File($"{method}-a{alpha}-s{seed}");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "metrics.csv"), $"step,loss,regrown_W1\n0,0.1,0\n1,0.09,{regrown}\n");
            return new GradRewiringRun(method, alpha, seed, folder, status, accuracy, connectivity,
                new Dictionary<string, double> { ["regrown_W1"] = regrown, ["connectivity_W1"] = connectivity });
        }
        foreach (ulong seed in new ulong[] { 1, 2 })
        {
            bool second = seed == 2;
            runs.Add(Run("adam", 0, seed, 0.80, 1));
            runs.Add(Run("grad-r", 0, seed, 0.80, 0.90));
            runs.Add(Run("grad-r", 0.1, seed, 0.79, 0.50, regrown: 10));
            // Counted, this run would lift α = 1's connectivity above α = 0.1's and its accuracy 35 points below Adam's and Deep R's.
            runs.Add(second ? Run("grad-r", 1, seed, 0.10, 0.99, status: unfinished) : Run("grad-r", 1, seed, 0.78, 0.05));
            // Counted, this ablation run's regrowth would break the regrowth claim.
            runs.Add(second ? Run("true-gradient", 0.1, seed, 0.75, 0.40, regrown: 50, status: unfinished) : Run("true-gradient", 0.1, seed, 0.75, 0.40));
            runs.Add(Run("deep-r", 0.1, seed, 0.70, 0.50));
            runs.Add(Run("deep-r", 1, seed, 0.60, 0.05));
        }
        return runs;
    }

    [Theory]
    [InlineData(TrainingStatus.Diverged)]
    [InlineData(TrainingStatus.Failed)]
    [InlineData(TrainingStatus.Stopped)]
    public void UnfinishedRuns_CountInNoVerdict_AndAreListed(TrainingStatus unfinished)
    {
        var report = GradRewiringStudy.Build(Tiny, Runs(unfinished));
        Assert.Equal(4, report.Claims.Count);
        Assert.All(report.Claims, c => Assert.Equal(Verdict.Holds, c.Verdict));
        // The means are of the finished runs: connectivity 90 %, 50 %, 5 % (seed 1 alone at α = 1); Adam 80 %, Grad R at α = 1 78 %.
        Assert.Equal("connectivity at α = 0: 90.00 %, 0.1: 50.00 %, 1: 5.00 %", report.Claims[0].Measured);
        Assert.StartsWith("lowest connectivity within 3.5 points: 5.00 % (α = 1, 2 points below Adam's 80.00 %)", report.Claims[1].Measured);
        Assert.Equal("regrown synapses: Grad R 10, 10; true gradient 0 (per seed)", report.Claims[3].Measured);
        string intro = string.Join("\n", report.Intro);
        Assert.Contains("2 run(s) did not finish and are left out of every verdict", intro);
        Assert.Contains($"grad-r-a1-s2 ({TrainingStatusText.Name(unfinished)}", intro);
        Assert.Contains($"true-gradient-a0.1-s2 ({TrainingStatusText.Name(unfinished)}", intro);
    }

    [Fact]
    public void NoFinishedAblationRun_LeavesTheRegrowthClaimWithoutData()
    {
        var runs = Runs(TrainingStatus.Diverged).Select(r => r.Method == "true-gradient" ? r with { Status = TrainingStatus.Failed } : r).ToList();
        var report = GradRewiringStudy.Build(Tiny, runs);
        Assert.Equal(Verdict.NotApplicable, report.Claims[3].Verdict);
        Assert.Equal(Verdict.Holds, report.Claims[0].Verdict);
    }

    [Fact]
    public void Config_RejectsAnAblationAlphaOffTheGrid_AndScaleOutOfRange()
    {
        Assert.Throws<ArgumentException>(() => new GradRewiringStudy(Tiny with { AblationAlpha = 0.3 }));
        Assert.Throws<RunSpecException>(() => GradRewiringConfig.Scaled(0));
        Assert.Throws<RunSpecException>(() => GradRewiringConfig.Scaled(1.5));
        var full = GradRewiringConfig.Scaled(1);
        Assert.Equal((800, 60000, (int?)null, 20), (full.Width, full.N, full.NTest, full.Epochs));
        Assert.Equal(30, GradRewiringConfig.Scaled(0.0005).N);                          // ⌈60,000 · 0.0005⌉
    }
}
