using System.Diagnostics;
using System.Text.RegularExpressions;
using Overparam.Experiments.Sweeps;

namespace Overparam.Tests.Sweeps;

/// <summary>
/// A sweep as a real Slurm job array: scripts/slurm-cluster starts a one-node cluster (or a running one is used),
/// scripts/sweep.sbatch — the script the README shows — runs one shard per array task with the CLI built for this test
/// run, then `sweep merge` and `sweep status` read the task folders. Skipped only when the Slurm packages are missing.
/// </summary>
public sealed partial class SlurmArrayTests(SlurmCluster cluster) : IClassFixture<SlurmCluster>
{
    // six tiny cells: 2 widths × 3 seeds
    private const string Spec = """{"base": {"n": 4, "d": 2, "depth": 1, "steps": 3}, "grid": {"width": [4, 8]}, "seeds": 3}""";

    [SlurmFact]
    [Trait("Category", "Slow")]
    public void ArrayOfThreeRunsEveryCellOnce() => RunArray("0-2", [0, 1, 2]);

    [SlurmFact]
    [Trait("Category", "Slow")]
    public void SteppedArrayRunsEveryShard() => RunArray("0-4:2", [0, 2, 4]);

    private void RunArray(string array, int[] taskIds)
    {
        cluster.EnsureRunning();
        using var dir = new TempDirectory();
        dir.Write("s.json", Spec);
        var submit = cluster.Command("sbatch", "--parsable", $"--array={array}", $"--chdir={dir.Path}", "--time=5",
            Path.Combine(SlurmCluster.Root, "scripts", "sweep.sbatch"), "s.json", "out");
        submit.Environment["OVERPARAM"] = $"{DotnetHost()} {CliProcess.Dll}";
        var (exit, output, err) = SlurmCluster.Run(submit);
        Assert.True(exit == 0, $"sbatch: {err}");
        string job = output.Trim().Split(';')[0];

        cluster.WaitUntilGone(job, TimeSpan.FromMinutes(3));
        string logs = string.Join("\n", Directory.GetFiles(dir.Path, "slurm-*.out").Order().Select(f => $"{f}:\n{File.ReadAllText(f)}"));
        var (_, show, _) = SlurmCluster.Run(cluster.Command("scontrol", "show", "job", job));
        var states = JobState().Matches(show).Select(m => m.Groups[1].Value).ToList();
        Assert.True(states.Count == taskIds.Length && states.All(s => s == "COMPLETED"), $"task states: {string.Join(",", states)}\n{show}\n{logs}");

        // each task ran its own shard into its own folder: together every cell once
        var cells = SweepSpec.Load(dir.File("s.json")).Resolve();
        var keys = new List<string>();
        for (int t = 0; t < taskIds.Length; t++)
        {
            using var store = ResultStore.Open(Path.Combine(dir.Path, "out", $"task-{taskIds[t]}"));
            Assert.Equal([new Shard(t, taskIds.Length)], SweepFolder.ReadShards(store));
            var records = store.All();
            Assert.Equal(new Shard(t, taskIds.Length).Select(cells).Select(c => c.Key).Order(), records.Select(r => r.Key).Order());
            keys.AddRange(records.Select(r => r.Key));
        }
        Assert.Equal(cells.Select(c => c.Key).Order(), keys.Order());

        var folders = taskIds.Select(t => Path.Combine("out", $"task-{t}")).ToArray();
        (exit, _, err) = CliProcess.Run(dir.Path, ["sweep", "merge", Path.Combine("out", "all"), .. folders]);
        Assert.True(exit == 0, err);
        (exit, output, err) = CliProcess.Run(dir.Path, "sweep", "status", Path.Combine("out", "all"));
        Assert.True(exit == 0, err);
        Assert.Contains("sweep of 6 cells; shards here: 0/3,1/3,2/3; expected here: 6", output);
        Assert.Contains("done 6 (", output);
        Assert.Contains("remaining 0", output);
    }

    [Fact]
    public void ReadmeShowsTheSbatchScriptTheTestSubmits()
    {
        var lines = File.ReadAllLines(Path.Combine(SlurmCluster.Root, "scripts", "sweep.sbatch"))
            .Where(l => !(l == "#" || l.StartsWith("# ", StringComparison.Ordinal)));
        string readme = File.ReadAllText(Path.Combine(SlurmCluster.Root, "README.md"));
        Assert.Contains("```bash\n" + string.Join("\n", lines) + "\n```", readme);
    }

    /// <summary>The dotnet host running this test (the job runs the same one), else dotnet from the PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    [GeneratedRegex(@"JobState=(\S+)")]
    private static partial Regex JobState();
}

/// <summary>A test that needs the Slurm packages (slurmctld, slurmd, slurm-client, munge); skipped with the reason otherwise.</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    private static readonly string[] Programs = ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/bin/squeue", "/usr/sbin/munged"];

    public SlurmFactAttribute()
    {
        var missing = Programs.Where(p => !File.Exists(p)).ToArray();
        if (missing.Length > 0)
            Skip = $"Slurm is not installed ({string.Join(", ", missing)} missing): apt-get install slurmctld slurmd slurm-client munge";
    }
}

/// <summary>
/// The one-node cluster of scripts/slurm-cluster: started on first use unless it is already running, and stopped at
/// the end only when these tests started it.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    private bool started;
    private string? conf;

    public static string Root { get; } = FindRoot();

    private static string Script => Path.Combine(Root, "scripts", "slurm-cluster");

    public void EnsureRunning()
    {
        if (conf is not null) return;
        var (exit, output, _) = Run(new ProcessStartInfo(Script, "status"));
        if (exit != 0)
        {
            var clock = Stopwatch.StartNew();
            string err;
            (exit, output, err) = Run(new ProcessStartInfo(Script, "start"));
            Assert.True(exit == 0, $"scripts/slurm-cluster start failed:\n{output}\n{err}");
            started = true;
            Console.WriteLine($"slurm-cluster start: {clock.Elapsed.TotalSeconds:F1} s");
        }
        conf = Regex.Match(output, @"export SLURM_CONF=(\S+)").Groups[1].Value;
        Assert.True(File.Exists(conf), $"no SLURM_CONF in: {output}");
    }

    /// <summary>A Slurm client command against this cluster.</summary>
    public ProcessStartInfo Command(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["SLURM_CONF"] = conf;
        return psi;
    }

    /// <summary>Polls squeue (there is no accounting database) until the job has left the queue.</summary>
    public void WaitUntilGone(string job, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var (exit, output, err) = Run(Command("squeue", "-h", "-j", job, "-o", "%i %T"));
            Assert.True(exit == 0, $"squeue: {err}");
            if (output.Trim().Length == 0) return;
            Thread.Sleep(250);
        }
        Run(Command("scancel", job));
        Assert.Fail($"job {job} still queued after {timeout.TotalSeconds} s");
    }

    public static (int Exit, string Out, string Err) Run(ProcessStartInfo psi)
    {
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); Assert.Fail($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} timed out"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "scripts", "slurm-cluster")) && File.Exists(Path.Combine(d.FullName, "README.md")))
                return d.FullName;
        throw new InvalidOperationException("scripts/slurm-cluster not found above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        if (started) Run(new ProcessStartInfo(Script, "stop"));
    }
}
