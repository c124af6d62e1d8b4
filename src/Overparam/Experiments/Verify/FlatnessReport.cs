using Overparam.Reports;
using Overparam.Training;

namespace Overparam.Experiments.Verify;

/// <summary>
/// The report of `verify --preset flatness` (<see cref="FlatnessStudy"/>), a pure function of the runs: claims, test
/// errors, local-energy curves, δE against test error with Spearman's ρ, training-error curves and γ. Only
/// <see cref="FlatnessRunResult.Finished"/> runs enter a verdict; the others are listed with their status.
/// <para>
/// The rule for ties (<see cref="Compare"/>): two optimizers' means differ when |Δ| &gt; 2·se, Δ the difference of
/// the means over their finished seeds and se = sqrt(sd₁²/n₁ + sd₂²/n₂) from the seeds' sample standard deviations.
/// "Lower than SGD" holds when Δ &lt; −2·se; "≤ SGD's" holds unless Δ &gt; 2·se; a correlation is positive when
/// ρ &gt; 2/sqrt(n − 1) (twice ρ's standard deviation under independence) over the n finished runs.
/// </para>
/// </summary>
public static class FlatnessReport
{
    /// <summary>Fewest finished seeds per optimizer, and finished runs per setting, for a verdict.</summary>
    public const int MinSeeds = 2, MinRuns = 4;

    private static readonly Dictionary<string, string> Short = new() { ["sgd"] = "SGD", ["entropy-sgd"] = "eSGD", ["replicated-sgd"] = "rSGD" };

    public static Report Build(FlatnessConfig config, IReadOnlyList<FlatnessRunResult> runs, double seconds, int workers)
    {
        int sigmaIndex = SigmaIndex(config);
        var claims = new ClaimTable();
        foreach (var setting in FlatnessConfig.Settings)
        {
            var here = runs.Where(r => r.Setting == setting).ToList();
            string label = SettingLabel(setting);
            claims.Add($"{label}: eSGD and rSGD reach lower local energy than SGD (δE_train at σ = {Fmt(config.FixedSigma)})",
                BothVersusSgd(here, r => r.DeltaE[sigmaIndex], "δE", lower: true));
            claims.Add($"{label}: the test error of eSGD and rSGD is ≤ SGD's", BothVersusSgd(here, r => r.TestError, "test error", lower: false));
            claims.Add($"{label}: local energy correlates positively with test error (Spearman ρ over all finished runs)",
                Correlation(here.Where(r => r.Finished).ToList(), sigmaIndex));
        }
        var sections = new List<ReportSection> { Setup(config, runs, seconds, workers) };
        foreach (var setting in FlatnessConfig.Settings) sections.Add(SettingSection(config, runs.Where(r => r.Setting == setting).ToList(), setting, sigmaIndex));
        sections.Add(RunsSection(config, runs, sigmaIndex));
        return new Report("Overparam verify: flatness")
        {
            Intro =
            [
                "Pittorino et al., \"Entropic gradient descent algorithms and wide flat minima\" (ICLR 2021): optimizers that add a local-entropy term to the objective, Entropy-SGD (eSGD) and Replicated-SGD (rSGD), find flatter minima than SGD, and flatness measured by the local energy δE(w, σ) = E_ξ[E_train(w ⊙ (1 + σξ))] − E_train(w) correlates with test error (docs/mathematics.md §11).",
                $"Here at a size that runs on two cores: (a) a binary Gaussian mixture (d = {config.MixtureD}, Bayes error 0.1, n = {config.MixtureN}, {config.MixtureTest} test samples) and (b) Fashion-MNIST ({config.FashionN} training images, {config.FashionTest} test images, 10 classes); fc d → {config.Width} → {config.Width} → C, ReLU, biases, cross-entropy, batch {config.BatchSize}; SGD, eSGD and rSGD (y = {config.Replicas}) at the same number of minibatch gradients, {config.Seeds} seeds each. {runs.Count(r => r.Finished)} of {runs.Count} runs finished; {seconds:F0} s in all ({workers} runs at a time).",
                $"Tie rule: a difference of two optimizers' means counts only when it exceeds twice its standard error sqrt(sd₁²/n₁ + sd₂²/n₂) over the finished seeds; \"lower\" needs Δ < −2se, \"≤\" fails only when Δ > 2se; ρ counts as positive when ρ > 2/sqrt(n − 1). Diverged or failed runs are shown as such and left out. \"Does not hold at these sizes\" is an honest outcome: the paper's gains (tenths of a point to ~1 pp) are at ResNet scale.",
            ],
            Claims = claims,
            Sections = sections,
        };
    }

