using Overparam.Reports;

namespace Overparam.Experiments.Verify;

/// <summary>
/// The report of `verify --preset recipe` (<see cref="RecipeStudy"/>), a pure function of the runs: the paper's Table 1
/// layout (data set, n, condition verified, test error of base and A(base) as mean (sd) over seeds), the claims, the
/// training-loss and σ_min(Φ_t)/s_τ curves, and every run. Only <see cref="RecipeRun.Finished"/> runs enter a verdict;
/// the others are listed with their status. Two means are "within noise" when |Δ| ≤ 2·se, se = sqrt(sd₁²/n₁ + sd₂²/n₂)
/// over the finished seeds (at least <see cref="MinSeeds"/> each).
/// </summary>
public static class RecipeReport
{
    public const int MinSeeds = 2;

    private static string Label(string method) => method == "two-phase" ? "A(SGD)" : "SGD";
    private static string G(double v) => ReportFormat.General(v);
    private static string Percent(double v) => double.IsFinite(v) ? (100 * v).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : "n/a";
    private static string PercentMeanSd(IEnumerable<double> v)
    {
        var m = MeanSd.Of(v);
        return m.Count == 0 ? "n/a" : m.Count == 1 ? $"{Percent(m.Mean)} (one seed)" : $"{Percent(m.Mean)} ({Percent(m.Sd)})";
    }

    /// <summary>
    /// The finished A(SGD) runs whose every step's loss equals their seed's finished SGD run's: in the reconstruction phase 2
    /// is the base step unless a check rejects, so without a rejection A(SGD) is SGD step for step.
    /// </summary>
    public static int IdenticalToBase(IReadOnlyList<RecipeRun> runs, string setting, out int pairs)
    {
        var matched = runs.Where(a => a.Setting == setting && a.Method == "two-phase" && a.Finished)
            .Select(a => (A: a, B: runs.FirstOrDefault(b => b.Setting == setting && b.Method == "sgd" && b.Seed == a.Seed && b.Finished)))
            .Where(p => p.B is not null).ToArray();
        pairs = matched.Length;
        return matched.Count(p => p.A.StepLoss.SequenceEqual(p.B!.StepLoss));
    }

    public static Report Build(RecipeConfig config, IReadOnlyList<RecipeRun> runs, double seconds, int workers, IReadOnlyList<string> notRun)
    {
        var settings = runs.Select(r => r.Setting).Distinct().ToArray();
        var claims = new ClaimTable()
            .Add("The expressivity condition (rank Φ_τ = n) holds at τ on every data set", ConditionAtTau(runs, settings))
            .Add("A(base) reaches training error 0 and its training loss keeps falling in phase 2", ReachesZeroAndFalls(runs, config))
            .Add("σ_min(Φ_t) ≥ s_τ/2 throughout phase 2 (at every check, once per epoch)", SigmaKept(runs, 0.5))
            .Add("The test error of A(base) is within noise of base's (|Δ| ≤ 2 standard errors over seeds)", TestErrorWithinNoise(runs, settings));
        var failed = runs.Where(r => !r.Finished).ToList();
        var intro = new List<string>
        {
            "Kawaguchi & Sun, \"A recipe for global convergence guarantee in deep neural networks\" (AAAI 2021): a two-phase modification A(base) of any first-order method that, once the expressivity condition holds at the switch τ, keeps the rank condition while the output layer follows a convex descent, with \"generalization performances comparable with those of the heuristic algorithm, with the same hyper-parameters and total number of iterations\".",
            $"The two-phase rule run here (docs/mathematics.md §14) is a {TwoPhaseRecord<double>.Rule}.",
            $"Setup: a residual MLP d → {config.Width} → {config.Depth - 2} residual block(s) at {config.Width} → a widening softplus layer of M_H = {config.FeatureWidth} → linear output (softplus throughout, standard parameterization with biases, cross-entropy), without and with batch norm (PyTorch's BatchNorm1d on every layer's pre-activation, its statistics frozen at τ; the rows and plots named \"-bn\"); "
            + $"SGD with momentum {G(config.Momentum)}, η = {G(config.Lr)} with a cosine schedule, batch {config.BatchSize}, {config.Epochs} epochs; A(SGD) switches at τ = {config.Tau} epochs and checks σ_min(Φ_t) once per epoch (keep ratio 1/2); {config.Seeds} seeds (weights and batch order), the same data for every run. "
            + $"Data: the first n = {config.N} Fashion-MNIST training images (28 × 28, standardized per pixel, 10 classes) tested on the first {config.NTest} test images; a binary Gaussian mixture x = yμ + N(0, I) in R^{config.MixtureD} with Bayes error {G(config.MixtureBayesError)}, n = {config.N}, {config.NTest} test samples. "
            + $"η = 0.05 (the usual value with batch norm) collapses Φ without batch norm (measured: rank 945 of 1000 after three epochs on Fashion-MNIST), hence η = {G(config.Lr)} for every row.",
            $"{runs.Count(r => r.Finished)} of {runs.Count} runs finished; {seconds:F0} s in all ({workers} run(s) at a time, one thread each)."
            + (config.Scale == 1 ? "" : $" --scale {G(config.Scale)}."),
            "In this reconstruction phase 2 takes the base step on all layers and only a failed check changes anything (the hidden weights restored, their rate halved), so an A(SGD) run without a rejection equals its seed's SGD run step for step; Table 1 counts them.",
        };
        intro.AddRange(notRun);
        if (failed.Count > 0)
            intro.Add($"{failed.Count} run(s) did not finish and are left out of every verdict: {string.Join(", ", failed.Select(r => $"{Path.GetFileName(r.Folder)} ({r.Status}{(r.Message is null ? "" : ": " + r.Message)})"))}.");
        var sections = new List<ReportSection> { TableOne(config, runs, settings) };
        foreach (var s in settings) sections.Add(SettingSection(config, runs.Where(r => r.Setting == s).ToList(), s));
        sections.Add(RunsSection(runs));
        return new Report("Overparam verify: recipe (two-phase A(SGD) vs SGD)") { Intro = intro, Claims = claims, Sections = sections };
    }

