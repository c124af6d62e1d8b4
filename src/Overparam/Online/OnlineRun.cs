using System.Diagnostics;
using System.Text.Json.Nodes;
using Overparam.Activations;
using Overparam.Experiments;

namespace Overparam.Online;

/// <summary>What `overparam online` runs: the learners, the network and step sizes, the seed of the initial weights, the metrics window.</summary>
public sealed record OnlineRunSpec(IReadOnlyList<LearnerKind> Learners, int Hidden, string Activation, LearnerSettings Settings, ulong InitSeed, int Window);

/// <summary>One learner's curves, one point per window (windows never cross a stage boundary).</summary>
/// <param name="Example">The 1-based index of the window's last example.</param>
/// <param name="Diverged">The 1-based example at which the loss stopped being finite (the learner stops there), or null.</param>
public sealed record LearnerCurves(LearnerKind Kind, int[] Example, int[] Stage, double[] Loss, double[] Error, double[] UChange, double[] WChange, int? Diverged, double Seconds);

/// <summary>
/// Runs learners on one stream from the same initial weights (<see cref="OnlineWeights.Normal"/> of the spec's seed) and
/// writes, under the output folder, config.json (the stream's generator and seed), data.safetensors (the stream as
/// presented, when asked) and a run folder per learner: config.json, init.safetensors and final.safetensors (U, W, H),
/// metrics.csv (one row per window: example, stage, loss, error, u_change = ‖U − U₀‖², w_change = ‖W − W₀‖²) and
/// summary.json.
/// </summary>
public static class OnlineRun
{
    public static readonly string[] Columns = ["example", "stage", "loss", "error", "u_change", "w_change"];

    public static Activation ParseActivation(string name) => name.ToLowerInvariant() is "tanh" or "sigmoid" or "relu"
        ? Activations.Activation.TryParse(name)! : throw new RunSpecException($"--activation {name}: expected tanh, sigmoid or relu");

    /// <summary>Checks the spec as the command's bad-input rules say (a <see cref="RunSpecException"/> names the option).</summary>
    public static void Check(OnlineRunSpec spec)
    {
        if (spec.Learners.Count == 0) throw new RunSpecException("--learners: name at least one learner");
        if (spec.Hidden < 1) throw new RunSpecException($"--hidden {spec.Hidden}: must be at least 1");
        if (!(spec.Settings.AlphaW > 0)) throw new RunSpecException($"--alpha-w {spec.Settings.AlphaW}: must be positive");
        if (!(spec.Settings.AlphaU > 0)) throw new RunSpecException($"--alpha-u {spec.Settings.AlphaU}: must be positive");
        if (!(spec.Settings.Lambda >= 0 && spec.Settings.Lambda <= 1)) throw new RunSpecException($"--lambda {spec.Settings.Lambda}: must be in [0, 1]");
        if (spec.Window < 1) throw new RunSpecException($"--window {spec.Window}: must be at least 1");
        ParseActivation(spec.Activation);
    }

