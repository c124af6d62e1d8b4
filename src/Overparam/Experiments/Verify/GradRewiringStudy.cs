using System.Globalization;
using Overparam.Reports;
using Overparam.Training;

namespace Overparam.Experiments.Verify;

/// <summary>One run of the gradr study as its report needs it (test accuracy 1 − test error, connectivity, the run's final values).</summary>
public sealed record GradRewiringRun(string Method, double Alpha, ulong Seed, string Folder, TrainingStatus Status, double TestAccuracy,
    double Connectivity, IReadOnlyDictionary<string, double> Final, string? Message = null);

/// <summary>
/// `verify --preset gradr`: pruning a spiking network with Grad R (Chen et al., IJCAI 2021; docs/mathematics.md §15–16)
/// on Fashion-MNIST at full resolution (784 inputs, T = 8, Adam's lr 1e-3, batch 64): unpruned Adam; Grad R at
/// p = 0.95 over a grid of α; the true-gradient ablation at one α; Deep R matched to each Grad R run (max_s = that run's
/// final sparsity, L1 scale = its α, T = 0); three seeds. Sizes: <see cref="GradRewiringConfig"/> (quick without
/// --scale; --scale s: the authors' 784 → 800 → 10 on ⌈60,000·s⌉ images). A run that fails is reported as failed and
/// left out of every verdict, as is a Deep R run whose matched Grad R run did not finish (it is not run).
/// </summary>
public sealed class GradRewiringStudy : PresetStudy
{
    private readonly GradRewiringConfig? fixedConfig;

    public GradRewiringStudy() { }

    /// <summary>A study of other sizes (tests); --scale is then ignored.</summary>
    public GradRewiringStudy(GradRewiringConfig config)
    {
        config.Check();
        fixedConfig = config;
    }

    public override string Name => "gradr";

    public override string Description => "gradr: Grad R (Chen et al. 2021) on a spiking 784-256-10 net, 2,000 Fashion-MNIST images, 10 epochs, "
        + "Adam vs Grad R over alpha vs Deep R at matched sparsity vs the true-gradient ablation, 3 seeds (minutes here); --scale s: 784-800-10 on 60000*s images";

    public override Report Run(PresetContext context)
    {
        var config = fixedConfig ?? (context.Scale is { } s ? GradRewiringConfig.Scaled(s) : new GradRewiringConfig());
        if (!Data.IdxData.HasPart(Data.DataSpec.FashionMnistDirectory, Data.IdxPart.Train))
            throw new RunSpecException($"--preset gradr needs Fashion-MNIST in {Data.DataSpec.FashionMnistDirectory} (apt-get install dataset-fashion-mnist)");
        var baseSpec = new RunSpec
        {
            Architecture = "snn", Depth = 1, Width = config.Width, Data = "fashion-mnist", Classes = Data.ClassSelection.All, N = config.N, NTest = config.NTest,
            RawInputs = true, DType = "float32", BatchSize = config.BatchSize, Epochs = config.Epochs, LrPolicy = "fixed", Lr = config.Lr,
            EvalEvery = config.Epochs, TimeSteps = config.TimeSteps,
        };
        var plan = new List<(string Method, double Alpha, ulong Seed)>();
        foreach (var seed in config.Seeds)
        {
            plan.Add(("adam", 0, seed));
            foreach (var a in config.Alphas) plan.Add(("grad-r", a, seed));
            plan.Add(("true-gradient", config.AblationAlpha, seed));
            foreach (var a in config.Alphas.Where(a => a > 0)) plan.Add(("deep-r", a, seed));
        }
        var results = new List<GradRewiringRun>();
        foreach (var (method, alpha, seed) in plan)
        {
            context.Cancel.ThrowIfCancellationRequested();
            string label = $"{method}-a{alpha.ToString("R", CultureInfo.InvariantCulture)}-s{seed}";
            context.Progress?.Report(new StudyProgress(results.Count, plan.Count, label));
            string folder = Path.Combine(context.Folder, "runs", label);
            var spec = (baseSpec with { Seed = seed }) with { Optimizer = method is "true-gradient" ? "grad-r" : method };
            if (method is "grad-r" or "true-gradient") spec = spec with { PriorAlpha = alpha, TargetSparsity = config.Sparsity, TrueGradient = method == "true-gradient" };
            if (method == "deep-r")
            {
                var matched = results.First(r => r.Method == "grad-r" && r.Alpha == alpha && r.Seed == seed);
                if (!Finished(matched))
                {
                    results.Add(new GradRewiringRun(method, alpha, seed, folder, TrainingStatus.Failed, double.NaN, double.NaN, new Dictionary<string, double>(),
                        $"not run: its matched Grad R run {Path.GetFileName(matched.Folder)} did not finish"));
                    continue;
                }
                spec = spec with { MaxSparsity = Math.Clamp(1 - matched.Connectivity, 0, 1), L1 = alpha, Temperature = 0 };
            }
            results.Add(RunOne(method, alpha, seed, spec, folder, context.Cancel));
        }
        context.Progress?.Report(new StudyProgress(results.Count, plan.Count, ""));
        return Build(config, results);
    }