    /// <summary>The condition at τ: every finished A(base) run of every data set checked it and it held.</summary>
    public static VerdictResult ConditionAtTau(IReadOnlyList<RecipeRun> runs, IReadOnlyList<string> settings)
    {
        var parts = new List<string>();
        bool any = false, holds = true;
        foreach (var s in settings)
        {
            var a = runs.Where(r => r.Setting == s && r.Method == "two-phase" && r.Finished && r.ConditionChecked).ToArray();
            if (a.Length == 0) { parts.Add($"{s}: no finished A(SGD) run"); holds = false; continue; }
            any = true;
            int ok = a.Count(r => r.ConditionHolds);
            holds &= ok == a.Length;
            parts.Add($"{s}: {ok}/{a.Length} (rank Φ_τ {string.Join(", ", a.Select(r => r.Rank).Distinct())}; min s_τ {G(a.Min(r => r.STau))})");
        }
        if (!any) return VerdictResult.NotApplicable("no finished A(SGD) run checked the condition");
        bool failedSomewhere = runs.Any(r => r.Method == "two-phase" && r.Finished && r.ConditionChecked && !r.ConditionHolds);
        return new VerdictResult(holds ? Verdict.Holds : failedSomewhere ? Verdict.DoesNotHoldAtTheseSizes : Verdict.NotApplicable, string.Join("; ", parts));
    }

    /// <summary>
    /// Every finished A(base) run whose phase 2 ran ends with training error 0 (whole training set), and its training
    /// loss falls across phase 2: L(τ) &gt; L(middle) &gt; L(end) at the evaluations at or before τ, nearest the middle of
    /// phase 2 (when one lies strictly between) and last.
    /// </summary>
    public static VerdictResult ReachesZeroAndFalls(IReadOnlyList<RecipeRun> runs, RecipeConfig config)
    {
        var a = runs.Where(r => r.RanPhase2).ToArray();
        if (a.Length == 0) return VerdictResult.NotApplicable("no finished A(SGD) run reached phase 2");
        var parts = new List<string>();
        bool holds = true;
        foreach (var r in a)
        {
            var (falls, text) = Falls(r, config);
            bool zero = r.TrainError == 0;
            holds &= zero && falls;
            if (!(zero && falls)) parts.Add($"{r.Setting} seed {r.Seed}: training error {Percent(r.TrainError)} %, {text}");
        }
        int ok = a.Length - parts.Count;
        string head = $"{ok}/{a.Length} runs reach training error 0 with a falling loss";
        var example = a[0];
        return new VerdictResult(holds ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes,
            head + (parts.Count > 0 ? "; not: " + string.Join("; ", parts) : $"; e.g. {example.Setting} seed {example.Seed}: {Falls(example, config).Text}"));
    }

