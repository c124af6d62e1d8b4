using Overparam.Data;
using Overparam.Online;
using Overparam.Reports;

namespace Overparam.Experiments.Verify;

/// <summary>
/// `overparam verify --preset crossprop`: the continual-learning study of Veeriah, Zhang &amp; Sutton (2017) with the
/// online learners (docs/mathematics.md, "Crossprop"). Continual GEOFF (500 hidden tanh units, α = 0.0005, 6 stages of
/// 5,000: T0, T1, T2, T0, T1, T2) with CP, CP-λ, BP, BP-momentum, BP-Adam, BP-RMSprop; stationary GEOFF (one target,
/// fresh inputs, same size) with CP and BP; the Fashion-MNIST label roll (14×14 inputs, 256 hidden, 10 softmax outputs,
/// 6 stages of 2,000) with CP-Alt, CP-Alt-λ and the four BP learners. Run r draws its stream from seed 1000 + r
/// (stationary: 3000 + r) and its initial weights, shared by its learners, from seed 2000 + r. Metrics are averaged over
/// windows of 50 examples (the authors' smoothing window). Verdicts use only the runs whose learners finished.
/// </summary>
public sealed class CrosspropStudy : PresetStudy
{
    private const int Window = 50;

    public override string Name => "crossprop";

    public override string Description =>
        "crossprop: Veeriah, Zhang & Sutton 2017, crossprop vs backprop online: continual GEOFF (500 hidden, alpha 0.0005, 6 stages x 5000), " +
        "stationary GEOFF and the Fashion-MNIST label roll (14x14, 256 hidden, 6 x 2000), 10 runs (38 s on this 2-core machine, quiet); --scale s: round(10 s) runs (3: the paper's 30)";

    private sealed record Setup(string Key, string Title, string ErrorLabel, Func<int, OnlineStream> Stream, OnlineRunSpec Spec, string Crossprop);

    public override Report Run(PresetContext context)
    {
        double scale = context.Scale ?? 1;
        if (!(scale > 0 && scale <= 10)) throw new RunSpecException($"--scale {scale}: the crossprop study takes 0 < s <= 10 (round(10 s) runs, at least 2)");
        int runs = Math.Max(2, (int)Math.Round(10 * scale));
        var kinds = (string names) => names.Split(',').Select(n => LearnerKind.TryParse(n)!).ToArray();
        var geoffSpec = new OnlineRunSpec(kinds("cp,cp-lambda,bp,bp-momentum,bp-adam,bp-rmsprop"), 500, "tanh", new LearnerSettings(0.0005, 0.0005), 0, Window);
        var setups = new List<Setup>
        {
            new("geoff-continual", "Continual GEOFF (T0, T1, T2, T0, T1, T2)", "squared error ½δ²",
                r => OnlineStream.Geoff(20, 1000, 3, 6, 5000, 0.5, 1000 + (ulong)r), geoffSpec, "cp"),
            new("geoff-stationary", "Stationary GEOFF (one target, fresh inputs)", "squared error ½δ²",
                r => OnlineStream.Geoff(20, 1000, 6, 6, 5000, 0, 3000 + (ulong)r), geoffSpec with { Learners = kinds("cp,bp") }, "cp"),
        };
        bool fashion = IdxData.HasPart(DataSpec.FashionMnistDirectory, IdxPart.Train);
        if (fashion)
            setups.Add(new("fashion-roll", "Fashion-MNIST, labels rolled by one class per task", "error rate",
                r => OnlineStream.FashionRoll(DataSpec.FashionMnistDirectory, 3, 6, 2000, 2),
                new OnlineRunSpec(kinds("cp-alt,cp-alt-lambda,bp,bp-momentum,bp-adam,bp-rmsprop"), 256, "tanh", new LearnerSettings(0.0005, 0.0005), 0, Window), "cp-alt"));

        var jobs = setups.SelectMany(s => Enumerable.Range(0, runs).Select(r => (Setup: s, Run: r))).ToArray();
        var results = new IReadOnlyList<LearnerCurves>[jobs.Length];
        int done = 0;
        context.Progress?.Report(new StudyProgress(0, jobs.Length, "starting"));
        Parallel.For(0, jobs.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = context.Cancel }, j =>
        {
            var (setup, run) = jobs[j];
            string dir = Path.Combine(context.Folder, setup.Key, $"run-{run + 1:D2}");
            results[j] = OnlineRun.RunAll(setup.Stream(run), setup.Spec with { InitSeed = 2000 + (ulong)run }, dir, saveStream: false, threads: 1, context.Cancel);
            int now = Interlocked.Increment(ref done);
            context.Progress?.Report(new StudyProgress(now, jobs.Length, $"{setup.Key} run {run + 1}"));
        });

