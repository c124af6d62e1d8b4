using Overparam.Reports;
using Overparam.Training;

namespace Overparam.Experiments.Verify;

/// <summary>
/// Turns a finished study into the verify report: plots (each with the CSV behind it), a per-cell table and the table
/// of the paper's claims with verdicts computed from the measured data.
/// </summary>
public static class VerifyReport
{
    public static Report Build(Study study, IReadOnlyList<CellResult> cells) =>
        study.Kind == "iclr2019-fig1" ? IclrReport.Build(study, cells) : Deep(study, cells);

    private static Report Deep(Study study, IReadOnlyList<CellResult> cells)
    {
        var claims = new ClaimTable();
        var sections = new List<ReportSection>();
        int deepest = study.Depths.Max(), widest = study.Widths.Max();
        var archs = study.Architectures;

        // Loss against the bound and the kernel predictions (widest width, deepest depth, seed 1).
        var lossPlots = new List<PlotSpec>();
        foreach (var arch in archs)
        {
            var c = cells.First(r => r.Arch == arch && r.Depth == deepest && r.Width == widest && r.Seed == 1);
            var series = new List<Series> { Line("loss L(k)", c.Metrics["step"], c.Metrics["loss"], SeriesStyle.Line) };
            foreach (var (col, name) in new[] { ("bound", "bound (1−ηλ₀/2)^k L(0)"), ("loss_linear", "linearized, G(0)"), ("loss_theta", "infinite-width Θ") })
            {
                var (s, v) = c.Metrics.Probed(col);
                if (v.Length > 0) series.Add(Line(name, s, v, SeriesStyle.Dashed));
            }
            lossPlots.Add(new PlotSpec
            {
                Title = $"{Arch(arch)}, H = {deepest}, m = {widest}: loss vs step", XLabel = "step k", YLabel = "L(k) = ½Σ(u_i − y_i)²",
                LogY = true, Series = series, Name = $"loss_{arch}", Caption = $"Training loss of one run (seed 1) against the theorem's bound and the predictions of the linearized (finite-width G(0)) and infinite-width (Θ) kernel dynamics. η = {Fmt(c.Outcome.Eta)}, λ₀ = {Fmt(c.Outcome.Lambda0 ?? double.NaN)}.",
            });
            var pooled = cells.Where(r => r.Arch == arch).ToList();
            claims.Add($"{Arch(arch)}: loss ≤ (1 − ηλ₀/2)^k L(0) at every probed k (Theorems 5.1/6.1), all {pooled.Count} runs",
                Verdicts.LossBelowBound(pooled.SelectMany(r => r.Metrics.Probed("bound").Steps.Select(k => r.Metrics["loss"][(int)k])).ToArray(),
                    pooled.SelectMany(r => r.Metrics.Probed("bound").Values).ToArray(), 1e-9));
            var wide = cells.Where(r => r.Arch == arch && r.Width == widest).ToList();
            claims.Add($"{Arch(arch)}: λ_min(G^(H)(k)) ≥ λ₀/2 at every probed k (Lemmas B.4/C.4), widest width m = {widest}",
                Verdicts.MinRatioAtLeast(wide.SelectMany(r => r.Metrics.Probed("lambda_min_gh_ratio").Values).ToArray(), 0.5));
            var (gap, gapStep) = MaxRelativeGap(c.Metrics, "loss_linear");
            claims.Add($"{Arch(arch)}: the real loss stays within 10% of the linearized prediction while L(k) ≥ 10⁻³ L(0) (kernel regime), m = {widest}, H = {deepest}",
                Verdicts.AllAtMost([gap], 0.10) with { Measured = $"max |L(k) − L_lin(k)| / L(k) = {Fmt(gap)} at step {gapStep} (limit 0.1)" });
        }
        sections.Add(new ReportSection("Loss against the theorem's bound")
        {
            Paragraphs = ["The theorems promise L(k) ≤ (1 − ηλ₀/2)^k L(0) with λ₀ = λ_min(K^(H)). The proof only uses G^(H), which is small for the ResNet (O(1/H²)), so the real loss falls much faster than the bound (spec §5, simulator note). The dashed kernel curves iterate u(k+1) − y = (I − ηG)(u(k) − y) with the finite-width G(0) and with the infinite-width Θ."],
            Plots = lossPlots,
        });

        // λ_min(G^(H)(k)) / λ₀ over training, one series per width.
        var ratioPlots = archs.Select(arch => new PlotSpec
        {
            Title = $"{Arch(arch)}, H = {deepest}: λ_min(G^(H)(k)) / λ₀", XLabel = "step k", YLabel = "λ_min(G^(H)(k)) / λ₀",
            Series = study.Widths.Select(m =>
            {
                var c = cells.First(r => r.Arch == arch && r.Depth == deepest && r.Width == m && r.Seed == 1);
                var (s, v) = c.Metrics.Probed("lambda_min_gh_ratio");
                return Line($"m = {m}", s, v, SeriesStyle.LineMarkers);
            }).ToList(),
            Name = $"ratio_{arch}", Caption = "The proof needs this ratio ≥ 1/2 throughout training (≥ 3/4 at initialization, Lemmas B.2/C.2).",
        }).ToList();
        sections.Add(new ReportSection("Least eigenvalue of the last-layer Gram matrix") { Plots = ratioPlots });

        // Drift and weight movement against width (log-log, fitted slope at the deepest depth).
        var driftPlots = new List<PlotSpec>();
        var movePlots = new List<PlotSpec>();
        foreach (var arch in archs)
        {
            driftPlots.Add(WidthPlot(study, cells, arch, "gh_drift_rel", $"drift_{arch}", $"{Arch(arch)}: relative Gram drift at the last step vs width",
                "‖G^(H)(T) − G^(H)(0)‖₂ / ‖G^(H)(0)‖₂", -0.5, out var driftFit));
            claims.Add($"{Arch(arch)}: relative Gram drift shrinks at least like m^(−1/2), the proof's bound (Lemmas B.4/C.4), H = {deepest}",
                Verdicts.SlopeAtMost(driftFit, -0.5, 0.2));
            movePlots.Add(WidthPlot(study, cells, arch, $"dW{deepest}_fro", $"movement_{arch}", $"{Arch(arch)}: weight movement ‖W^(H)(T) − W^(H)(0)‖_F vs width",
                "‖W^(H)(T) − W^(H)(0)‖_F", 0, out _));
            var (widths, moved) = MeanOverSeeds(study, cells, arch, deepest, $"dW{deepest}_fro");
            claims.Add($"{Arch(arch)}: weight movement ‖W^(H)(T) − W^(H)(0)‖_F independent of m (Lemmas B.5/C.5), H = {deepest}",
                Verdicts.IndependentOfWidth(widths, moved, 0.15));
            var (_, avg) = MeanOverSeeds(study, cells, arch, deepest, $"dW{deepest}_avg");
            claims.Add($"{Arch(arch)}: averaged Frobenius norm ‖ΔW^(H)‖_F/√m → 0 like m^(−1/2) (eq. 6), H = {deepest}",
                Verdicts.SlopeNear(LogLogFit.TryFit(widths, avg), -0.5, 0.2));
        }
        sections.Add(new ReportSection("Gram drift against width")
        {
            Paragraphs = ["Over-parameterization keeps G^(H) near its initial value: the proof bounds the drift by O(1/√m) at fixed data. Points are means over seeds at the last step; the line is a least-squares fit on log–log axes for the deepest network. A slope steeper than −1/2 (often near −1, as Dyer and Gur-Ari observed for the NTK's evolution) is within the bound."],
            Plots = driftPlots,
        });
        sections.Add(new ReportSection("Weight movement against width")
        {
            Paragraphs = ["‖W^(h)(k) − W^(h)(0)‖_F = O(√n‖y − u(0)‖/λ₀) does not depend on m (spec §6), so the relative change and the averaged norm of eq. (6) shrink with width."],
            Plots = movePlots,
        });

        if (study.Depths.Length >= 2)
        {
            var lambdaSeries = archs.Select(arch => Line(Arch(arch), study.Depths.Select(h => (double)h).ToArray(),
                study.Depths.Select(h => cells.First(r => r.Arch == arch && r.Depth == h).Outcome.Lambda0 ?? double.NaN).ToArray(), SeriesStyle.LineMarkers)).ToList();
            var driftSeries = archs.Select(arch => Line(Arch(arch), study.Depths.Select(h => (double)h).ToArray(),
                study.Depths.Select(h => Mean(cells.Where(r => r.Arch == arch && r.Depth == h && r.Width == widest).Select(r => r.Metrics.Last("gh_drift_rel")))).ToArray(), SeriesStyle.LineMarkers)).ToList();
            sections.Add(new ReportSection("Depth: fully-connected against ResNet")
            {
                Paragraphs = ["The paper's headline: the fully-connected network needs width growing like 2^O(H), the ResNet only polynomially. λ₀ = λ_min(K^(H)) sets the rate; for the ResNet λ₀ ∼ κ/H² with κ independent of depth (Proposition F.2)."],
                Plots =
                [
                    new PlotSpec { Title = "λ₀ = λ_min(K^(H)) vs depth", XLabel = "depth H", YLabel = "λ₀", LogX = true, LogY = true, Series = lambdaSeries, Name = "lambda0_depth", Caption = "From the infinite-width recursions (Definitions 5.1 and 6.1, corrected as in spec §4)." },
                    new PlotSpec { Title = $"relative Gram drift vs depth, m = {widest}", XLabel = "depth H", YLabel = "‖G^(H)(T) − G^(H)(0)‖₂ / ‖G^(H)(0)‖₂", LogX = true, LogY = true, Series = driftSeries, Name = "drift_depth", Caption = "Mean over seeds at the last step." },
                ],
            });
            // The ResNet at H = 1 is the fc network (eq. 3 has no residual layer), so its trend starts at H = 2.
            double Lambda0(string arch, int h) => cells.First(r => r.Arch == arch && r.Depth == h).Outcome.Lambda0 ?? double.NaN;
            var residualDepths = study.Depths.Where(h => h >= 2).OrderBy(h => h).ToArray();
            if (archs.Contains("resnet"))
            {
                var fit = LogLogFit.TryFit(residualDepths.Select(h => (double)h).ToArray(), residualDepths.Select(h => Lambda0("resnet", h)).ToArray());
                claims.Add("ResNet: λ₀ decays no faster than H^(−2) for H ≥ 2 (Proposition F.2: λ₀ ≥ c_H κ, c_H ∼ 1/H²)", fit is null || fit.Count < Verdicts.MinPointsForTrend
                    ? VerdictResult.NotApplicable("fewer than 3 depths ≥ 2")
                    : new VerdictResult(fit.Slope >= -2.2 ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes, $"log–log slope of λ₀ vs H: {ReportFormat.Signed(fit.Slope, 3)} (holds if ≥ −2.2)", fit.Slope));
            }
            if (archs.Contains("resnet") && archs.Contains("fc") && residualDepths.Length >= 3)
            {
                int lo = residualDepths[0], hi = residualDepths[^1];
                double fcDrop = Lambda0("fc", hi) / Lambda0("fc", lo), resDrop = Lambda0("resnet", hi) / Lambda0("resnet", lo);
                claims.Add($"Depth contrast: λ₀ of the fully-connected network falls faster with depth than the ResNet's (2^O(H) vs polynomial), H = {lo} → {hi}",
                    new VerdictResult(fcDrop < resDrop ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes,
                        $"λ₀(H = {hi})/λ₀(H = {lo}): fully-connected {Fmt(fcDrop)}, ResNet {Fmt(resDrop)}"));
            }
        }
        sections.Add(new ReportSection("Every run") { Tables = [CellTable(study, cells)] });
        return new Report($"Overparam verify: {study.Name}")
        {
            Intro =
            [
                $"Du, Lee, Li, Wang, Zhai, \"Gradient Descent Finds Global Minima of Deep Neural Networks\" (ICML 2019), checked by training: {string.Join(" and ", archs.Select(Arch))} networks of depth {string.Join(", ", study.Depths)} and width {string.Join(", ", study.Widths)}, {study.Seeds} seed(s) each, on n = {study.N} points uniform on the unit sphere in R^{study.D} (data seed {study.DataSeed}) with N(0, 1) labels.",
                $"Activation {study.Activation}{(study.Activation == "tanh" ? " (in the paper's class; mean-zero, so G(0) has no dominant constant mode and GD reaches a small loss within the budget — with softplus, E[σ] ≠ 0 puts most of G(0)'s spectrum in one direction and the loss stalls; run `--preset depth` or your own `--config` for softplus)" : "")}; c_res = {Fmt(study.CRes)}; full-batch GD for {study.Steps} steps with η chosen by the `{study.LrPolicy}` policy (c = {Fmt(study.LrConstant)}); probes every {study.ProbeEvery} steps. The loss is the paper's sum L = ½ Σ_i (f(x_i) − y_i)² (not a mean); time is counted in GD steps.",
                "Every number below can be regenerated from the CSV beside each plot and from the run folders under `runs/` (config.json, metrics.csv, init/final weights).",
            ],
            Claims = claims,
            Sections = sections,
        };
    }

