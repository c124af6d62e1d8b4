using System.Text.Json.Nodes;
using Overparam.Data;
using Overparam.Experiments;

namespace Overparam.Bench.Cases;

/// <summary>
/// Issue 13's speed floor: Entropy-SGD (L = 5, SGLD noise ε = 1e-4, the fair budget) and Replicated-SGD (y = 3) against
/// plain SGD per gradient evaluation (one minibatch gradient of B rows), on the flatness study's Fashion-MNIST net
/// (<see cref="Spec"/>: 10k samples, fc 784 → 128 → 128 → 10, standard parameterization, biases, ReLU, cross-entropy,
/// batch 32, float64). Each round runs SGD for E epochs, Entropy-SGD for the same gradient evaluations (E/L outer
/// epochs of L inner steps) and Replicated-SGD for E·⌈n/B⌉/y steps (y gradients a step), E = 3, at least 5 rounds, through RunExecutor without a
/// folder; the time is the training loop's. Reported: seconds per gradient evaluation (min / median / max over the
/// rounds) and the ratios eSGD/SGD and rSGD/SGD of the medians and per round.
/// </summary>
public sealed class FlatMinimaStepCase : IBenchCase
{
    public string Name => "flat-minima-step";
    public IReadOnlyCollection<string> Tags => [Name, "flat-minima", "float64"];

    private const int Epochs = 3, InnerSteps = 5, Replicas = 3;

    /// <summary>The flatness study's Fashion-MNIST run with <paramref name="optimizer"/> (quick: 2k samples).</summary>
    public static RunSpec Spec(string optimizer, int epochs, bool quick) => new()
    {
        Data = "fashion-mnist", Classes = ClassSelection.All, N = quick ? 2000 : 10000, NTest = 1000, Standardize = true,
        Architecture = "fc", Depth = 2, Width = 128, Parameterization = "standard", Bias = true, Activation = "relu",
        Optimizer = optimizer, Momentum = 0.9, Lr = 0.05, BatchSize = 32, Epochs = epochs,
    };

    private static int StepsPerEpoch(bool quick) => ((quick ? 2000 : 10000) + 31) / 32;

    public void Run(BenchContext ctx)
    {
        if (!Classifier.DataAvailable) { ctx.Add(new Row(Name, "flat minima step", "skipped", "", "", "Fashion-MNIST not installed")); return; }
        bool quick = ctx.Options.Quick;
        var runs = new (string Label, RunSpec Spec, int EvalsPerStep)[]
        {
            ("sgd", Spec("sgd", Epochs, quick), 1),
            ("entropy-sgd", Spec("entropy-sgd", Epochs, quick) with { InnerSteps = InnerSteps, SgldNoise = 1e-4, Gamma0 = 1, GammaMax = 5, FairBudget = true }, InnerSteps),
            ("replicated-sgd", Spec("replicated-sgd", Epochs, quick) with
                { Epochs = null, Steps = Epochs * StepsPerEpoch(quick) / Replicas, Replicas = Replicas, Gamma0 = 0.3, GammaMax = 10 }, Replicas),
        };
        var perEval = runs.Select(_ => new List<double>()).ToArray();
        var evals = new long[runs.Length];
        foreach (var r in runs) RunExecutor.Execute(r.Spec, null);                          // warm-up (JIT)
        int rounds = Math.Max(5, ctx.Rounds);
        for (int round = 0; round < rounds; round++)
        {
            string line = $"    round {round + 1}:";
            for (int k = 0; k < runs.Length; k++)
            {
                var o = RunExecutor.Execute(runs[k].Spec, null);
                evals[k] = (long)o.Steps * runs[k].EvalsPerStep;
                perEval[k].Add(o.Seconds / evals[k]);
                line += $" {runs[k].Label} {Summary.Format(o.Seconds)} ({evals[k]} gradients)";
            }
            Console.WriteLine(line);
        }
        var sgd = Summary.Of(perEval[0]);
        var json = new JsonObject { ["samples"] = runs[0].Spec.N, ["batch"] = 32, ["net"] = "fc 784-128-128-10", ["rounds"] = rounds };
        for (int k = 0; k < runs.Length; k++)
        {
            var s = Summary.Of(perEval[k]);
            var roundRatios = perEval[k].Select((t, i) => t / perEval[0][i]).ToArray();
            var j = BenchContext.Json(s);
            j["gradient_evaluations"] = evals[k];
            j["ratio_to_sgd"] = s.Median / sgd.Median;
            j["round_ratios"] = new JsonArray(roundRatios.Select(v => (JsonNode)v).ToArray());
            json[runs[k].Label] = j;
            ctx.Add(new Row(k == 0 ? Name : "", $"{runs[k].Label}, per gradient evaluation", s.ToString(), $"{evals[k]} gradients", "",
                k == 0 ? $"{rounds} rounds, batch 32, fc 784-128-128-10, {runs[0].Spec.N} samples"
                       : $"{runs[k].Label}/sgd {s.Median / sgd.Median:F3}; round ratios {string.Join(", ", roundRatios.Select(v => v.ToString("F3")))}"));
        }
        ctx.Record(Name, json);
    }
}
