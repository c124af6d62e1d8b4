using System.Text.Json.Nodes;
using Overparam.Data;
using Overparam.Experiments;

namespace Overparam.Bench.Cases;

/// <summary>
/// One training epoch of issue 16's spiking network against PyTorch: 784 → 800 → 10 LIF (τ = 2, ATan α = 2), T = 8,
/// batch 128, float32, Adam lr 1e-3, MSE on rates, all 60,000 Fashion-MNIST training images (pixels in [0, 1]); the
/// same as <c>overparam train --arch snn --depth 1 --width 800 --data fashion-mnist --classes all --n 60000 --raw
/// --dtype float32 --optimizer adam --lr 1e-3 --batch-size 128 --epochs 1</c>. Our epoch runs in this process through
/// RunExecutor.Execute into a run folder (the loop's seconds, what summary.json reports); torch's is bench/torch_snn.py
/// (an explicit loop over T, ATan as a custom autograd Function).
/// <list type="number">
/// <item>Torch's configuration: each of <see cref="TorchConfigs"/> times the first <see cref="ProbeSteps"/> steps of an
/// epoch; the fastest per step is torch's best here and the only one run in full.</item>
/// <item>Alternating rounds: our epoch, then torch's best; medians and the ratio.</item>
/// <item>Where the time goes: one more epoch of ours under <see cref="StepBreakdown"/> (timers around the model's
/// Forward/Backward/Gradients, the loss, the optimizer and the observer, GEMM seconds read from the counting backend),
/// and one of torch's under its own timers (torch_snn.py --mode phases).</item>
/// </list>
/// </summary>
public sealed class SnnEpochCase : IBenchCase
{
    public string Name => "snn-epoch";
    public IReadOnlyCollection<string> Tags => [Name, "snn", "torch-snn", "float32"];

    private const int Train = 60000, Width = 800, BatchSize = 128, TimeSteps = 8, ProbeSteps = 30;

    /// <summary>
    /// Torch's configurations (all with torch.set_num_threads(2) and OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = 2): libgomp's
    /// default waiting (threads spin for a while after each parallel region, then sleep), OMP_WAIT_POLICY=ACTIVE (they
    /// only spin), OMP_WAIT_POLICY=PASSIVE (they sleep at once, leaving the cores to OpenBLAS's threads).
    /// </summary>
    private static readonly (string Short, string Label, Dictionary<string, string> Environment)[] TorchConfigs =
    [
        ("default", "2 threads, default OMP waiting", []),
        ("active", "2 threads, OMP_WAIT_POLICY=ACTIVE", new() { ["OMP_WAIT_POLICY"] = "ACTIVE" }),
        ("passive", "2 threads, OMP_WAIT_POLICY=PASSIVE", new() { ["OMP_WAIT_POLICY"] = "PASSIVE" }),
    ];

    /// <summary>Our phases in the SNN's words (the same <see cref="Phase"/>s as the classifier's breakdown; the SNN has no bias GEMVs).</summary>
    private static readonly Dictionary<Phase, string> Labels = new()
    {
        [Phase.Gather] = "data: shuffle, gather the batch's rows (+ loop bookkeeping)",
        [Phase.ForwardGemm] = "forward GEMMs (x W1ᵀ once, S1 W2ᵀ over all T·n rows)",
        [Phase.ForwardElementwise] = "forward LIF + ATan slope (T steps fused), spike count",
        [Phase.Loss] = "loss (MSE on rates, ∂L/∂u)",
        [Phase.BackwardGemm] = "backward GEMM (∂L/∂S1 = ∂L/∂X2 W2, all T)",
        [Phase.BackwardElementwise] = "backward LIF through time (surrogate, T steps fused)",
        [Phase.WeightGradientGemm] = "weight-gradient GEMMs (∂L/∂W1, ∂L/∂W2)",
        [Phase.GradientOther] = "gradients, other",
        [Phase.OptimizerUpdate] = "optimizer (Adam)",
        [Phase.Observer] = "observer (metrics row)",
        [Phase.Rest] = "rest of the loop",
    };

