using Overparam.Architectures;
using Overparam.Reports;
using Overparam.Training;

namespace Overparam.Experiments.Verify;

/// <summary>
/// Turns a finished study into the verify report: plots (each with the CSV behind it), a per-cell table and the table
/// of the paper's claims with verdicts computed from the measured data. Each section of the report has one method that
/// builds it; each claim has one method that checks it, beside the threshold it is judged by. Claims are judged on the
/// finished runs only (converged or budget exhausted): a diverged, stopped or failed run is listed as such in the report
/// and left out of every verdict, and a claim without enough finished data (no run, no probe after k = 0, too few
/// widths) is "not enough data".
/// </summary>
public static class VerifyReport
{
    public static Report Build(Study study, IReadOnlyList<CellResult> cells) =>
        study.Kind == "iclr2019-fig1" ? IclrReport.Build(study, cells) : Deep(study, cells);

    /// <summary>A run that ended as planned (target reached or budget used): the only kind a verdict is drawn from.</summary>
    internal static bool Finished(CellResult cell) => cell.Outcome.Status is TrainingStatus.Converged or TrainingStatus.BudgetExhausted;

    private static Report Deep(Study study, IReadOnlyList<CellResult> cells)
    {
        var archs = study.Architectures;
        var finished = cells.Where(Finished).ToList();
        var claims = new ClaimTable();
        foreach (var arch in archs)
            claims.Add(BoundClaim(finished, arch)).Add(RatioClaim(study, finished, arch)).Add(LinearGapClaim(study, finished, arch));
        foreach (var arch in archs)
            claims.Add(DriftClaim(study, finished, arch)).Add(MovementClaim(study, finished, arch)).Add(AveragedMovementClaim(study, finished, arch));
        var sections = new List<ReportSection> { LossSection(study, cells), RatioSection(study, cells) };
        // Against width only with two or more widths (the depth preset has one: its depth section plots against depth).
        if (study.Widths.Length >= 2) sections.AddRange([DriftSection(study, cells), MovementSection(study, cells)]);
        if (study.Depths.Length >= 2)
        {
            sections.Add(DepthSection(study, cells));
            foreach (var claim in DepthClaims(study, cells)) claims.Add(claim);
        }
        if (cells.Count > finished.Count) sections.Add(UnfinishedSection(cells));
        sections.Add(EveryRunSection(study, cells));
        return new Report($"Overparam verify: {study.Name}") { Intro = [.. Intro(study), .. UnfinishedIntro(cells)], Claims = claims, Sections = sections };
    }

    /// <summary>One sentence on the runs that did not finish (none when every run finished).</summary>
    public static IEnumerable<string> UnfinishedIntro(IReadOnlyList<CellResult> cells)
    {
        int unfinished = cells.Count(c => !Finished(c));
        if (unfinished == 0) yield break;
        var counts = cells.Where(c => !Finished(c)).GroupBy(c => TrainingStatusText.Name(c.Outcome.Status)).Select(g => $"{g.Count()} {g.Key}");
        yield return $"{unfinished} of {cells.Count} runs did not finish ({string.Join(", ", counts)}; see \"Runs that did not finish\"): " +
            (unfinished == cells.Count ? "no claim can be judged." : $"the claims are judged on the {cells.Count - unfinished} finished run(s) only.");
    }

    /// <summary>The runs that diverged, stopped or failed: where and why (left out of every verdict).</summary>
    internal static ReportSection UnfinishedSection(IReadOnlyList<CellResult> cells) => new("Runs that did not finish")
    {
        Paragraphs = ["These runs are left out of every verdict; their metrics up to the step where they ended stay in their run folders and in the plots."],
        Tables = [new ReportTable(["arch", "H", "m", "seed", "status", "step", "message"], cells.Where(c => !Finished(c)).Select(c => new[]
        {
            c.Arch, c.Depth.ToString(), c.Width.ToString(), c.Seed.ToString(), TrainingStatusText.Name(c.Outcome.Status),
            c.Outcome.Steps.ToString(), c.Outcome.Message ?? "",
        }).ToArray(), "step: where the run ended (for a diverged run, the step whose loss was not finite or too large).")],
    };

