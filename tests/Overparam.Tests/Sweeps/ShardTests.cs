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
        Assert.Null(Shard.FromEnvironment(_ => null));
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