    /// <summary>One learner through the whole stream; writes its folder when <paramref name="folder"/> is given.</summary>
    public static LearnerCurves Learn(OnlineStream stream, LearnerKind kind, OnlineWeights init, OnlineRunSpec spec, string? folder = null, CancellationToken cancel = default)
    {
        var learner = new OnlineLearner(kind, init, ParseActivation(spec.Activation), spec.Settings);
        using var run = folder is null ? null : RunFolder.Create(folder);
        if (run is not null)
        {
            run.WriteJson("config.json", Config(stream, kind, learner, spec));
            run.WriteJson("summary.json", new JsonObject { ["status"] = "running" });
            run.WriteWeights("init.safetensors", [.. init.ToTensors(), .. learner.TraceTensors()]);
            run.StartMetrics(Columns);
        }
        var (example, stage, loss, error, uc, wc) = (new List<int>(), new List<int>(), new List<double>(), new List<double>(), new List<double>(), new List<double>());
        int? diverged = null;
        double sumLoss = 0, sumError = 0;
        int count = 0;
        var clock = Stopwatch.StartNew();
        for (int t = 0; t < stream.Examples; t++)
        {
            if ((t & 1023) == 0) cancel.ThrowIfCancellationRequested();
            var (x, y) = stream[t];
            var r = learner.Learn(x.Span, y);
            if (!double.IsFinite(r.Loss)) { diverged = t + 1; break; }
            sumLoss += r.Loss;
            sumError += stream.Outputs == 1 ? r.Loss : r.Wrong ? 1 : 0;
            count++;
            bool stageEnds = (t + 1) % stream.StageLength == 0 || t + 1 == stream.Examples;
            if (count == spec.Window || stageEnds)
            {
                example.Add(t + 1); stage.Add(stream.StageOf(t));
                loss.Add(sumLoss / count); error.Add(sumError / count);
                uc.Add(SquaredDistance(learner.U, init.U)); wc.Add(SquaredDistance(learner.W, init.W));
                run?.AppendMetrics(new Dictionary<string, double>
                {
                    ["example"] = t + 1, ["stage"] = stream.StageOf(t), ["loss"] = loss[^1], ["error"] = error[^1], ["u_change"] = uc[^1], ["w_change"] = wc[^1],
                });
                (sumLoss, sumError, count) = (0, 0, 0);
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        if (run is not null)
        {
            run.WriteWeights("final.safetensors", [.. learner.Weights(stream.Inputs).ToTensors(), .. learner.TraceTensors()]);
            run.WriteJson("summary.json", new JsonObject
            {
                ["status"] = diverged is null ? "finished" : "diverged",
                ["diverged_at_example"] = diverged,
                ["examples"] = diverged is null ? stream.Examples : diverged - 1,
                ["mean_loss_last_window"] = loss.Count > 0 ? loss[^1] : null,
                ["seconds"] = seconds,
            });
        }
        return new LearnerCurves(kind, [.. example], [.. stage], [.. loss], [.. error], [.. uc], [.. wc], diverged, seconds);
    }

    /// <summary>Every learner of the spec on the stream (in parallel on up to <paramref name="threads"/> threads), into <paramref name="outDir"/>.</summary>
    public static IReadOnlyList<LearnerCurves> RunAll(OnlineStream stream, OnlineRunSpec spec, string outDir, bool saveStream, int threads, CancellationToken cancel = default)
    {
        Check(spec);
        if (File.Exists(outDir)) throw new RunSpecException($"--out {outDir}: is a file, not a folder");
        foreach (var k in spec.Learners)
            if (File.Exists(Path.Combine(outDir, k.Name, "summary.json")))
                throw new RunSpecException($"--out {outDir}: already holds a run of {k.Name}; choose another folder or remove it");
        Directory.CreateDirectory(outDir);
        var init = OnlineWeights.Normal(stream.Inputs, spec.Hidden, stream.Outputs, spec.InitSeed);
        IO.AtomicFile.WriteAllText(Path.Combine(outDir, "config.json"), new JsonObject
        {
            ["stream"] = stream.Settings.DeepClone(), ["examples"] = stream.Examples, ["schedule"] = new JsonArray([.. stream.Schedule.Select(s => (JsonNode)s)]),
            ["learners"] = new JsonArray([.. spec.Learners.Select(k => (JsonNode)k.Name)]), ["init_seed"] = spec.InitSeed,
            ["data_file"] = saveStream ? "data.safetensors" : null,
        }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        if (saveStream) IO.SafeTensors.Write(Path.Combine(outDir, "data.safetensors"), stream.ToTensors());
        var results = new LearnerCurves[spec.Learners.Count];
        Parallel.For(0, spec.Learners.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = cancel },
            i => results[i] = Learn(stream, spec.Learners[i], init, spec, Path.Combine(outDir, spec.Learners[i].Name), cancel));
        return results;
    }

    private static JsonObject Config(OnlineStream stream, LearnerKind kind, OnlineLearner learner, OnlineRunSpec spec) => new()
    {
        ["learner"] = kind.Name,
        ["rule"] = kind.Rule.ToString(),
        ["optimizer"] = kind.Rule == IncomingRule.Backprop ? kind.Optimizer : "sgd (LMS for W, the rule's direction for U)",
        ["momentum"] = kind.Momentum,
        ["lambda"] = learner.Lambda,
        ["alpha_w"] = spec.Settings.AlphaW,
        ["alpha_u"] = kind.Rule == IncomingRule.Backprop ? spec.Settings.AlphaW : spec.Settings.AlphaU,
        ["activation"] = spec.Activation,
        ["inputs"] = stream.Inputs,
        ["hidden"] = spec.Hidden,
        ["outputs"] = stream.Outputs,
        ["output"] = stream.Outputs == 1 ? "linear, loss ½(y − y*)²" : "softmax, cross-entropy loss",
        ["init"] = "N(0, 1) for every weight (xoshiro256**, polar method)",
        ["init_seed"] = spec.InitSeed,
        ["window"] = spec.Window,
        ["stream"] = stream.Settings.DeepClone(),
        ["examples"] = stream.Examples,
        ["data_file"] = "../data.safetensors",
    };

    private static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double d = System.Numerics.Tensors.TensorPrimitives.Distance(a, b);
        return d * d;
    }
}