    private static PlotSpec WidthPlot(Study study, IReadOnlyList<CellResult> cells, string arch, string column, string name, string title,
        string yLabel, double theorySlope, out LogLogFit? fit)
    {
        var series = study.Depths.Select(h =>
        {
            var (w, v) = MeanOverSeeds(study, cells, arch, h, column);
            return Line($"H = {h}", w, v, SeriesStyle.LineMarkers);
        }).ToList();
        var deepest = series[^1];
        fit = LogLogFit.TryFit(deepest.X, deepest.Y);
        return new PlotSpec
        {
            Title = title, XLabel = "width m", YLabel = yLabel, LogX = true, LogY = true, Series = series, Name = name,
            Fit = fit is null ? null : FittedLine.From(fit, theorySlope),
            Caption = $"Means over {study.Seeds} seed(s) at the last step; fit on H = {study.Depths.Max()} (theory slope {ReportFormat.Signed(theorySlope, 2)}).",
        };
    }

    internal static (double[] Widths, double[] Values) MeanOverSeeds(Study study, IReadOnlyList<CellResult> cells, string arch, int depth, string column)
    {
        var widths = study.Widths.Select(m => (double)m).ToArray();
        var values = study.Widths.Select(m => Mean(cells.Where(r => r.Arch == arch && r.Depth == depth && r.Width == m).Select(r => r.Metrics.Last(column)))).ToArray();
        return (widths, values);
    }

