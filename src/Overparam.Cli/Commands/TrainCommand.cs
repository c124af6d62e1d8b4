using System.CommandLine;
using Overparam.Experiments;
using Overparam.Training;

namespace Overparam.Cli.Commands;

/// <summary>`overparam train`: one network trained by full-batch gradient descent, into a run folder.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var spec = new SpecOptions();
        var outDir = new Option<string>("--out") { Description = "Run folder (config.json, data/init/final.safetensors, metrics.csv, summary.json)", DefaultValueFactory = _ => Path.Combine("runs", "train-" + DateTime.Now.ToString("yyyyMMdd-HHmmss")) };
        var threads = CommonOptions.Threads();
        var quiet = CommonOptions.Quiet();
        var command = new Command("train", "Train one of the paper's networks by full-batch gradient descent and record every step");
        foreach (var o in spec.All) command.Options.Add(o);
        command.Options.Add(outDir);
        command.Options.Add(threads);
        command.Options.Add(quiet);
        command.SetAction(r => CommonOptions.Guard(() =>
        {
            CommonOptions.ApplyThreads(r.GetValue(threads));
            var runSpec = spec.ToSpec(r);
            var dir = r.GetValue(outDir)!;
            var cancel = CommonOptions.CtrlC();
            var outcome = ProgressDisplay.Run(r.GetValue(quiet), $"train {runSpec.Architecture} H={runSpec.Depth} m={runSpec.Width}",
                progress => RunExecutor.Execute(runSpec, dir, progress, cancel, Console.Error));
            Console.WriteLine($"{TrainingStatusText.Name(outcome.Status)}: loss {outcome.InitialLoss:G6} -> {outcome.FinalLoss:G6} in {outcome.Steps} steps, {outcome.Seconds:F2} s (eta = {outcome.Eta:G6}{(outcome.Lambda0 is double l ? $", lambda0 = {l:G6}" : "")})");
            Console.WriteLine($"run folder: {dir}");
            return outcome.Status is TrainingStatus.Converged or TrainingStatus.BudgetExhausted ? 0 : 1;
        }));
        return command;
    }
}
