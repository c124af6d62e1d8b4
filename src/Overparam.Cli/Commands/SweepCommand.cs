using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Overparam.Experiments;
using Overparam.Experiments.Sweeps;
using Overparam.Training;

namespace Overparam.Cli.Commands;

/// <summary>
/// `overparam sweep SPEC`: runs the cells of a sweep specification that its folder does not hold yet, in this process
/// or in worker processes, optionally one shard of them; subcommands merge, status, report and (hidden) worker.
/// </summary>
public static class SweepCommand
{
    public static Command Create()
    {
        var specArg = new Argument<string>("SPEC") { Description = "Sweep specification (.json, or YAML): base, grid and/or cells, steps, target_loss, probe_every, seeds (docs/formats.md)" };
        var outDir = new Option<string?>("--out") { Description = "Sweep folder (results.db); default: SPEC's name without extension + '-sweep'" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Worker processes (1: run in this process)", DefaultValueFactory = _ => 1 };
        var threads = new Option<int?>("--threads") { Description = "Threads per worker for BLAS and element-wise work (default: cores / jobs)" };
        var shard = new Option<string?>("--shard") { Description = "Run only shard i/N (0-based) of the cells; default from SLURM_ARRAY_TASK_ID, _MIN, _STEP and _COUNT when set" };
        var retry = new Option<bool>("--retry-failed") { Description = "Also redo cells recorded as failed" };
        var keepRuns = new Option<bool>("--keep-runs") { Description = "Also write each cell's full run folder to DIR/runs/KEY" };
        var lease = new Option<double>("--lease") { Description = "Seconds a claim on a running cell lasts unless renewed (every third of it): processes sharing the folder take over a dead one's cell after this", DefaultValueFactory = _ => CellClaims.DefaultLease.TotalSeconds };
        var quiet = CommonOptions.Quiet();
        var yes = new Option<bool>("--yes") { Description = $"Run a sweep of more than {SweepSpec.ConfirmCells:N0} cells (without it such a sweep is refused with its size)" };

        var command = new Command("sweep", "Run a grid of training runs, resumable (kill and re-run) and shardable (Slurm job arrays)");
        command.Arguments.Add(specArg);
        foreach (var o in new Option[] { outDir, jobs, threads, shard, retry, keepRuns, lease, quiet, yes }) command.Options.Add(o);
        command.SetAction(r => Guard(() =>
        {
            string specPath = r.GetValue(specArg)!;
            var spec = SweepSpec.Load(specPath, r.GetValue(yes) ? null : SweepSpec.ConfirmCells);
            string dir = r.GetValue(outDir) ?? Path.GetFileNameWithoutExtension(specPath) + "-sweep";
            int nJobs = r.GetValue(jobs);
            if (nJobs < 1) return Bad($"--jobs {nJobs}: must be at least 1");
            double leaseSeconds = r.GetValue(lease);
            if (!(leaseSeconds >= 1 && leaseSeconds <= 86_400)) return Bad($"--lease {leaseSeconds}: must be between 1 and 86400 seconds");
            var theShard = ResolveShard(r.GetValue(shard), out string? shardError);
            if (theShard is null) return Bad(shardError!);
            var executor = CellExecutors.Create(nJobs, r.GetValue(threads), r.GetValue(keepRuns) ? Path.Combine(dir, "runs") : null);

            var cancel = CommonOptions.CtrlC();
            var varying = spec.Grid.Select(g => g.Key).Concat(spec.Cells.SelectMany(c => c.Select(kv => kv.Key))).Distinct().ToArray();
            bool isQuiet = r.GetValue(quiet);
            var clock = Stopwatch.StartNew();
            var summary = SweepRunner.Run(spec, dir, executor, theShard, (rec, done, total) =>
            {
                if (!isQuiet) Console.WriteLine(CellLine(rec, done, total, varying));
            }, r.GetValue(retry), cancel, TimeSpan.FromSeconds(leaseSeconds));
            Console.WriteLine($"sweep {dir}{(theShard.IsAll ? "" : $" shard {theShard}")}: {summary.Total} cells, {summary.Skipped} already done, " +
                $"{summary.Ran} run now ({summary.Failed} failed), {(summary.ByOthers > 0 ? $"{summary.ByOthers} by other processes, " : "")}" +
                $"{summary.Remaining} remaining; {clock.Elapsed.TotalSeconds:F1} s");
            return summary.Remaining > 0 || summary.Failed > 0 ? 1 : 0;
        }));

        command.Subcommands.Add(WorkerCommand());
        command.Subcommands.Add(MergeCommand());
        command.Subcommands.Add(StatusCommand());
        command.Subcommands.Add(SweepReportCommand.Create());
        return command;
    }

    /// <summary>--shard, else the Slurm array task's shard (Shard.FromEnvironment), else all cells.</summary>
    private static Shard? ResolveShard(string? text, out string? error)
    {
        error = null;
        if (text is not null) return Shard.TryParse(text, out error);
        var errors = new List<string>();
        var fromSlurm = Shard.FromEnvironment(errors: errors);
        if (errors.Count > 0) { error = errors[0]; return null; }
        return fromSlurm ?? Shard.All;
    }

    /// <summary>One line per finished cell: "[3/12] 1f0c… depth=2 width=64 seed=1: converged, loss 0.52 → 9.8e-07 in 311 steps (0.41 s)".</summary>
    internal static string CellLine(CellRecord rec, int done, int total, IReadOnlyList<string> varying)
    {
        var fields = System.Text.Json.Nodes.JsonNode.Parse(rec.SpecJson)!.AsObject();
        string config = string.Join(" ", varying.Select(v => $"{v}={fields[v]?.ToJsonString().Trim('"')}"));
        string reason = rec.Status is TrainingStatus.Failed or TrainingStatus.Diverged && rec.Reason is not null ? $" ({rec.Reason})" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"[{done}/{total}] {rec.Key} {config}: {TrainingStatusText.Name(rec.Status)}{reason}, loss {rec.InitialLoss:G3} -> {rec.FinalLoss:G3} in {rec.Steps} steps ({rec.Seconds:F2} s)");
    }

    private static Command WorkerCommand()
    {
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 1 };
        var runs = new Option<string?>("--runs");
        var command = new Command("worker", "Internal: run cells read from standard input (one RunSpec JSON per line)") { Hidden = true };
        command.Options.Add(threads);
        command.Options.Add(runs);
        command.SetAction(r => Guard(() =>
        {
            CommonOptions.ApplyThreads(r.GetValue(threads));
            var protocol = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
            Console.SetOut(Console.Error);   // only protocol lines on standard output
            var cancel = CommonOptions.CtrlC();
            WorkerProtocol.Serve(Console.In, protocol, new ExecutorCellRunner(r.GetValue(runs), Console.Error), cancel);
            return 0;
        }));
        return command;
    }

    private static Command MergeCommand()
    {
        var output = new Argument<string>("OUT") { Description = "Folder to merge into (created if needed)" };
        var dirs = new Argument<string[]>("DIR") { Description = "Shard folders of the same sweep", Arity = ArgumentArity.OneOrMore };
        var command = new Command("merge", "Combine shard folders of one sweep into OUT (refuses folders of different sweeps)");
        command.Arguments.Add(output);
        command.Arguments.Add(dirs);
        command.SetAction(r => Guard(() =>
        {
            var (total, added) = SweepMerge.Merge(r.GetValue(output)!, r.GetValue(dirs)!);
            Console.WriteLine($"merged {added} new records into {r.GetValue(output)}; it now holds {total}");
            return 0;
        }));
        return command;
    }

    private static Command StatusCommand()
    {
        var dir = new Argument<string>("DIR") { Description = "Sweep folder" };
        var command = new Command("status", "Print done / failed / diverged / remaining counts of a sweep folder");
        command.Arguments.Add(dir);
        command.SetAction(r => Guard(() =>
        {
            var s = SweepStatus.Read(r.GetValue(dir)!);
            Console.WriteLine($"{r.GetValue(dir)}: sweep of {s.SweepCells} cells; shards here: {s.Shards}; expected here: {s.Expected}");
            Console.WriteLine($"done {s.Done} ({string.Join(", ", s.ByStatus.Select(kv => $"{TrainingStatusText.Name(kv.Key)} {kv.Value}"))}), " +
                $"failed {s.ByStatus.GetValueOrDefault(TrainingStatus.Failed)}, diverged {s.ByStatus.GetValueOrDefault(TrainingStatus.Diverged)}, remaining {s.Remaining}");
            foreach (var p in s.Problems)
                Console.WriteLine($"  {TrainingStatusText.Name(p.Status)} {p.Key} (cell {p.CellIndex}): {p.Reason ?? "(no reason recorded)"}");
            return 0;
        }));
        return command;
    }

    /// <summary>Bad input (spec problems, folders of another sweep) → exit code 2 with every problem on standard error.</summary>
    internal static int Guard(Func<int> body) => CommonOptions.Guard(() =>
    {
        try { return body(); }
        catch (SweepSpecException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 2;
        }
    });

    private static int Bad(string message)
    {
        Console.Error.WriteLine("error: " + message);
        return 2;
    }
}
