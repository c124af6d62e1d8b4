using System.Diagnostics;
using System.Text.RegularExpressions;
using Overparam.Experiments.Sweeps;

namespace Overparam.Tests.Sweeps;

/// <summary>
/// Claims on cells: one owner at a time, done cells stay done, a released cell is free at once, a dead owner's cell is
/// taken over (by exactly one process) after its lease, a live owner's renewals keep it; and with real processes,
/// workers sharing one folder (on two simulated hosts) run every cell once, and a killed worker's cell is picked up.
/// </summary>
public sealed partial class CellClaimTests
{
    [Fact]
    public void OneOwnerAtATimeAndDoneCellsStayDone()
    {
        using var dir = new TempDirectory();
        using var a = new CellClaims(dir.Path, TimeSpan.FromSeconds(60), "a");
        using var b = new CellClaims(dir.Path, TimeSpan.FromSeconds(60), "b");
        Assert.True(a.TryClaim("k1"));
        Assert.False(b.TryClaim("k1"));
        Assert.False(a.TryClaim("k1"));
        Assert.Equal((a.Owner, true, false), (b.State("k1")!.Owner, b.State("k1")!.Live, b.State("k1")!.Done));
        a.Release("k1", "converged");
        Assert.False(b.TryClaim("k1"));
        Assert.False(b.TryClaim("k1", retryFailed: true));   // only a failed cell is retried
        Assert.Equal(("converged", true), (b.State("k1")!.Status, b.State("k1")!.Done));

        Assert.True(a.TryClaim("k2"));
        a.Release("k2", "failed");
        Assert.False(b.TryClaim("k2"));
        Assert.True(b.TryClaim("k2", retryFailed: true));
        Assert.True(File.Exists(Path.Combine(dir.Path, CellClaims.DirectoryName, "k2.1")));
        Assert.Null(a.State("k3"));
    }

    [Fact]
    public void ClaimOfAGoneProcessOnThisHostIsFreeAtOnce()
    {
        using var dir = new TempDirectory();
        using var gone = Process.Start(new ProcessStartInfo("true"))!;
        gone.WaitForExit();
        Directory.CreateDirectory(Path.Combine(dir.Path, CellClaims.DirectoryName));
        string line = $"owner=here:{gone.Id}:00000000 expires={DateTimeOffset.UtcNow.AddHours(1).UtcDateTime:O} state=running\n";
        File.WriteAllText(Path.Combine(dir.Path, CellClaims.DirectoryName, "k.0"), line);
        using var elsewhere = new CellClaims(dir.Path, TimeSpan.FromSeconds(60), "there");
        Assert.False(elsewhere.TryClaim("k"));   // another host cannot see that process: it waits for the lease
        using var here = new CellClaims(dir.Path, TimeSpan.FromSeconds(60), "here");
        Assert.True(here.TryClaim("k"));
    }

    [Fact]
    public void ReleasedCellIsFreeAtOnce()
    {
        using var dir = new TempDirectory();
        using var a = new CellClaims(dir.Path, TimeSpan.FromSeconds(60), "a");
        using var b = new CellClaims(dir.Path, TimeSpan.FromSeconds(60), "b");
        Assert.True(a.TryClaim("k"));
        a.Release("k", null);   // stopped unfinished
        Assert.False(a.State("k")!.Live);
        Assert.True(b.TryClaim("k"));
        Assert.Equal(b.Owner, a.State("k")!.Owner);
    }