    /// <summary>A claim that cannot be judged because the runs it needs did not finish.</summary>
    private static VerdictResult NoFinishedRun(string reason) => VerdictResult.NotApplicable(reason);

    /// <summary>Probes at k = 0 only say how the run started: a claim "at every probed k" needs one after it.</summary>
    private static VerdictResult NoProbeAfterStart => VerdictResult.NotApplicable("no probe after k = 0");

    private static List<string> Intro(Study study) =>
    [
        $"Du, Lee, Li, Wang, Zhai, \"Gradient Descent Finds Global Minima of Deep Neural Networks\" (ICML 2019), checked by training: {string.Join(" and ", study.Architectures.Select(Arch))} networks of depth {string.Join(", ", study.Depths)} and width {string.Join(", ", study.Widths)}, {study.Seeds} seed(s) each, on n = {study.N} points uniform on the unit sphere in R^{study.D} (data seed {study.DataSeed}) with N(0, 1) labels.",
        $"Activation {study.Activation}{(study.Activation == "tanh" ? " (in the paper's class; mean-zero, so G(0) has no dominant constant mode and GD reaches a small loss within the budget — with softplus, E[σ] ≠ 0 puts most of G(0)'s spectrum in one direction and the loss stalls; run `--preset depth` or your own `--config` for softplus)" : "")}; c_res = {Fmt(study.CRes)}; full-batch GD for {study.Steps} steps with η chosen by the `{study.LrPolicy}` policy (c = {Fmt(study.LrConstant)}); probes every {study.ProbeEvery} steps. The loss is the paper's sum L = ½ Σ_i (f(x_i) − y_i)² (not a mean); time is counted in GD steps.",
        "Every number below can be regenerated from the CSV beside each plot and from the run folders under `runs/` (config.json, metrics.csv, init/final weights).",
    ];

    // Loss against the theorem's bound and the kernel predictions (widest width, deepest depth, seed 1).

    private static ReportSection LossSection(Study study, IReadOnlyList<CellResult> cells) => new("Loss against the theorem's bound")
    {
        Paragraphs = ["The theorems promise L(k) ≤ (1 − ηλ₀/2)^k L(0) with λ₀ = λ_min(K^(H)). The proof only uses G^(H), which is small for the ResNet (O(1/H²)), so the real loss falls much faster than the bound (docs/mathematics.md §5). The dashed kernel curves iterate u(k+1) − y = (I − ηG)(u(k) − y) with the finite-width G(0) and with the infinite-width Θ."],
        Plots = study.Architectures.Select(arch => LossPlot(study, cells, arch)).ToList(),
    };

    private static PlotSpec LossPlot(Study study, IReadOnlyList<CellResult> cells, string arch)
    {
        int deepest = study.Depths.Max(), widest = study.Widths.Max();
        var c = SeedOne(cells, arch, deepest, widest);
        var series = new List<Series> { Line(Finished(c) ? "loss L(k)" : $"loss L(k), {Ended(c)}", c.Metrics[MetricColumns.Step], c.Metrics[MetricColumns.Loss], SeriesStyle.Line) };
        foreach (var (col, name) in new[] { (MetricColumns.Bound, "bound (1−ηλ₀/2)^k L(0)"), (MetricColumns.LossLinear, "linearized, G(0)"), (MetricColumns.LossTheta, "infinite-width Θ") })
        {
            var (s, v) = c.Metrics.Probed(col);
            if (v.Length > 0) series.Add(Line(name, s, v, SeriesStyle.Dashed));
        }
        return new PlotSpec
        {
            Title = $"{Arch(arch)}, H = {deepest}, m = {widest}: loss vs step", XLabel = "step k", YLabel = "L(k) = ½Σ(u_i − y_i)²",
            LogY = true, Series = series, Name = $"loss_{arch}", Caption = $"Training loss of one run (seed 1) against the theorem's bound and the predictions of the linearized (finite-width G(0)) and infinite-width (Θ) kernel dynamics. η = {Fmt(c.Outcome.Eta)}, λ₀ = {Fmt(c.Outcome.Lambda0 ?? double.NaN)}.",
        };
    }

