using Overparam.Reports;
using static Overparam.Experiments.Verify.VerifyReport;

namespace Overparam.Experiments.Verify;

/// <summary>
/// The two-layer experiment of the ICLR companion (docs/mathematics.md §8, Figure 1): f = m^(−1/2) Σ a_r ReLU(w_rᵀx), a fixed at ±1,
/// only W trained, n points on the unit sphere in R^d with N(0, 1) labels, GD with a fixed step for 100 epochs.
/// The claims are judged on the runs that finished (<see cref="VerifyReport.Finished"/>).
/// </summary>
public static class IclrReport
{
    // Figure 1 read off at epoch 100 (docs/mathematics.md §8): m → (ln MSE, pattern ratio, max distance).
    private static readonly Dictionary<int, (double LogError, double Pattern, double Distance)> Paper = new()
    {
        [500] = (-1.6, 0.0185, 2.8), [1000] = (-2.15, 0.0152, 2.07), [2000] = (-3.0, 0.0117, 1.35), [4000] = (-4.1, 0.0097, 0.95), [8000] = (-5.7, 0.0067, 0.45),
    };

    /// <summary>The paper's n (and d); the study's n over it is the scale of the run.</summary>
    private const double PaperN = 1000;

    /// <summary>What each width's run (seed 1) ends with, as Figure 1 shows it at its last epoch.</summary>
    private sealed record Finals(double[] Widths, double[] LogMse, double[] Pattern, double[] Distance)
    {
        public static Finals Of(Study study, IReadOnlyList<CellResult> runs) => new(
            runs.Select(r => (double)r.Width).ToArray(),
            runs.Select(r => LogMeanSquaredError(study, r.Outcome.FinalLoss)).ToArray(),
            runs.Select(r => r.Metrics.Last(MetricColumns.PatternChange)).ToArray(),
            runs.Select(r => r.Metrics.Last(MetricColumns.MaxDwR)).ToArray());
    }

    public static Report Build(Study study, IReadOnlyList<CellResult> cells)
    {
        var runs = study.Widths.Select(m => cells.First(c => c.Width == m && c.Seed == 1)).ToList();
        var finals = Finals.Of(study, runs);
        var judged = runs.Where(Finished).ToList();
        var judgedFinals = Finals.Of(study, judged);
        return new Report($"Overparam verify: {study.Name}")
        {
            Intro =
            [
                $"Du, Zhai, Póczos, Singh (ICLR 2019), Section 5, Figure 1, at scale {Fmt(Scale(study))}: n = {study.N} points uniform on the unit sphere in R^{study.D}, N(0, 1) labels, widths {string.Join(", ", study.Widths)}; f = m^(−1/2) Σ a_r ReLU(w_rᵀx) with a_r uniform on ±1 and fixed, only W trained, {study.Steps} epochs of full-batch GD with the fixed step η = {Fmt(study.Lr)} (the paper does not report its step).",
                "As docs/mathematics.md §8 notes, panel (a)'s strong m-dependence does not reproduce with a fixed η under this parameterization (NTK theory predicts m-independent rates); panels (b) and (c) do. The verdicts below are computed from this run.",
                .. UnfinishedIntro(runs),
            ],
            Claims = new ClaimTable()
                .Add("Fig. 1a: larger m converges faster (final ln MSE decreases with m)", Decreasing(judgedFinals.Widths, judgedFinals.LogMse, "final ln MSE"))
                .Add("Fig. 1b: larger m changes fewer activation patterns", Decreasing(judgedFinals.Widths, judgedFinals.Pattern, "final pattern ratio"))
                .Add("Fig. 1c: larger m moves the weights less (max_r ‖w_r − w_r(0)‖)", Decreasing(judgedFinals.Widths, judgedFinals.Distance, "final max distance"))
                .Add("Corollary 4.1: max_r ‖w_r(k) − w_r(0)‖ ≤ R′ = 4√n‖y − u(0)‖/(√m λ₀) at every probed k", RadiusCheck(study, judged)),
            Sections = [FigureSection(study, runs), PaperSection(study, runs, finals), .. judged.Count < runs.Count ? [UnfinishedSection(runs)] : Array.Empty<ReportSection>()],
        };
    }

