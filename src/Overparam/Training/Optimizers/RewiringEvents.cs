using Overparam.IO;

namespace Overparam.Training.Optimizers;

/// <summary>
/// The synapses a rewiring optimizer (grad-r, deep-r) has pruned and regrown per parameter over all its updates, and
/// their checkpoint tensors prune_events and regrow_events. Restored counts are taken over at the first update, when the
/// number of parameters is known.
/// </summary>
internal sealed class RewiringEvents(string optimizer)
{
    public const string PrunedName = "prune_events", RegrownName = "regrow_events";

    private long[] pruned = [], regrown = [];
    private double[]? restoredPruned, restoredRegrown;

    /// <summary>True for the names of the two tensors this class saves.</summary>
    public static bool Owns(string name) => name is PrunedName or RegrownName;

    /// <summary>Pruned and regrown synapses of parameter <paramref name="p"/> so far (0 before the first update).</summary>
    public (long Pruned, long Regrown) Of(int p) =>
        p < pruned.Length ? (pruned[p], regrown[p])
        : restoredPruned is not null && restoredRegrown is not null && p < restoredPruned.Length ? ((long)restoredPruned[p], (long)restoredRegrown[p])
        : (0, 0);

    /// <summary>Before an update: sizes the counters for <paramref name="count"/> parameters once, with any restored counts.</summary>
    public void Begin(int count)
    {
        if (pruned.Length > 0) return;
        pruned = new long[count]; regrown = new long[count];
        if (restoredPruned is null || restoredRegrown is null) return;
        if (restoredPruned.Length != count || restoredRegrown.Length != count)
            throw new ArgumentException($"{optimizer} state: \"{PrunedName}\" has {restoredPruned.Length} entries, the model has {count} parameters");
        for (int p = 0; p < count; p++) { pruned[p] = (long)restoredPruned[p]; regrown[p] = (long)restoredRegrown[p]; }
        restoredPruned = restoredRegrown = null;
    }

    public void Add(int p, long cut, long grown) { pruned[p] += cut; regrown[p] += grown; }

    /// <summary>The two tensors, appended to an optimizer's saved state.</summary>
    public void SaveInto(List<Tensor> saved)
    {
        double[] cut = pruned.Length > 0 ? pruned.Select(c => (double)c).ToArray() : restoredPruned ?? [];
        double[] grown = regrown.Length > 0 ? regrown.Select(c => (double)c).ToArray() : restoredRegrown ?? [];
        saved.Add(Tensor.F64(PrunedName, [cut.Length], cut));
        saved.Add(Tensor.F64(RegrownName, [grown.Length], grown));
    }

    /// <summary>Takes the counts of a saved state (applied at the next <see cref="Begin"/>); false when either tensor is missing.</summary>
    public bool Restore(IReadOnlyDictionary<string, Tensor> saved)
    {
        pruned = []; regrown = [];
        restoredPruned = saved.TryGetValue(PrunedName, out var a) ? a.AsDoubles() : null;
        restoredRegrown = saved.TryGetValue(RegrownName, out var b) ? b.AsDoubles() : null;
        return restoredPruned is not null && restoredRegrown is not null;
    }
}
