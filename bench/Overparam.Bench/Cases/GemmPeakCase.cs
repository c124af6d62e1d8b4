using System.Numerics;
using System.Text.Json.Nodes;
using Overparam.Numerics;

namespace Overparam.Bench.Cases;

/// <summary>The machine's GEMM peak: C = A·B at size³ through LinearAlgebra.Gemm, best of several reps.</summary>
public sealed class GemmPeakCase<T> : IBenchCase where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly string Kind = BenchContext.TypeName<T>();
    public string Name => $"peak-{(typeof(T) == typeof(double) ? "dgemm" : "sgemm")}";
    public IReadOnlyCollection<string> Tags => [Name, "peak"];

    public void Run(BenchContext ctx)
    {
        int s = ctx.Sizes.PeakSize;
        var reference = new PeakReference<T>(s);
        int reps = ctx.Options.Quick ? 5 : 8;
        var times = Timing.Measure(reference.Run, warmup: 2, samples: reps);
        var sum = Summary.Of(times);
        double flops = 2.0 * s * s * s;
        double best = flops / sum.Min;
        ctx.UpdatePeak(Kind, best);
        ctx.Add(new Row(Name, $"{(typeof(T) == typeof(double) ? "d" : "s")}gemm {s}³, best of {reps}", sum.ToString(),
            $"{flops / 1e9:F1} GFLOP", $"{best / 1e9:F1} GFLOP/s", $"median {flops / sum.Median / 1e9:F1} GFLOP/s"));
        var j = BenchContext.Json(sum);
        j["size"] = s; j["flops"] = flops; j["best_gflops"] = best / 1e9; j["median_gflops"] = flops / sum.Median / 1e9;
        ctx.Record(Name, j);
    }
}
