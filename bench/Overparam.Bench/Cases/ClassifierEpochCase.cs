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

    /// <summary>
    /// Torch's configurations, each run every round: its default (OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = 2; libgomp's
    /// threads spin-wait after each parallel region and fight OpenBLAS's spinning threads for the two cores), and
    /// OMP_WAIT_POLICY=PASSIVE (they sleep instead), which is torch's best here, about 3× faster.
    /// </summary>
    private static readonly (string Short, string Label, Dictionary<string, string> Environment)[] TorchConfigs =
    [
        ("default", "2 threads (default OMP waiting)", []),
        ("passive", "2 threads, OMP_WAIT_POLICY=PASSIVE", new() { ["OMP_WAIT_POLICY"] = "PASSIVE" }),
    ];

    /// <summary>The data of the breakdown, loaded once for both element types.</summary>
    private static LabelledDataCache? data;

    public void Run(BenchContext ctx)
    {
        if (!Classifier.DataAvailable) { Skip(ctx, "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)"); return; }
        var spec = Classifier.Spec(Type, epochs: 1, quick: ctx.Options.Quick);
        string root = Classifier.ScratchRoot(), warmDir = Path.Combine(root, $"warm-{Type}"), oursDir = Path.Combine(root, "ours");
        double flops = Classifier.EpochFlops(spec.N);
        try
        {
            var cold = Classifier.Run(spec, warmDir);
            Console.WriteLine($"    warm-up epoch (cold JIT): {Summary.Format(cold.Seconds)}");
            TorchRunner? torch = null;
            string? why = ctx.Options.NoTorch ? "--no-torch" : null;
            if (why is null && (torch = TorchRunner.TryCreate(ctx.Options, out var reason)) is null) why = reason;
            int rounds = Math.Max(3, ctx.Rounds);
            var ours = new List<double>();
            var theirs = TorchConfigs.Select(_ => new List<double>()).ToArray();
            for (int round = 0; round < rounds; round++)
            {
                var o = Classifier.Run(spec, oursDir);
                ours.Add(o.Seconds);
                string line = $"    round {round + 1}: ours {Summary.Format(o.Seconds)} (loss {o.FinalLoss:F4})";
                for (int c = 0; torch is not null && c < TorchConfigs.Length; c++)
                {
                    var t = torch.RunBenchScript("torch_classifier.py",
                        ["--run", warmDir, "--mode", "time", "--dtype", Type, "--threads", ctx.Options.Threads.ToString()],
                        TimeSpan.FromMinutes(10), TorchConfigs[c].Environment);
                    double ts = (double)t["seconds"]!;
                    theirs[c].Add(ts);
                    line += $", torch {TorchConfigs[c].Short} {Summary.Format(ts)} ({ts / o.Seconds:F2}×)";
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
                var torchJson = new JsonObject();
                double best = double.PositiveInfinity;
                for (int c = 0; c < TorchConfigs.Length; c++)
                {
                    var st = Summary.Of(theirs[c]);
                    best = Math.Min(best, st.Median);
                    var rounds_ = theirs[c].Select((t, i) => t / ours[i]).ToArray();
                    var tj = BenchContext.Json(st);
                    tj["environment"] = TorchConfigs[c].Label;
                    tj["ratio_torch_over_ours"] = st.Median / so.Median;
                    tj["round_ratios"] = new JsonArray(rounds_.Select(v => (JsonNode)v).ToArray());
                    torchJson[TorchConfigs[c].Short] = tj;
                    ctx.Add(new Row("", $"  torch 1.13, {TorchConfigs[c].Label}", st.ToString(), "", $"torch/ours {st.Median / so.Median:F2}",
                        $"ours/torch {so.Median / st.Median:F2}; round ratios {string.Join(", ", rounds_.Select(v => v.ToString("F2")))}"));
                }
                json["torch"] = torchJson;
                json["torch_probe"] = torch.Probe.DeepClone();
                json["ratio_best_torch_over_ours"] = best / so.Median;
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
            double bytes = b.Allocated[p];
            phases[((Phase)p).ToString()] = new JsonObject
            {
                ["seconds_per_step"] = s, ["fraction"] = s / step, ["gemm_flops_per_step"] = b.Flops[p] / b.Updates, ["allocated_bytes_per_step"] = bytes,
            };
            ctx.Add(new Row("", $"  {StepBreakdown.Labels[p]}", Summary.Format(s), b.Flops[p] > 0 ? $"{b.Flops[p] / b.Updates / 1e9:F3} GFLOP" : "",
                b.Flops[p] > 0 && b.Seconds[p] > 0 ? BenchContext.Gflops(b.Flops[p], b.Seconds[p]) : "",
                $"{s / step:P1} of the step" + (bytes >= 1 ? $"; allocates {bytes:F0} B/step" : "")));
        }
        ctx.Add(new Row("", "  = one step (breakdown epoch)", Summary.Format(step), "", "",
            $"{b.LoopSeconds:F3} s for {b.Updates} updates; after the first step (which allocates {b.FirstStepAllocated / 1048576.0:F1} MiB of buffers) " +
            $"{b.AllocatedPerStepThisThread:F0} B/step on the loop's thread, {b.AllocatedPerStepAllThreads:F0} B/step in all threads, {b.Gen0Collections} gen-0 GCs"));
        return new JsonObject
        {
            ["loop_seconds"] = b.LoopSeconds, ["updates"] = b.Updates, ["seconds_per_step"] = step, ["phases"] = phases,
            ["allocated_bytes_per_step_this_thread"] = b.AllocatedPerStepThisThread,
            ["allocated_bytes_per_step_all_threads"] = b.AllocatedPerStepAllThreads, ["gen0_collections"] = b.Gen0Collections,
            ["first_step_allocated_bytes"] = b.FirstStepAllocated,
        };
    }

    private void Skip(BenchContext ctx, string why)
    {
        ctx.Add(new Row(Name, "classifier epoch", "skipped", "", "", why));
        ctx.Record(Name, new JsonObject { ["skipped"] = why });
    }
}
