using System.Text.Json.Nodes;
using Overparam.Data;
using Overparam.Experiments;
using Overparam.Numerics;

namespace Overparam.Bench.Cases;

/// <summary>
/// Issue 13's speed floor: Entropy-SGD (L = 5, SGLD noise ε = 1e-4, the fair budget; its noise in float64 and, as
/// "entropy-sgd-xi32", stored in float32 by --sgld-noise-float32) and Replicated-SGD (y = 3) against
/// plain SGD per gradient evaluation (one minibatch gradient of B rows), on the flatness study's Fashion-MNIST net
/// (<see cref="Spec"/>: 10k samples, fc 784 → 128 → 128 → 10, standard parameterization, biases, ReLU, cross-entropy,
/// float64), at batch 32 (the study's) and 128 (the code lineage's). Each run is SGD for E = 3 epochs, Entropy-SGD for the
/// same gradient evaluations (E/L outer epochs of L inner steps) or Replicated-SGD for E·⌈n/B⌉/y steps (y gradients a
/// step), through RunExecutor without a folder; the time is the training loop's.
/// <para>
/// With a budget of --threads T cores the element-wise work may use all T (Entropy-SGD draws its next noise on another
/// core) and BLAS runs on b = 1 and on b = T threads; every optimizer is measured at both, all runs alternating in each of at
/// least 5 rounds. Reported per batch size and b: seconds per gradient evaluation (min / median / max) and the ratios
/// of the medians to SGD's at the same b; and the headline: each optimizer's best b against SGD's best b (like with
/// like: the same T cores, each in its fastest configuration).
/// </para>
/// </summary>
public sealed class FlatMinimaStepCase : IBenchCase
{
    public string Name => "flat-minima-step";
    public IReadOnlyCollection<string> Tags => [Name, "flat-minima", "float64"];

    private const int Epochs = 3, InnerSteps = 5, Replicas = 3;
    private static readonly int[] Batches = [32, 128];
    private static readonly string[] Labels = ["sgd", "entropy-sgd", "replicated-sgd", "entropy-sgd-xi32"];

    /// <summary>The flatness study's Fashion-MNIST run with <paramref name="optimizer"/> (quick: 2k samples).</summary>
    public static RunSpec Spec(string optimizer, int epochs, bool quick, int batch = 32) => new()
    {
        Data = "fashion-mnist", Classes = ClassSelection.All, N = quick ? 2000 : 10000, NTest = 1000, Standardize = true,
        Architecture = "fc", Depth = 2, Width = 128, Parameterization = "standard", Bias = true, Activation = "relu",
        Optimizer = optimizer, Momentum = 0.9, Lr = 0.05, BatchSize = batch, Epochs = epochs,
    };

