using System.CommandLine;
using Overparam.Experiments;
using Overparam.Experiments.Verify;
using Overparam.Reports;
using Spectre.Console;

namespace Overparam.Cli.Commands;

/// <summary>`overparam verify`: the main job — a built-in or user study, and a report of the paper's claims.</summary>
public static class VerifyCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset")
        {
            Description = "Built-in study: default (~3 min), quick (<30 s), depth (fc vs resnet over depth), iclr2019-fig1 (the ICLR companion's two-layer experiment)"
                + string.Concat(PresetStudies.All.Select(p => $"; {p.Description}")),
            DefaultValueFactory = _ => "default",
        };
        var config = new Option<string?>("--config") { Description = $"A study of your own, a JSON object with the keys {string.Join(", ", Study.Keys)} (docs/formats.md); with --preset practical-sizes, that study's settings: {string.Join(", ", PracticalSizesConfig.Keys)}" };
        var scale = new Option<double?>("--scale") { Description = "iclr2019-fig1: fraction of the paper's size (n = d = 1000, m = 500..8000; default 0.1); the other papers' presets: as their line above says" };
        var keepWeights = new Option<bool>("--keep-weights")
        {
            Description = $"Keep every run's init and final weights (the report needs only the metrics; the default study's weights are {Size(Study.Preset("default")!.WeightBytes())})",
        };
        var outDir = new Option<string?>("--out") { Description = "Report folder (default runs/verify-PRESET-TIME)" };
        var threads = CommonOptions.Threads();
        var quiet = CommonOptions.Quiet();
        var command = new Command("verify", "Run a convergence study and write a report (report.html, report.md, plots as PNG/SVG with their CSVs, a table of the paper's claims with verdicts)");
        foreach (var o in new Option[] { preset, config, scale, keepWeights, outDir, threads, quiet }) command.Options.Add(o);
        command.SetAction(r => CommonOptions.Guard(() =>
        {
            CommonOptions.ApplyThreads(r.GetValue(threads));
            var s = r.GetValue(scale);
            var path = r.GetValue(config);
            var name = r.GetValue(preset)!;
            var paper = PresetStudies.TryParse(name);
            if (paper is not null && path is not null && !paper.TakesStudyFile)
                throw new RunSpecException($"--config {path}: --preset {paper.Name} takes no study file");
            if (paper is not null) return RunPreset(paper, s, path, r.GetValue(outDir), r.GetValue(quiet));
            if (s is { } x && !(x > 0 && x <= 1)) throw new RunSpecException($"--scale {x}: must be in (0, 1]");
            var study = path is not null ? Study.Load(path)
                : Study.Preset(name, s ?? 0.1) ?? throw new RunSpecException(
                    $"--preset {name}: expected one of {string.Join(", ", Study.PresetNames.Concat(PresetStudies.All.Select(p => p.Name)))}");
            if (r.GetValue(keepWeights)) study = study with { KeepWeights = true };
            var dir = ReportFolder(r.GetValue(outDir), study.Name);
            if (study.KeepWeights) Console.Error.WriteLine($"keeping the weights: {Size(study.WeightBytes())} in {dir}/runs");
            var cancel = CommonOptions.CtrlC();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var cells = RunWithProgress(study, dir, r.GetValue(quiet), cancel);
            var report = VerifyReport.Build(study, cells);
            var output = ReportWriter.Write(report, dir);
            Console.WriteLine($"{study.Name}: {cells.Count} runs in {clock.Elapsed.TotalSeconds:F0} s");
            foreach (var line in VerifyReport.UnfinishedIntro(cells)) Console.WriteLine("  " + line);
            foreach (var claim in report.Claims)
                Console.WriteLine($"  [{VerdictText.Of(claim.Verdict)}] {claim.Text}: {claim.Measured}");
            Console.WriteLine($"report: {output.Html}");
            return 0;
        }));
        return command;
    }

    private static string Size(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):F1} GiB" : $"{bytes / (double)(1L << 20):F0} MiB";

    private static string ReportFolder(string? outDir, string name)
    {
        var dir = outDir ?? Path.Combine("runs", $"verify-{name}-{DateTime.Now:yyyyMMdd-HHmmss}");
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
            throw new RunSpecException($"--out {dir}: folder exists and is not empty");
        OutputFolder.Create("--out", dir);   // before any run: a folder that cannot be written is bad input
        return dir;
    }

    /// <summary>A related paper's study: its own runs and report, progress as plain lines on stderr.</summary>
    private static int RunPreset(PresetStudy preset, double? scale, string? config, string? outDir, bool quiet)
    {
        bool existed = outDir is not null && Directory.Exists(outDir);
        var dir = ReportFolder(outDir, preset.Name);
        var progress = quiet ? null : new SynchronousProgress(p =>
            Console.Error.WriteLine($"verify {preset.Name}: {p.Done}/{p.Total} runs done{(p.Done < p.Total ? $", running {p.Current}" : "")}"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Report report;
        try { report = preset.Run(new PresetContext(dir, scale, progress, CommonOptions.CtrlC(), config)); }
        catch (RunSpecException) when (!existed && !Directory.EnumerateFileSystemEntries(dir).Any())
        {
            Directory.Delete(dir);   // bad input (a --scale the preset does not take) leaves no empty report folder behind
            throw;
        }
        var output = ReportWriter.Write(report, dir);
        Console.WriteLine($"{preset.Name}: done in {clock.Elapsed.TotalSeconds:F0} s");
        foreach (var claim in report.Claims)
            Console.WriteLine($"  [{VerdictText.Of(claim.Verdict)}] {claim.Text}: {claim.Measured}");
        Console.WriteLine($"report: {output.Html}");
        return 0;
    }

    private static List<CellResult> RunWithProgress(Study study, string dir, bool quiet, CancellationToken cancel)
    {
        if (quiet) return StudyRunner.Run(study, dir, null, cancel);
        if (Console.IsOutputRedirected || Console.IsErrorRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return StudyRunner.Run(study, dir, new SynchronousProgress(p =>
                Console.Error.WriteLine($"verify {study.Name}: {p.Done}/{p.Total} runs done{(p.Done < p.Total ? $", running {p.Current}" : "")}")), cancel);
        List<CellResult> result = [];
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"verify {study.Name}");
                result = StudyRunner.Run(study, dir, new SynchronousProgress(p =>
                {
                    task.MaxValue = p.Total;
                    task.Value = p.Done;
                    task.Description = Markup.Escape($"verify {study.Name}: {p.Current}");
                }), cancel);
            });
        return result;
    }

    private sealed class SynchronousProgress(Action<StudyProgress> report) : IProgress<StudyProgress>
    {
        public void Report(StudyProgress value) => report(value);
    }
}