    /// <summary>Relative slack of loss ≤ bound, for floating-point rounding only: a real violation is many orders larger.</summary>
    private const double BoundTolerance = 1e-9;

    private static Claim BoundClaim(IReadOnlyList<CellResult> finished, string arch)
    {
        var pooled = finished.Where(r => r.Arch == arch).ToList();
        string text = $"{Arch(arch)}: loss ≤ (1 − ηλ₀/2)^k L(0) at every probed k ≥ 1 (Theorems 5.1/6.1), all {pooled.Count} finished runs";
        if (pooled.Count == 0) return Claim.From(text, NoFinishedRun("no finished run"));
        // At k = 0 the bound is L(0) itself, so the ratio is 1 by construction: judge k ≥ 1 only.
        var bound = Pool(pooled, MetricColumns.Bound, fromStep: 1);
        if (bound.Values.Length == 0) return Claim.From(text, NoProbeAfterStart);
        return Claim.From(text, Verdicts.LossBelowBound(bound.Loss, bound.Values, BoundTolerance, bound.Steps, bound.Runs));
    }

    /// <summary>
    /// One column's probed values pooled over runs, each with its real step, the run it came from (its folder name, e.g.
    /// fc-H4-m2048-s3) and the loss at that step (<see cref="Pool"/> leaves out the probes before its fromStep).
    /// </summary>
    private sealed record Pooled(double[] Values, long[] Steps, string[] Runs, double[] Loss);

    private static Pooled Pool(IEnumerable<CellResult> runs, string column, long fromStep = 0)
    {
        var points = runs.SelectMany(r =>
        {
            var (steps, values) = r.Metrics.Probed(column);
            var loss = r.Metrics[MetricColumns.Loss];
            return steps.Select((k, i) => (Value: values[i], Step: (long)k, Run: Path.GetFileName(r.Folder), Loss: loss[(int)k]));
        }).Where(p => p.Step >= fromStep).ToArray();
        return new Pooled(points.Select(p => p.Value).ToArray(), points.Select(p => p.Step).ToArray(),
            points.Select(p => p.Run).ToArray(), points.Select(p => p.Loss).ToArray());
    }

    /// <summary>"Within 10%": loose enough for finite-width corrections at these widths, tight enough to tell a kernel regime.</summary>
    private const double MaxLinearGap = 0.10;

    private static Claim LinearGapClaim(Study study, IReadOnlyList<CellResult> finished, string arch)
    {
        int deepest = study.Depths.Max(), widest = study.Widths.Max();
        string text = $"{Arch(arch)}: the real loss stays within 10% of the linearized prediction while L(k) ≥ 10⁻³ L(0) (kernel regime), m = {widest}, H = {deepest}";
        var run = finished.FirstOrDefault(r => r.Arch == arch && r.Depth == deepest && r.Width == widest && r.Seed == 1);
        if (run is null) return Claim.From(text, NoFinishedRun($"the seed-1 run at m = {widest}, H = {deepest} did not finish"));
        if (!run.Metrics.Probed(MetricColumns.LossLinear).Steps.Any(k => k > 0)) return Claim.From(text, NoProbeAfterStart);
        var (gap, gapStep) = MaxRelativeGap(run.Metrics, MetricColumns.LossLinear);
        return Claim.From(text,
            Verdicts.AllAtMost([gap], MaxLinearGap) with { Measured = $"max |L(k) − L_lin(k)| / L(k) = {Fmt(gap)} at k = {gapStep} in {Path.GetFileName(run.Folder)} (limit {Fmt(MaxLinearGap)})" });
    }

    /// <summary>The gap is compared while L(k) ≥ this fraction of L(0): deeper, a few-percent difference of rates compounds over many e-folds.</summary>
    private const double GapLossFloor = 1e-3;