    /// <summary>The index of the config's fixed σ in its grid.</summary>
    public static int SigmaIndex(FlatnessConfig config)
    {
        int i = Array.FindIndex(config.Sigmas, s => Math.Abs(s - config.FixedSigma) < 1e-12);
        if (i < 0) throw new ArgumentException($"the fixed σ {config.FixedSigma} is not on the σ grid");
        return i;
    }

    /// <summary>Δ = mean(x) − mean(baseline), its standard error, and which way it counts (−1 lower, 0 tie, +1 higher).</summary>
    public static (double Difference, double StandardError, int Sign) Compare(IReadOnlyList<double> x, IReadOnlyList<double> baseline)
    {
        MeanSd a = MeanSd.OfAll(x), b = MeanSd.OfAll(baseline);
        double d = a.Mean - b.Mean, se = Math.Sqrt(a.Sd * a.Sd / a.Count + b.Sd * b.Sd / b.Count);
        return (d, se, d < -2 * se ? -1 : d > 2 * se ? 1 : 0);
    }

    /// <summary>
    /// eSGD and rSGD each against SGD on a quantity of the finished runs: with <paramref name="lower"/> the claim holds when
    /// both are clearly lower, otherwise when neither is clearly higher.
    /// </summary>
    public static VerdictResult BothVersusSgd(IReadOnlyList<FlatnessRunResult> runs, Func<FlatnessRunResult, double> value, string what, bool lower)
    {
        double[] Of(string optimizer) => runs.Where(r => r.Optimizer == optimizer && r.Finished).Select(value).ToArray();
        var sgd = Of("sgd");
        var parts = new List<string>();
        bool holds = true, decidable = sgd.Length >= MinSeeds;
        foreach (var optimizer in new[] { "entropy-sgd", "replicated-sgd" })
        {
            var x = Of(optimizer);
            if (x.Length < MinSeeds || sgd.Length < MinSeeds) { decidable = false; parts.Add($"{Short[optimizer]}: {x.Length} finished runs, SGD {sgd.Length}"); continue; }
            var (d, se, sign) = Compare(x, sgd);
            holds &= lower ? sign < 0 : sign <= 0;
            parts.Add($"{Short[optimizer]} {MeanSd.OfAll(x).FormatGeneral()} vs SGD {MeanSd.OfAll(sgd).FormatGeneral()}: Δ = {ReportFormat.General(d)}, 2se = {ReportFormat.General(2 * se)} ({(sign < 0 ? "lower" : sign > 0 ? "higher" : "tie")})");
        }
        string measured = $"{what}: " + string.Join("; ", parts);
        if (!decidable) return VerdictResult.NotApplicable($"fewer than {MinSeeds} finished seeds of an optimizer ({measured})");
        return new VerdictResult(holds ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes, measured);
    }

    /// <summary>Spearman's ρ of δE at the fixed σ and the test error over <paramref name="finished"/>.</summary>
    public static VerdictResult Correlation(IReadOnlyList<FlatnessRunResult> finished, int sigmaIndex)
    {
        if (finished.Count < MinRuns) return VerdictResult.NotApplicable($"{finished.Count} finished runs (need {MinRuns})");
        double rho = RankCorrelation.Spearman(finished.Select(r => r.DeltaE[sigmaIndex]).ToArray(), finished.Select(r => r.TestError).ToArray());
        double threshold = 2 / Math.Sqrt(finished.Count - 1);
        if (double.IsNaN(rho)) return VerdictResult.NotApplicable($"δE or the test error is the same in all {finished.Count} runs (ρ undefined)");
        string measured = $"ρ = {ReportFormat.General(rho)} over {finished.Count} runs (positive when ρ > 2/sqrt(n − 1) = {ReportFormat.General(threshold)})";
        return new VerdictResult(rho > threshold ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes, measured, rho);
    }

