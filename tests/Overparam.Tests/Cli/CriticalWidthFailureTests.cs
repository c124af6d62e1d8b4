using Overparam.Experiments;
using Overparam.Experiments.Sweeps;
using Overparam.Experiments.Sweeps.CriticalWidth;
using Overparam.Training;

namespace Overparam.Tests.Cli;

/// <summary>
/// A failed run is not a run that missed the target (issue 11, item 3): `critical-width` with inputs that make every run
/// fail says so and exits non-zero instead of concluding m* &gt; max.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class CriticalWidthFailureTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    [Fact]
    public void EveryRunRefusesItsInput_Exit2WithTheRunsMessage_NoMStar()
    {
        string dir = tmp.File("cw");
        var r = CliHarness.Run("critical-width", "--n", "1", "--seeds", "1", "--steps", "10", "--max-width", "8", "--threads", "1", "--out", dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: the run fc H=2 n=1 softplus m=2 seed 1 failed: --n 1: at least 2 samples are needed", r.Err.Trim());
        Assert.DoesNotContain("m*(", r.Out);
        Assert.DoesNotContain("converged -> fails", r.Out);
        Assert.False(File.Exists(Path.Combine(dir, "critical_width.csv")));
    }

    /// <summary>Fails the first run it is given with an error that is not bad input, then runs normally.</summary>
    private sealed class FailsOnce : ICellRunner
    {
        public int Calls;
        public RunOutcome Run(RunSpec spec, CancellationToken cancel) => Calls++ == 0
            ? CellOutcomes.Failed(TrainingStatus.Failed, "OutOfMemoryException: out of memory")
            : new ExecutorCellRunner().Run(spec, cancel);
    }

    [Fact]
    public void AFailureThatIsNotBadInput_StopsTheSearch_AndARerunTriesTheRunAgain()
    {
        using var store = ResultStore.Open(tmp.Path);
        var template = new RunSpec { D = 4, LrPolicy = "stable", Steps = 20, TargetLoss = 1e-30 };
        var runner = new FailsOnce();
        var query = new CriticalWidthQuery("fc", 1, 4, "softplus");
        var search = new CriticalWidthSearch(template, seeds: 1, fraction: 1, minWidth: 2, maxWidth: 4, store, new InProcessExecutor(runner));
        var e = Assert.Throws<RunFailedException>(() => search.Find(query));
        Assert.False(e.BadInput);
        Assert.Equal("the run fc H=1 n=4 softplus m=2 seed 1 failed: OutOfMemoryException: out of memory", e.Message);

        var result = search.Find(query);                     // the failed run is run again, not read back as failed
        Assert.Equal(BisectionStatus.AboveMaximum, result.Status);
        Assert.Equal(3, runner.Calls);                       // m = 2 failed, then m = 2 and m = 4 ran
        Assert.Equal(TrainingStatus.BudgetExhausted, store.Get(SweepCell.Create(0, search.Cell(query, 2, 1)).Key)!.Status);
    }
}
