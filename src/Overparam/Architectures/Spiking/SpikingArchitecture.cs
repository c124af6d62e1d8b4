using Overparam.Numerics;

namespace Overparam.Architectures.Spiking;

/// <summary>
/// The spiking network of Chen et al. (IJCAI 2021), <see cref="SpikingNetwork{T}"/>: --depth H hidden LIF layers of
/// --width m neurons and C output neurons (the authors' MNIST net 784 → 800 → 10 is --depth 1 --width 800). It has no
/// infinite-width kernel, no Gram matrices and no theorem's step size; it has no biases.
/// </summary>
public sealed class SpikingArchitecture : Architecture
{
    public override string Name => "snn";
    public override IReadOnlyList<string> Aliases => ["spiking"];
    public override string DisplayName => "spiking (LIF)";
    public override string Description => "snn: the spiking network of docs/mathematics.md §15, Linear (no bias) → LIF neurons, --depth hidden layers of --width, "
        + "run for --time-steps T with direct encoding, read out as spike rates (BPTT stores 3·T·n·m values per layer of m neurons for a batch of n: "
        + "T = 8, n = 128, m = 800 is 2.5 M values, 9.8 MB in float32)";
    public override bool DenseFirstLayer => false;

    public override NetworkConfig Configure(NetworkConfig template, int[] inputShape)
    {
        if (template.Bias) throw new ArgumentException("--bias: the spiking network's layers have no biases (the authors')");
        var snn = template.Spiking ?? SpikingConfig.Default;
        snn.Check();
        return base.Configure(template, inputShape) with { Spiking = snn };
    }

    /// <summary>W1 [m, d], Wh [m, m] (h = 2..H), a [C, m]: [out, in] as PyTorch's Linear.</summary>
    public override IReadOnlyList<(string Name, int[] Shape)> Shapes(NetworkConfig c)
    {
        var list = new List<(string, int[])>();
        for (int h = 1; h <= c.Depth; h++) list.Add(($"W{h}", [c.Width, h == 1 ? c.InputChannels : c.Width]));
        list.Add(("a", [c.Outputs, c.Width]));
        return list;
    }

    /// <summary>
    /// PyTorch's default for Linear (kaiming_uniform with a = √5): each entry uniform on [−1/√fan_in, 1/√fan_in], drawn
    /// as (2u − 1)/√fan_in from xoshiro256** doubles u in [0, 1), W1 … WH then a, row-major.
    /// </summary>
    public override IReadOnlyList<Parameter<T>>? Initialize<T>(NetworkConfig config, GaussianRng rng)
    {
        var result = new List<Parameter<T>>();
        foreach (var (name, shape) in Shapes(config))
        {
            var v = new T[shape[0] * shape[1]];
            double bound = 1 / Math.Sqrt(shape[1]);
            for (int i = 0; i < v.Length; i++) v[i] = T.CreateTruncating(bound * (2 * rng.NextUniform() - 1));
            result.Add(new Parameter<T>(name, shape, v));
        }
        return result;
    }

    public override string? DefaultLoss => "mse";

    public override IModel<T> Create<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters) => new SpikingNetwork<T>(config, parameters);

    public override string? KernelUnavailable(NetworkConfig config) =>
        "the spiking network has no infinite-width kernel (so no λ₀: no --lr-policy theory, no kernel or gram command); give --lr";
}