    /// <summary>max_k |L(k) − prediction(k)| / L(k) over the probed steps with L(k) ≥ 10⁻³ L(0), and the step where it occurs.</summary>
    private static (double Gap, int Step) MaxRelativeGap(MetricsTable m, string prediction)
    {
        var (steps, pred) = m.Probed(prediction);
        var loss = m[MetricColumns.Loss];
        double worst = 0;
        int at = 0;
        for (int i = 0; i < steps.Length; i++)
        {
            double l = loss[(int)steps[i]];
            if (l < GapLossFloor * loss[0]) break;
            double gap = Math.Abs(l - pred[i]) / l;
            if (!(gap <= worst)) { worst = gap; at = (int)steps[i]; }
        }
        return (double.IsFinite(worst) ? worst : double.PositiveInfinity, at);
    }

    // λ_min(G^(H)(k)) / λ₀ over training, one series per width.

    private static ReportSection RatioSection(Study study, IReadOnlyList<CellResult> cells)
    {
        int deepest = study.Depths.Max();
        return new ReportSection("Least eigenvalue of the last-layer Gram matrix")
        {
            Plots = study.Architectures.Select(arch =>
            {
                var series = study.Widths.Select(m =>
                {
                    var run = SeedOne(cells, arch, deepest, m);
                    var (s, v) = run.Metrics.Probed(MetricColumns.LambdaMinGhRatio);
                    return Line(Finished(run) ? $"m = {m}" : $"m = {m}, {Ended(run)}", s, v, SeriesStyle.LineMarkers);
                }).ToList();
                double last = series.SelectMany(x => x.X).DefaultIfEmpty(0).Max();
                series.Add(Line("3/4: the proof's bound at k = 0", [0, last], [0.75, 0.75], SeriesStyle.Dashed));
                series.Add(Line("1/2: the proof's bound for every k", [0, last], [0.5, 0.5], SeriesStyle.Dashed));
                return new PlotSpec
                {
                    Title = $"{Arch(arch)}, H = {deepest}, seed 1: λ_min(G^(H)(k)) / λ₀", XLabel = "step k", YLabel = "λ_min(G^(H)(k)) / λ₀",
                    Series = series, Name = $"ratio_{arch}",
                    Caption = "Seed 1 of each width. The proof needs this ratio ≥ 1/2 throughout training and ≥ 3/4 at initialization (Lemmas B.2/C.2); the dashed lines mark both.",
                };
            }).ToList(),
        };
    }

    /// <summary>The proofs keep λ_min(G^(H)(k)) ≥ λ₀/2 throughout training (Lemmas B.4/C.4).</summary>
    private const double MinLambdaRatio = 0.5;

    private static Claim RatioClaim(Study study, IReadOnlyList<CellResult> finished, string arch)
    {
        int widest = study.Widths.Max();
        var wide = finished.Where(r => r.Arch == arch && r.Width == widest).ToList();
        string text = $"{Arch(arch)}: λ_min(G^(H)(k)) ≥ λ₀/2 at every probed k (Lemmas B.4/C.4), widest width m = {widest}";
        if (wide.Count == 0) return Claim.From(text, NoFinishedRun($"no finished run at m = {widest}"));
        var ratios = Pool(wide, MetricColumns.LambdaMinGhRatio);
        if (!ratios.Steps.Any(k => k > 0)) return Claim.From(text, NoProbeAfterStart);
        return Claim.From(text, Verdicts.MinRatioAtLeast(ratios.Values, MinLambdaRatio, ratios.Steps, ratios.Runs));
    }

    // Drift and weight movement against width (log-log, fitted slope at the deepest depth).

    /// <summary>The proof bounds the drift by O(m^(−1/2)) (Lemmas B.4/C.4), and eq. (6)'s averaged norm shrinks the same way.</summary>
    private const double WidthSlope = -0.5;

    /// <summary>Slack on a slope fitted to a few widths of a few seeds each.</summary>
    private const double SlopeTolerance = 0.2;

