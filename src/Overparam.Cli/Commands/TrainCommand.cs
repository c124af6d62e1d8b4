using System.CommandLine;
using Overparam.Experiments;
using Overparam.Training;

namespace Overparam.Cli.Commands;

/// <summary>`overparam train`: one network trained into a run folder (the paper's full-batch GD by default), or a checkpointed run resumed.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var spec = new SpecOptions();
        var outDir = new Option<string>("--out") { Description = "[output] Run folder (config.json, data/init/final.safetensors, metrics.csv, summary.json)", DefaultValueFactory = _ => Path.Combine("runs", "train-" + DateTime.Now.ToString("yyyyMMdd-HHmmss")) };
        var resume = new Option<string?>("--resume") { Description = "[output] Continue the run in this folder from its checkpoint.safetensors (a run started with --checkpoint-every); give no other run option, or exactly the run's own" };
        var threads = CommonOptions.Threads();
        var blasThreads = CommonOptions.BlasThreads();
        var quiet = CommonOptions.Quiet();
        var command = new Command("train", "Train one of the paper's networks (full-batch gradient descent by default) or a classifier with minibatches, and record every step");
        foreach (var o in spec.All) command.Options.Add(o);
        command.Options.Add(outDir);
        command.Options.Add(resume);
        command.Options.Add(threads);
        command.Options.Add(blasThreads);
        command.Options.Add(quiet);
        command.SetAction(r => CommonOptions.Guard(() =>
        {
            CommonOptions.ApplyThreads(r.GetValue(threads), r.GetValue(blasThreads));
            var cancel = CommonOptions.CtrlC();
            var resumeDir = r.GetValue(resume);
            RunOutcome outcome;
            string dir;
            if (resumeDir is not null)
            {
                if (r.GetResult(outDir) is { Implicit: false }) throw new RunSpecException("--resume and --out: a resumed run continues in its own folder");
                bool optionsGiven = spec.All.Any(o => r.GetResult(o) is { Implicit: false });
                var given = optionsGiven ? spec.ToSpec(r) : null;
                dir = resumeDir;
                outcome = ProgressDisplay.Run(r.GetValue(quiet), $"resume {dir}",
                    progress => RunExecutor.Resume(dir, given, progress, cancel, Console.Error));
            }
            else
            {
                var runSpec = spec.ToSpec(r);
                dir = r.GetValue(outDir)!;
                bool defaultName = r.GetResult(outDir) is null or { Implicit: true };   // two runs started in the same second get -2, -3, …
                outcome = ProgressDisplay.Run(r.GetValue(quiet), $"train {runSpec.Architecture} H={runSpec.Depth} m={runSpec.Width}",
                    progress => RunExecutor.Execute(runSpec, dir, progress, cancel, Console.Error, defaultName));
                dir = outcome.Folder ?? dir;
            }
            Console.WriteLine($"{TrainingStatusText.Name(outcome.Status)}: loss {outcome.InitialLoss:G6} -> {outcome.FinalLoss:G6} in {outcome.Steps} steps, {outcome.Seconds:F2} s (eta = {outcome.Eta:G6}{(outcome.Lambda0 is double l ? $", lambda0 = {l:G6}" : "")})");
            if (outcome.Final.TryGetValue(MetricColumns.TestError, out double testError))
                Console.WriteLine($"test error {testError:P2} (best {outcome.Final.GetValueOrDefault(MetricColumns.BestTestError, testError):P2})");
            Console.WriteLine($"run folder: {dir}");
            return outcome.Status is TrainingStatus.Converged or TrainingStatus.BudgetExhausted ? 0 : 1;
        }));
        return command;
    }
}
