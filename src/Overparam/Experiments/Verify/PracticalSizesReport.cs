using System.Globalization;
using System.Text;
using Overparam.Reports;
using Overparam.Training;

namespace Overparam.Experiments.Verify;

/// <summary>
/// The report of `verify --preset practical-sizes` (<see cref="PracticalSizesStudy"/>), a pure function of the cells.
/// A claim about the minimum value is judged from the direct least-squares solve, a claim about training from gradient
/// descent, and only from runs that finished (budget spent or target reached, finite loss); failed or diverged runs are
/// listed as such and count in no verdict. Every threshold is a setting of <see cref="PracticalSizesConfig"/>.
/// </summary>
public static class PracticalSizesReport
{
    /// <summary>Values below this are drawn at it on the log-scale loss plots (the direct minimum can be 0 or rounding noise).</summary>
    public const double PlotFloor = 1e-30;

    public static Report Build(PracticalSizesConfig config, IReadOnlyList<PracticalSizesCell> cells, double seconds, int workers)
    {
        var claims = new ClaimTable();
        claims.Add("rank Φ = min(n, m_H) at initialization (SVD, tolerance σ_max·max(n, m_H)·ε)", RankClaim(cells));
        claims.Add($"With the hidden layers frozen, the global minimum of the output-layer problem is 0 iff m_H ≥ n (direct least-squares solve; 0 means ‖ΦA − Y‖² ≤ {F(config.ZeroTolerance)}·‖Y‖²)",
            MinimumClaim(config, cells));
        claims.Add("The smallest m_H at which that minimum is 0 on random labels grows linearly in n (direct solve; log–log slope within 1 ± slope_tolerance)", ZeroLinearClaim(config, cells));
        claims.Add($"With the hidden layers frozen, gradient descent reaches that minimum within its budget where it is 0 (L ≤ {F(config.FitLoss)} at every m_H ≥ n within {config.FrozenSteps} steps)",
            FrozenReachesClaim(config, cells));
        claims.Add($"The smallest m_H at which gradient descent with the hidden layers frozen fits random labels (L ≤ {F(config.FitLoss)} within {config.FrozenSteps} steps) grows linearly in n (log–log slope within 1 ± {F(config.SlopeTolerance)})",
            LinearClaim(config, cells, c => c.Frozen));
        claims.Add($"… with all layers trained (η_h = {F(config.HiddenLrFactor)}·η_W, {config.TrainedSteps} steps)", LinearClaim(config, cells, c => c.Trained));
        claims.Add($"Test error at m_H ≥ n is low on natural data and at chance on random data (below, resp. not below, the majority-class error by more than {F(config.ChanceMargin)}; finished runs of both regimes)",
            TestErrorClaim(config, cells));
        var failed = cells.Where(c => !c.Measured || !c.Frozen.Finished || !c.Trained.Finished).ToList();
        var intro = new List<string>
        {
            "Kawaguchi & Huang (2019), \"Gradient descent finds global minima for generalizable deep neural networks of practical sizes\": with an analytic activation and a last hidden layer as wide as the training set (m_H ≥ n, so rank Φ = n for the n × m_H feature matrix Φ), the output layer's problem is convex and its minimum is the global minimum 0, with a number of parameters linear in n; such networks generalize on natural data and not on random data (docs/mathematics.md §13).",
            $"Here: softplus fc networks d = {config.D} → {Architecture(config)} → C = {config.Classes} (standard parameterization, no biases, mean squared error on one-hot targets, L = ‖U − Y‖²/(nC), so the zero predictor has L = 1/C), m_H = f·n for f ∈ {{{string.Join(", ", config.WidthFractions.Select(F))}}}, n ∈ {{{string.Join(", ", config.Ns)}}}, weight seed {config.Seed}; three data sets from the same inputs (data seed {config.DataSeed}): natural (unit-sphere inputs, labels of a random tanh teacher d → 32 → C), random labels (the same inputs, labels uniform over C), random inputs (i.i.d. N(0, I_d) inputs with those random labels); {config.NTest} test samples each.",
            $"Hidden layers frozen: the minimum by LAPACK's dgelsd on Φ at initialization, and gradient descent on the output layer from its initial weights for {config.FrozenSteps} steps at η_W = {F(config.LrFactor)}·nC/(2σ_max²) (1/smoothness), the `--train output` iteration run on Φ. All layers trained: {config.TrainedSteps} steps of gradient descent, η_W on the output layer and η_h = {F(config.HiddenLrFactor)}·η_W on the hidden layers (--lr-hidden), in runs/DATA-nN-mM. κ(Φ) = (σ_max/σ_min)² sets gradient descent's rate on the frozen problem: each step shrinks the residual's worst component by 1 − 1/κ, so about (κ/2)·ln(L(0)/L) steps reach L.",
            $"Thresholds (study keys, docs/formats.md): fit_loss = {F(config.FitLoss)}, zero_tolerance = {F(config.ZeroTolerance)}, chance_margin = {F(config.ChanceMargin)}, slope_tolerance = {F(config.SlopeTolerance)}. \"Does not hold at these sizes\" is an honest outcome: the theorem is about the minimum and about gradient descent given enough steps, and κ(Φ) of random softplus features is large.",
            $"{cells.Count} cells in {seconds:F0} s ({workers} at a time, each on one thread); {(failed.Count == 0 ? "every cell finished" : $"{failed.Count} cell(s) with a failed or diverged run, left out of the verdicts they would enter (listed under \"Runs that did not finish\")")}.",
        };
        var sections = new List<ReportSection> { FrozenSection(config, cells), TrainedSection(config, cells), WidthSection(config, cells), ConditionSection(config, cells), TestSection(config, cells) };
        if (failed.Count > 0) sections.Add(FailedSection(failed));
        return new Report("Overparam verify: practical sizes") { Intro = intro, Claims = claims, Sections = sections };
    }

    /// <summary>The hidden layers as the study builds them.</summary>
    public static string Architecture(PracticalSizesConfig config) => string.Join(" → ", [.. Enumerable.Repeat(config.HiddenWidth.ToString(CultureInfo.InvariantCulture), config.Depth - 1), "m_H"]);

    public static VerdictResult RankClaim(IReadOnlyList<PracticalSizesCell> cells)
    {
        var measured = cells.Where(c => c.Measured).ToList();
        if (measured.Count == 0) return VerdictResult.NotApplicable("no cell was measured");
        var low = measured.Where(c => c.Rank != Math.Min(c.N, c.Width)).ToList();
        string text = $"{measured.Count - low.Count} of {measured.Count} cells have rank Φ = min(n, m_H)"
            + (low.Count == 0 ? "" : "; not: " + string.Join(", ", low.Take(5).Select(c => $"{PracticalSizesStudy.Label(c.Data, c.N, c.Width)} rank {c.Rank}")));
        return new VerdictResult(low.Count == 0 ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes, text);
    }

    public static VerdictResult MinimumClaim(PracticalSizesConfig config, IReadOnlyList<PracticalSizesCell> cells)
    {
        var measured = cells.Where(c => c.Measured).ToList();
        var wide = measured.Where(c => c.Width >= c.N).ToList();
        var narrow = measured.Where(c => c.Width < c.N).ToList();
        if (wide.Count == 0 || narrow.Count == 0) return VerdictResult.NotApplicable($"{wide.Count} measured cells with m_H ≥ n and {narrow.Count} with m_H < n; need both");
        double worstWide = wide.Max(c => c.MinimumResidual), leastNarrow = narrow.Min(c => c.MinimumResidual);
        bool holds = worstWide <= config.ZeroTolerance && leastNarrow > config.ZeroTolerance;
        return new VerdictResult(holds ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes,
            $"‖ΦA* − Y‖²/‖Y‖²: largest at m_H ≥ n {F(worstWide)} ({wide.Count} cells), smallest at m_H < n {F(leastNarrow)} ({narrow.Count} cells)", worstWide);
    }

    public static VerdictResult FrozenReachesClaim(PracticalSizesConfig config, IReadOnlyList<PracticalSizesCell> cells)
    {
        var wide = cells.Where(c => c.Measured && c.Width >= c.N && c.MinimumResidual <= config.ZeroTolerance && c.Frozen.Finished).ToList();
        if (wide.Count == 0) return VerdictResult.NotApplicable("no finished frozen-layer run where the minimum is 0");
        var reached = wide.Where(c => c.Frozen.Loss <= config.FitLoss).ToList();
        var worst = wide.MaxBy(c => c.Frozen.Loss)!;
        string text = $"{reached.Count} of {wide.Count} cells reached L ≤ {F(config.FitLoss)}; highest final L = {F(worst.Frozen.Loss)} at {PracticalSizesStudy.Label(worst.Data, worst.N, worst.Width)} (κ = {F(worst.Kappa)}, minimum {F(worst.MinimumLoss)})";
        return new VerdictResult(reached.Count == wide.Count ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes, text, worst.Frozen.Loss);
    }

    /// <summary>
    /// The smallest m_H whose finished run of <paramref name="regime"/> reached the fit loss, per n, on random labels; null
    /// when none did, and no entry when a run of that n failed before any width reached it (then the smallest is unknown).
    /// </summary>
    public static SortedDictionary<int, int?> SmallestFitting(PracticalSizesConfig config, IReadOnlyList<PracticalSizesCell> cells, string data, Func<PracticalSizesCell, GdOutcome> regime)
    {
        var result = new SortedDictionary<int, int?>();
        foreach (var n in config.Ns)
        {
            var here = cells.Where(c => c.Data == data && c.N == n).OrderBy(c => c.Width).ToList();
            if (here.Count == 0) continue;
            int? found = null;
            bool known = true;
            foreach (var c in here)
            {
                if (!c.Measured || !regime(c).Finished) { known = false; break; }
                if (regime(c).Loss <= config.FitLoss) { found = c.Width; break; }
            }
            if (known) result[n] = found;
        }
        return result;
    }

    /// <summary>The smallest m_H whose direct minimum is 0, per n (null when none).</summary>
    public static SortedDictionary<int, int?> SmallestZeroMinimum(PracticalSizesConfig config, IReadOnlyList<PracticalSizesCell> cells, string data)
    {
        var result = new SortedDictionary<int, int?>();
        foreach (var n in config.Ns)
        {
            var here = cells.Where(c => c.Data == data && c.N == n && c.Measured).OrderBy(c => c.Width).ToList();
            if (here.Count > 0) result[n] = here.FirstOrDefault(c => c.MinimumResidual <= config.ZeroTolerance)?.Width;
        }
        return result;
    }

    public static VerdictResult LinearClaim(PracticalSizesConfig config, IReadOnlyList<PracticalSizesCell> cells, Func<PracticalSizesCell, GdOutcome> regime)
    {
        var smallest = SmallestFitting(config, cells, "random-labels", regime);
        string list = string.Join(", ", smallest.Select(kv => $"n = {kv.Key}: {(kv.Value is { } m ? $"m_H = {m}" : $"none ≤ {PracticalSizesConfig.FeatureWidth(kv.Key, config.WidthFractions.Max())}")}"));
        var none = smallest.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList();
        if (none.Count > 0 && smallest.Count >= 1)
            return new VerdictResult(Verdict.DoesNotHoldAtTheseSizes, $"{list}: gradient descent fits at no m_H of the grid for n = {string.Join(", ", none)}");
        var fit = LogLogFit.TryFit(smallest.Keys.Select(n => (double)n).ToArray(), smallest.Values.Select(m => (double)m!.Value).ToArray());
        if (fit is null) return VerdictResult.NotApplicable($"{smallest.Count} n with a known smallest m_H ({list}); need 2 (runs that failed leave it unknown)");
        bool holds = Math.Abs(fit.Slope - 1) <= config.SlopeTolerance;
        return new VerdictResult(holds ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes, $"{list}; fitted slope {F(fit.Slope)}", fit.Slope);
    }

    public static VerdictResult ZeroLinearClaim(PracticalSizesConfig config, IReadOnlyList<PracticalSizesCell> cells)
    {
        var smallest = SmallestZeroMinimum(config, cells, "random-labels");
        string list = string.Join(", ", smallest.Select(kv => $"n = {kv.Key}: {(kv.Value is { } m ? $"m_H = {m}" : "none in the grid")}"));
        if (smallest.Values.Any(m => m is null)) return new VerdictResult(Verdict.DoesNotHoldAtTheseSizes, $"{list}: the minimum is 0 at no m_H of the grid for some n");
        var fit = LogLogFit.TryFit(smallest.Keys.Select(n => (double)n).ToArray(), smallest.Values.Select(m => (double)m!.Value).ToArray());
        if (fit is null) return VerdictResult.NotApplicable($"{smallest.Count} n measured ({list}); need 2");
        return new VerdictResult(Math.Abs(fit.Slope - 1) <= config.SlopeTolerance ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes, $"{list}; fitted slope {F(fit.Slope)}", fit.Slope);
    }

    public static VerdictResult TestErrorClaim(PracticalSizesConfig config, IReadOnlyList<PracticalSizesCell> cells)
    {
        var parts = new List<string>();
        bool holds = true;
        foreach (var data in PracticalSizesData.Names)
        {
            var errors = cells.Where(c => c.Data == data && c.Measured && c.Width >= c.N)
                .SelectMany(c => new[] { c.Frozen, c.Trained }.Where(r => r.Finished && double.IsFinite(r.TestError)).Select(r => (r.TestError, c.MajorityTestError))).ToList();
            if (errors.Count == 0) return VerdictResult.NotApplicable($"no finished run at m_H ≥ n on {data}");
            double mean = errors.Average(e => e.TestError), chance = errors.Average(e => e.MajorityTestError);
            bool ok = data == "natural" ? mean < chance - config.ChanceMargin : mean >= chance - config.ChanceMargin;
            holds &= ok;
            parts.Add($"{data} {F(mean)} (majority class {F(chance)}, {errors.Count} runs)");
        }
        return new VerdictResult(holds ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes, "mean test error: " + string.Join("; ", parts));
    }

    private static ReportSection FrozenSection(PracticalSizesConfig config, IReadOnlyList<PracticalSizesCell> cells)
    {
        var rows = cells.Select(c => new[]
        {
            c.Data, c.N.ToString(CultureInfo.InvariantCulture), c.Width.ToString(CultureInfo.InvariantCulture), F(c.Width / (double)c.N),
            c.Measured ? $"{c.Rank} / {Math.Min(c.N, c.Width)}" : "–", F(c.SigmaMin), F(c.SigmaMax), F(c.Kappa),
            F(c.MinimumLoss), c.Frozen.Finished ? F(c.Frozen.Loss) : Status(c.Frozen), c.Frozen.StepsToFit >= 0 ? c.Frozen.StepsToFit.ToString(CultureInfo.InvariantCulture) : "–",
            KappaSteps(config, c), c.Frozen.Finished ? F(c.Frozen.TestError) : "–",
        }).ToArray();
        var table = new ReportTable(["data", "n", "m_H", "m_H/n", "rank Φ / min(n, m_H)", "σ_min(Φ)", "σ_max(Φ)", "κ(Φ)", "minimum L* (direct)", $"GD's L after {config.FrozenSteps} steps",
            $"GD's first step with L ≤ {F(config.FitLoss)}", $"(κ/2)·ln(L(0)/{F(config.FitLoss)})", "test error (GD)"], rows,
            "Hidden layers frozen: the global minimum of the output-layer problem and what gradient descent reached, side by side. The last-but-one column is the number of steps that κ(Φ) guarantees to reach the fit loss when the minimum is 0 (the worst direction's rate; the labels' weight on the small directions decides how slow it really is).");
        var plots = PracticalSizesData.Names.Select(data => new PlotSpec
        {
            Title = $"{data}: minimum (direct) and gradient descent's loss", XLabel = "m_H / n", YLabel = "mean squared error", LogX = true, LogY = true,
            Name = $"{Tag(data)}_minimum_vs_gd", XTicks = config.WidthFractions,
            Series = config.Ns.SelectMany(n =>
            {
                var here = cells.Where(c => c.Data == data && c.N == n && c.Measured).OrderBy(c => c.Width).ToList();
                var frozen = here.Where(c => c.Frozen.Finished).ToList();
                var trained = here.Where(c => c.Trained.Finished).ToList();
                return new[]
                {
                    new Series($"minimum, n = {n}", X(here), here.Select(c => Math.Max(PlotFloor, c.MinimumLoss)).ToArray(), SeriesStyle.Dashed),
                    new Series($"GD frozen, n = {n}", X(frozen), frozen.Select(c => Math.Max(PlotFloor, c.Frozen.Loss)).ToArray()),
                    new Series($"GD all layers, n = {n}", X(trained), trained.Select(c => Math.Max(PlotFloor, c.Trained.Loss)).ToArray(), SeriesStyle.Markers),
                };
            }).Where(s => s.X.Length > 0).ToList(),
            Caption = $"Dashed: the direct minimum, at rounding level (≤ zero_tolerance·‖Y‖²/(nC)) from m_H = n; solid: gradient descent with the hidden layers frozen after {config.FrozenSteps} steps; dots: all layers trained after {config.TrainedSteps} steps. Values below {F(PlotFloor)} are drawn at it.",
        }).ToList();
        int nMax = config.Ns.Max();
        plots.Add(new PlotSpec
        {
            Title = $"random labels, n = {nMax}: the loss against steps", XLabel = "step", YLabel = "L", LogX = true, LogY = true, Name = "random_labels_frozen_curves",
            Series = cells.Where(c => c.Data == "random-labels" && c.N == nMax).SelectMany(c => new[]
            {
                Curve($"frozen, m_H = {c.Width} (κ = {F(c.Kappa)})", c.Frozen, SeriesStyle.Line), Curve($"all layers, m_H = {c.Width}", c.Trained, SeriesStyle.Dashed),
            }).Where(s => s.X.Length > 0).ToList(),
            Caption = $"Solid: hidden layers frozen; dashed: all layers trained. The fit loss is {F(config.FitLoss)}; the zero predictor's loss is {F(1.0 / config.Classes)}.",
        });
        return new ReportSection("Hidden layers frozen: the minimum and gradient descent") { Plots = plots.Where(p => p.Series.Count > 0).ToList(), Tables = [table] };
    }

    private static ReportSection TrainedSection(PracticalSizesConfig config, IReadOnlyList<PracticalSizesCell> cells) => new("All layers trained")
    {
        Paragraphs = [$"Gradient descent on every layer for {config.TrainedSteps} steps from the same initialization, η_W on the output layer and η_h = {F(config.HiddenLrFactor)}·η_W on the hidden layers; the run folders are runs/DATA-nN-mM."],
        Tables =
        [
            new ReportTable(["data", "n", "m_H", "status", "η_W", "L(0)", $"L after {config.TrainedSteps} steps", $"first step with L ≤ {F(config.FitLoss)}", "train error", "test error", "frozen: L after the same steps"],
                cells.Select(c => new[]
                {
                    c.Data, c.N.ToString(CultureInfo.InvariantCulture), c.Width.ToString(CultureInfo.InvariantCulture), Status(c.Trained), F(c.Eta), F(c.InitialLoss),
                    F(c.Trained.Loss), c.Trained.StepsToFit >= 0 ? c.Trained.StepsToFit.ToString(CultureInfo.InvariantCulture) : "–", F(c.Trained.TrainError), F(c.Trained.TestError),
                    F(LossAt(c.Frozen, config.TrainedSteps)),
                }).ToArray(), "The last column is the frozen-layer loss at the same step, for a comparison at equal steps."),
        ],
    };

    private static ReportSection WidthSection(PracticalSizesConfig config, IReadOnlyList<PracticalSizesCell> cells)
    {
        var zero = SmallestZeroMinimum(config, cells, "random-labels");
        var frozen = SmallestFitting(config, cells, "random-labels", c => c.Frozen);
        var trained = SmallestFitting(config, cells, "random-labels", c => c.Trained);
        Series Points(string name, SortedDictionary<int, int?> m, SeriesStyle style) =>
            new(name, m.Where(kv => kv.Value is not null).Select(kv => (double)kv.Key).ToArray(), m.Where(kv => kv.Value is not null).Select(kv => (double)kv.Value!.Value).ToArray(), style);
        var frozenPoints = Points("GD, hidden frozen", frozen, SeriesStyle.LineMarkers);
        var fit = LogLogFit.TryFit(frozenPoints.X, frozenPoints.Y);
        var plot = new PlotSpec
        {
            Title = "Random labels: the smallest m_H that fits, against n", XLabel = "n", YLabel = "m_H", LogX = true, LogY = true, Name = "smallest_width_vs_n",
            XTicks = config.Ns.Select(n => (double)n).ToArray(),
            Series = new[] { Points("minimum = 0 (direct)", zero, SeriesStyle.Dashed), frozenPoints, Points("GD, all layers", trained, SeriesStyle.Markers) }.Where(s => s.X.Length > 0).ToList(),
            Fit = fit is null ? null : FittedLine.From(fit, 1),
            Caption = $"Fits: L ≤ {F(config.FitLoss)} within the budget; the direct minimum is 0 from m_H = n (slope 1). n without a fitting m_H in the grid are left out of the plot (see the table).",
        };
        string Cell(int? m) => m is { } v ? v.ToString(CultureInfo.InvariantCulture) : "none in the grid";
        var rows = config.Ns.Select(n => new[]
        {
            n.ToString(CultureInfo.InvariantCulture), zero.TryGetValue(n, out var z) ? Cell(z) : "unknown", frozen.TryGetValue(n, out var f) ? Cell(f) : "unknown (a run failed)",
            trained.TryGetValue(n, out var t) ? Cell(t) : "unknown (a run failed)",
        }).ToArray();
        return new ReportSection("Linear in n: the smallest m_H that fits random labels")
        {
            Paragraphs = ["The practical reading of \"parameters linear in n\": for each n the smallest m_H of the grid at which the loss reaches the stated value within the budget, and the slope of log m_H against log n (1: linear)."],
            Plots = plot.Series.Count > 0 ? [plot] : [],
            Tables = [new ReportTable(["n", "minimum = 0 (direct)", $"GD frozen, L ≤ {F(config.FitLoss)}", $"GD all layers, L ≤ {F(config.FitLoss)}"], rows)],
        };
    }

    private static ReportSection ConditionSection(PracticalSizesConfig config, IReadOnlyList<PracticalSizesCell> cells)
    {
        var measured = cells.Where(c => c.Measured).ToList();
        var kappa = new PlotSpec
        {
            Title = "κ(Φ) = (σ_max/σ_min)² at initialization", XLabel = "m_H / n", YLabel = "κ", LogX = true, LogY = true, Name = "kappa", XTicks = config.WidthFractions,
            Series = (from data in new[] { "natural", "random-inputs" } from n in config.Ns
                      let here = measured.Where(c => c.Data == data && c.N == n).OrderBy(c => c.Width).ToList()
                      where here.Count > 0
                      select new Series($"{(data == "natural" ? "sphere inputs" : "Gaussian inputs")}, n = {n}", X(here), here.Select(c => c.Kappa).ToArray())).ToList(),
            Caption = "Natural and random-label data share their inputs, so their Φ are the same. m_H < n: κ of ΦᵀΦ (m_H × m_H); m_H ≥ n: of ΦΦᵀ.",
        };
        double top = measured.Count == 0 ? 1 : measured.Max(c => Math.Min(c.N, c.Width));
        var rank = new PlotSpec
        {
            Title = "rank Φ at initialization against min(n, m_H)", XLabel = "min(n, m_H)", YLabel = "rank Φ", LogX = true, LogY = true, Name = "rank",
            Series = [.. PracticalSizesData.Names.Select(d => measured.Where(c => c.Data == d).ToList()).Where(l => l.Count > 0)
                .Select(l => new Series(l[0].Data, l.Select(c => (double)Math.Min(c.N, c.Width)).ToArray(), l.Select(c => (double)c.Rank).ToArray(), SeriesStyle.Markers)),
                new Series("rank = min(n, m_H)", [1, top], [1, top], SeriesStyle.Dashed)],
        };
        return new ReportSection("The expressivity condition at initialization") { Plots = measured.Count > 0 ? [kappa, rank] : [] };
    }

    private static ReportSection TestSection(PracticalSizesConfig config, IReadOnlyList<PracticalSizesCell> cells)
    {
        int nMax = config.Ns.Max();
        var series = new List<Series>();
        foreach (var data in PracticalSizesData.Names)
        {
            var here = cells.Where(c => c.Data == data && c.N == nMax && c.Measured).OrderBy(c => c.Width).ToList();
            var frozen = here.Where(c => c.Frozen.Finished).ToList();
            var trained = here.Where(c => c.Trained.Finished).ToList();
            series.Add(new Series($"{data}, frozen", X(frozen), frozen.Select(c => c.Frozen.TestError).ToArray()));
            series.Add(new Series($"{data}, all layers", X(trained), trained.Select(c => c.Trained.TestError).ToArray(), SeriesStyle.Dashed));
            if (here.Count > 0) series.Add(new Series($"{data}, majority class", [here[0].Width / (double)nMax, here[^1].Width / (double)nMax], [here[0].MajorityTestError, here[0].MajorityTestError], SeriesStyle.Line));
        }
        var rows = PracticalSizesData.Names.SelectMany(data => config.Ns.Select(n =>
        {
            var wide = cells.Where(c => c.Data == data && c.N == n && c.Measured && c.Width >= c.N).ToList();
            string Mean(Func<PracticalSizesCell, GdOutcome> r) => MeanSd.Of(wide.Where(c => r(c).Finished).Select(c => r(c).TestError)).FormatGeneral();
            return new[] { data, n.ToString(CultureInfo.InvariantCulture), Mean(c => c.Frozen), Mean(c => c.Trained), wide.Count > 0 ? F(wide[0].MajorityTestError) : "–" };
        })).ToArray();
        return new ReportSection("Test error: natural against random data")
        {
            Paragraphs = [$"Theory: low on natural data, at chance on random data. \"Chance\" is the test error of always answering the training set's most frequent class (1 − 1/C = {F(1 - 1.0 / config.Classes)} for uniform labels)."],
            Plots = series.Any(s => s.X.Length > 0) ? [new PlotSpec { Title = $"Test error, n = {nMax}", XLabel = "m_H / n", YLabel = "test error", LogX = true, Name = "test_error", XTicks = config.WidthFractions, Series = series.Where(s => s.X.Length > 0).ToList() }] : [],
            Tables = [new ReportTable(["data", "n", "test error, frozen (m_H ≥ n)", "test error, all layers (m_H ≥ n)", "majority class"], rows, "Mean ± sd over the widths m_H ≥ n; finished runs only.")],
        };
    }

    private static ReportSection FailedSection(IReadOnlyList<PracticalSizesCell> failed) => new("Runs that did not finish")
    {
        Paragraphs = ["These runs failed or diverged; they are shown here and count in no verdict."],
        Tables =
        [
            new ReportTable(["cell", "frozen", "all layers", "message"], failed.Select(c => new[]
            {
                PracticalSizesStudy.Label(c.Data, c.N, c.Width), Status(c.Frozen), Status(c.Trained), c.Frozen.Message ?? c.Trained.Message ?? "",
            }).ToArray()),
        ],
    };

    /// <summary>Every cell as CSV (cells.csv in the report folder), values round-tripping.</summary>
    public static string CellsCsv(IReadOnlyList<PracticalSizesCell> cells)
    {
        var text = new StringBuilder("data,n,m_h,rank,sigma_min,sigma_max,kappa,minimum_loss,minimum_residual,eta,initial_loss,frozen_status,frozen_loss,frozen_steps_to_fit,frozen_train_error,frozen_test_error,trained_status,trained_loss,trained_steps_to_fit,trained_train_error,trained_test_error,majority_test_error\n");
        string R(double v) => ReportFormat.RoundTripOrEmpty(v);
        foreach (var c in cells)
            text.AppendJoin(',', c.Data, c.N, c.Width, c.Rank, R(c.SigmaMin), R(c.SigmaMax), R(c.Kappa), R(c.MinimumLoss), R(c.MinimumResidual), R(c.Eta), R(c.InitialLoss),
                TrainingStatusText.Name(c.Frozen.Status), R(c.Frozen.Loss), c.Frozen.StepsToFit, R(c.Frozen.TrainError), R(c.Frozen.TestError),
                TrainingStatusText.Name(c.Trained.Status), R(c.Trained.Loss), c.Trained.StepsToFit, R(c.Trained.TrainError), R(c.Trained.TestError), R(c.MajorityTestError)).Append('\n');
        return text.ToString();
    }

    private static string KappaSteps(PracticalSizesConfig config, PracticalSizesCell c) =>
        c.Measured && c.Width >= c.N && c.MinimumResidual <= config.ZeroTolerance && double.IsFinite(c.InitialLoss) && c.InitialLoss > config.FitLoss
            ? F(c.Kappa / 2 * Math.Log(c.InitialLoss / config.FitLoss)) : "–";

    private static double LossAt(GdOutcome r, int step)
    {
        int i = Array.FindIndex(r.CurveSteps, s => s >= step);
        return i < 0 ? double.NaN : r.Curve[i];
    }

    private static Series Curve(string name, GdOutcome r, SeriesStyle style)
    {
        var keep = Enumerable.Range(0, r.Curve.Length).Where(i => r.CurveSteps[i] >= 1 && double.IsFinite(r.Curve[i])).ToArray();
        return new Series(name, keep.Select(i => r.CurveSteps[i]).ToArray(), keep.Select(i => Math.Max(PlotFloor, r.Curve[i])).ToArray(), style);
    }

    private static double[] X(IEnumerable<PracticalSizesCell> cells) => cells.Select(c => c.Width / (double)c.N).ToArray();

    private static string Status(GdOutcome r) => r.Finished ? "finished" : TrainingStatusText.Name(r.Status) + (r.Status == TrainingStatus.BudgetExhausted ? " (loss not finite)" : "");

    private static string Tag(string data) => data.Replace('-', '_');

    private static string F(double v) => double.IsFinite(v) ? ReportFormat.General(v) : "–";
}