    private static ReportSection FigureSection(Study study, IReadOnlyList<CellResult> runs)
    {
        PlotSpec Panel(string name, string title, string y, Func<CellResult, (double[] S, double[] V)> data) => new()
        {
            Title = title, XLabel = "epoch", YLabel = y, Name = name,
            Series = runs.Select(r => { var (s, v) = data(r); return Line($"m = {r.Width}", s, v, SeriesStyle.Line); }).ToList(),
        };
        var a = Panel("fig1a_convergence", "(a) convergence: ln of the mean squared error", "ln((1/n) Σ (u_i − y_i)²)",
            r => (r.Metrics[MetricColumns.Step], r.Metrics[MetricColumns.Loss].Select(l => LogMeanSquaredError(study, l)).ToArray()));
        a = a with { Caption = "The paper's y-axis is probably ln of the per-sample MSE (docs/mathematics.md §8); L = ½Σ(u−y)², so MSE = 2L/n." };
        var b = Panel("fig1b_patterns", "(b) activation pattern difference ratio", "fraction of (i, r) whose sign(w_rᵀx_i) changed", r => r.Metrics.Probed(MetricColumns.PatternChange));
        var c = Panel("fig1c_distance", "(c) maximum distance from initialization", "max_r ‖w_r(k) − w_r(0)‖₂", r => r.Metrics.Probed(MetricColumns.MaxDwR));
        return new ReportSection("Figure 1") { Plots = [a, b, c] };
    }

    private static ReportSection PaperSection(Study study, IReadOnlyList<CellResult> runs, Finals finals)
    {
        var rows = runs.Select((r, i) =>
        {
            int paperM = (int)Math.Round(r.Width / Scale(study));
            var p = Paper.TryGetValue(paperM, out var v) ? v : (double.NaN, double.NaN, double.NaN);
            return new[] { r.Width.ToString(), Fmt(finals.LogMse[i]), Fmt(p.Item1), Fmt(finals.Pattern[i]), Fmt(p.Item2), Fmt(finals.Distance[i]), Fmt(p.Item3), Fmt(r.Outcome.Lambda0 ?? double.NaN) };
        }).ToArray();
        return new ReportSection("Epoch 100 against the paper")
        {
            Tables = [new ReportTable(["m", "ln MSE", "paper", "pattern ratio", "paper", "max distance", "paper", "λ₀ = λ_min(H^∞)"], rows,
                "Paper values read off Figure 1 (docs/mathematics.md §8), shown where m matches the paper's widths at this scale.")],
        };
    }

    private static double Scale(Study study) => study.N / PaperN;

    /// <summary>ln of the per-sample mean squared error: L = ½Σ(u − y)², so MSE = 2L/n.</summary>
    private static double LogMeanSquaredError(Study study, double loss) => Math.Log(2 * loss / study.N);

    private static VerdictResult Decreasing(double[] widths, double[] values, string what)
    {
        if (widths.Length < 2) return VerdictResult.NotApplicable($"{widths.Length} finished width(s); need 2");
        bool holds = true;
        for (int i = 1; i < values.Length; i++) holds &= values[i] < values[i - 1];
        return new VerdictResult(holds ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes,
            $"{what} by width: {string.Join(", ", widths.Select((w, i) => $"m={w}: {Fmt(values[i])}"))}");
    }

    /// <summary>Corollary 4.1 keeps every w_r within R′ of its start: the ratio distance / R′ is at most 1.</summary>
    private const double MaxRadiusRatio = 1.0;

    private static VerdictResult RadiusCheck(Study study, IReadOnlyList<CellResult> runs)
    {
        if (!runs.Any(r => r.Metrics.Probed(MetricColumns.MaxDwR).Steps.Any(k => k > 0)))
            return VerdictResult.NotApplicable(runs.Count == 0 ? "no finished run" : "no probe after k = 0");
        double worst = 0;
        foreach (var r in runs)
        {
            double lambda0 = r.Outcome.Lambda0 ?? double.NaN;
            double radius = 4 * Math.Sqrt(study.N) * Math.Sqrt(2 * r.Outcome.InitialLoss) / (Math.Sqrt(r.Width) * lambda0);
            foreach (var d in r.Metrics.Probed(MetricColumns.MaxDwR).Values) worst = Math.Max(worst, d / radius);
        }
        return Verdicts.AllAtMost([worst], MaxRadiusRatio) with { Measured = $"largest max_r ‖w_r(k) − w_r(0)‖ / R′ over all runs and steps: {Fmt(worst)}" };
    }
}
