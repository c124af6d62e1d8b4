namespace Overparam.Architectures.Dense;

/// <summary>
/// The parameters of the dense layer chain (<see cref="DenseNetwork{T}"/>), in order: W1 [m_1, d], (b1 [m_1]), Wh [m_h, m_{h−1}]
/// and (bh [m_h]) for h ≥ 2, a [M_H] (C = 1) or [M_H, C], (b_out [C]); the biases only with <see cref="NetworkConfig.Bias"/>.
/// Every m_h is m except m_H = M_H (<see cref="NetworkConfig.FeatureWidth"/>). With <see cref="NetworkConfig.BatchNorm"/>
/// each layer's bh (or Wh) is followed by its batch norm's γ and β, bn{h}.weight and bn{h}.bias [m_h] (PyTorch's names),
/// and the buffers are bn{h}.running_mean and bn{h}.running_var [m_h].
/// PyTorch's nn.Linear weight of layer h is W_h; that of the output layer is aᵀ.
/// </summary>
public static class DenseShapes
{
    public static IReadOnlyList<(string Name, int[] Shape)> Of(NetworkConfig c)
    {
        var list = new List<(string, int[])>();
        for (int h = 1; h <= c.Depth; h++)
        {
            list.Add(($"W{h}", [c.LayerWidth(h), h == 1 ? c.InputChannels : c.LayerWidth(h - 1)]));
            if (c.Bias) list.Add(($"b{h}", [c.LayerWidth(h)]));
            if (c.BatchNorm)
            {
                list.Add((BatchNormName(h, "weight"), [c.LayerWidth(h)]));
                list.Add((BatchNormName(h, "bias"), [c.LayerWidth(h)]));
            }
        }
        list.Add(("a", c.Outputs == 1 ? [c.FeatureSize] : [c.FeatureSize, c.Outputs]));
        if (c.Bias) list.Add(("b_out", [c.Outputs]));
        return list;
    }

    /// <summary>bn{h}.running_mean and bn{h}.running_var [m_h] for every layer h with batch norm; none without.</summary>
    public static IReadOnlyList<(string Name, int[] Shape)> Buffers(NetworkConfig c)
    {
        var list = new List<(string, int[])>();
        if (!c.BatchNorm) return list;
        for (int h = 1; h <= c.Depth; h++)
        {
            list.Add((BatchNormName(h, "running_mean"), [c.LayerWidth(h)]));
            list.Add((BatchNormName(h, "running_var"), [c.LayerWidth(h)]));
        }
        return list;
    }

    /// <summary>"bn{h}.{what}": weight (γ), bias (β), running_mean, running_var.</summary>
    public static string BatchNormName(int h, string what) => $"bn{h}.{what}";
}
