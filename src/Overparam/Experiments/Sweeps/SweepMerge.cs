namespace Overparam.Experiments.Sweeps;

/// <summary>Combines the stores of shard folders of one sweep into one folder.</summary>
public static class SweepMerge
{
    /// <summary>
    /// Copies every record of <paramref name="sources"/> (each with the stores of every host that wrote into it) into
    /// <paramref name="output"/> (a cell present twice is kept once). Throws <see cref="SweepSpecException"/>, before
    /// writing anything, when a folder has no store or its spec hash differs from the others' (or from an existing
    /// output's).
    /// </summary>
    /// <returns>(records now in the output, records added).</returns>
    public static (int Total, int Added) Merge(string output, IReadOnlyList<string> sources)
    {
        if (sources.Count == 0) throw new SweepSpecException(output, ["no folders to merge"]);
        var problems = new List<string>();
        var hashes = new List<(string Dir, string? Hash)>();
        var stores = new List<string>();
        foreach (string dir in sources)
        {
            if (!ResultStore.Exists(dir)) { problems.Add($"{dir}: no {ResultStore.FileName} (not a sweep folder)"); continue; }
            foreach (string d in SweepFolder.StoreDirectories(dir))
            {
                using var store = ResultStore.Open(d);
                hashes.Add((d, store.GetMeta(SweepFolder.SpecHash)));
                stores.Add(d);
            }
        }
        if (ResultStore.Exists(output))
        {
            using var store = ResultStore.Open(output);
            if (store.GetMeta(SweepFolder.SpecHash) is { } h) hashes.Insert(0, (output + " (output)", h));
        }
        var distinct = hashes.Select(h => h.Hash).Distinct().ToList();
        if (distinct.Count > 1)
            problems.Add("the folders hold different sweeps (spec hashes differ), refusing to merge:\n    "
                + string.Join("\n    ", hashes.Select(h => $"{h.Dir}: {h.Hash ?? "(none)"}")));
        if (problems.Count > 0) throw new SweepSpecException(output, problems);

        using var outStore = ResultStore.Open(output);
        int added = 0;
        foreach (string dir in stores)
        {
            using var store = ResultStore.Open(dir);
            if (outStore.GetMeta(SweepFolder.SpecHash) is null)
            {
                foreach (string name in new[] { SweepFolder.SpecJson, SweepFolder.SpecHash })
                    if (store.GetMeta(name) is { } v) outStore.SetMeta(name, v);
            }
            foreach (var shard in SweepFolder.ReadShards(store)) SweepFolder.AddShard(outStore, shard);
            foreach (var r in store.All()) if (outStore.Add(r)) added++;
        }
        return (outStore.Keys().Count, added);
    }
}
