using System.Numerics;
using Overparam.Numerics;

namespace Overparam.Architectures;

/// <summary>Builds networks from a configuration, with the paper's initialization or given weights.</summary>
public static class NetworkFactory
{
    /// <summary>Parameter names and shapes of the configuration's architecture (<see cref="Architecture.Shapes"/>).</summary>
    public static IReadOnlyList<(string Name, int[] Shape)> Shapes(NetworkConfig c) => c.Architecture.Shapes(c);

    /// <summary>
    /// The paper's initialization (docs/mathematics.md §1): every entry of W1 … WH (row-major, in that order) then of a drawn N(0, 1)
    /// from <paramref name="rng"/>; with <see cref="OutputInit.Sign"/>, a_r is uniform on {−1, +1} instead. With the
    /// standard parameterization each N(0, 1) draw is multiplied by 1/sqrt(fan_in) (the columns of W_h; for a, its
    /// entries per output). Biases start at 0 and draw nothing, so adding them leaves every other value as it was; so do
    /// batch norm's γ = 1 and β = 0 (PyTorch's BatchNorm1d init).
    /// An architecture with its own initialization (<see cref="Architecture.Initialize{T}"/>, the spiking network's) uses that.
    /// </summary>
    public static IReadOnlyList<Parameter<T>> Initialize<T>(NetworkConfig c, GaussianRng rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (c.Architecture.Initialize<T>(c, rng) is { } own) return own;
        var result = new List<Parameter<T>>();
        foreach (var (name, shape) in Shapes(c))
        {
            var v = new T[shape.Aggregate(1, (p, s) => p * s)];
            result.Add(new Parameter<T>(name, shape, v));
            if (IsBatchNormScale(name)) Array.Fill(v, T.One);
            if (IsBias(name) || IsBatchNorm(name)) continue;
            bool sign = name == "a" && c.OutputInit == OutputInit.Sign;
            double scale = c.Parameterization == Parameterization.Standard ? 1 / Math.Sqrt(FanIn(name, v.Length, shape, c)) : 1;
            for (int i = 0; i < v.Length; i++)
                v[i] = T.CreateTruncating(sign ? rng.NextSign() : scale * rng.NextGaussian());
        }
        return result;
    }

    /// <summary>True for the bias vectors b1 … bH and b_out.</summary>
    public static bool IsBias(string name) => name == "b_out" || (name.Length > 1 && name[0] == 'b' && name[1..].All(char.IsAsciiDigit));

    /// <summary>True for batch norm's γ and β (bn{h}.weight, bn{h}.bias).</summary>
    public static bool IsBatchNorm(string name) => name.StartsWith("bn", StringComparison.Ordinal) && name.Contains('.');

    private static bool IsBatchNormScale(string name) => IsBatchNorm(name) && name.EndsWith(".weight", StringComparison.Ordinal);

    /// <summary>Buffer names and shapes of the configuration's architecture (<see cref="Architecture.BufferShapes"/>).</summary>
    public static IReadOnlyList<(string Name, int[] Shape)> BufferShapes(NetworkConfig c) => c.Architecture.BufferShapes(c);

    /// <summary>The buffers at initialization: batch norm's running_mean = 0 and running_var = 1 (PyTorch's).</summary>
    public static IReadOnlyList<Parameter<T>> InitialBuffers<T>(NetworkConfig c) where T : unmanaged, IFloatingPointIeee754<T> =>
        BufferShapes(c).Select(b =>
        {
            var v = new T[b.Shape.Aggregate(1, (p, s) => p * s)];
            if (b.Name.EndsWith(".running_var", StringComparison.Ordinal)) Array.Fill(v, T.One);
            return new Parameter<T>(b.Name, b.Shape, v);
        }).ToList();

    private static int FanIn(string name, int entries, int[] shape, NetworkConfig c) => name == "a" ? entries / c.Outputs : shape[^1];

    /// <summary>
    /// The network over <paramref name="parameters"/> and <paramref name="buffers"/>, whose names and shapes must be exactly
    /// <see cref="Shapes"/> and <see cref="BufferShapes"/>; null buffers: <see cref="InitialBuffers{T}"/>.
    /// </summary>
    public static IModel<T> Create<T>(NetworkConfig c, IReadOnlyList<Parameter<T>> parameters, IReadOnlyList<Parameter<T>>? buffers = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(Shapes(c), parameters);
        var expectedBuffers = BufferShapes(c);
        if (expectedBuffers.Count == 0 && buffers is null) return c.Architecture.Create(c, parameters);
        buffers ??= InitialBuffers<T>(c);
        Check(expectedBuffers, buffers);
        return c.Architecture.Create(c, parameters, buffers);
    }

    private static void Check<T>(IReadOnlyList<(string Name, int[] Shape)> expected, IReadOnlyList<Parameter<T>> tensors) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (tensors.Count != expected.Count)
            throw new ArgumentException($"expected {expected.Count} tensors ({string.Join(", ", expected.Select(e => e.Name))}), got {tensors.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            var (name, shape) = expected[i];
            if (tensors[i].Name != name || !tensors[i].Shape.SequenceEqual(shape))
                throw new ArgumentException($"tensor {i + 1} is {tensors[i].Name} [{string.Join(", ", tensors[i].Shape)}], expected {name} [{string.Join(", ", shape)}]");
        }
    }
}