    /// <summary>Whether the training loss falls over phase 2 (τ, middle, end), and the losses as text.</summary>
    public static (bool Falls, string Text) Falls(RecipeRun r, RecipeConfig config)
    {
        int atTau = Array.FindLastIndex(r.EvalEpochs, e => e <= config.Tau);
        int end = r.EvalEpochs.Length - 1;
        if (atTau < 0 || end <= atTau) return (false, "no evaluation in phase 2");
        double middle = config.Tau + (r.EvalEpochs[end] - config.Tau) / 2;
        var between = Enumerable.Range(atTau + 1, end - atTau - 1).OrderBy(i => Math.Abs(r.EvalEpochs[i] - middle)).ToArray();
        var points = between.Length > 0 ? new[] { atTau, between[0], end } : [atTau, end];
        bool falls = points.Zip(points.Skip(1)).All(p => r.TrainLoss[p.Second] < r.TrainLoss[p.First]);
        return (falls, "training loss " + string.Join(" → ", points.Select(i => $"{G(r.TrainLoss[i])} (epoch {G(r.EvalEpochs[i])})")));
    }

    /// <summary>σ_min(Φ_t)/s_τ of the kept hidden weights at every phase-2 check of every finished A(base) run is ≥ <paramref name="keep"/>.</summary>
    public static VerdictResult SigmaKept(IReadOnlyList<RecipeRun> runs, double keep)
    {
        var a = runs.Where(r => r.RanPhase2 && r.SigmaRatio.Length > 0).ToArray();
        if (a.Length == 0) return VerdictResult.NotApplicable("no finished A(SGD) run has a phase-2 check");
        var worst = a.SelectMany(r => r.SigmaRatio.Select((v, i) => (Run: r, Value: v, Epoch: r.Phase2Epochs[i]))).MinBy(t => double.IsNaN(t.Value) ? double.NegativeInfinity : t.Value);
        double tried = a.SelectMany(r => r.SigmaRatioTried).Min();
        bool holds = a.All(r => r.SigmaRatio.All(v => v >= keep));
        return new VerdictResult(holds ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes,
            $"min σ_min(Φ_t)/s_τ over {a.Sum(r => r.SigmaRatio.Length)} checks of {a.Length} runs: {G(worst.Value)} ({worst.Run.Setting} seed {worst.Run.Seed}, epoch {G(worst.Epoch)}); "
            + $"min over the tried updates {G(tried)}; {a.Sum(r => r.Rejections)} rejection(s). The rule restores the hidden weights when a check fails, so the kept ratio is ≥ 1/2 by construction at the checks; between checks (one epoch) the weights are not checked",
            worst.Value, (long)worst.Epoch);
    }

    /// <summary>On every data set, A(base)'s mean test error is within 2 standard errors of base's (at least <see cref="MinSeeds"/> finished seeds each).</summary>
    public static VerdictResult TestErrorWithinNoise(IReadOnlyList<RecipeRun> runs, IReadOnlyList<string> settings)
    {
        var parts = new List<string>();
        bool any = false, holds = true;
        foreach (var s in settings)
        {
            double[] Of(string m) => runs.Where(r => r.Setting == s && r.Method == m && r.Finished).Select(r => r.TestError).ToArray();
            var (b, a) = (Of("sgd"), Of("two-phase"));
            if (b.Length < MinSeeds || a.Length < MinSeeds) { parts.Add($"{s}: too few finished seeds (SGD {b.Length}, A(SGD) {a.Length})"); holds = false; continue; }
            any = true;
            var (mb, ma) = (MeanSd.Of(b), MeanSd.Of(a));
            double d = ma.Mean - mb.Mean, se = Math.Sqrt(ma.Sd * ma.Sd / ma.Count + mb.Sd * mb.Sd / mb.Count);
            bool within = Math.Abs(d) <= 2 * se;
            holds &= within;
            int same = IdenticalToBase(runs, s, out int pairs);
            parts.Add($"{s}: Δ = {ReportFormat.Signed(100 * d)} points, 2se = {Percent(2 * se)}, {same}/{pairs} A(SGD) runs equal to SGD step for step ({(within ? "within" : "outside")})");
        }
        if (!any) return VerdictResult.NotApplicable(string.Join("; ", parts));
        bool outside = parts.Any(p => p.EndsWith("(outside)", StringComparison.Ordinal));
        return new VerdictResult(holds ? Verdict.Holds : outside ? Verdict.DoesNotHoldAtTheseSizes : Verdict.NotApplicable, string.Join("; ", parts));
    }

