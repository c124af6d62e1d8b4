using System.Globalization;

namespace Overparam.Experiments.Sweeps;

/// <summary>What a cell's newest claim says.</summary>
/// <param name="Done">The owner recorded the cell (with <paramref name="Status"/>, e.g. "converged" or "failed").</param>
/// <param name="Live">A running owner holds it: its lease has not expired.</param>
public sealed record ClaimState(string Owner, DateTimeOffset Expires, bool Done, string? Status, bool Live);

/// <summary>
/// Claims on the cells of a sweep folder, so that several processes — on one machine or on many sharing the folder
/// over NFS or Lustre — split its cells instead of each running all of them. A claim is a file
/// <c>DIR/claims/KEY.G</c> (G = 0, 1, …, its generation) created with O_CREAT|O_EXCL (<see cref="FileMode.CreateNew"/>),
/// which is atomic on local file systems, NFSv3+ and Lustre: of several processes creating the same file, one wins.
/// It holds one line <c>owner=HOST:PID:NONCE expires=TIME state=running|released|done [status=S]</c>. The owner
/// rewrites it (write aside, rename over: never half-written) every lease/3 with a new expiry, and when the cell ends:
/// <c>done</c> once the cell's record is written, <c>released</c> when it stopped unfinished. The newest generation
/// decides: a running claim past its expiry (its process died, or its host) — or on this host, one whose process is
/// gone — is taken over by creating generation G + 1, again create-exclusive, so of several takers one wins. A superseded owner still alive notices at its next
/// renewal and stops renewing; if it finishes anyway its record is a duplicate that merging keeps once.
/// </summary>
public sealed class CellClaims : IDisposable
{
    public const string DirectoryName = "claims";
    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(120);

    private readonly string directory;
    private readonly string host;
    private readonly TimeSpan lease;
    private readonly Dictionary<string, int> held = [];   // key → generation this process owns
    private readonly Lock gate = new();
    private readonly Timer renewal;

    /// <summary>This process's identity in its claims: host, pid and a random nonce (pids are reused).</summary>
    public string Owner { get; }

    /// <param name="sweepDirectory">The sweep folder; claims go to its <c>claims</c> subfolder.</param>
    /// <param name="host">This machine's name in the folder (<see cref="SweepFolder.Host"/>).</param>
    public CellClaims(string sweepDirectory, TimeSpan lease, string host)
    {
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), "the lease must be positive");
        directory = System.IO.Path.Combine(sweepDirectory, DirectoryName);
        Directory.CreateDirectory(directory);
        this.lease = lease;
        this.host = host;
        Owner = $"{host}:{Environment.ProcessId}:{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..8]}";
        renewal = new Timer(_ => Renew(), null, lease / 3, lease / 3);
    }

    /// <summary>
    /// Claims the cell unless a live owner holds it or it is done (a done claim whose status is "failed" is taken when
    /// <paramref name="retryFailed"/>). True when this process now owns it.
    /// </summary>
    public bool TryClaim(string key, bool retryFailed = false)
    {
        int next = NextGeneration(key);
        if (next > 0 && Read(key, next - 1) is { } current && (current.Live || current.Done && !(retryFailed && current.Status == "failed")))
            return false;
        string path = PathOf(key, next);
        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            using var writer = new StreamWriter(stream);
            writer.Write(Line(DateTimeOffset.UtcNow + lease, "running", null));
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;   // another process created this generation first
        }
        lock (gate) held[key] = next;
        return true;
    }

    /// <summary>Ends this process's claim: "done" with the recorded status, or "released" (null) for others to take at once.</summary>
    public void Release(string key, string? doneStatus)
    {
        lock (gate)
        {
            if (!held.Remove(key, out int generation)) return;
            Rewrite(key, generation, DateTimeOffset.UtcNow, doneStatus is null ? "released" : "done", doneStatus);
        }
    }

    /// <summary>The newest claim on a cell, or null when there is none.</summary>
    public ClaimState? State(string key)
    {
        int next = NextGeneration(key);
        return next == 0 ? null : Read(key, next - 1);
    }

    private int NextGeneration(string key)
    {
        int g = 0;
        while (File.Exists(PathOf(key, g))) g++;
        return g;
    }

    private string PathOf(string key, int generation) =>
        System.IO.Path.Combine(directory, $"{key}.{generation.ToString(CultureInfo.InvariantCulture)}");

    private string Line(DateTimeOffset expires, string state, string? status) =>
        $"owner={Owner} expires={expires.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)} state={state}" +
        (status is null ? "" : $" status={status}") + "\n";

    /// <summary>Reads a claim; one still being created (empty) counts as running, expiring a lease after its file time.</summary>
    private ClaimState? Read(string key, int generation)
    {
        string path = PathOf(key, generation);
        string text;
        try { text = File.ReadAllText(path); }
        catch (FileNotFoundException) { return null; }
        var fields = text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(f => f.Split('=', 2))
            .Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
        var now = DateTimeOffset.UtcNow;
        if (!fields.TryGetValue("expires", out var e)
            || !DateTimeOffset.TryParse(e, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var expires))
        {
            var created = new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
            return new ClaimState("(being written)", created + lease, false, null, created + lease > now);
        }
        string state = fields.GetValueOrDefault("state", "running"), owner = fields.GetValueOrDefault("owner", "?");
        return new ClaimState(owner, expires, state == "done", fields.GetValueOrDefault("status"),
            state == "running" && expires > now && !DeadHere(owner));
    }

    /// <summary>An owner on this host whose process is gone (a killed sweep rerun at once need not wait for its lease).</summary>
    private bool DeadHere(string owner)
    {
        var parts = owner.Split(':');
        if (parts.Length != 3 || parts[0] != host || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int pid)) return false;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException) { return true; }   // no such process
        catch (InvalidOperationException) { return true; }
    }

    private void Rewrite(string key, int generation, DateTimeOffset expires, string state, string? status)
    {
        string path = PathOf(key, generation), aside = $"{path}.{Owner.Replace(':', '-')}.tmp";
        File.WriteAllText(aside, Line(expires, state, status));
        File.Move(aside, path, overwrite: true);   // rename(2): readers see the old line or the new one
    }

    /// <summary>Extends the lease of every claim held; drops those another process has taken over meanwhile.</summary>
    private void Renew()
    {
        lock (gate)
        {
            foreach (var (key, generation) in held.ToArray())
            {
                try
                {
                    if (File.Exists(PathOf(key, generation + 1))) held.Remove(key);
                    else Rewrite(key, generation, DateTimeOffset.UtcNow + lease, "running", null);
                }
                catch (IOException) { }   // a renewal missed: the next one may succeed, well within the lease
                catch (UnauthorizedAccessException) { }
            }
        }
    }

    /// <summary>Stops renewing. Claims still held are left to expire (as if this process had died).</summary>
    public void Dispose()
    {
        using var done = new ManualResetEvent(false);
        if (renewal.Dispose(done)) done.WaitOne();
        lock (gate) held.Clear();
    }
}
