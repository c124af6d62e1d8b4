namespace Overparam.Architectures.Dense;

/// <summary>The parameters of the dense layer chain (<see cref="DenseNetwork{T}"/>): W1 [m, d], Wh [m, m] for h ≥ 2, a [m].</summary>
public static class DenseShapes
{
    public static IReadOnlyList<(string Name, int[] Shape)> Of(NetworkConfig c)
    {
        var list = new List<(string, int[])>();
        for (int h = 1; h <= c.Depth; h++) list.Add(($"W{h}", [c.Width, h == 1 ? c.InputChannels : c.Width]));
        list.Add(("a", [c.Width]));
        return list;
    }
}