    /// <summary>Trains one run; an error inside it (bad input, I/O) makes a failed run, Ctrl-C ends the study.</summary>
    private static GradRewiringRun RunOne(string method, double alpha, ulong seed, RunSpec spec, string folder, CancellationToken cancel)
    {
        RunOutcome outcome;
        try { outcome = RunExecutor.Execute(spec, folder, null, cancel); }
        catch (OperationCanceledException) { throw; }
        catch (Exception e) when (e is RunSpecException or ArgumentException or InvalidOperationException or IOException)
        {
            return new GradRewiringRun(method, alpha, seed, folder, TrainingStatus.Failed, double.NaN, double.NaN, new Dictionary<string, double>(), e.Message);
        }
        double error = outcome.Final.TryGetValue(MetricColumns.TestError, out var x) ? x : double.NaN;
        double connectivity = outcome.Final.TryGetValue(MetricColumns.Connectivity, out var c) ? c : double.NaN;
        return new GradRewiringRun(method, alpha, seed, folder, outcome.Status, 1 - error, connectivity, outcome.Final, outcome.Message);
    }

    /// <summary>The run ran its whole budget and has a test accuracy: the only runs any verdict, mean or plot uses.</summary>
    public static bool Finished(GradRewiringRun r) => r.Status is TrainingStatus.BudgetExhausted or TrainingStatus.Converged && double.IsFinite(r.TestAccuracy);

    private static string P(double v) => double.IsFinite(v) ? (100 * v).ToString("0.00", CultureInfo.InvariantCulture) + " %" : "n/a";
    private static string F(double v) => ReportFormat.General(v);

    private static (double Mean, int Count) Mean(IEnumerable<GradRewiringRun> runs, Func<GradRewiringRun, double> value)
    {
        var v = runs.Where(Finished).Select(value).Where(double.IsFinite).ToArray();
        return (v.Length == 0 ? double.NaN : v.Average(), v.Length);
    }

