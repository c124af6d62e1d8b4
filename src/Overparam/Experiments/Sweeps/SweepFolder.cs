namespace Overparam.Experiments.Sweeps;

/// <summary>
/// A sweep folder: its result stores and the meta entries that tie them to one specification — <c>spec_hash</c>
/// (<see cref="SweepSpec.Hash"/>), <c>spec_json</c> (the normalized spec) and <c>shards</c> (the shards run into it).
/// SQLite must not be written from several hosts (WAL needs shared memory; fcntl locks are unreliable over NFS), so
/// each host writes its own store: the host that created the folder (named in <c>home-host</c>) writes
/// <c>DIR/results.db</c>, any other host H writes <c>DIR/hosts/H/results.db</c>; processes of one host share its
/// store. <see cref="Records"/>, <see cref="SweepStatus"/>, the report and <c>sweep merge</c> read their union.
/// </summary>
public static class SweepFolder
{
    public const string SpecHash = "spec_hash";
    public const string SpecJson = "spec_json";
    public const string Shards = "shards";
    public const string HomeHostFile = "home-host";
    public const string HostsDirectory = "hosts";

    /// <summary>This machine's name in sweep folders: OVERPARAM_HOST when set (hosts with the same name), else the host name.</summary>
    public static string Host =>
        Environment.GetEnvironmentVariable("OVERPARAM_HOST") is { Length: > 0 } h ? h : Environment.MachineName;

    /// <summary>
    /// The folder whose <c>results.db</c> <paramref name="host"/> writes: <paramref name="directory"/> itself for the
    /// folder's home host (the first to use it claims <c>home-host</c>, create-exclusive), else <c>hosts/HOST</c>.
    /// </summary>
    public static string StoreDirectory(string directory, string host)
    {
        OutputFolder.Create("sweep folder", directory);
        string file = System.IO.Path.Combine(directory, HomeHostFile);
        try
        {
            using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write);
            stream.Write(System.Text.Encoding.UTF8.GetBytes(host + "\n"));
            stream.Flush(flushToDisk: true);
            return directory;
        }
        catch (IOException) when (File.Exists(file)) { }
        string home = "";
        for (int attempt = 0; attempt < 50 && home.Length == 0; attempt++)   // the creator may not have written its name yet
        {
            home = File.ReadAllText(file).Trim();
            if (home.Length == 0) Thread.Sleep(20);
        }
        if (home.Length == 0 || home == host) return directory;
        if (host.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0 || host is "." or "..")
            throw new SweepSpecException(directory, [$"host name \"{host}\" cannot name a folder (set OVERPARAM_HOST)"]);
        return System.IO.Path.Combine(directory, HostsDirectory, host);
    }

    /// <summary>Every store folder of a sweep folder: its own and those of the other hosts that wrote into it.</summary>
    public static IReadOnlyList<string> StoreDirectories(string directory)
    {
        var list = new List<string>();
        if (ResultStore.Exists(directory)) list.Add(directory);
        string hosts = System.IO.Path.Combine(directory, HostsDirectory);
        if (Directory.Exists(hosts)) list.AddRange(Directory.GetDirectories(hosts).Order(StringComparer.Ordinal).Where(ResultStore.Exists));
        return list;
    }

    /// <summary>The records of every host's store, one per cell (the first found when a cell was recorded twice), in cell order.</summary>
    public static IReadOnlyList<CellRecord> Records(string directory)
    {
        var byKey = new Dictionary<string, CellRecord>();
        foreach (string d in StoreDirectories(directory))
        {
            using var store = ResultStore.Open(d);
            foreach (var r in store.All()) byKey.TryAdd(r.Key, r);
        }
        return byKey.Values.OrderBy(r => r.CellIndex).ThenBy(r => r.Key, StringComparer.Ordinal).ToArray();
    }

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
