namespace Overparam.Experiments.Sweeps;

/// <summary>
/// A sweep folder: its result store and the meta entries that tie it to one specification — <c>spec_hash</c>
/// (<see cref="SweepSpec.Hash"/>), <c>spec_json</c> (the normalized spec) and <c>shards</c> (the shards run into it).
/// </summary>
public static class SweepFolder
{
    public const string SpecHash = "spec_hash";
    public const string SpecJson = "spec_json";
    public const string Shards = "shards";

    /// <summary>
    /// Opens the folder's store for <paramref name="spec"/>, recording the spec on first use; throws
    /// <see cref="SweepSpecException"/> when the folder already holds another sweep.
    /// </summary>
    public static ResultStore OpenFor(string directory, SweepSpec spec, string specHash)
    {
        var store = ResultStore.Open(directory);
        string? existing = store.InTransaction(() =>
        {
            string? hash = store.GetMeta(SpecHash);
            if (hash is null)
            {
                store.SetMeta(SpecJson, spec.ToJson());
                store.SetMeta(SpecHash, specHash);
            }
            return hash;
        });
        if (existing is not null && existing != specHash)
        {
            store.Dispose();
            throw new SweepSpecException(directory, [$"this folder holds the results of a different sweep (spec hash {existing}, this spec is {specHash}); use another --out"]);
        }
        return store;
    }

    /// <summary>The specification a folder was created for (null for a folder without one).</summary>
    public static SweepSpec? ReadSpec(ResultStore store) =>
        store.GetMeta(SpecJson) is { } json ? SweepSpec.Parse(SpecDocument.ParseJson(json, store.Path), store.Path) : null;

    /// <summary>The shards run into the folder ("all" or e.g. "0/4,2/4").</summary>
    public static IReadOnlyList<Shard> ReadShards(ResultStore store) =>
        (store.GetMeta(Shards) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => Shard.TryParse(s, out _)).OfType<Shard>().ToArray();

    /// <summary>Adds a shard to the folder's list, in one write transaction (processes starting together all count).</summary>
    public static void AddShard(ResultStore store, Shard shard) => store.InTransaction(() =>
    {
        var shards = ReadShards(store).ToList();
        if (!shards.Contains(shard)) shards.Add(shard);
        if (shards.Any(s => s.IsAll)) shards = [Shard.All];
        store.SetMeta(Shards, string.Join(",", shards));
        return shards.Count;
    });

    /// <summary>The cells a folder is responsible for: those of the shards run into it (all when none recorded).</summary>
    public static IReadOnlyList<SweepCell> Expected(IReadOnlyList<SweepCell> cells, IReadOnlyList<Shard> shards) =>
        shards.Count == 0 ? cells : cells.Where(c => shards.Any(s => s.Contains(c.Index))).ToArray();
}
