using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using Overparam.Activations;
using Overparam.Numerics;

namespace Overparam.Bench.Cases;

/// <summary>
/// Profiling aid: the element-wise kernels one dense layer runs on an n×m batch, each over the whole batch split by
/// Chunks.For exactly as DenseNetwork does: softplus value+derivative (with the pooled copy of Z), the scale multiply,
/// and the back-propagation Hadamard product. Times one layer; the step does H of each.
/// </summary>
public sealed class ElementwiseCase : IBenchCase
{
    public string Name => "elementwise-float64";
    public IReadOnlyCollection<string> Tags => [Name, "elementwise", "profile"];

    public void Run(BenchContext ctx)
    {
        int n = ctx.Sizes.N, m = ctx.Sizes.M, total = n * m;
        var rng = new GaussianRng(3);
        var z = new double[total]; rng.FillGaussian(z);
        var zWork = new double[total];
        var x = new double[total];
        var d = new double[total]; rng.FillGaussian(d);
        Activation act = new Softplus();
        double scale = 0.02;
        var json = new JsonObject();
        void Case(string what, Action body)
        {
            var s = Summary.Of(Timing.Measure(body, warmup: 2, samples: 7));
            ctx.Add(new Row(Name, what, s.ToString(), $"{total / 1e6:F2} M elements", $"{s.Median / total * 1e9:F2} ns/elt", ""));
            json[what] = BenchContext.Json(s);
        }
        Case("softplus σ,σ′ (with copy)", () =>
        {
            z.AsSpan().CopyTo(zWork);
            Chunks.For(total, (start, len) =>
            {
                var zs = zWork.AsSpan(start, len);
                var pooled = System.Buffers.ArrayPool<double>.Shared.Rent(len);
                var zc = pooled.AsSpan(0, len);
                zs.CopyTo(zc);
                act.Evaluate<double>(zc, x.AsSpan(start, len), zs);
                System.Buffers.ArrayPool<double>.Shared.Return(pooled);
            });
        });
        Case("scale multiply ×2", () => Chunks.For(total, (start, len) =>
        {
            TensorPrimitives.Multiply(zWork.AsSpan(start, len), scale, zWork.AsSpan(start, len));
            TensorPrimitives.Multiply(x.AsSpan(start, len), scale, x.AsSpan(start, len));
        }));
        Case("Δ ∘ slope (backprop)", () => Chunks.For(total, (start, len) =>
            TensorPrimitives.Multiply(d.AsSpan(start, len), zWork.AsSpan(start, len), d.AsSpan(start, len))));
        Case("r ∘ X rows (descent, serial)", () =>
        {
            for (int i = 0; i < n; i++) TensorPrimitives.Multiply(x.AsSpan(i * m, m), 0.5, zWork.AsSpan(i * m, m));
        });
        ctx.Record(Name, json);
    }
}