    /// <summary>The report of <paramref name="results"/> (one per planned run, failed ones included) at the sizes of <paramref name="config"/>.</summary>
    public static Report Build(GradRewiringConfig config, IReadOnlyList<GradRewiringRun> results)
    {
        var failed = results.Where(r => !Finished(r)).ToList();
        var adam = Mean(results.Where(r => r.Method == "adam"), r => r.TestAccuracy);
        var points = config.Alphas.Select(a => (Alpha: a,
            Accuracy: Mean(results.Where(r => r.Method == "grad-r" && r.Alpha == a), r => r.TestAccuracy).Mean,
            Connectivity: Mean(results.Where(r => r.Method == "grad-r" && r.Alpha == a), r => r.Connectivity).Mean,
            DeepAccuracy: Mean(results.Where(r => r.Method == "deep-r" && r.Alpha == a), r => r.TestAccuracy).Mean,
            DeepConnectivity: Mean(results.Where(r => r.Method == "deep-r" && r.Alpha == a), r => r.Connectivity).Mean)).ToArray();

        var claims = new ClaimTable();
        // 1. connectivity falls monotonically with α
        var conn = points.Select(p => p.Connectivity).ToArray();
        claims.Add($"Connectivity falls monotonically as α grows (Grad R, p = {F(config.Sparsity)}, mean over seeds)", conn.Any(c => !double.IsFinite(c))
            ? VerdictResult.NotApplicable("a Grad R point has no finished run")
            : new VerdictResult(conn.Zip(conn.Skip(1)).All(t => t.Second < t.First) ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes,
                "connectivity at α = " + string.Join(", ", points.Select(p => $"{F(p.Alpha)}: {P(p.Connectivity)}"))));
        // 2. accuracy within 3.5 points at low connectivity
        var within = points.Where(p => double.IsFinite(p.Accuracy) && adam.Mean - p.Accuracy <= 0.035).OrderBy(p => p.Connectivity).ToArray();
        var lowest = points.Where(p => double.IsFinite(p.Connectivity)).OrderBy(p => p.Connectivity).FirstOrDefault();
        claims.Add("Grad R keeps accuracy within 3.5 points of unpruned Adam at connectivity ≤ 10 % (the paper: ~3.5 points at 0.73 %, CIFAR-10)",
            !double.IsFinite(adam.Mean) || within.Length == 0 && lowest == default ? VerdictResult.NotApplicable("no finished Adam or Grad R runs")
            : new VerdictResult(within.Length > 0 && within[0].Connectivity <= 0.10 ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes,
                (within.Length > 0 ? $"lowest connectivity within 3.5 points: {P(within[0].Connectivity)} (α = {F(within[0].Alpha)}, {F(100 * (adam.Mean - within[0].Accuracy))} points below Adam's {P(adam.Mean)})"
                    : "no Grad R point within 3.5 points") + $"; at the lowest connectivity {P(lowest.Connectivity)} (α = {F(lowest.Alpha)}) the loss is {F(100 * (adam.Mean - lowest.Accuracy))} points"));
        // 3. Grad R vs Deep R at matched connectivity
        var pairs = points.Where(p => p.Alpha > 0 && double.IsFinite(p.Accuracy) && double.IsFinite(p.DeepAccuracy)).ToArray();
        claims.Add("Grad R is at least as accurate as Deep R at matched connectivity (within 0.5 points, each α > 0)", pairs.Length == 0
            ? VerdictResult.NotApplicable("no matched pairs finished")
            : new VerdictResult(pairs.All(p => p.Accuracy >= p.DeepAccuracy - 0.005) ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes,
                string.Join("; ", pairs.Select(p => $"α = {F(p.Alpha)}: Grad R {P(p.Accuracy)} at {P(p.Connectivity)}, Deep R {P(p.DeepAccuracy)} at {P(p.DeepConnectivity)}"))));
        // 4. regrowth
        long Regrown(GradRewiringRun r) => (long)r.Final.Where(kv => kv.Key.StartsWith("regrown_", StringComparison.Ordinal)).Sum(kv => kv.Value);
        var gradR = results.Where(r => Finished(r) && r.Method == "grad-r" && r.Alpha == config.AblationAlpha).ToArray();
        var ablation = results.Where(r => Finished(r) && r.Method == "true-gradient").ToArray();
        claims.Add($"Regrowth happens under Grad R and not under the true-gradient ablation (α = {F(config.AblationAlpha)}, p = {F(config.Sparsity)})", gradR.Length == 0 || ablation.Length == 0
            ? VerdictResult.NotApplicable("no finished runs")
            : new VerdictResult(gradR.All(r => Regrown(r) > 0) && ablation.All(r => Regrown(r) == 0) ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes,
                $"regrown synapses: Grad R {string.Join(", ", gradR.Select(Regrown))}; true gradient {string.Join(", ", ablation.Select(Regrown))} (per seed)"));

        var seriesGradR = new Series("Grad R", points.Select(p => p.Connectivity).ToArray(), points.Select(p => p.Accuracy).ToArray());
        var deep = points.Where(p => p.Alpha > 0).ToArray();
        var seriesDeep = new Series("Deep R (matched)", deep.Select(p => p.DeepConnectivity).ToArray(), deep.Select(p => p.DeepAccuracy).ToArray());
        var ablationPoint = (Mean(ablation, r => r.Connectivity).Mean, Mean(ablation, r => r.TestAccuracy).Mean);
        var xs = points.Select(p => p.Connectivity).Concat(deep.Select(p => p.DeepConnectivity)).Where(v => double.IsFinite(v) && v > 0).DefaultIfEmpty(1).ToArray();
        var adamLine = new Series("Adam (unpruned)", [xs.Min(), 1], [adam.Mean, adam.Mean], SeriesStyle.Line);
        var accuracyPlot = new PlotSpec
        {
            Title = "Test accuracy against connectivity", XLabel = "connectivity (|w| ≥ 1e-10, prunable weights)", YLabel = "test accuracy", LogX = true,
            Series = [seriesGradR, seriesDeep, new Series("true gradient", [ablationPoint.Item1], [ablationPoint.Item2], SeriesStyle.Markers), adamLine],
            Name = "accuracy_vs_connectivity", Caption = "Means over seeds; the line is unpruned Adam.",
        };
        var regrowth = new List<Series>();
        foreach (var r in results.Where(r => Finished(r) && r.Seed == config.Seeds[0] && (r.Method == "true-gradient" || r.Method == "grad-r" && r.Alpha == config.AblationAlpha)))
        {
            var rows = ReadMetrics(Path.Combine(r.Folder, "metrics.csv"));
            regrowth.Add(new Series($"{r.Method} α = {F(r.Alpha)}", rows.Select(m => m["step"]).ToArray(),
                rows.Select(m => m.Where(kv => kv.Key.StartsWith("regrown_", StringComparison.Ordinal)).Sum(kv => kv.Value)).ToArray(), SeriesStyle.Line));
        }
        var regrowthPlot = new PlotSpec
        {
            Title = "Regrown synapses over training (cumulative, seed 1)", XLabel = "step", YLabel = "regrown synapses", Series = regrowth, Name = "regrowth",
        };
        string[] header = ["method", "α", "seeds finished", "test accuracy", "connectivity", "connectivity W1", "connectivity a", "regrown", "spike rate hidden", "spike rate output"];
        var rowsTable = new List<string[]>();
        foreach (var group in results.GroupBy(r => (r.Method, r.Alpha)))
        {
            var done = group.Where(Finished).ToArray();
            string M(string key) => done.Length == 0 ? "n/a" : F(done.Select(r => r.Final.TryGetValue(key, out var v) ? v : double.NaN).Average());
            rowsTable.Add([group.Key.Method, F(group.Key.Alpha), $"{done.Length}/{group.Count()}", P(Mean(group, r => r.TestAccuracy).Mean),
                P(Mean(group, r => r.Connectivity).Mean), M("connectivity_W1"), M("connectivity_a"),
                done.Length == 0 ? "n/a" : F(done.Average(r => (double)Regrown(r))), M("spike_rate_1"), M("spike_rate_2")]);
        }
        var intro = new List<string>
        {
            $"A spiking network 784 → {config.Width} → 10 (LIF, τ = 2, ATan surrogate α = 2, T = {config.TimeSteps}, direct encoding, rate readout, MSE loss) trained on the first {config.N} Fashion-MNIST training images "
            + $"(full resolution, pixels in [0, 1]) for {config.Epochs} epochs with batch {config.BatchSize} and Adam's lr {F(config.Lr)}, tested on {(config.NTest is null ? "all 10,000" : $"the first {config.NTest}")} test images, seeds {string.Join(", ", config.Seeds)}.",
            $"Methods: unpruned Adam; Grad R at p = {F(config.Sparsity)} for α in {{{string.Join(", ", config.Alphas.Select(F))}}}; the true-gradient ablation at α = {F(config.AblationAlpha)}; Deep R (T = 0, L1 scale = the α, "
            + "max_s = the matched Grad R run's final sparsity). Verdict thresholds (3.5 points at ≤ 10 % connectivity; 0.5 points for Grad R vs Deep R) are this report's choices.",
        };
        if (failed.Count > 0) intro.Add($"{failed.Count} run(s) did not finish and are left out of every verdict: {string.Join(", ", failed.Select(r => $"{Path.GetFileName(r.Folder)} ({TrainingStatusText.Name(r.Status)}{(r.Message is { } m ? ": " + m : "")})"))}.");
        return new Report("Grad R: pruning a spiking network")
        {
            Intro = intro,
            Claims = claims,
            Sections =
            [
                new ReportSection("Accuracy against connectivity") { Plots = [accuracyPlot] },
                new ReportSection("Regrowth") { Plots = [regrowthPlot], Paragraphs = ["Cumulative counts of synapses whose θ went from ≤ 0 to > 0 (metrics.csv regrown_NAME)."] },
                new ReportSection("Per method") { Tables = [new ReportTable(header, rowsTable.ToArray(), "Means over finished seeds; connectivity per layer, regrown synapses and spike rates from each run's last step.")] },
            ],
        };
    }

    private static List<Dictionary<string, double>> ReadMetrics(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => l.Split(',')).Select(f => header.Select((h, i) => (h, v: i < f.Length && double.TryParse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : double.NaN))
            .Where(t => double.IsFinite(t.v)).ToDictionary(t => t.h, t => t.v)).ToList();
    }
}
