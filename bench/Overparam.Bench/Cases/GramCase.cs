using System.Text.Json.Nodes;
using Overparam.Architectures;

namespace Overparam.Bench.Cases;

/// <summary>
/// The per-layer Gram matrices G^(1) … G^(H+1) (net.GramMatrices() after Forward + BackPropagate) of the fc network
/// in float64 at the step size: seconds, GEMM flops, and the ratio to one GD step.
/// </summary>
public sealed class GramCase(string kind = "fc") : IBenchCase
{
    private readonly string arch = kind;
    public string Name => $"gram-{arch}";
    public IReadOnlyCollection<string> Tags => [Name, "gram"];

    public void Run(BenchContext ctx)
    {
        var config = ctx.Sizes.Config(arch);
        int n = ctx.Sizes.SampleCount(arch);
        var setup = new NetworkSetup<double>(config, n);
        string stepKey = $"{arch}-float64";
        if (!ctx.StepMedian.TryGetValue(stepKey, out double step))
            step = Summary.Of(Timing.Measure(setup.Step, warmup: 1, samples: 3)).Median;
        setup.Forward();
        setup.Net.BackPropagate();

        setup.Net.GramMatrices();   // warm-up
        var before = ctx.Blas.Snapshot();
        var times = Timing.Measure(() => setup.Net.GramMatrices(), warmup: 0, samples: Math.Max(ctx.Steps, 5));
        var after = ctx.Blas.Snapshot();
        int samples = times.Count;
        double flops = (after.Flops - before.Flops) / samples;
        double gemmSeconds = (after.Seconds - before.Seconds) / samples;
        var sum = Summary.Of(times);
        ctx.Add(new Row(Name, $"G^(1..H+1), n={n} m={config.Width} H={config.Depth}", sum.ToString(),
            $"{flops / 1e9:F1} GFLOP", BenchContext.Gflops(flops, sum.Median),
            $"{sum.Median / step:F2}× one GD step ({Summary.Format(step)}); gemm {Summary.Format(gemmSeconds)}"));
        var j = BenchContext.Json(sum);
        j["gemm_flops"] = flops; j["gemm_mean_s"] = gemmSeconds; j["step_median_s"] = step; j["ratio_to_step"] = sum.Median / step;
        ctx.Record(Name, j);
    }
}