    private static ReportSection DriftSection(Study study, IReadOnlyList<CellResult> cells) => new("Gram drift against width")
    {
        Paragraphs = ["Over-parameterization keeps G^(H) near its initial value: the proof bounds the drift by O(1/√m) at fixed data. Points are means over seeds at the last step; the line is a least-squares fit on log–log axes for the deepest network. A slope steeper than −1/2 (often near −1, as Dyer and Gur-Ari observed for the NTK's evolution) is within the bound."],
        Plots = study.Architectures.Select(arch => WidthPlot(study, cells, arch, _ => MetricColumns.GhDriftRel, $"drift_{arch}",
            $"{Arch(arch)}: relative Gram drift at the last step vs width", "‖G^(H)(T) − G^(H)(0)‖₂ / ‖G^(H)(0)‖₂", WidthSlope)).ToList(),
    };

    private static Claim DriftClaim(Study study, IReadOnlyList<CellResult> cells, string arch) =>
        Claim.From($"{Arch(arch)}: relative Gram drift shrinks at least like m^(−1/2), the proof's bound (Lemmas B.4/C.4), H = {study.Depths.Max()}",
            Verdicts.SlopeAtMost(WidthFit(study, cells, arch, MetricColumns.GhDriftRel), WidthSlope, SlopeTolerance));

    private static ReportSection MovementSection(Study study, IReadOnlyList<CellResult> cells)
    {
        return new ReportSection("Weight movement against width")
        {
            Paragraphs = ["‖W^(h)(k) − W^(h)(0)‖_F = O(√n‖y − u(0)‖/λ₀) does not depend on m (docs/mathematics.md §6.4), so the relative change and the averaged norm of eq. (6) shrink with width."],
            Plots = study.Architectures.SelectMany(arch => new[]
            {
                WidthPlot(study, cells, arch, MetricColumns.WeightFro, $"movement_{arch}",
                    $"{Arch(arch)}: weight movement ‖W^(H)(T) − W^(H)(0)‖_F vs width", "‖W^(H)(T) − W^(H)(0)‖_F", 0),
                WidthPlot(study, cells, arch, MetricColumns.WeightAvg, $"movement_avg_{arch}",
                    $"{Arch(arch)}: averaged norm ‖W^(H)(T) − W^(H)(0)‖_F / √m vs width (eq. 6)", "‖ΔW^(H)‖_F / √m", WidthSlope),
            }).ToList(),
        };
    }

    /// <summary>|slope| below which a log–log fit against width counts as flat (Lemmas B.5/C.5: the movement does not depend on m).</summary>
    private const double FlatSlope = 0.15;

    private static Claim MovementClaim(Study study, IReadOnlyList<CellResult> cells, string arch)
    {
        int deepest = study.Depths.Max();
        var (widths, moved) = MeanOverSeeds(study, cells, arch, deepest, MetricColumns.WeightFro(deepest));
        return Claim.From($"{Arch(arch)}: weight movement ‖W^(H)(T) − W^(H)(0)‖_F independent of m (Lemmas B.5/C.5), H = {deepest}",
            Verdicts.IndependentOfWidth(widths, moved, FlatSlope));
    }

    private static Claim AveragedMovementClaim(Study study, IReadOnlyList<CellResult> cells, string arch)
    {
        int deepest = study.Depths.Max();
        var (widths, avg) = MeanOverSeeds(study, cells, arch, deepest, MetricColumns.WeightAvg(deepest));
        return Claim.From($"{Arch(arch)}: averaged Frobenius norm ‖ΔW^(H)‖_F/√m → 0 like m^(−1/2) (eq. 6), H = {deepest}",
            Verdicts.SlopeNear(LogLogFit.TryFit(widths, avg), WidthSlope, SlopeTolerance));
    }

