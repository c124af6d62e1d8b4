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
    /// entries per output). Biases start at 0 and draw nothing, so adding them leaves every other value as it was.
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
            if (IsBias(name)) continue;
            bool sign = name == "a" && c.OutputInit == OutputInit.Sign;
            double scale = c.Parameterization == Parameterization.Standard ? 1 / Math.Sqrt(FanIn(name, v.Length, shape, c)) : 1;
            for (int i = 0; i < v.Length; i++)
                v[i] = T.CreateTruncating(sign ? rng.NextSign() : scale * rng.NextGaussian());
        }
        return result;
    }

    /// <summary>True for the bias vectors b1 … bH and b_out.</summary>
    public static bool IsBias(string name) => name == "b_out" || (name.Length > 1 && name[0] == 'b' && name[1..].All(char.IsAsciiDigit));

    private static int FanIn(string name, int entries, int[] shape, NetworkConfig c) => name == "a" ? entries / c.Outputs : shape[^1];

    /// <summary>The network over <paramref name="parameters"/>, whose names and shapes must be exactly <see cref="Shapes"/>.</summary>
    public static IModel<T> Create<T>(NetworkConfig c, IReadOnlyList<Parameter<T>> parameters) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var expected = Shapes(c);
        if (parameters.Count != expected.Count)
            throw new ArgumentException($"expected {expected.Count} tensors ({string.Join(", ", expected.Select(e => e.Name))}), got {parameters.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            var (name, shape) = expected[i];
            if (parameters[i].Name != name || !parameters[i].Shape.SequenceEqual(shape))
                throw new ArgumentException($"tensor {i + 1} is {parameters[i].Name} [{string.Join(", ", parameters[i].Shape)}], expected {name} [{string.Join(", ", shape)}]");
        }
        return c.Architecture.Create(c, parameters);
    }
}