    /// <summary>The three runs at batch <paramref name="batch"/>, with their gradient evaluations per step.</summary>
    private static (RunSpec Spec, int EvalsPerStep)[] Runs(bool quick, int batch)
    {
        int stepsPerEpoch = ((quick ? 2000 : 10000) + batch - 1) / batch;
        return
        [
            (Spec("sgd", Epochs, quick, batch), 1),
            (Spec("entropy-sgd", Epochs, quick, batch) with { InnerSteps = InnerSteps, SgldNoise = 1e-4, Gamma0 = 1, GammaMax = 5, FairBudget = true }, InnerSteps),
            (Spec("replicated-sgd", Epochs, quick, batch) with { Epochs = null, Steps = Epochs * stepsPerEpoch / Replicas, Replicas = Replicas, Gamma0 = 0.3, GammaMax = 10 }, Replicas),
            (Spec("entropy-sgd", Epochs, quick, batch) with { InnerSteps = InnerSteps, SgldNoise = 1e-4, Gamma0 = 1, GammaMax = 5, FairBudget = true, SgldNoiseFloat32 = true }, InnerSteps),
        ];
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public void Run(BenchContext ctx)
    {
        if (!Classifier.DataAvailable) { ctx.Add(new Row(Name, "flat minima step", "skipped", "", "", "Fashion-MNIST not installed")); return; }
        bool quick = ctx.Options.Quick;
        int budget = ctx.Options.Threads;
        int[] blasThreads = budget > 1 ? [1, budget] : [1];
        var cells = (from batch in Batches from b in blasThreads select (Batch: batch, Blas: b, Runs: Runs(quick, batch))).ToArray();
        var perEval = cells.Select(_ => Labels.Select(_ => new List<double>()).ToArray()).ToArray();
        var evals = cells.Select(_ => new long[Labels.Length]).ToArray();
        int savedBlas = LinearAlgebra.Backend.Threads, savedChunks = Chunks.Threads;
        string loadBefore = Load();
        try
        {
            Chunks.Threads = budget;
            foreach (var c in cells)
            {
                LinearAlgebra.Backend.Threads = c.Blas;
                foreach (var r in c.Runs) RunExecutor.Execute(r.Spec, null);                        // warm-up (JIT)
            }
            int rounds = Math.Max(5, ctx.Rounds);
            for (int round = 0; round < rounds; round++)
            {
                Console.WriteLine($"    round {round + 1} (load {Load()}):");
                for (int i = 0; i < cells.Length; i++)
                {
                    LinearAlgebra.Backend.Threads = cells[i].Blas;
                    string line = $"      batch {cells[i].Batch}, BLAS {cells[i].Blas}:";
                    for (int k = 0; k < Labels.Length; k++)
                    {
                        var o = RunExecutor.Execute(cells[i].Runs[k].Spec, null);
                        evals[i][k] = (long)o.Steps * cells[i].Runs[k].EvalsPerStep;
                        perEval[i][k].Add(o.Seconds / evals[i][k]);
                        line += $" {Labels[k]} {Summary.Format(o.Seconds / evals[i][k])}";
                    }
                    Console.WriteLine(line);
                }
            }
            var json = new JsonObject
            {
                ["samples"] = cells[0].Runs[0].Spec.N, ["net"] = "fc 784-128-128-10", ["rounds"] = rounds, ["thread_budget"] = budget,
                ["load_before"] = loadBefore, ["load_after"] = Load(),
            };
            var cellsJson = new JsonArray();
            for (int i = 0; i < cells.Length; i++)
            {
                var sgd = Summary.Of(perEval[i][0]);
                var cj = new JsonObject { ["batch"] = cells[i].Batch, ["blas_threads"] = cells[i].Blas, ["elementwise_threads"] = budget };
                for (int k = 0; k < Labels.Length; k++)
                {
                    var s = Summary.Of(perEval[i][k]);
                    var roundRatios = perEval[i][k].Select((t, j) => t / perEval[i][0][j]).ToArray();
                    var j = BenchContext.Json(s);
                    j["gradient_evaluations"] = evals[i][k];
                    j["ratio_to_sgd"] = s.Median / sgd.Median;
                    j["round_ratios"] = new JsonArray(roundRatios.Select(v => (JsonNode)v).ToArray());
                    cj[Labels[k]] = j;
                    ctx.Add(new Row(i == 0 && k == 0 ? Name : "", $"B {cells[i].Batch}, BLAS {cells[i].Blas}: {Labels[k]}", s.ToString(), $"{evals[i][k]} gradients", "",
                        k == 0 ? $"{rounds} rounds, fc 784-128-128-10, {cells[i].Runs[0].Spec.N} samples, element-wise threads {budget}"
                               : $"/sgd {s.Median / sgd.Median:F3}; rounds {string.Join(", ", roundRatios.Select(v => v.ToString("F2")))}"));
                }
                cellsJson.Add(cj);
            }
            json["cells"] = cellsJson;
            var headline = new JsonObject();
            foreach (int batch in Batches)
            {
                var at = Enumerable.Range(0, cells.Length).Where(i => cells[i].Batch == batch).ToArray();
                (double Median, int Blas) Best(int k) => at.Select(i => (Summary.Of(perEval[i][k]).Median, cells[i].Blas)).MinBy(v => v.Median);
                var sgd = Best(0);
                var hj = new JsonObject { ["sgd_median_s"] = sgd.Median, ["sgd_blas_threads"] = sgd.Blas };
                for (int k = 1; k < Labels.Length; k++)
                {
                    var best = Best(k);
                    hj[$"{Labels[k]}_median_s"] = best.Median;
                    hj[$"{Labels[k]}_blas_threads"] = best.Blas;
                    hj[$"{Labels[k]}_ratio"] = best.Median / sgd.Median;
                    ctx.Add(new Row("", $"B {batch}, best of each: {Labels[k]}", Summary.Format(best.Median), "", "",
                        $"{Labels[k]} (BLAS {best.Blas}) / sgd (BLAS {sgd.Blas}, {Summary.Format(sgd.Median)}) = {best.Median / sgd.Median:F3}, {budget} cores"));
                }
                headline[$"batch_{batch}"] = hj;
            }
            json["headline"] = headline;
            ctx.Notes.Add($"flat-minima-step: load average {loadBefore} before, {Load()} after");
            ctx.Record(Name, json);
        }
        finally { (LinearAlgebra.Backend.Threads, Chunks.Threads) = (savedBlas, savedChunks); }
    }
}