    /// <summary>
    /// A column against width on log–log axes, one series per depth (<paramref name="columnAt"/> gives the column at each
    /// depth: the weight movement of the last layer is dWH_fro at depth H), with the fit at the deepest depth.
    /// </summary>
    private static PlotSpec WidthPlot(Study study, IReadOnlyList<CellResult> cells, string arch, Func<int, string> columnAt, string name, string title,
        string yLabel, double theorySlope)
    {
        var series = study.Depths.Select(h =>
        {
            var (w, v, sd) = SeedStatistics(study, cells, arch, h, columnAt(h));
            return Line($"H = {h}", w, v, SeriesStyle.LineMarkers) with { YError = study.Seeds > 1 ? sd : null };
        }).ToList();
        var fit = WidthFit(study, cells, arch, columnAt(study.Depths[^1]));
        return new PlotSpec
        {
            Title = title, XLabel = "width m", YLabel = yLabel, LogX = true, LogY = true, Series = series, Name = name,
            XTicks = study.Widths.Select(m => (double)m).ToArray(),
            Fit = fit is null ? null : FittedLine.From(fit, theorySlope),
            Caption = $"Means over {study.Seeds} seed(s) at the last step{(study.Seeds > 1 ? ", bars ± one standard deviation over seeds" : "")}; fit on H = {study.Depths.Max()} (theory slope {ReportFormat.Signed(theorySlope, 2)}).",
        };
    }

    /// <summary>
    /// The log–log fit of a column's seed means against width at the study's last depth: its deepest when the depths are
    /// listed in increasing order, as in every preset.
    /// </summary>
    private static LogLogFit? WidthFit(Study study, IReadOnlyList<CellResult> cells, string arch, string column)
    {
        var (widths, values) = MeanOverSeeds(study, cells, arch, study.Depths[^1], column);
        return LogLogFit.TryFit(widths, values);
    }

    private static (double[] Widths, double[] Values) MeanOverSeeds(Study study, IReadOnlyList<CellResult> cells, string arch, int depth, string column)
    {
        var (widths, means, _) = SeedStatistics(study, cells, arch, depth, column);
        return (widths, means);
    }

    /// <summary>Per width: the mean and standard deviation over seeds of a column's last probed value.</summary>
    private static (double[] Widths, double[] Means, double[] Sds) SeedStatistics(Study study, IReadOnlyList<CellResult> cells, string arch, int depth, string column)
    {
        var stats = study.Widths.Select(m => MeanSd.OfAll(cells.Where(r => r.Arch == arch && r.Depth == depth && r.Width == m).Select(r => r.Metrics.Last(column)))).ToArray();
        return (study.Widths.Select(m => (double)m).ToArray(), stats.Select(t => t.Mean).ToArray(), stats.Select(t => t.Sd).ToArray());
    }

    /// <summary>The mean over seeds of a column's last probed value in one cell (NaN if any seed has none).</summary>
    private static double SeedMean(IReadOnlyList<CellResult> cells, string arch, int depth, int width, string column) =>
        MeanSd.OfAll(cells.Where(r => r.Arch == arch && r.Depth == depth && r.Width == width).Select(r => r.Metrics.Last(column))).Mean;

    // Depth: λ₀ and the drift against depth, fully-connected against ResNet (only with two or more depths).

