using System.Numerics;
using System.Text.Json.Nodes;
using Overparam.Architectures;

namespace Overparam.Bench.Cases;

/// <summary>
/// Our GD step against PyTorch's (autograd) on the same network, alternating: each round times ctx.Steps of our steps,
/// then launches torch_step.py for ctx.Steps steps (after one warm-up step of its own). Reports min/median/max over
/// all steps of each side and the ratio of medians torch/ours (&gt; 1: we are faster).
/// </summary>
public sealed class TorchComparisonCase<T>(string kind) : IBenchCase where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly string Type = BenchContext.TypeName<T>();
    private readonly string arch = kind;
    public string Name => $"torch-{arch}-{Type}";
    public IReadOnlyCollection<string> Tags => [Name, "torch", $"torch-{arch}"];

    public static TorchRunner? Runner;
    public static string? Unavailable;

    public void Run(BenchContext ctx)
    {
        if (ctx.Options.NoTorch) { Skip(ctx, "--no-torch"); return; }
        if (Runner is null && Unavailable is null)
        {
            Runner = TorchRunner.TryCreate(ctx.Options, out var why);
            if (Runner is null) Unavailable = why;
            else
            {
                ctx.Results["torch_config"] = Runner.Probe.DeepClone();
                Console.WriteLine($"  torch: {Runner.Python} — torch {Runner.Probe["torch"]}, BLAS_INFO={Runner.Probe["blas_info"]}, " +
                                  $"libraries {string.Join(", ", Runner.Probe["blas_libraries"]!.AsArray().Select(v => Path.GetFileName((string)v!)))}, " +
                                  $"OPENBLAS_CORETYPE={Runner.Probe["openblas_coretype"]}");
            }
        }
        if (Runner is null) { Console.WriteLine($"  torch comparison skipped: {Unavailable}"); Skip(ctx, Unavailable!); return; }

        var config = ctx.Sizes.Config(arch);
        int n = ctx.Sizes.SampleCount(arch);
        var setup = new NetworkSetup<T>(config, n);

        var ours = new List<double>();
        var torch = new List<double>();
        var roundRatios = new JsonArray();
        for (int round = 0; round < ctx.Rounds; round++)
        {
            var o = Timing.Measure(setup.Step, warmup: round == 0 ? 2 : 0, samples: ctx.Steps);
            var t = RunTorch(config, n, ctx);
            var tt = t["times"]!.AsArray().Select(v => (double)v!).ToList();
            ours.AddRange(o);
            torch.AddRange(tt);
            double ratio = Summary.Of(tt).Median / Summary.Of(o).Median;
            roundRatios.Add(ratio);
            Console.WriteLine($"    round {round + 1}: ours {Summary.Format(Summary.Of(o).Median)}, torch {Summary.Format(Summary.Of(tt).Median)} (torch/ours {ratio:F2})");
        }
        var so = Summary.Of(ours);
        var st = Summary.Of(torch);
        double r = st.Median / so.Median;
        ctx.Add(new Row(Name, $"ours, n={n} m={config.Width} H={config.Depth}", so.ToString(), "", "", $"{ctx.Rounds} rounds × {ctx.Steps} steps"));
        ctx.Add(new Row("", "  torch (autograd)", st.ToString(), "", $"torch/ours {r:F2}",
            $"round ratios {string.Join(", ", roundRatios.Select(v => ((double)v!).ToString("F2")))}"));
        ctx.Record(Name, new JsonObject
        {
            ["ours"] = BenchContext.Json(so), ["torch"] = BenchContext.Json(st), ["ratio_torch_over_ours"] = r,
            ["round_ratios"] = roundRatios, ["rounds"] = ctx.Rounds, ["steps_per_round"] = ctx.Steps,
        });
    }

    private JsonObject RunTorch(NetworkConfig config, int n, BenchContext ctx)
    {
        var args = new List<string>
        {
            "--arch", arch == "convresnet" ? "conv" : arch, "--n", n.ToString(), "--d", config.InputChannels.ToString(),
            "--m", config.Width.ToString(), "--H", config.Depth.ToString(), "--dtype", Type, "--steps", ctx.Steps.ToString(),
            "--warmup", "1", "--threads", ctx.Options.Threads.ToString(), "--lr", NetworkSetup<T>.Eta.ToString("R"),
            "--cres", config.CRes.ToString("R"),
        };
        if (arch == "convresnet") args.AddRange(["--p", config.Positions.ToString(), "--q", config.KernelSize.ToString()]);
        return Runner!.Step(args);
    }

    private void Skip(BenchContext ctx, string why)
    {
        ctx.Add(new Row(Name, "torch comparison", "skipped", "", "", why));
        ctx.Record(Name, new JsonObject { ["skipped"] = why });
    }
}