    private static ReportSection TableOne(RecipeConfig config, IReadOnlyList<RecipeRun> runs, IReadOnlyList<string> settings)
    {
        var rows = settings.Select(s =>
        {
            var here = runs.Where(r => r.Setting == s).ToArray();
            var a = here.Where(r => r.Method == "two-phase" && r.Finished && r.ConditionChecked).ToArray();
            string condition = a.Length == 0 ? "n/a" : $"{(a.All(r => r.ConditionHolds) ? "yes" : "no")} ({a.Count(r => r.ConditionHolds)}/{a.Length})";
            string Err(string m) => PercentMeanSd(here.Where(r => r.Method == m && r.Finished).Select(r => r.TestError));
            string Done(string m) => $"{here.Count(r => r.Method == m && r.Finished)}/{here.Count(r => r.Method == m)}";
            int same = IdenticalToBase(runs, s, out int pairs);
            return new[] { here[0].DataSet, config.N.ToString(System.Globalization.CultureInfo.InvariantCulture), here[0].BatchNorm ? "yes" : "no", condition, Err("sgd"), Err("two-phase"), $"{Done("sgd")}, {Done("two-phase")}",
                a.Sum(r => r.Rejections).ToString(System.Globalization.CultureInfo.InvariantCulture), $"{same}/{pairs}" };
        }).ToArray();
        string[] header = ["data set", "# of training data", "batch norm", "expressivity condition verified", "SGD test error % mean (sd)", "A(SGD) test error % mean (sd)", "finished (SGD, A(SGD))",
            "rejections (all seeds)", "A(SGD) = SGD step for step"];
        return new ReportSection("Table 1 (the paper's layout)")
        {
            Tables = [new ReportTable(header, rows, $"Test error on {config.NTest} test samples, mean (sample sd) over the finished seeds; the condition as checked at τ by each A(SGD) run (rank Φ_τ = n by dgesdd, tolerance σ_max·max(n, M_H)·ε). In this reconstruction phase 2 takes the base step unless a check rejects it, so an A(SGD) run without rejections is its seed's SGD run step for step (last column).")],
        };
    }

    private static ReportSection SettingSection(RecipeConfig config, IReadOnlyList<RecipeRun> runs, string setting)
    {
        var loss = new List<Series>();
        foreach (var m in RecipeConfig.Methods)
        {
            var done = runs.Where(r => r.Method == m && r.Finished).ToArray();
            if (done.Length == 0) continue;
            var epochs = done[0].EvalEpochs;
            if (done.Any(r => !r.EvalEpochs.SequenceEqual(epochs))) continue;
            var per = Enumerable.Range(0, epochs.Length).Select(i => MeanSd.Of(done.Select(r => r.TrainLoss[i]))).ToArray();
            loss.Add(new Series(Label(m), epochs, per.Select(p => p.Mean).ToArray()) { YError = per.Select(p => double.IsFinite(p.Sd) ? p.Sd : 0).ToArray() });
        }
        var lossPlot = new PlotSpec
        {
            Title = $"{setting}: training loss (whole training set)", XLabel = "epoch", YLabel = "cross-entropy", LogY = true, Series = loss,
            Name = $"{setting}-train-loss", Caption = $"Mean ± sd over the finished seeds at each evaluation; A(SGD)'s phase 2 starts at epoch {config.Tau}.",
        };
        var ratio = runs.Where(r => r.RanPhase2 && r.SigmaRatio.Length > 0)
            .Select(r => new Series($"seed {r.Seed}", r.Phase2Epochs, r.SigmaRatio)).ToList();
        if (ratio.Count > 0)
        {
            double first = ratio.Min(s => s.X[0]), last = ratio.Max(s => s.X[^1]);
            ratio.Add(new Series("keep threshold 1/2", [first, last], [0.5, 0.5], SeriesStyle.Line));
        }
        var ratioPlot = new PlotSpec
        {
            Title = $"{setting}: σ_min(Φ_t)/s_τ in phase 2 (A(SGD))", XLabel = "epoch", YLabel = "σ_min(Φ_t)/s_τ", Series = ratio,
            Name = $"{setting}-sigma-ratio", Caption = "The kept hidden weights at each end-of-epoch check; the rule restores them when the tried update falls below the threshold.",
        };
        return new ReportSection(setting) { Plots = [lossPlot, ratioPlot] };
    }

    private static ReportSection RunsSection(IReadOnlyList<RecipeRun> runs)
    {
        string[] header = ["run", "status", "test error %", "training error %", "final training loss", "rank Φ_τ", "s_τ", "min σ_min(Φ_t)/s_τ", "rejections"];
        var rows = runs.Select(r => new[]
        {
            Path.GetFileName(r.Folder), r.Status.ToString(), Percent(r.TestError), Percent(r.TrainError), r.TrainLoss.Length == 0 ? "n/a" : G(r.TrainLoss[^1]),
            r.Method == "two-phase" && r.ConditionChecked ? r.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture) : "",
            r.Method == "two-phase" ? G(r.STau) : "", r.SigmaRatio.Length == 0 ? "" : G(r.SigmaRatio.Min()),
            r.Method == "two-phase" ? r.Rejections.ToString(System.Globalization.CultureInfo.InvariantCulture) : "",
        }).ToArray();
        return new ReportSection("Every run") { Tables = [new ReportTable(header, rows, "Each run's folder is under runs/ (metrics.csv, summary.json, two-phase.json).")] };
    }
}
