using Overparam.Reports;
using System.Diagnostics;
using Overparam.Experiments.Sweeps;
using Overparam.Experiments.Sweeps.CriticalWidth;
using Overparam.Training;

namespace Overparam.Tests.Sweeps;

public class SweepRunTests
{
    /// <summary>24 small cells of ~0.05–0.2 s each (the step budget always runs out: target loss 0).</summary>
    private const string KillSpec = """
        base: { architecture: fc, n: 8, d: 4, lr: 0.05, target_loss: 0 }
        grid:
          depth: [1, 2]
          width: [16, 32, 64]
        seeds: 4
        steps: 1500
        """;

    [Fact]
    [Trait("Category", "Slow")]
    public void KilledSweepResumesWithEveryCellOnceAndIdenticalValues()
    {
        using var dir = new TempDirectory();
        dir.Write("spec.yaml", KillSpec);
        int total = SweepSpec.Load(dir.File("spec.yaml")).Resolve().Count;

        // interrupted run: two worker processes, SIGKILL on the sweep process once some (not all) cells are recorded
        using (var p = Process.Start(CliProcess.StartInfo(dir.Path, "sweep", "spec.yaml", "--out", "killed", "--jobs", "2", "--threads", "1"))!)
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            int recorded = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(60) && !p.HasExited)
            {
                recorded = Recorded(dir.File("killed"));
                if (recorded >= 3) break;
                Thread.Sleep(20);
            }
            Assert.False(p.HasExited, "the sweep finished before it could be killed");
            using (var kill = Process.Start("kill", ["-9", p.Id.ToString()])) kill.WaitForExit();
            p.WaitForExit();
            Assert.Equal(137, p.ExitCode);   // 128 + SIGKILL
        }
        int afterKill = Recorded(dir.File("killed"));
        Assert.InRange(afterKill, 3, total - 1);

        var (exit, stdout, _) = CliProcess.Run(dir.Path, "sweep", "spec.yaml", "--out", "killed", "--threads", "1");
        Assert.Equal(0, exit);
        Assert.Contains($"{total} cells, {afterKill} already done", stdout);
        (exit, _, _) = CliProcess.Run(dir.Path, "sweep", "spec.yaml", "--out", "clean", "--threads", "1");
        Assert.Equal(0, exit);

        using var killed = ResultStore.Open(dir.File("killed"));
        using var clean = ResultStore.Open(dir.File("clean"));
        var a = killed.All();
        var b = clean.All().ToDictionary(r => r.Key);
        Assert.Equal(total, a.Count);
        Assert.Equal(total, a.Select(r => r.Key).Distinct().Count());
        foreach (var r in a)
        {
            var c = b[r.Key];
            Assert.Equal((c.Status, c.Steps, c.SpecJson), (r.Status, r.Steps, r.SpecJson));
            Assert.Equal(c.InitialLoss, r.InitialLoss);   // bitwise: same seed, same machine, one thread
            Assert.Equal(c.FinalLoss, r.FinalLoss);
            Assert.Equal(c.Eta, r.Eta);
        }
    }

    private static int Recorded(string folder)
    {
        if (!ResultStore.Exists(folder)) return 0;
        try
        {
            using var store = ResultStore.Open(folder);
            return store.Keys().Count;
        }
        catch (Microsoft.Data.Sqlite.SqliteException) { return 0; }   // created but not yet initialized
    }

    [Fact]
    public void DivergedCellIsRecordedAndTheSweepCompletes()
    {
        using var dir = new TempDirectory();
        dir.Write("spec.json", """{"base": {"n": 8, "d": 4, "depth": 2, "width": 16, "steps": 200}, "grid": {"lr": [0.05, 1e6, 0.02]}}""");
        var (exit, stdout, _) = CliProcess.Run(dir.Path, "sweep", "spec.json", "--out", "o", "--threads", "1");
        Assert.Equal(0, exit);
        using var store = ResultStore.Open(dir.File("o"));
        var records = store.All();
        Assert.Equal(3, records.Count);
        Assert.Equal([TrainingStatus.BudgetExhausted, TrainingStatus.Diverged, TrainingStatus.BudgetExhausted],
            records.Select(r => r.Status == TrainingStatus.Converged ? TrainingStatus.BudgetExhausted : r.Status));
        Assert.False(string.IsNullOrEmpty(records[1].Reason));

        (exit, stdout, _) = CliProcess.Run(dir.Path, "sweep", "status", "o");
        Assert.Equal(0, exit);
        Assert.Contains("diverged 1, remaining 0", stdout);
        Assert.Contains($"diverged {records[1].Key}", stdout);

        (exit, stdout, _) = CliProcess.Run(dir.Path, "sweep", "report", "o");
        Assert.Equal(0, exit);
        string md = File.ReadAllText(Path.Combine(dir.File("o"), "report", "summary.md"));
        Assert.Contains("| lr | seeds | converged | final_loss", md);
        Assert.True(File.Exists(Path.Combine(dir.File("o"), "report", "summary.tex")));
        Assert.True(File.Exists(Path.Combine(dir.File("o"), "report", "summary.csv")));
    }

    [Fact]
    public void ReportOfAProbedSweepPlotsTheGramDriftAgainstWidth()
    {
        using var dir = new TempDirectory();
        dir.Write("spec.json", """{"base": {"n": 8, "d": 4, "depth": 2, "activation": "tanh", "lr_policy": "stable", "steps": 40, "probe_every": 10}, "grid": {"width": [16, 32, 64]}}""");
        var (exit, _, err) = CliProcess.Run(dir.Path, "sweep", "spec.json", "--out", "o", "--threads", "1");
        Assert.True(exit == 0, err);
        (exit, _, err) = CliProcess.Run(dir.Path, "sweep", "report", "o");
        Assert.True(exit == 0, err);
        using var store = ResultStore.Open(dir.File("o"));
        var records = store.All();
        // The plot's CSV holds each width's final relative Gram drift as recorded in the store (one seed: the mean is the value).
        var plotted = PlotCsv.Read(File.ReadAllText(Path.Combine(dir.File("o"), "report", "gh_drift_rel_vs_width.csv"))).Single();
        var expected = records.OrderBy(r => r.CellIndex).Select(r => r.Final["gh_drift_rel"]).ToArray();
        Assert.Equal(new double[] { 16, 32, 64 }, plotted.X);
        Assert.Equal(expected, plotted.Y);
        Assert.DoesNotContain(records, r => r.Final.ContainsKey("seconds"));
    }

    [Theory]
    [InlineData(1, 1, 100)]
    [InlineData(37, 2, 100)]
    [InlineData(64, 4, 1000)]
    [InlineData(65, 4, 1000)]
    [InlineData(999, 1, 1000)]
    public void BisectionFindsTheExactThresholdEvaluatingEachWidthOnce(int threshold, int min, int max)
    {
        var tried = new List<int>();
        var (m, status) = WidthBisection.Find(w => { tried.Add(w); return w >= threshold; }, min, max);
        Assert.Equal(threshold <= min ? min : threshold, m);
        Assert.Equal(threshold <= min ? BisectionStatus.AtMinimum : BisectionStatus.Found, status);
        Assert.Equal(tried.Count, tried.Distinct().Count());
        Assert.Equal((null, BisectionStatus.AboveMaximum), WidthBisection.Find(w => w > max, min, max));
    }

    [Fact]
    public void CriticalWidthOfOutputLayerTrainingIsTheSampleCount()
    {
        // Training only a: the NTK is X_H X_Hᵀ (n × n, rank ≤ m), so zero loss needs m ≥ n.
        using var dir = new TempDirectory();
        var template = new Overparam.Experiments.RunSpec { D = 16, Train = "output", LrPolicy = "stable", Steps = 5000, TargetLoss = 1e-6 };
        using var store = ResultStore.Open(dir.Path);
        var search = new CriticalWidthSearch(template, seeds: 1, fraction: 1, minWidth: 2, maxWidth: 64, store,
            new InProcessExecutor(new ExecutorCellRunner()));
        var result = search.Find(new CriticalWidthQuery("fc", 1, 12, "softplus"));
        Assert.Equal(BisectionStatus.Found, result.Status);
        Assert.InRange(result.MStar!.Value, 12, 13);   // 12, or one bisection step above (an ill-conditioned square X_H)
        Assert.True(result.Evaluations.Single(e => e.Width == result.MStar - 1).Converged == 0);

        // a rerun reuses every evaluation from the store
        int before = store.Keys().Count;
        var again = search.Find(new CriticalWidthQuery("fc", 1, 12, "softplus"));
        Assert.Equal(result.MStar, again.MStar);
        Assert.Equal(before, store.Keys().Count);
    }

    [Fact]
    public void BisectionStopsWhenTheEvidenceContradictsMonotonicity()
    {
        var tried = new List<int>();
        var (m, status) = WidthBisection.Find(w => { tried.Add(w); return w == 8 ? null : false; }, 2, 64);
        Assert.Equal((null, BisectionStatus.NonMonotone), (m, status));
        Assert.Equal([2, 4, 8], tried);
    }

    /// <summary>A run that converges for the (width, seed) pairs given and exhausts its budget otherwise: the search rule alone.</summary>
    private sealed class ScriptedRuns(Func<int, ulong, bool> converges) : ICellRunner
    {
        public Overparam.Experiments.RunOutcome Run(Overparam.Experiments.RunSpec spec, CancellationToken cancel) =>
            new(converges(spec.Width, spec.Seed) ? Overparam.Training.TrainingStatus.Converged : Overparam.Training.TrainingStatus.BudgetExhausted,
                10, 1, 0.5, 0, 0.1, null, new Dictionary<string, double>(), null);
    }

    [Theory]
    // The softplus case: 2 of 3 seeds at m = 8 (not enough for all 3), none wider: stop at m = 16, where 2 − 0 ≥ max(2, ⌈3/2⌉).
    [InlineData("8:1,2", 3, 1.0, null, BisectionStatus.NonMonotone, new[] { 2, 4, 8, 16 })]
    // With two seeds, one converging at m = 4 and none at m = 6, 7 is a drop of one seed: left to chance.
    [InlineData("4:1;8-64:1,2", 2, 1.0, 8, BisectionStatus.Found, new[] { 2, 4, 8, 6, 7 })]
    // One seed fewer over a doubling (3 of 4 → 2 of 4) is within the rule's noise allowance: the search goes on.
    [InlineData("8:1,2,3;16-26:1,2;27-64:1,2,3,4", 4, 1.0, 27, BisectionStatus.Found, new[] { 2, 4, 8, 16, 32, 23, 27, 25, 26 })]
    // --fraction 0.5 with 3 seeds needs ⌈1.5⌉ = 2: 2 of 3 at m = 8 succeeds, and bisection goes below it.
    [InlineData("8:1,2", 3, 0.5, 8, BisectionStatus.Found, new[] { 2, 4, 8, 6, 7 })]
    public void CriticalWidthSearchAppliesItsRuleAndStopsOnNonMonotoneEvidence(string script, int seeds, double fraction, int? mStar,
        BisectionStatus status, int[] widths)
    {
        // "a-b:s,t" or "a:s,t": the seeds that converge at widths a … b.
        var converged = new Dictionary<int, HashSet<ulong>>();
        foreach (var part in script.Split(';').Select(p => p.Split(':')))
        {
            var range = part[0].Split('-').Select(int.Parse).ToArray();
            for (int m = range[0]; m <= range[^1]; m++) converged[m] = part[1].Split(',').Select(ulong.Parse).ToHashSet();
        }
        using var dir = new TempDirectory();
        using var store = ResultStore.Open(dir.Path);
        var lines = new List<string>();
        var search = new CriticalWidthSearch(new Overparam.Experiments.RunSpec(), seeds, fraction, 2, 64, store,
            new InProcessExecutor(new ScriptedRuns((m, s) => converged.TryGetValue(m, out var set) && set.Contains(s))), lines.Add);
        var result = search.Find(new CriticalWidthQuery("fc", 1, 8, "softplus"));
        Assert.Equal(status, result.Status);
        Assert.Equal(mStar, result.MStar);
        Assert.Equal(widths, result.Evaluations.Select(e => e.Width));
        if (status == BisectionStatus.NonMonotone)
            Assert.Contains(lines, l => l.Contains("0/3 seeds converged, but 2/3 at m=8: success is not monotone in m"));
        Assert.Contains(lines, l => l.StartsWith("  m=2 seed 1: budget_exhausted after 10 steps"));
    }
}
