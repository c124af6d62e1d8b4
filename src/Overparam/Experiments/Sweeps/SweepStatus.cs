using Overparam.Training;

namespace Overparam.Experiments.Sweeps;

/// <summary>
/// Where a sweep folder stands (all its hosts' stores together): cells expected (those of the shards run into it, or
/// the whole sweep), records by status, and what remains.
/// </summary>
public sealed record SweepStatus(int SweepCells, int Expected, IReadOnlyDictionary<TrainingStatus, int> ByStatus, int Remaining,
    IReadOnlyList<CellRecord> Problems, string Shards)
{
    public int Done => ByStatus.Values.Sum();

    /// <summary>Reads a folder; throws <see cref="SweepSpecException"/> when it is not a sweep folder.</summary>
    public static SweepStatus Read(string directory)
    {
        if (!ResultStore.Exists(directory)) throw new SweepSpecException(directory, [$"no {ResultStore.FileName}: not a sweep folder"]);
        SweepSpec? spec;
        var shards = new List<Shard>();
        var hashes = new List<(string Dir, string? Hash)>();
        foreach (string d in SweepFolder.StoreDirectories(directory))   // every host's store: the shards run into any of them
        {
            using var store = ResultStore.Open(d);
            hashes.Add((d, store.GetMeta(SweepFolder.SpecHash)));
            foreach (var s in SweepFolder.ReadShards(store)) if (!shards.Contains(s)) shards.Add(s);
        }
        if (hashes.Select(h => h.Hash).Distinct().Count() > 1)
            throw new SweepSpecException(directory, ["the folder's host stores hold different sweeps (spec hashes differ):\n    "
                + string.Join("\n    ", hashes.Select(h => $"{h.Dir}: {h.Hash ?? "(none)"}"))]);
        if (shards.Any(s => s.IsAll)) shards = [Shard.All];
        using (var store = ResultStore.Open(directory)) spec = SweepFolder.ReadSpec(store);
        if (spec is null) throw new SweepSpecException(directory, ["the store has no sweep specification"]);
        var cells = spec.Resolve();
        var expected = SweepFolder.Expected(cells, shards);
        var records = SweepFolder.Records(directory);
        var keys = records.Select(r => r.Key).ToHashSet();
        var byStatus = records.GroupBy(r => r.Status).OrderBy(g => TrainingStatusText.Name(g.Key)).ToDictionary(g => g.Key, g => g.Count());
        return new SweepStatus(cells.Count, expected.Count, byStatus, expected.Count(c => !keys.Contains(c.Key)),
            records.Where(r => r.Status is TrainingStatus.Failed or TrainingStatus.Diverged).ToArray(),
            shards.Count == 0 ? "none yet" : shards.Any(s => s.IsAll) ? "all" : string.Join(",", shards));
    }
}