    private static ReportSection DepthSection(Study study, IReadOnlyList<CellResult> cells)
    {
        int widest = study.Widths.Max();
        var depths = study.Depths.Select(h => (double)h).ToArray();
        var lambdaSeries = study.Architectures.Select(arch => Line(Arch(arch), depths,
            study.Depths.Select(h => Lambda0(cells, arch, h)).ToArray(), SeriesStyle.LineMarkers)).ToList();
        var driftSeries = study.Architectures.Select(arch => Line(Arch(arch), depths,
            study.Depths.Select(h => SeedMean(cells, arch, h, widest, MetricColumns.GhDriftRel)).ToArray(), SeriesStyle.LineMarkers)).ToList();
        return new ReportSection("Depth: fully-connected against ResNet")
        {
            Paragraphs = ["The paper's headline: the fully-connected network needs width growing like 2^O(H), the ResNet only polynomially. The width is what keeps G^(H)(k) near G^(H)(0) (λ_min(G^(H)(k)) ≥ λ₀/2) while training, so the depth-contrast claim compares how much of that margin each architecture loses with depth at one width. λ₀ = λ_min(K^(H)) sets the rate; for the ResNet λ₀ ∼ κ/H² with κ independent of depth (Proposition F.2); for the fully-connected network the theorems only need λ₀ > 0 (with tanh it even grows with depth)."],
            Plots =
            [
                new PlotSpec { Title = "λ₀ = λ_min(K^(H)) vs depth", XLabel = "depth H", YLabel = "λ₀", LogX = true, LogY = true, Series = lambdaSeries, Name = "lambda0_depth", XTicks = depths, Caption = "From the infinite-width recursions (Definitions 5.1 and 6.1, corrected as in docs/mathematics.md §4)." },
                new PlotSpec { Title = $"relative Gram drift vs depth, m = {widest}", XLabel = "depth H", YLabel = "‖G^(H)(T) − G^(H)(0)‖₂ / ‖G^(H)(0)‖₂", LogX = true, LogY = true, Series = driftSeries, Name = "drift_depth", XTicks = depths, Caption = "Mean over seeds at the last step." },
            ],
        };
    }

    /// <summary>λ₀ ∼ 1/H² (Proposition F.2), with 0.2 of slack on a slope fitted to a few depths.</summary>
    private const double MinResNetLambda0Slope = -2.2;

    private static IEnumerable<Claim> DepthClaims(Study study, IReadOnlyList<CellResult> cells)
    {
        var archs = study.Architectures;
        // The ResNet at H = 1 is the fc network (eq. 3 has no residual layer), so its trend starts at H = 2.
        var residualDepths = study.Depths.Where(h => h >= 2).OrderBy(h => h).ToArray();
        if (archs.Contains("resnet"))
        {
            var fit = LogLogFit.TryFit(residualDepths.Select(h => (double)h).ToArray(), residualDepths.Select(h => Lambda0(cells, "resnet", h)).ToArray());
            yield return Claim.From("ResNet: λ₀ decays no faster than H^(−2) for H ≥ 2 (Proposition F.2: λ₀ ≥ c_H κ, c_H ∼ 1/H²)", fit is null || fit.Count < Verdicts.MinPointsForTrend
                ? VerdictResult.NotApplicable("fewer than 3 depths ≥ 2")
                : new VerdictResult(fit.Slope >= MinResNetLambda0Slope ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes,
                    $"log–log slope of λ₀ vs H: {ReportFormat.Signed(fit.Slope, 3)} (holds if ≥ {ReportFormat.Signed(MinResNetLambda0Slope, 3)})", fit.Slope));
        }
        if (archs.Contains("resnet") && archs.Contains("fc") && residualDepths.Length >= 3)
        {
            // The paper's headline (Theorem 5.1's 2^O(H) against Theorem 6.1's poly(H)) is about the width that keeps
            // G^(H)(k) near G^(H)(0) — λ_min(G^(H)(k)) ≥ λ₀/2 — as depth grows, not about λ₀ itself (which the theorems
            // only need positive). So compare how much of that margin each architecture loses with depth at one width.
            int lo = residualDepths[0], hi = residualDepths[^1], narrowest = study.Widths.Min();
            double fcShallow = MinRatio(cells, "fc", lo, narrowest), fcDeep = MinRatio(cells, "fc", hi, narrowest);
            double resShallow = MinRatio(cells, "resnet", lo, narrowest), resDeep = MinRatio(cells, "resnet", hi, narrowest);
            double fcDrop = fcShallow - fcDeep, resDrop = resShallow - resDeep;
            yield return Claim.From($"Depth contrast (Theorem 5.1's 2^O(H) vs Theorem 6.1's poly(H)): at width m = {narrowest}, deepening from H = {lo} to {hi} lowers min_k λ_min(G^(H)(k))/λ₀ more for the fully-connected network than for the ResNet",
                !double.IsFinite(fcDrop) || !double.IsFinite(resDrop) ? VerdictResult.NotApplicable("a run of these cells has no λ_min probe")
                : new VerdictResult(fcDrop > resDrop ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes,
                    $"mean over seeds of min_k λ_min(G^(H)(k))/λ₀, H = {lo} → {hi}: fully-connected {Fmt(fcShallow)} → {Fmt(fcDeep)} (drop {Fmt(fcDrop)}), ResNet {Fmt(resShallow)} → {Fmt(resDeep)} (drop {Fmt(resDrop)})"));
        }
    }