    [Fact]
    public void DeadOwnersCellIsTakenOverByExactlyOneAfterTheLease()
    {
        using var dir = new TempDirectory();
        var lease = TimeSpan.FromSeconds(1);
        var dead = new CellClaims(dir.Path, lease, "dead");
        Assert.True(dead.TryClaim("k"));
        dead.Dispose();   // stops renewing, as a killed process would
        var takers = Enumerable.Range(0, 6).Select(i => new CellClaims(dir.Path, lease, $"h{i}")).ToList();
        Assert.All(takers, t => Assert.False(t.TryClaim("k")));
        Thread.Sleep(lease + TimeSpan.FromMilliseconds(300));
        using var start = new Barrier(takers.Count);
        var won = new bool[takers.Count];
        Parallel.For(0, takers.Count, new ParallelOptions { MaxDegreeOfParallelism = takers.Count }, i =>
        {
            start.SignalAndWait();
            won[i] = takers[i].TryClaim("k");
        });
        Assert.Single(won, w => w);
        Assert.Equal(takers[Array.IndexOf(won, true)].Owner, takers[0].State("k")!.Owner);
        foreach (var t in takers) t.Dispose();
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void RenewalsKeepALiveOwnersClaim()
    {
        using var dir = new TempDirectory();
        var lease = TimeSpan.FromSeconds(2);
        var owner = new CellClaims(dir.Path, lease, "a");
        using var other = new CellClaims(dir.Path, lease, "b");
        Assert.True(owner.TryClaim("k"));
        Thread.Sleep(2.5 * lease);
        Assert.False(other.TryClaim("k"));
        Assert.True(other.State("k")!.Live);
        owner.Dispose();
        Thread.Sleep(lease + TimeSpan.FromMilliseconds(300));
        Assert.True(other.TryClaim("k"));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task WorkersSharingAFolderRunEveryCellOnce()
    {
        using var dir = new TempDirectory();
        dir.Write("s.json", """{"base": {"n": 8, "d": 4, "depth": 1, "steps": 150}, "grid": {"width": [8, 16, 24, 32]}, "seeds": 4}""");
        var cells = SweepSpec.Load(dir.File("s.json")).Resolve();
        // four unsharded workers on one folder, as if on two hosts (each host has its own store in the folder)
        var workers = new[] { "alpha", "alpha", "beta", "beta" }.Select(host =>
        {
            var psi = CliProcess.StartInfo(dir.Path, "sweep", "s.json", "--out", "o", "--threads", "1");
            psi.Environment["OVERPARAM_HOST"] = host;
            return Process.Start(psi)!;
        }).ToList();
        var ran = new List<string>();
        foreach (var p in workers)
        {
            var reading = p.StandardOutput.ReadToEndAsync();
            string err = p.StandardError.ReadToEnd();
            Assert.True(p.WaitForExit(180_000), "a worker did not finish");
            string stdout = await reading;
            Assert.True(p.ExitCode == 0, err + stdout);
            ran.AddRange(CellLine().Matches(stdout).Select(m => m.Groups[1].Value));
            Assert.Contains("0 remaining", stdout);
            p.Dispose();
        }
        Assert.Equal(cells.Select(c => c.Key).Order(), ran.Order());   // every cell run once, by one of the workers

        var stores = SweepFolder.StoreDirectories(dir.File("o"));
        Assert.Equal(2, stores.Count);   // the home host's results.db and the other host's hosts/NAME/results.db
        Assert.Equal(cells.Count, SweepFolder.Records(dir.File("o")).Count);
        var (exit, output, _) = CliProcess.Run(dir.Path, "sweep", "status", "o");
        Assert.Equal(0, exit);
        Assert.Contains($"done {cells.Count} (", output);
        Assert.Contains("remaining 0", output);
        (exit, output, _) = CliProcess.Run(dir.Path, "sweep", "merge", "all", "o");
        Assert.Equal(0, exit);
        Assert.Contains($"now holds {cells.Count}", output);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void HostStoresOfDifferentSweepsInOneFolderAreRefused()
    {
        using var dir = new TempDirectory();
        dir.Write("a.json", """{"base": {"n": 4, "d": 2, "depth": 1, "width": 4, "steps": 2}}""");
        dir.Write("b.json", """{"base": {"n": 4, "d": 2, "depth": 1, "width": 5, "steps": 2}}""");
        foreach (var (spec, host) in new[] { ("a.json", "alpha"), ("b.json", "beta") })
        {
            var psi = CliProcess.StartInfo(dir.Path, "sweep", spec, "--out", "o");
            psi.Environment["OVERPARAM_HOST"] = host;
            using var p = Process.Start(psi)!;
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);   // each host checks the spec against its own store only
        }
        var (exit, _, err) = CliProcess.Run(dir.Path, "sweep", "status", "o");
        Assert.Equal(2, exit);
        Assert.Contains("different sweeps", err);
        (exit, _, err) = CliProcess.Run(dir.Path, "sweep", "merge", "all", "o");
        Assert.Equal(2, exit);
        Assert.Contains("different sweeps", err);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task KilledWorkersCellIsPickedUpAfterItsLease()
    {
        using var dir = new TempDirectory();
        dir.Write("s.json", """{"base": {"n": 16, "d": 8, "depth": 2, "width": 128, "steps": 4000, "target_loss": 0}}""");
        string key = SweepSpec.Load(dir.File("s.json")).Resolve()[0].Key;
        string claim = Path.Combine(dir.File("o"), CellClaims.DirectoryName, key + ".0");

        var first = CliProcess.StartInfo(dir.Path, "sweep", "s.json", "--out", "o", "--lease", "2", "--threads", "1");
        first.Environment["OVERPARAM_HOST"] = "alpha";   // another host: only the lease tells the second worker it died
        using (var killed = Process.Start(first)!)
        {
            var clock = Stopwatch.StartNew();
            while (!(File.Exists(claim) && File.ReadAllText(claim).Contains("state=running")))
            {
                if (killed.HasExited) Assert.Fail($"the first worker ended (exit {killed.ExitCode}) before claiming its cell: {killed.StandardError.ReadToEnd()}");
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "no claim appeared");
                Thread.Sleep(20);
            }
            killed.Kill(entireProcessTree: true);   // SIGKILL mid-cell: its claim stays "running" until the lease runs out
            killed.WaitForExit();
        }
        Assert.Empty(SweepFolder.Records(dir.File("o")));

        var second = CliProcess.StartInfo(dir.Path, "sweep", "s.json", "--out", "o", "--lease", "2", "--threads", "1");
        second.Environment["OVERPARAM_HOST"] = "beta";
        string output, err;
        using (var p = Process.Start(second)!)
        {
            var reading = p.StandardOutput.ReadToEndAsync();
            err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            output = await reading;
            Assert.True(p.ExitCode == 0, err + output);
        }
        Assert.Equal([key], CellLine().Matches(output).Select(m => m.Groups[1].Value));
        Assert.Contains("1 run now", output);
        string taken = File.ReadAllText(Path.Combine(dir.File("o"), CellClaims.DirectoryName, key + ".1"));
        Assert.Contains("state=done", taken);
        Assert.Contains("owner=beta:", taken);
        Assert.Equal(key, Assert.Single(SweepFolder.Records(dir.File("o"))).Key);
    }

    /// <summary>The line a worker prints for each cell it ran: "[3/12] KEY …".</summary>
    [GeneratedRegex(@"^\[\d+/\d+\] ([0-9a-f]{16}) ", RegexOptions.Multiline)]
    private static partial Regex CellLine();
}