    private static bool DataAvailable => File.Exists(Path.Combine(DataSpec.FashionMnistDirectory, "train-images-idx3-ubyte.gz"));

    /// <summary>The run; --quick takes a tenth of the images.</summary>
    public static RunSpec Spec(bool quick) => new()
    {
        Data = "fashion-mnist", Classes = ClassSelection.All, N = quick ? Train / 10 : Train, NTest = 1000, RawInputs = true,
        Architecture = "snn", Depth = 1, Width = Width, TimeSteps = TimeSteps, DType = "float32",
        Optimizer = "adam", Lr = 1e-3, BatchSize = BatchSize, Epochs = 1,
    };

    /// <summary>GEMM flops of one full step: X1 = x W1ᵀ, X2 = S1 W2ᵀ (T·n rows), ∂L/∂S1 = ∂L/∂X2 W2, ∂L/∂W1 = (Σ_t ∂L/∂X1_t)ᵀ x, ∂L/∂W2.</summary>
    public static double StepFlops(int b = BatchSize, int d = 784, int m = Width, int c = 10, int t = TimeSteps) =>
        2.0 * b * d * m + 3 * 2.0 * t * b * m * c + 2.0 * b * d * m;

    /// <summary>GEMM flops of an epoch of <paramref name="n"/> samples: ⌊n/B⌋ full batches and the remainder.</summary>
    public static double EpochFlops(int n) => StepFlops() * (n / BatchSize) + StepFlops(n % BatchSize);

    /// <summary>
    /// GEMM flops of the loop's last step over <paramref name="b"/> samples: it evaluates the loss at the final weights (a
    /// forward and a backward pass, no weight gradients, no update), so an epoch of U updates runs U + 1 passes.
    /// </summary>
    public static double LastPassFlops(int b, int d = 784, int m = Width, int c = 10, int t = TimeSteps) => 2.0 * b * d * m + 4.0 * t * b * m * c;