    /// <summary>The mean over seeds of a cell's smallest probed λ_min(G^(H)(k))/λ₀ (NaN when a seed has none).</summary>
    private static double MinRatio(IReadOnlyList<CellResult> cells, string arch, int depth, int width) =>
        MeanSd.OfAll(cells.Where(r => r.Arch == arch && r.Depth == depth && r.Width == width)
            .Select(SmallestRatio)).Mean;

    /// <summary>A run's smallest probed λ_min(G^(H)(k))/λ₀ (NaN without probes).</summary>
    private static double SmallestRatio(CellResult run) =>
        run.Metrics.Probed(MetricColumns.LambdaMinGhRatio).Values.DefaultIfEmpty(double.NaN).Min();

    /// <summary>λ₀ of a depth: it comes from the infinite-width kernel of the data before training, so every run has it, finished or not.</summary>
    private static double Lambda0(IReadOnlyList<CellResult> cells, string arch, int depth) =>
        cells.First(r => r.Arch == arch && r.Depth == depth).Outcome.Lambda0 ?? double.NaN;

    // Every run: one row per (architecture, depth, width), mean ± sd over seeds.

    private static ReportSection EveryRunSection(Study study, IReadOnlyList<CellResult> cells)
    {
        var rows = cells.GroupBy(c => (c.Arch, c.Depth, c.Width)).Select(g => new[]
        {
            g.Key.Arch, g.Key.Depth.ToString(), g.Key.Width.ToString(),
            Fmt(g.First().Outcome.Lambda0 ?? double.NaN), Fmt(g.First().Outcome.Eta),
            MeanSd.OfAll(g.Select(c => c.Outcome.FinalLoss)).FormatGeneral(),
            MeanSd.OfAll(g.Select(SmallestRatio)).FormatGeneral(),
            MeanSd.OfAll(g.Select(c => c.Metrics.Last(MetricColumns.GhDriftRel))).FormatGeneral(),
            MeanSd.OfAll(g.Select(c => c.Metrics.Last(MetricColumns.WeightFro(g.Key.Depth)))).FormatGeneral(),
            string.Join(" ", g.Select(c => TrainingStatusText.Name(c.Outcome.Status)).Distinct()),
            Fmt(g.Sum(c => c.Outcome.Seconds)),
        }).ToArray();
        return new ReportSection("Every run")
        {
            Tables = [new ReportTable(["arch", "H", "m", "λ₀", "η", "final loss", "min λ_min(G^(H))/λ₀", "G^(H) drift (rel)", "‖ΔW^(H)‖_F", "status", "seconds"], rows,
                $"Mean ± sd over {study.Seeds} seed(s); the drift and movement are at the last step.")],
        };
    }

    /// <summary>How an unfinished run ended, for a legend: "diverged at step 3".</summary>
    private static string Ended(CellResult c) => $"{TrainingStatusText.Name(c.Outcome.Status)} at step {c.Outcome.Steps}";

    /// <summary>The seed-1 run of one cell.</summary>
    private static CellResult SeedOne(IReadOnlyList<CellResult> cells, string arch, int depth, int width) =>
        cells.First(r => r.Arch == arch && r.Depth == depth && r.Width == width && r.Seed == 1);

    internal static Series Line(string name, double[] x, double[] y, SeriesStyle style) => new(name, x, y, style);
    internal static string Arch(string a) => Architecture.Parse(a).DisplayName;
    internal static string Fmt(double v) => ReportFormat.General(v, 4);
}