    private static ReportSection Setup(FlatnessConfig c, IReadOnlyList<FlatnessRunResult> runs, double seconds, int workers) => new("Setup")
    {
        Paragraphs =
        [
            $"Budget: SGD runs E epochs (mixture E = {c.MixtureEpochs}, Fashion-MNIST E = {c.FashionEpochs}) of ⌈n/B⌉ minibatch gradients; eSGD the same number of gradients as E·⌈n/B⌉/L outer steps of L = {c.InnerSteps} inner steps (the fair-budget convention, --fair-budget); rSGD E·⌈n/B⌉/y steps, each taking one minibatch gradient per replica. The x axes below count minibatch gradients in epochs of ⌈n/B⌉.",
            $"SGD: η = {Fmt(c.MixtureLr)} (mixture), {Fmt(c.FashionLr)} (Fashion-MNIST), momentum {Fmt(c.Momentum)}. eSGD: outer η = {Fmt(c.EntropyLrFactor)} × SGD's, scaled by γ (gscale, the code's default), outer momentum {Fmt(c.Momentum)}, η′ = {Fmt(c.SgldLr)}, ε = {Fmt(c.SgldNoise)}, α = {Fmt(c.EmaAlpha)}, γ = γ0(1 + γ1)^t from γ0 = {Fmt(c.EntropyGamma0)} growing ×{Fmt(c.EntropyGammaMax)} over the run. rSGD: SGD's η per replica (L_tot's SGD at y·η), momentum {Fmt(c.Momentum)}, coupling 2γ(w^a − w̄) with γ from γ0 = {Fmt(c.ReplicaGamma0)} growing ×{Fmt(c.ReplicaGammaMax)} (exp schedule, per epoch); the centre w̄ is the evaluated network.",
            $"Why explicit γ0: the code lineage's automatic eSGD γ0 = ℓ/(½‖w_c − w‖²) balances the loss against a coupling over the few inner steps' tiny displacement, and at these sizes it comes out near 300, so that η′γ ≈ 30 and the inner SGLD iteration w ← w − η′γ(w − w_c) − … diverges (it needs η′γ < 2). The study fixes γ0 so that η′γ ≤ {Fmt(c.SgldLr * c.EntropyGamma0 * c.EntropyGammaMax)} for eSGD and 2γη ≤ {Fmt(2 * c.ReplicaGamma0 * c.ReplicaGammaMax * Math.Max(c.MixtureLr, c.FashionLr))} for rSGD throughout; both γ are printed in the γ plots (eSGD's γ multiplies (w − w_c), rSGD's 2(w^a − w̄): they differ by a factor 2 for the same number).",
            $"Local energy: δE_train(w, σ) of each finished run's final weights (rSGD: the centre), all parameters perturbed multiplicatively, σ ∈ {{{string.Join(", ", c.Sigmas.Select(Fmt))}}}, M = {c.Draws} draws seeded by the run's seed, on the whole training set; the claims use σ = {Fmt(c.FixedSigma)}. Each run's curve is flatness.csv in its folder (runs/SETTING-OPTIMIZER-sSEED).",
            $"Data seed {c.DataSeed} for the mixture (every run sees the same data); weight seeds and batch orders 1 … {c.Seeds}. Every run is on one thread (BLAS too), {workers} at a time, so its numbers do not depend on --threads. Time: {seconds:F0} s for {runs.Count} runs and their local energies.",
        ],
    };