        var bySetup = setups.ToDictionary(s => s.Key, s => jobs.Select((job, j) => (job, j)).Where(p => p.job.Setup == s).Select(p => results[p.j]).ToArray());
        var claims = new ClaimTable();
        claims.Add("Crossprop's incoming weights move less than backprop's: final ||U − U0||², CP − BP (continual GEOFF)",
            Paired(bySetup["geoff-continual"], "cp", "bp", c => c.UChange[^1], "final ||U - U0||^2"));
        if (fashion)
            claims.Add("… and CP-Alt − BP on the Fashion-MNIST label roll",
                Paired(bySetup["fashion-roll"], "cp-alt", "bp", c => c.UChange[^1], "final ||U - U0||^2"));
        claims.Add("Crossprop's error on revisited tasks is lower: mean error over the second visits (stages 4–6), CP − BP (continual GEOFF)",
            Paired(bySetup["geoff-continual"], "cp", "bp", c => StageMean(c, s => s >= 3), "second-visit error"));
        if (fashion)
            claims.Add("… and CP-Alt − BP on the Fashion-MNIST label roll",
                Paired(bySetup["fashion-roll"], "cp-alt", "bp", c => StageMean(c, s => s >= 3), "second-visit error"));
        claims.Add("Crossprop tracks backprop on a stationary task: CP's mean error over the last stage at most 10% above BP's (stationary GEOFF)",
            Tracks(bySetup["geoff-stationary"]));

