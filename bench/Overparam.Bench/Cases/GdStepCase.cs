using System.Diagnostics;
using System.Numerics;
using System.Text.Json.Nodes;
using Overparam.Architectures;

namespace Overparam.Bench.Cases;

/// <summary>
/// One full-batch GD step (Forward + BackPropagate + DescentStep, all layers) of a network: median seconds after
/// warm-up, the GEMM flops the code issues (counted, and for fc/resnet checked against the closed form), GFLOP/s and
/// the fraction of the GEMM peak; then a per-phase breakdown, each phase split into GEMM time and the rest.
/// </summary>
public sealed class GdStepCase<T>(string kind) : IBenchCase where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly string Type = BenchContext.TypeName<T>();
    private readonly string arch = kind;
    public string Name => $"{arch}-{Type}";
    public IReadOnlyCollection<string> Tags => [Name, arch, "step", Type];
    public bool NeedsPeak => true;

    /// <summary>Closed form of the GEMM flops of one step of DenseNetwork (fc and resnet), as the code does it:
    /// forward Z_1 = X W1ᵀ (2ndm), Z_h = X_{h−1} W_hᵀ ((H−1)·2nm²), u = X_H a (2nm);
    /// back-propagation B_{h−1} = Δ_h W_h ((H−1)·2nm²);
    /// descent W_h −= η Δ_hᵀ(r∘X_{h−1}) (2ndm + (H−1)·2nm²), a −= η X_Hᵀ r (2nm).</summary>
    public static (double Forward, double Backward, double Descent) DenseFlops(int n, int d, int m, int h) =>
        (2.0 * n * d * m + (h - 1) * 2.0 * n * m * m + 2.0 * n * m,
         (h - 1) * 2.0 * n * m * m,
         2.0 * n * d * m + (h - 1) * 2.0 * n * m * m + 2.0 * n * m);

    public void Run(BenchContext ctx)
    {
        var config = ctx.Sizes.Config(arch);
        int n = ctx.Sizes.SampleCount(arch);
        var setup = new NetworkSetup<T>(config, n);

        // Whole step, after warm-up; each step is paired with a reference GEMM at peak size timed just before it, so
        // the fraction of peak can also be read as a median of paired ratios, which the machine's load shifts far less.
        var reference = new PeakReference<T>(ctx.Sizes.PeakSize);
        setup.Step();
        var warm = ctx.Blas.Snapshot();
        setup.Step();
        double stepFlops = ctx.Blas.Snapshot().Flops - warm.Flops;
        reference.Run();
        var times = new List<double>();
        var paired = new List<double>();
        for (int i = 0; i < Math.Max(ctx.Steps, 5); i++)
        {
            double tr = reference.Time();
            long t0 = Stopwatch.GetTimestamp();
            setup.Step();
            double ts = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            times.Add(ts);
            ctx.UpdatePeak(Type, reference.Flops / tr);
            paired.Add(stepFlops / ts / (reference.Flops / tr));
        }
        var sum = Summary.Of(times);
        var pairedSum = Summary.Of(paired);

        // Per-phase breakdown with the GEMM counter: a few more steps, each phase timed separately.
        var phases = new[] { "forward", "residual", "backpropagate", "descent" };
        var actions = new Action[] { setup.Forward, setup.Residual, setup.Net.BackPropagate,
            () => setup.Net.DescentStep(setup.R, T.CreateTruncating(NetworkSetup<T>.Eta)) };
        var wall = phases.ToDictionary(p => p, _ => new List<double>());
        var gemm = phases.ToDictionary(p => p, _ => new List<double>());
        var flops = phases.ToDictionary(p => p, _ => 0.0);
        var calls = phases.ToDictionary(p => p, _ => 0L);
        int profSteps = Math.Max(3, ctx.Steps);
        for (int s = 0; s < profSteps; s++)
        {
            for (int p = 0; p < phases.Length; p++)
            {
                var before = ctx.Blas.Snapshot();
                long t0 = Stopwatch.GetTimestamp();
                actions[p]();
                double dt = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                var after = ctx.Blas.Snapshot();
                wall[phases[p]].Add(dt);
                gemm[phases[p]].Add(after.Seconds - before.Seconds);
                flops[phases[p]] = after.Flops - before.Flops;
                calls[phases[p]] = after.Calls - before.Calls;
            }
        }

        double counted = flops.Values.Sum();
        double peak = ctx.Peak.GetValueOrDefault(Type, double.NaN);
        double rate = counted / sum.Median;
        var json = BenchContext.Json(sum);
        json["architecture"] = arch; json["dtype"] = Type;
        json["n"] = n; json["d"] = config.InputChannels; json["m"] = config.Width; json["H"] = config.Depth;
        if (arch == "convresnet") { json["p"] = config.Positions; json["q"] = config.KernelSize; }
        json["gemm_flops"] = counted;
        if (arch != "convresnet")
        {
            var f = DenseFlops(n, config.InputChannels, config.Width, config.Depth);
            json["gemm_flops_closed_form"] = f.Forward + f.Backward + f.Descent;
            if (Math.Abs(f.Forward + f.Backward + f.Descent - counted) > 1e-9 * counted)
                ctx.Notes.Add($"{Name}: counted GEMM flops {counted:E4} differ from the closed form {f.Forward + f.Backward + f.Descent:E4}");
        }
        json["gflops"] = rate / 1e9;
        json["fraction_of_peak"] = rate / peak;
        json["peak_gflops"] = peak / 1e9;
        json["paired_fraction_of_peak"] = new JsonObject { ["min"] = pairedSum.Min, ["median"] = pairedSum.Median, ["max"] = pairedSum.Max };
        var phaseJson = new JsonObject();
        foreach (var p in phases)
        {
            var w = Summary.Of(wall[p]);
            var g = Summary.Of(gemm[p]);
            phaseJson[p] = new JsonObject
            {
                ["median_s"] = w.Median, ["gemm_median_s"] = g.Median, ["other_median_s"] = w.Median - g.Median,
                ["gemm_calls"] = calls[p], ["gemm_flops"] = flops[p],
                ["gemm_gflops"] = g.Median > 0 ? flops[p] / g.Median / 1e9 : null,
            };
        }
        json["phases"] = phaseJson;
        ctx.Record(Name, json);

        ctx.Add(new Row(Name, $"GD step n={n} m={config.Width} H={config.Depth}", sum.ToString(),
            $"{counted / 1e9:F1} GFLOP", $"{rate / 1e9:F1} GFLOP/s", $"{rate / peak:P0} of best {Type} GEMM peak ({peak / 1e9:F1}); paired with a {reference.Size}³ GEMM: {pairedSum.Median:P0} (min {pairedSum.Min:P0}, max {pairedSum.Max:P0})"));
        foreach (var p in phases)
        {
            var w = Summary.Of(wall[p]).Median;
            var g = Summary.Of(gemm[p]).Median;
            if (w < 1e-4 && flops[p] == 0) continue;
            ctx.Add(new Row("", $"  {p}", Summary.Format(w), $"{flops[p] / 1e9:F2} GFLOP in {calls[p]} gemm",
                g > 0 ? $"{flops[p] / g / 1e9:F1} GFLOP/s" : "",
                $"gemm {Summary.Format(g)}, other {Summary.Format(w - g)}"));
        }
        ctx.StepMedian[Name] = sum.Median;
    }
}
