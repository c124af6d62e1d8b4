using System.Numerics;
using System.Text.Json.Nodes;

namespace Overparam.Bench.Cases;

/// <summary>
/// One epoch of issue 12's classifier (<see cref="Classifier"/>) against PyTorch, alternating: each round runs our
/// epoch in this process through RunExecutor.Execute into a run folder (as `overparam train --out` does: data loaded,
/// folder written, then the training loop; the time is the loop's, what summary.json reports), then
/// bench/torch_classifier.py for one epoch from the same init.safetensors and data.safetensors. One epoch of ours
/// runs first as a warm-up (JIT) and provides torch's folder. Then a per-phase breakdown of one more epoch
/// (<see cref="StepBreakdown"/>).
/// </summary>
public sealed class ClassifierEpochCase<T> : IBenchCase where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly string Type = BenchContext.TypeName<T>();
    public string Name => $"classifier-{Type}";
    public IReadOnlyCollection<string> Tags => [Name, "classifier", "torch-classifier", Type];

    /// <summary>The data of the breakdown, loaded once for both element types.</summary>
    private static LabelledDataCache? data;

    public void Run(BenchContext ctx)
    {
        if (!Classifier.DataAvailable) { Skip(ctx, "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)"); return; }
        var spec = Classifier.Spec(Type, epochs: 1);
        string root = Classifier.ScratchRoot(), warmDir = Path.Combine(root, $"warm-{Type}"), oursDir = Path.Combine(root, "ours");
        double flops = Classifier.StepFlops() * (Classifier.Train / Classifier.BatchSize) + Classifier.StepFlops(Classifier.Train % Classifier.BatchSize);
        try
        {
            var cold = Classifier.Run(spec, warmDir);
            Console.WriteLine($"    warm-up epoch (cold JIT): {Summary.Format(cold.Seconds)}");
            TorchRunner? torch = null;
            string? why = ctx.Options.NoTorch ? "--no-torch" : null;
            if (why is null && (torch = TorchRunner.TryCreate(ctx.Options, out var reason)) is null) why = reason;
            int rounds = Math.Max(3, ctx.Rounds);
            var ours = new List<double>();
            var theirs = new List<double>();
            var ratios = new JsonArray();
            for (int round = 0; round < rounds; round++)
            {
                var o = Classifier.Run(spec, oursDir);
                ours.Add(o.Seconds);
                string line = $"    round {round + 1}: ours {Summary.Format(o.Seconds)} (loss {o.FinalLoss:F4})";
                if (torch is not null)
                {
                    var t = torch.RunBenchScript("torch_classifier.py",
                        ["--run", warmDir, "--mode", "time", "--dtype", Type, "--threads", ctx.Options.Threads.ToString()], TimeSpan.FromMinutes(10));
                    double ts = (double)t["seconds"]!;
                    theirs.Add(ts);
                    ratios.Add(ts / o.Seconds);
                    line += $", torch {Summary.Format(ts)} (torch/ours {ts / o.Seconds:F2})";
                }
                Console.WriteLine(line);
            }
            var so = Summary.Of(ours);
            var json = BenchContext.Json(so);
            json["dtype"] = Type; json["steps"] = cold.Steps; json["cold_seconds"] = cold.Seconds; json["gemm_flops"] = flops;
            json["openblas_coretype"] = ctx.Blas.CoreType;
            ctx.Add(new Row(Name, $"ours, one epoch ({cold.Steps} steps of {Classifier.BatchSize})", so.ToString(), $"{flops / 1e9:F0} GFLOP",
                BenchContext.Gflops(flops, so.Median), $"{rounds} runs, {Summary.Format(so.Median / cold.Steps)}/step; first (cold JIT) run {Summary.Format(cold.Seconds)}"));
            if (torch is not null)
            {
                var st = Summary.Of(theirs);
                double r = st.Median / so.Median;
                json["torch"] = BenchContext.Json(st);
                json["ratio_torch_over_ours"] = r;
                json["ratio_ours_over_torch"] = so.Median / st.Median;
                json["round_ratios"] = ratios;
                ctx.Add(new Row("", "  torch 1.13 (nn.Linear, SGD)", st.ToString(), "", $"torch/ours {r:F2}",
                    $"ours/torch {so.Median / st.Median:F2}; round ratios {string.Join(", ", ratios.Select(v => ((double)v!).ToString("F2")))}"));
            }
            else ctx.Add(new Row("", "  torch", "skipped", "", "", why!));

            data ??= new LabelledDataCache(spec);
            var b = StepBreakdown.Measure<T>(spec, data, ctx.Blas, Path.Combine(root, "breakdown"));
            json["breakdown"] = Report(ctx, b);
            ctx.Record(Name, json);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, true);
        }
    }

    private static JsonObject Report(BenchContext ctx, StepBreakdown b)
    {
        double step = b.LoopSeconds / b.Updates;
        var phases = new JsonObject();
        for (int p = 0; p < StepBreakdown.Labels.Length; p++)
        {
            double s = b.Seconds[p] / b.Updates;
            phases[((Phase)p).ToString()] = new JsonObject { ["seconds_per_step"] = s, ["fraction"] = s / step, ["gemm_flops_per_step"] = b.Flops[p] / b.Updates };
            ctx.Add(new Row("", $"  {StepBreakdown.Labels[p]}", Summary.Format(s), b.Flops[p] > 0 ? $"{b.Flops[p] / b.Updates / 1e9:F3} GFLOP" : "",
                b.Flops[p] > 0 && b.Seconds[p] > 0 ? BenchContext.Gflops(b.Flops[p], b.Seconds[p]) : "", $"{s / step:P1} of the step"));
        }
        ctx.Add(new Row("", "  = one step (breakdown epoch)", Summary.Format(step), "", "",
            $"{b.LoopSeconds:F3} s for {b.Updates} updates; allocated {b.AllocatedPerStepThisThread / 1024:F1} KiB/step on the loop's thread, " +
            $"{b.AllocatedPerStepAllThreads / 1024:F1} KiB/step in all threads, {b.Gen0Collections} gen-0 GCs"));
        return new JsonObject
        {
            ["loop_seconds"] = b.LoopSeconds, ["updates"] = b.Updates, ["seconds_per_step"] = step, ["phases"] = phases,
            ["allocated_bytes_per_step_this_thread"] = b.AllocatedPerStepThisThread,
            ["allocated_bytes_per_step_all_threads"] = b.AllocatedPerStepAllThreads, ["gen0_collections"] = b.Gen0Collections,
        };
    }

    private void Skip(BenchContext ctx, string why)
    {
        ctx.Add(new Row(Name, "classifier epoch", "skipped", "", "", why));
        ctx.Record(Name, new JsonObject { ["skipped"] = why });
    }
}
