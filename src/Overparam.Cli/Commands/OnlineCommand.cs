using System.CommandLine;
using Overparam.Data;
using Overparam.Experiments;
using Overparam.Online;

namespace Overparam.Cli.Commands;

/// <summary>
/// `overparam online`: online learners (crossprop, backprop and its optimizers; Veeriah, Zhang &amp; Sutton 2017) on one
/// stream of tasks from the same initial weights, one run folder per learner under --out (<see cref="OnlineRun"/>).
/// </summary>
public static class OnlineCommand
{
    public static Command Create()
    {
        var stream = new Option<string>("--stream") { Description = "geoff (continual GEOFF; --tasks 6 --mutate 0 is stationary) or fashion-roll (Fashion-MNIST, labels rolled by one class per task)", DefaultValueFactory = _ => "geoff" };
        var learners = new Option<string>("--learners") { Description = $"Comma-separated learners: {string.Join(", ", LearnerKind.Names)}", DefaultValueFactory = _ => "cp,cp-lambda,bp,bp-momentum,bp-adam,bp-rmsprop" };
        var hidden = new Option<int>("--hidden") { Description = "Hidden units (plus the bias unit)", DefaultValueFactory = _ => 500 };
        var activation = new Option<string>("--activation") { Description = "tanh, sigmoid or relu", DefaultValueFactory = _ => "tanh" };
        var alpha = new Option<double>("--alpha") { Description = "Step size of every learner (bp's learning rate; crossprop's alpha_W and alpha_U unless given)", DefaultValueFactory = _ => 0.0005 };
        var alphaW = new Option<double?>("--alpha-w") { Description = "Crossprop's step size for W and the traces (default --alpha)" };
        var alphaU = new Option<double?>("--alpha-u") { Description = "Crossprop's step size for U (default --alpha)" };
        var lambda = new Option<double>("--lambda") { Description = "lambda of cp-lambda and cp-alt-lambda (0 crossprop, 1 backprop)", DefaultValueFactory = _ => 0.5 };
        var tasks = new Option<int>("--tasks") { Description = "Tasks the stages cycle through", DefaultValueFactory = _ => 3 };
        var stages = new Option<int>("--stages") { Description = "Stages", DefaultValueFactory = _ => 6 };
        var stageExamples = new Option<int>("--stage-examples") { Description = "Examples per stage (each task's examples)", DefaultValueFactory = _ => 5000 };
        var examples = new Option<int?>("--examples") { Description = "Stop the stream after N examples (default: all stages)" };
        var mutate = new Option<double>("--mutate") { Description = "geoff: fraction of the target's output weights redrawn between tasks", DefaultValueFactory = _ => 0.5 };
        var inputs = new Option<int>("--geoff-inputs") { Description = "geoff: random input bits", DefaultValueFactory = _ => 20 };
        var features = new Option<int>("--geoff-features") { Description = "geoff: target features", DefaultValueFactory = _ => 1000 };
        var data = new Option<string>("--data") { Description = "fashion-roll: the IDX folder", DefaultValueFactory = _ => DataSpec.FashionMnistDirectory };
        var pool = new Option<int>("--pool") { Description = "fashion-roll: 1 (28x28 inputs) or 2 (2x2 mean pooling, 14x14)", DefaultValueFactory = _ => 1 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the stream (geoff)", DefaultValueFactory = _ => 1 };
        var initSeed = new Option<ulong>("--init-seed") { Description = "Seed of the initial weights, shared by all learners", DefaultValueFactory = _ => 2 };
        var window = new Option<int>("--window") { Description = "Examples per metrics.csv row (1: every example; windows end at stage boundaries)", DefaultValueFactory = _ => 1 };
        var saveStream = new Option<bool>("--save-stream") { Description = "Write the stream as presented to data.safetensors (--save-stream false: do not)", DefaultValueFactory = _ => true };
        var outDir = new Option<string>("--out") { Description = "Output folder (one run folder per learner inside)", Required = true };
        var threads = CommonOptions.Threads();
        threads.Description = "Learners run in parallel on this many threads (each learner on one)";
        var quiet = CommonOptions.Quiet();
        var command = new Command("online", "Online learning one example at a time (Veeriah, Zhang & Sutton 2017): crossprop and backprop learners on one stream of tasks, same initial weights, a run folder per learner");
        foreach (var o in new Option[] { stream, learners, hidden, activation, alpha, alphaW, alphaU, lambda, tasks, stages, stageExamples, examples, mutate, inputs, features, data, pool, seed, initSeed, window, saveStream, outDir, threads, quiet })
            command.Options.Add(o);
        command.SetAction(r => CommonOptions.Guard(() =>
        {
            CommonOptions.ApplyThreads(1);
            int workers = r.GetValue(threads);
            if (workers < 1) throw new RunSpecException($"--threads {workers}: must be at least 1");
            double a = r.GetValue(alpha);
            if (!(a > 0)) throw new RunSpecException($"--alpha {a}: must be positive");
            var kinds = r.GetValue(learners)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(name => LearnerKind.TryParse(name) ?? throw new RunSpecException($"--learners: unknown learner \"{name}\" (expected {string.Join(", ", LearnerKind.Names)})"))
                .ToArray();
            if (kinds.Select(k => k.Name).Distinct().Count() != kinds.Length) throw new RunSpecException("--learners: a learner is named twice");
            var spec = new OnlineRunSpec(kinds, r.GetValue(hidden), r.GetValue(activation)!,
                new LearnerSettings(r.GetValue(alphaW) ?? a, r.GetValue(alphaU) ?? a) { Lambda = r.GetValue(lambda) }, r.GetValue(initSeed), r.GetValue(window));
            OnlineRun.Check(spec);
            var s = Build(r.GetValue(stream)!, r.GetValue(tasks), r.GetValue(stages), r.GetValue(stageExamples), r.GetValue(examples),
                r.GetValue(mutate), r.GetValue(inputs), r.GetValue(features), r.GetValue(data)!, r.GetValue(pool), r.GetValue(seed));
            string dir = r.GetValue(outDir)!;
            var results = OnlineRun.RunAll(s, spec, dir, r.GetValue(saveStream), workers, CommonOptions.CtrlC());
            if (!r.GetValue(quiet))
            {
                Console.WriteLine($"{s.Kind}: {s.Examples} examples, {s.Inputs} inputs, {spec.Hidden} hidden, {s.Outputs} output{(s.Outputs == 1 ? "" : "s")}");
                Console.WriteLine("learner          status      error (last stage)  ||U-U0||^2   ||W-W0||^2   examples/s");
                foreach (var c in results)
                {
                    int last = c.Stage.Length == 0 ? -1 : c.Stage[^1];
                    var lastErrors = c.Error.Where((_, i) => c.Stage[i] == last).ToArray();
                    double mean = lastErrors.Length == 0 ? double.NaN : lastErrors.Average();
                    string status = c.Diverged is { } at ? $"diverged@{at}" : "finished";
                    int done = c.Diverged is { } d ? d - 1 : s.Examples;
                    Console.WriteLine($"{c.Kind.Name,-16} {status,-11} {mean,-19:G5} {(c.UChange.Length > 0 ? c.UChange[^1] : double.NaN),-12:G5} {(c.WChange.Length > 0 ? c.WChange[^1] : double.NaN),-12:G5} {done / Math.Max(c.Seconds, 1e-9):F0}");
                }
                Console.WriteLine($"wrote {dir}");
            }
            return results.Any(c => c.Diverged is not null) ? 1 : 0;
        }));
        return command;
    }

    /// <summary>The stream of the options; bad values are <see cref="RunSpecException"/>s naming the option.</summary>
    public static OnlineStream Build(string kind, int tasks, int stages, int stageExamples, int? examples, double mutate, int inputs, int features, string data, int pool, ulong seed)
    {
        if (stageExamples < 1) throw new RunSpecException($"--stage-examples {stageExamples}: must be at least 1");
        if (examples is { } n && n < stageExamples)
            throw new RunSpecException($"--examples {n}: the stream is shorter than one stage (--stage-examples {stageExamples})");
        try
        {
            return kind switch
            {
                "geoff" => OnlineStream.Geoff(inputs, features, tasks, stages, stageExamples, mutate, seed, examples),
                "fashion-roll" => OnlineStream.FashionRoll(data, tasks, stages, stageExamples, pool, examples),
                _ => throw new RunSpecException($"--stream {kind}: expected geoff or fashion-roll"),
            };
        }
        catch (ArgumentException e) { throw new RunSpecException(e.Message); }
        catch (DataFormatException e) { throw new RunSpecException(e.Message); }
    }
}