    public void Run(BenchContext ctx)
    {
        if (!DataAvailable) { Skip(ctx, "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)"); return; }
        var spec = Spec(ctx.Options.Quick);
        string root = Classifier.ScratchRoot(), dir = Path.Combine(root, "snn");
        int steps = (spec.N + BatchSize - 1) / BatchSize;
        double flops = EpochFlops(spec.N);
        string threads = ctx.Options.Threads.ToString();
        string[] epochArgs = ["--threads", threads, "--n", spec.N.ToString(), "--batch-size", BatchSize.ToString(), "--time-steps", TimeSteps.ToString()];
        try
        {
            var cold = Classifier.Run(spec, dir);
            Console.WriteLine($"    warm-up epoch (cold JIT): {Summary.Format(cold.Seconds)}");
            TorchRunner? torch = null;
            string? why = ctx.Options.NoTorch ? "--no-torch" : null;
            if (why is null && (torch = TorchRunner.TryCreate(ctx.Options, out var reason)) is null) why = reason;

            var json = new JsonObject { ["steps"] = steps, ["cold_seconds"] = cold.Seconds, ["gemm_flops"] = flops, ["openblas_coretype"] = ctx.Blas.CoreType };
            int best = -1;
            if (torch is not null)
            {
                var probe = new JsonObject();
                double bestPerStep = double.PositiveInfinity;
                for (int c = 0; c < TorchConfigs.Length; c++)
                {
                    var t = torch.RunBenchScript("torch_snn.py", [.. epochArgs, "--max-steps", ProbeSteps.ToString()], TimeSpan.FromMinutes(20), TorchConfigs[c].Environment);
                    double perStep = (double)t["seconds"]! / (int)t["steps"]!;
                    probe[TorchConfigs[c].Short] = new JsonObject { ["environment"] = TorchConfigs[c].Label, ["seconds_per_step"] = perStep, ["steps"] = (int)t["steps"]! };
                    ctx.Add(new Row("", $"  torch probe, {TorchConfigs[c].Label}", Summary.Format(perStep) + "/step", "", "", $"first {ProbeSteps} steps of an epoch"));
                    if (perStep < bestPerStep) (bestPerStep, best) = (perStep, c);
                }
                json["torch_probe_configs"] = probe;
                json["torch_best"] = TorchConfigs[best].Label;
            }

            int rounds = Math.Max(3, ctx.Rounds);
            var ours = new List<double>();
            var theirs = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                var o = Classifier.Run(spec, dir);
                ours.Add(o.Seconds);
                string line = $"    round {round + 1}: ours {Summary.Format(o.Seconds)} (loss {o.FinalLoss:F4})";
                if (torch is not null)
                {
                    var t = torch.RunBenchScript("torch_snn.py", epochArgs, TimeSpan.FromMinutes(20), TorchConfigs[best].Environment);
                    double ts = (double)t["seconds"]!;
                    theirs.Add(ts);
                    line += $", torch {TorchConfigs[best].Short} {Summary.Format(ts)} ({ts / o.Seconds:F2}×)";
                }
                Console.WriteLine(line);
            }
            var so = Summary.Of(ours);
            json["ours"] = BenchContext.Json(so);
            json["ours_round_seconds"] = new JsonArray(ours.Select(v => (JsonNode)v).ToArray());
            ctx.Add(new Row(Name, $"ours, one epoch ({steps} steps of {BatchSize})", so.ToString(), $"{flops / 1e9:F0} GFLOP",
                BenchContext.Gflops(flops, so.Median), $"{rounds} runs, {Summary.Format(so.Median / steps)}/step; first (cold JIT) run {Summary.Format(cold.Seconds)}"));
            if (torch is not null)
            {
                var st = Summary.Of(theirs);
                var ratios = theirs.Select((t, i) => t / ours[i]).ToArray();
                var tj = BenchContext.Json(st);
                tj["environment"] = TorchConfigs[best].Label;
                tj["round_seconds"] = new JsonArray(theirs.Select(v => (JsonNode)v).ToArray());
                tj["round_ratios"] = new JsonArray(ratios.Select(v => (JsonNode)v).ToArray());
                json["torch"] = tj;
                json["torch_runtime"] = torch.Probe.DeepClone();
                json["ratio_torch_over_ours"] = st.Median / so.Median;
                ctx.Add(new Row("", $"  torch 1.13, {TorchConfigs[best].Label}", st.ToString(), "", $"torch/ours {st.Median / so.Median:F2}",
                    $"round ratios {string.Join(", ", ratios.Select(v => v.ToString("F2")))}"));
            }
            else ctx.Add(new Row("", "  torch", "skipped", "", "", why!));

            var b = StepBreakdown.Measure<float>(spec, new LabelledDataCache(spec), ctx.Blas, Path.Combine(root, "breakdown"));
            json["breakdown"] = Report(ctx, b, spec.N);
            if (torch is not null)
                json["torch_breakdown"] = TorchReport(ctx, torch.RunBenchScript("torch_snn.py", [.. epochArgs, "--mode", "phases"], TimeSpan.FromMinutes(20),
                    TorchConfigs[best].Environment));
            ctx.Record(Name, json);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, true);
        }
    }

    private static JsonObject Report(BenchContext ctx, StepBreakdown b, int n)
    {
        double step = b.LoopSeconds / b.Updates;
        var phases = new JsonObject();
        ctx.Add(new Row("", "  ours, where the time goes", "per step", "", "", $"one more epoch, {b.Updates} steps"));
        foreach (var (p, label) in Labels)
        {
            double s = b.Seconds[(int)p] / b.Updates, f = b.Flops[(int)p] / b.Updates;
            phases[p.ToString()] = new JsonObject { ["label"] = label, ["seconds_per_step"] = s, ["fraction"] = s / step, ["gemm_flops_per_step"] = f };
            string note = $"{s / step:P1} of the step";
            if (p is Phase.ForwardElementwise or Phase.BackwardElementwise) note += $"; {Summary.Format(s / TimeSteps)} per time step";
            ctx.Add(new Row("", $"    {label}", Summary.Format(s), f > 0 ? $"{f / 1e9:F3} GFLOP" : "",
                f > 0 && b.Seconds[(int)p] > 0 ? BenchContext.Gflops(b.Flops[(int)p], b.Seconds[(int)p]) : "", note));
        }
        double gemm = new[] { Phase.ForwardGemm, Phase.BackwardGemm, Phase.WeightGradientGemm }.Sum(p => b.Seconds[(int)p]) / b.Updates;
        double lif = (b.Seconds[(int)Phase.ForwardElementwise] + b.Seconds[(int)Phase.BackwardElementwise]) / b.Updates;
        double counted = b.Flops.Sum(), expected = EpochFlops(n) + LastPassFlops(Math.Min(n, BatchSize));
        ctx.Add(new Row("", "    = one step (breakdown epoch)", Summary.Format(step), $"{counted / b.Updates / 1e9:F3} GFLOP", "",
            $"GEMMs {gemm / step:P0}, LIF element-wise {lif / step:P0}; {b.LoopSeconds:F3} s for {b.Updates} updates; the counted GEMM flops are " +
            $"{counted / expected:P2} of the closed form (4ndm + 6Tnmc a step; the loop's last step, the loss at the final weights, adds one forward and backward pass 2ndm + 4Tnmc)"));
        return new JsonObject
        {
            ["loop_seconds"] = b.LoopSeconds, ["updates"] = b.Updates, ["seconds_per_step"] = step, ["phases"] = phases,
            ["gemm_seconds_per_step"] = gemm, ["counted_gemm_flops"] = counted, ["closed_form_gemm_flops"] = expected, ["lif_seconds_per_step"] = lif,
        };
    }

    private static JsonObject TorchReport(BenchContext ctx, JsonObject t)
    {
        int steps = (int)t["steps"]!;
        double seconds = (double)t["seconds"]!, step = seconds / steps;
        var phases = (JsonObject)t["phases"]!;
        (string Key, string Label)[] rows =
        [
            ("data", "data: randperm slice, index_select"),
            ("forward_gemm", "forward GEMMs (the fc1 call, T fc2 calls)"),
            ("forward_elementwise", "forward element-wise (LIF + ATan ops of every step, loss)"),
            ("backward_gemm", "backward GEMMs (profiler share of backward)"),
            ("backward_elementwise", "backward, the rest (autograd's element-wise ops of every step)"),
            ("optimizer", "optimizer (Adam step, zero_grad, loss.item())"),
        ];
        ctx.Add(new Row("", "  torch, where the time goes", "per step", "", "", $"one more epoch under timers, {steps} steps"));
        foreach (var (key, label) in rows)
        {
            double s = (double)phases[key]! / steps;
            string note = $"{s / step:P1} of the step";
            if (key is "forward_elementwise" or "backward_elementwise") note += $"; {Summary.Format(s / TimeSteps)} per time step";
            ctx.Add(new Row("", $"    {label}", Summary.Format(s), "", "", note));
        }
        ctx.Add(new Row("", "    = one step", Summary.Format(step), "", "",
            $"backward GEMM share {(double)t["backward_gemm_fraction"]!:P0} of backward's self CPU time over {(int)t["profiled_steps"]!} profiled steps, " +
            $"{(double)t["backward_aten_ops_per_step"]!:F0} aten ops per backward"));
        return t;
    }

    private void Skip(BenchContext ctx, string why)
    {
        ctx.Add(new Row(Name, "snn epoch", "skipped", "", "", why));
        ctx.Record(Name, new JsonObject { ["skipped"] = why });
    }
}