        var sections = new List<ReportSection>();
        foreach (var s in setups) sections.Add(Section(s, bySetup[s.Key], runs));
        if (!fashion)
            sections.Add(new ReportSection("Fashion-MNIST label roll") { Paragraphs = [$"Not run: {DataSpec.FashionMnistDirectory} has no training files (Debian's dataset-fashion-mnist)."] });
        sections.Add(FailedRuns(setups, bySetup));
        return new Report("Crossprop vs backprop, online (Veeriah, Zhang & Sutton 2017)")
        {
            Intro =
            [
                $"{runs} runs per stream; each run's learners start from the same N(0, 1) weights (seed 2000 + r) and see the same stream (seed 1000 + r; stationary 3000 + r). " +
                $"Every learner steps at alpha = 0.0005 (crossprop: alpha_W = alpha_U), lambda = 0.5 for the -lambda learners, one example at a time; curves are means over windows of {Window} examples, then over runs (bands: ± one standard error). " +
                "The run folders (config.json, init/final safetensors, metrics.csv, summary.json per learner) are under this folder; the streams are not saved, `overparam online` with the same seeds regenerates them.",
                "A paired claim holds when the mean over runs of the per-run difference is below 0 by more than two standard errors; it does not hold when it is not. Only runs in which both learners finished count.",
            ],
            Claims = claims,
            Sections = sections,
        };
    }

    private static IEnumerable<LearnerCurves> Finished(IReadOnlyList<LearnerCurves>[] runs, string learner) =>
        runs.Select(r => r.First(c => c.Kind.Name == learner)).Where(c => c.Diverged is null);

    private static double StageMean(LearnerCurves c, Func<int, bool> stage) => c.Error.Where((_, i) => stage(c.Stage[i])).Average();

    private static VerdictResult Paired(IReadOnlyList<LearnerCurves>[] runs, string a, string b, Func<LearnerCurves, double> metric, string what)
    {
        var diffs = runs.Select(r => (A: r.First(c => c.Kind.Name == a), B: r.First(c => c.Kind.Name == b)))
            .Where(p => p.A.Diverged is null && p.B.Diverged is null).Select(p => (A: metric(p.A), B: metric(p.B))).ToArray();
        if (diffs.Length < 2) return VerdictResult.NotApplicable($"{diffs.Length} run(s) in which both {a} and {b} finished; need 2");
        var d = MeanSd.Of(diffs.Select(p => p.A - p.B));
        double se = d.Sd / Math.Sqrt(diffs.Length);
        string text = $"{what}: {a} {diffs.Average(p => p.A):G4}, {b} {diffs.Average(p => p.B):G4}; difference {d.Mean:G4} ± {se:G3} (s.e., {diffs.Length} runs); {a} lower in {diffs.Count(p => p.A < p.B)}/{diffs.Length}";
        return new VerdictResult(d.Mean + 2 * se < 0 ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes, text, d.Mean);
    }

    private static VerdictResult Tracks(IReadOnlyList<LearnerCurves>[] runs)
    {
        var pairs = runs.Select(r => (A: r.First(c => c.Kind.Name == "cp"), B: r.First(c => c.Kind.Name == "bp")))
            .Where(p => p.A.Diverged is null && p.B.Diverged is null).Select(p => (A: StageMean(p.A, s => s == 5), B: StageMean(p.B, s => s == 5))).ToArray();
        if (pairs.Length < 2) return VerdictResult.NotApplicable($"{pairs.Length} run(s) in which both cp and bp finished; need 2");
        double ratio = pairs.Average(p => p.A) / pairs.Average(p => p.B);
        return new VerdictResult(ratio <= 1.1 ? Verdict.Holds : Verdict.DoesNotHoldAtTheseSizes,
            $"last-stage error: cp {pairs.Average(p => p.A):G4}, bp {pairs.Average(p => p.B):G4}, ratio {ratio:G4} ({pairs.Length} runs)", ratio);
    }

    private static ReportSection Section(Setup setup, IReadOnlyList<LearnerCurves>[] runs, int total)
    {
        var learners = setup.Spec.Learners.Select(k => k.Name).ToArray();
        var first = runs[0].First();
        double[] x = [.. first.Example.Select(e => (double)e)];
        var errorSeries = new List<Series>();
        var uSeries = new List<Series>();
        var wSeries = new List<Series>();
        var stageSeries = new List<Series>();
        var rows = new List<string[]>();
        double top = 0;
        foreach (var name in learners)
        {
            var ok = Finished(runs, name).ToArray();
            if (ok.Length == 0) { rows.Add([name, $"0/{total}", "", "", "", "", ""]); continue; }
            var (mean, se) = Band(ok, c => c.Error);
            top = Math.Max(top, mean.Max());
            errorSeries.Add(new Series(name, x, mean, SeriesStyle.Line));
            if (name == setup.Crossprop || name == "bp")
            {
                errorSeries.Add(new Series($"{name} + s.e.", x, [.. mean.Zip(se, (m, s) => m + s)], SeriesStyle.Dashed));
                errorSeries.Add(new Series($"{name} - s.e.", x, [.. mean.Zip(se, (m, s) => m - s)], SeriesStyle.Dashed));
            }
            uSeries.Add(new Series(name, x, Band(ok, c => c.UChange).Mean, SeriesStyle.Line));
            wSeries.Add(new Series(name, x, Band(ok, c => c.WChange).Mean, SeriesStyle.Line));
            stageSeries.Add(new Series(name, [1, 2, 3, 4, 5, 6], [.. Enumerable.Range(0, 6).Select(s => ok.Average(c => StageMean(c, t => t == s)))], SeriesStyle.LineMarkers));
            rows.Add([name, $"{ok.Length}/{total}",
                $"{ok.Average(c => StageMean(c, s => s < 3)):G4}", $"{ok.Average(c => StageMean(c, s => s >= 3)):G4}",
                $"{ok.Average(c => c.UChange[^1]):G4}", $"{ok.Average(c => c.WChange[^1]):G4}",
                $"{ok.Average(c => c.Example[^1] / Math.Max(c.Seconds, 1e-9)):F0}"]);
        }
        int stage = first.Example[^1] / 6;
        for (int b = 1; b < 6; b++) errorSeries.Add(new Series($"stage {b + 1} starts", [b * stage, b * stage], [0, top], SeriesStyle.Dashed));
        string key = setup.Key;
        return new ReportSection(setup.Title)
        {
            Paragraphs = [$"Learners: {string.Join(", ", learners)}; {setup.Spec.Hidden} hidden units; stages of {stage} examples. The error is the {setup.ErrorLabel} of each example before its update."],
            Plots =
            [
                new PlotSpec { Name = $"{key}-error", Title = $"{setup.Title}: error, mean of {Window}-example windows", XLabel = "example", YLabel = setup.ErrorLabel, Series = errorSeries, Caption = "Mean over finished runs; dashed: ± one standard error for crossprop and bp, and the stage boundaries." },
                new PlotSpec { Name = $"{key}-u-change", Title = $"{setup.Title}: ||U - U0||^2", XLabel = "example", YLabel = "||U - U0||^2", LogY = true, Series = uSeries },
                new PlotSpec { Name = $"{key}-w-change", Title = $"{setup.Title}: ||W - W0||^2", XLabel = "example", YLabel = "||W - W0||^2", LogY = true, Series = wSeries },
                new PlotSpec { Name = $"{key}-stages", Title = $"{setup.Title}: mean error per stage", XLabel = "stage", YLabel = setup.ErrorLabel, Series = stageSeries, Caption = "Stages 4-6 revisit the tasks of stages 1-3." },
            ],
            Tables = [new ReportTable(["learner", "finished runs", "error, first visits (stages 1-3)", "error, second visits (stages 4-6)", "final ||U - U0||^2", "final ||W - W0||^2", "examples/s"], [.. rows])],
        };
    }

    private static (double[] Mean, double[] Se) Band(LearnerCurves[] runs, Func<LearnerCurves, double[]> values)
    {
        int n = values(runs[0]).Length;
        var (mean, se) = (new double[n], new double[n]);
        for (int i = 0; i < n; i++)
        {
            var m = MeanSd.Of(runs.Select(r => values(r)[i]));
            (mean[i], se[i]) = (m.Mean, runs.Length > 1 ? m.Sd / Math.Sqrt(runs.Length) : 0);
        }
        return (mean, se);
    }

    private static ReportSection FailedRuns(List<Setup> setups, Dictionary<string, IReadOnlyList<LearnerCurves>[]> bySetup)
    {
        var rows = setups.SelectMany(s => bySetup[s.Key].SelectMany((r, i) => r.Where(c => c.Diverged is not null)
            .Select(c => new[] { s.Key, $"run-{i + 1:D2}", c.Kind.Name, $"loss not finite at example {c.Diverged}" }))).ToArray();
        return new ReportSection("Failed runs")
        {
            Paragraphs = [rows.Length == 0 ? "None: every learner finished every run." : "These learner runs stopped when the loss stopped being finite; they are left out of the curves and the verdicts."],
            Tables = rows.Length == 0 ? [] : [new ReportTable(["stream", "run", "learner", "status"], rows)],
        };
    }
}
