namespace Overparam.Architectures.Dense;

/// <summary>
/// The parameters of the dense layer chain (<see cref="DenseNetwork{T}"/>), in order: W1 [m, d], (b1 [m]), Wh [m, m]
/// and (bh [m]) for h ≥ 2, a [m] (C = 1) or [m, C], (b_out [C]); the biases only with <see cref="NetworkConfig.Bias"/>.
/// PyTorch's nn.Linear weight of layer h is W_h; that of the output layer is aᵀ.
/// </summary>
public static class DenseShapes
{
    public static IReadOnlyList<(string Name, int[] Shape)> Of(NetworkConfig c)
    {
        var list = new List<(string, int[])>();
        for (int h = 1; h <= c.Depth; h++)
        {
            list.Add(($"W{h}", [c.Width, h == 1 ? c.InputChannels : c.Width]));
            if (c.Bias) list.Add(($"b{h}", [c.Width]));
        }
        list.Add(("a", c.Outputs == 1 ? [c.Width] : [c.Width, c.Outputs]));
        if (c.Bias) list.Add(("b_out", [c.Outputs]));
        return list;
    }
}
