using Overparam.Experiments;
using Overparam.Experiments.Sweeps;
using Overparam.Training;

namespace Overparam.Tests.Sweeps;

public class ShardTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(40)]
    public void ShardsCoverEveryCellExactlyOnce(int count)
    {
        var cells = Enumerable.Range(0, 23).Select(i => SweepCell.Create(i, new RunSpec { Width = 8 + i })).ToArray();
        var seen = Enumerable.Range(0, count).SelectMany(i => new Shard(i, count).Select(cells)).Select(c => c.Key).ToList();
        Assert.Equal(cells.Length, seen.Count);
        Assert.Equal(cells.Select(c => c.Key).OrderBy(k => k), seen.OrderBy(k => k));
        // deterministic: the same shard twice selects the same cells
        Assert.Equal(new Shard(0, count).Select(cells), new Shard(0, count).Select(cells));
    }

    [Fact]
    public void ParsesShardAndSlurmEnvironment()
    {
        Assert.Equal(new Shard(2, 4), Shard.TryParse("2/4", out _));
        Assert.Null(Shard.TryParse("4/4", out var error));
        Assert.Contains("0 ≤ i < N", error);
        Assert.Null(Shard.TryParse("x", out _));
        var env = new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "3", ["SLURM_ARRAY_TASK_COUNT"] = "5" };
        Assert.Equal(new Shard(3, 5), Shard.FromEnvironment(k => env.GetValueOrDefault(k)));
        env["SLURM_ARRAY_TASK_MIN"] = "1";
        Assert.Equal(new Shard(2, 5), Shard.FromEnvironment(k => env.GetValueOrDefault(k)));
        env["SLURM_ARRAY_TASK_STEP"] = "x";
        var errors = new List<string>();
        Assert.Null(Shard.FromEnvironment(k => env.GetValueOrDefault(k), errors));
        Assert.Contains("--shard", Assert.Single(errors));
        Assert.Null(Shard.FromEnvironment(_ => null));
    }

    /// <summary>The variables Slurm 22.05 sets for task <paramref name="id"/> of an array (as printed by its jobs).</summary>
    private static Func<string, string?> Slurm(int id, int min, int max, int step, int count) => new Dictionary<string, string>
    {
        ["SLURM_ARRAY_TASK_ID"] = $"{id}", ["SLURM_ARRAY_TASK_MIN"] = $"{min}", ["SLURM_ARRAY_TASK_MAX"] = $"{max}",
        ["SLURM_ARRAY_TASK_STEP"] = $"{step}", ["SLURM_ARRAY_TASK_COUNT"] = $"{count}",
    }.GetValueOrDefault;

    [Theory]
    [InlineData(0, 0, 2, 1, 3, 0)]    // --array=0-2
    [InlineData(2, 0, 2, 1, 3, 2)]
    [InlineData(1, 1, 8, 1, 8, 0)]    // --array=1-8
    [InlineData(8, 1, 8, 1, 8, 7)]
    [InlineData(0, 0, 4, 2, 3, 0)]    // --array=0-4:2: tasks 0, 2, 4 are shards 0/3, 1/3, 2/3
    [InlineData(2, 0, 4, 2, 3, 1)]
    [InlineData(4, 0, 4, 2, 3, 2)]
    [InlineData(13, 3, 13, 5, 3, 2)]  // --array=3-13:5: tasks 3, 8, 13
    public void SteppedArrayTaskMapsToShard(int id, int min, int max, int step, int count, int index)
    {
        var errors = new List<string>();
        Assert.Equal(new Shard(index, count), Shard.FromEnvironment(Slurm(id, min, max, step, count), errors));
        Assert.Empty(errors);
    }

    [Fact]
    public void EveryTaskOfASteppedArrayRunsADifferentShard()
    {
        // --array=0-4:2 used to run shard 2/3, fail task 4 and never run shard 1/3
        var shards = new[] { 0, 2, 4 }.Select(id => Shard.FromEnvironment(Slurm(id, 0, 4, 2, 3))).ToList();
        Assert.Equal([new Shard(0, 3), new Shard(1, 3), new Shard(2, 3)], shards);
    }

    [Theory]
    [InlineData(3, 1, 7, 1, 3)]   // --array=1,3,7 (Slurm reports step 1)
    [InlineData(2, 0, 4, 1, 3)]   // --array=0,2,4
    [InlineData(7, 1, 7, 1, 3)]
    [InlineData(3, 0, 4, 2, 3)]   // an id off the step
    public void ListedArrayIsRefusedNamingShard(int id, int min, int max, int step, int count)
    {
        var errors = new List<string>();
        Assert.Null(Shard.FromEnvironment(Slurm(id, min, max, step, count), errors));
        Assert.Contains("--shard", Assert.Single(errors));
    }

    [Fact]
    public void ListedArrayTaskExitsTwoNamingShard()
    {
        using var dir = new TempDirectory();
        dir.Write("s.json", """{"base": {"n": 4, "d": 2, "depth": 1, "width": 4, "steps": 2}}""");
        var psi = CliProcess.StartInfo(dir.Path, "sweep", "s.json");
        foreach (var (k, v) in new[] { ("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_MAX", "7"),
                     ("SLURM_ARRAY_TASK_STEP", "1"), ("SLURM_ARRAY_TASK_COUNT", "3") })
            psi.Environment[k] = v;
        using var p = System.Diagnostics.Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("--shard", err);
        Assert.False(Directory.Exists(dir.File("s-sweep")));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TwelveShardProcessesStartedAtOnceAllRecordTheirShard()
    {
        using var dir = new TempDirectory();
        dir.Write("s.json", """{"base": {"n": 4, "d": 2, "depth": 1, "steps": 2}, "grid": {"width": [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]}}""");
        var processes = Enumerable.Range(0, 12).Select(i => System.Diagnostics.Process.Start(
            CliProcess.StartInfo(dir.Path, "sweep", "s.json", "--out", "o", "--shard", $"{i}/12", "--quiet"))!).ToList();
        foreach (var p in processes)
        {
            string err = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, err);
            p.Dispose();
        }
        using (var store = ResultStore.Open(dir.File("o")))
            Assert.Equal(Enumerable.Range(0, 12).Select(i => new Shard(i, 12)), SweepFolder.ReadShards(store).OrderBy(s => s.Index));
        var status = SweepStatus.Read(dir.File("o"));
        Assert.Equal((12, 12, 0), (status.Expected, status.Done, status.Remaining));
    }

    [Fact]
    public void ShardedRunsMergeAndMismatchedSpecsAreRefused()
    {
        using var dir = new TempDirectory();
        const string spec = """{"base": {"n": 6, "d": 4, "depth": 1, "steps": 5}, "grid": {"width": [4, 8, 16], "seed": [1, 2]}}""";
        dir.Write("a.json", spec);
        dir.Write("b.json", spec.Replace("[1, 2]", "[1, 3]"));
        var a = SweepSpec.Load(dir.File("a.json"));
        var runner = new InProcessExecutor(new FakeRunner());
        for (int i = 0; i < 3; i++) SweepRunner.Run(a, dir.File($"s{i}"), runner, new Shard(i, 3));
        SweepRunner.Run(SweepSpec.Load(dir.File("b.json")), dir.File("other"), runner, Shard.All);

        var (total, added) = SweepMerge.Merge(dir.File("all"), [dir.File("s0"), dir.File("s1"), dir.File("s2")]);
        Assert.Equal((6, 6), (total, added));
        var status = SweepStatus.Read(dir.File("all"));
        Assert.Equal((6, 6, 0), (status.Expected, status.Done, status.Remaining));

        var e = Assert.Throws<SweepSpecException>(() => SweepMerge.Merge(dir.File("mixed"), [dir.File("s0"), dir.File("other")]));
        Assert.Contains("different sweeps", e.Message);
        Assert.False(File.Exists(Path.Combine(dir.File("mixed"), ResultStore.FileName)));

        var (exit, _, err) = CliProcess.Run(dir.Path, "sweep", "merge", "all", "other");
        Assert.Equal(2, exit);
        Assert.Contains("different sweeps", err);
        // running another spec into an existing folder is refused too
        (exit, _, err) = CliProcess.Run(dir.Path, "sweep", "b.json", "--out", "s0");
        Assert.Equal(2, exit);
        Assert.Contains("different sweep", err);
    }
}

/// <summary>A runner that trains nothing: the loss is a function of the spec.</summary>
internal sealed class FakeRunner : ICellRunner
{
    public RunOutcome Run(RunSpec spec, CancellationToken cancel) =>
        new(TrainingStatus.Converged, spec.Steps, 1.0, 1.0 / spec.Width, 0.001, spec.Lr, null, new Dictionary<string, double> { ["w"] = spec.Width }, null);
}