    /// <summary>
    /// max_k |L(k) − prediction(k)| / L(k) over the probed steps with L(k) ≥ 10⁻³ L(0), and the step where it occurs.
    /// Deeper in the tail a few-percent difference of rates compounds over many e-folds, which says nothing about the regime.
    /// </summary>
    internal static (double Gap, int Step) MaxRelativeGap(MetricsTable m, string prediction)
    {
        var (steps, pred) = m.Probed(prediction);
        var loss = m["loss"];
        double worst = 0;
        int at = 0;
        for (int i = 0; i < steps.Length; i++)
        {
            double l = loss[(int)steps[i]];
            if (l < 1e-3 * loss[0]) break;
            double gap = Math.Abs(l - pred[i]) / l;
            if (!(gap <= worst)) { worst = gap; at = (int)steps[i]; }
        }
        return (double.IsFinite(worst) ? worst : double.PositiveInfinity, at);
    }

    private static ReportTable CellTable(Study study, IReadOnlyList<CellResult> cells)
    {
        var groups = cells.GroupBy(c => (c.Arch, c.Depth, c.Width));
        var rows = groups.Select(g => new[]
        {
            g.Key.Arch, g.Key.Depth.ToString(), g.Key.Width.ToString(),
            Fmt(g.First().Outcome.Lambda0 ?? double.NaN), Fmt(g.First().Outcome.Eta),
            MeanSd(g.Select(c => c.Outcome.FinalLoss)),
            MeanSd(g.Select(c => c.Metrics.Probed("lambda_min_gh_ratio").Values.DefaultIfEmpty(double.NaN).Min())),
            MeanSd(g.Select(c => c.Metrics.Last("gh_drift_rel"))),
            MeanSd(g.Select(c => c.Metrics.Last($"dW{g.Key.Depth}_fro"))),
            string.Join(" ", g.Select(c => TrainingStatusText.Name(c.Outcome.Status)).Distinct()),
            Fmt(g.Sum(c => c.Outcome.Seconds)),
        }).ToArray();
        return new ReportTable(["arch", "H", "m", "λ₀", "η", "final loss", "min λ_min(G^(H))/λ₀", "G^(H) drift (rel)", "‖ΔW^(H)‖_F", "status", "seconds"], rows,
            $"Mean ± sd over {study.Seeds} seed(s); the drift and movement are at the last step.");
    }

    internal static Series Line(string name, double[] x, double[] y, SeriesStyle style) => new(name, x, y, style);
    internal static string Arch(string a) => a == "fc" ? "fully-connected" : "ResNet";
    internal static string Fmt(double v) => ReportFormat.General(v, 4);

    internal static double Mean(IEnumerable<double> v)
    {
        var a = v.ToArray();
        return a.Length == 0 ? double.NaN : a.Average();
    }

    internal static string MeanSd(IEnumerable<double> v)
    {
        var a = v.ToArray();
        if (a.Length == 0) return "";
        double mean = a.Average();
        if (a.Length == 1) return Fmt(mean);
        double sd = Math.Sqrt(a.Sum(x => (x - mean) * (x - mean)) / (a.Length - 1));
        return $"{Fmt(mean)} ± {ReportFormat.General(sd, 2)}";
    }
}
