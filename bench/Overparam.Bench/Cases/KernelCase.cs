using System.Text.Json.Nodes;

namespace Overparam.Bench.Cases;

/// <summary>
/// Hook for the infinite-width kernel benchmark: K^(H) and Θ at n = Sizes.KernelN (1000), H = Sizes.KernelH (16).
/// The kernel code is being written elsewhere; when it lands, replace the body with: build n unit-norm inputs,
/// time the kernel recursion (median of ctx.Steps runs after one warm-up) and ctx.Add/ctx.Record the result, as
/// GramCase does. Until then the case reports itself as skipped.
/// </summary>
public sealed class KernelCase : IBenchCase
{
    public string Name => "kernel";
    public IReadOnlyCollection<string> Tags => [Name, "kernel"];

    public void Run(BenchContext ctx)
    {
        const string why = "kernel API (K^(H), Θ) not in the library yet";
        ctx.Add(new Row(Name, $"K^(H), Θ at n={ctx.Sizes.KernelN} H={ctx.Sizes.KernelH}", "skipped", "", "", why));
        ctx.Record(Name, new JsonObject { ["skipped"] = why });
    }
}
