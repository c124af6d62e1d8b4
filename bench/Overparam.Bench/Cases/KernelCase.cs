using System.Text.Json.Nodes;
using Overparam.Activations;
using Overparam.Architectures.FullyConnected;
using Overparam.Data;
using Overparam.Kernels;
using Overparam.Numerics;

namespace Overparam.Bench.Cases;

/// <summary>
/// The infinite-width kernels of the fully-connected network: K^(0) … K^(H) and Θ (Definition 5.1 and the NTK sum)
/// for n = Sizes.KernelN unit inputs in R^50 at depth H = Sizes.KernelH, softplus, float64, without spectra.
/// Work per second counts pair-layers: n(n+1)/2 pairs × H layers of bivariate expectations.
/// </summary>
public sealed class KernelCase : IBenchCase
{
    public string Name => "kernel";
    public IReadOnlyCollection<string> Tags => [Name, "kernel"];

    public void Run(BenchContext ctx)
    {
        int n = ctx.Sizes.KernelN, depth = ctx.Sizes.KernelH, d = 50;
        var x = SyntheticData.UnitSphere(n, d, seed: 5).X;
        var options = new KernelOptions { ComputeSpectra = false };
        var act = new Softplus();
        FullyConnectedKernel.Compute(new Matrix<double>(4, d, x.Data[..(4 * d)]), 2, act, options);   // warm-up
        double lambda0 = double.NaN;
        var sum = Summary.Of(Timing.Measure(() => lambda0 = FullyConnectedKernel.Compute(x, depth, act, options).Lambda0, warmup: 0, samples: 3));
        double pairLayers = n * (n + 1) / 2.0 * depth;
        ctx.Add(new Row(Name, $"K^(0..H), Θ at n={n} H={depth}, softplus", sum.ToString(), $"{pairLayers / 1e6:F1} M pair-layers",
            $"{pairLayers / sum.Median / 1e6:F2} M pair-layers/s", $"λ₀ = {lambda0:E3}"));
        var j = BenchContext.Json(sum);
        j["n"] = n; j["depth"] = depth; j["pair_layers"] = pairLayers; j["lambda0"] = lambda0;
        ctx.Record(Name, j);
    }
}