    private static ReportSection SettingSection(FlatnessConfig c, IReadOnlyList<FlatnessRunResult> runs, string setting, int sigmaIndex)
    {
        var finished = runs.Where(r => r.Finished).ToList();
        string tag = setting.Replace("-", "_");
        var byOptimizer = FlatnessConfig.Optimizers.Select(o => (Optimizer: o, Runs: finished.Where(r => r.Optimizer == o).ToList())).ToList();
        var table = new ReportTable(
            ["optimizer", "finished / runs", "test error (mean ± sd)", "train error", $"δE_train(σ = {Fmt(c.FixedSigma)})", "γ first → last"],
            byOptimizer.Select(g => new[]
            {
                g.Optimizer, $"{g.Runs.Count} / {runs.Count(r => r.Optimizer == g.Optimizer)}",
                MeanSd.OfAll(g.Runs.Select(r => r.TestError)).FormatGeneral(), MeanSd.OfAll(g.Runs.Select(r => r.TrainError)).FormatGeneral(),
                MeanSd.OfAll(g.Runs.Select(r => r.DeltaE[sigmaIndex])).FormatGeneral(),
                g.Runs.FirstOrDefault(r => r.Gamma.Length > 0) is { } r0 ? $"{ReportFormat.General(r0.Gamma[0])} → {ReportFormat.General(r0.Gamma[^1])}" : "–",
            }).ToArray(), "Finished runs only; mean ± sample sd over the seeds.");
        double[] Mean(IEnumerable<double[]> curves) { var list = curves.ToList(); return Enumerable.Range(0, list.Min(v => v.Length)).Select(i => list.Average(v => v[i])).ToArray(); }
        var energy = new PlotSpec
        {
            Title = $"{SettingLabel(setting)}: local energy δE_train(w, σ), mean over seeds", XLabel = "σ (w ⊙ (1 + σξ))", YLabel = "δE_train", Name = $"{tag}_local_energy",
            Series = byOptimizer.Where(g => g.Runs.Count > 0).Select(g => new Series(Short[g.Optimizer], c.Sigmas, Mean(g.Runs.Select(r => r.DeltaE)))).ToList(),
            Caption = "Lower curves are flatter minima.",
        };
        var scatter = new PlotSpec
        {
            Title = $"{SettingLabel(setting)}: δE_train(σ = {Fmt(c.FixedSigma)}) against test error", XLabel = $"δE_train at σ = {Fmt(c.FixedSigma)}", YLabel = "test error",
            Name = $"{tag}_energy_vs_error",
            Series = byOptimizer.Where(g => g.Runs.Count > 0).Select(g => new Series(Short[g.Optimizer], g.Runs.Select(r => r.DeltaE[sigmaIndex]).ToArray(),
                g.Runs.Select(r => r.TestError).ToArray(), SeriesStyle.Markers)).ToList(),
            Caption = $"One point per finished run; {Correlation(finished, sigmaIndex).Measured}.",
        };
        var train = new PlotSpec
        {
            Title = $"{SettingLabel(setting)}: training error (mean over seeds)", XLabel = "minibatch gradients / ⌈n/B⌉", YLabel = "train error", Name = $"{tag}_train_error",
            Series = byOptimizer.Where(g => g.Runs.Count > 0 && g.Runs.All(r => r.TrainErrors.Length > 0)).Select(g =>
            {
                int n = g.Runs.Min(r => r.TrainErrors.Length);
                return new Series(Short[g.Optimizer], g.Runs[0].EvalEpochs[..n], Mean(g.Runs.Select(r => r.TrainErrors[..n])), SeriesStyle.Line);
            }).ToList(),
        };
        var gamma = new PlotSpec
        {
            Title = $"{SettingLabel(setting)}: coupling γ (seed 1)", XLabel = "minibatch gradients / ⌈n/B⌉", YLabel = "γ", LogY = true, Name = $"{tag}_gamma",
            Series = runs.Where(r => r.Seed == 1 && r.Gamma.Length > 0).Select(r => new Series(Short[r.Optimizer], r.GammaEpochs, r.Gamma, SeriesStyle.Line)).ToList(),
            Caption = "eSGD: γ0(1 + γ1)^t per outer step, coupling γ(w − w_c); rSGD: per epoch, coupling 2γ(w^a − w̄).",
        };
        var errors = new PlotSpec
        {
            Title = $"{SettingLabel(setting)}: test error per run", XLabel = "seed", YLabel = "test error", Name = $"{tag}_test_error",
            Series = byOptimizer.Where(g => g.Runs.Count > 0).Select(g => new Series(Short[g.Optimizer], g.Runs.Select(r => (double)r.Seed).ToArray(),
                g.Runs.Select(r => r.TestError).ToArray(), SeriesStyle.Markers)).ToList(),
        };
        var plots = new[] { errors, energy, scatter, train, gamma }.Where(p => p.Series.Count > 0).ToList();
        return new ReportSection(SettingLabel(setting))
        {
            Paragraphs = [$"{finished.Count} of {runs.Count} runs finished."],
            Plots = plots,
            Tables = [table],
        };
    }

    private static ReportSection RunsSection(FlatnessConfig c, IReadOnlyList<FlatnessRunResult> runs, int sigmaIndex) => new("Every run")
    {
        Tables =
        [
            new ReportTable(["setting", "optimizer", "seed", "status", "counted", "test error", "train error", $"δE(σ = {Fmt(c.FixedSigma)})", "seconds", "note"],
                runs.Select(r => new[]
                {
                    r.Setting, r.Optimizer, r.Seed.ToString(), StatusText(r.Status), r.Finished ? "yes" : "no", ReportFormat.General(r.TestError, 4),
                    ReportFormat.General(r.TrainError, 4), r.DeltaE.Length > 0 ? ReportFormat.General(r.DeltaE[sigmaIndex], 4) : "–",
                    double.IsFinite(r.Seconds) ? r.Seconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "–", r.Message ?? "",
                }).ToArray(), "Runs that diverged or failed are not counted in any verdict."),
        ],
    };

    private static string StatusText(TrainingStatus s) => s switch
    {
        TrainingStatus.BudgetExhausted => "finished (budget)",
        TrainingStatus.Converged => "finished (target)",
        TrainingStatus.Diverged => "diverged",
        TrainingStatus.Failed => "failed",
        _ => s.ToString().ToLowerInvariant(),
    };

    private static string SettingLabel(string setting) => setting == "mixture" ? "(a) Gaussian mixture" : "(b) Fashion-MNIST";

    private static string Fmt(double v) => ReportFormat.General(v);
}
