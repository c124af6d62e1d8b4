namespace Overparam.Training.Optimizers;

/// <summary>
/// An optimizer that prunes and regrows synapses (Grad R, Deep R): which parameters it prunes and, per parameter, the
/// synapses pruned (from connected to disconnected) and regrown (back) by its updates so far, for the connectivity
/// columns of metrics.csv (docs/mathematics.md §16.4).
/// </summary>
public interface IPruning
{
    /// <summary>True when parameter <paramref name="p"/> (the model's order) is pruned (the weights; biases are not).</summary>
    bool Prunes(int p, string name);

    /// <summary>Synapses of parameter <paramref name="p"/> pruned and regrown over all updates so far (0 before the first).</summary>
    (long Pruned, long Regrown) Events(int p);
}
