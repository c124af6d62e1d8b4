using Overparam.Reports;

namespace Overparam.Tests.Cli;

/// <summary>
/// `verify` when runs diverge (issue 11, items 1 and 4): the report is written (the plot code used to loop without end),
/// no claim is judged from diverged runs or from the probe at k = 0 alone, and the diverged runs are listed as such.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class VerifyDivergedRunsTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    [Theory]
    [InlineData("100")]    // the loss grows past 10⁶·L(0) within a few steps
    [InlineData("1e300")]  // the loss is infinite at step 1: only the probe at k = 0 exists
    public void EveryRunDiverged_NoClaimHolds_AndTheReportSaysWhy(string lr)
    {
        var config = tmp.Write("study.json",
            $$"""{"architectures":["fc"],"depths":[1],"widths":[16,32,64],"seeds":1,"n":8,"d":4,"steps":50,"probe_every":1,"lr":{{lr}},"lr_policy":"fixed"}""");
        var dir = tmp.File("report");
        var r = CliHarness.Run("verify", "--config", config, "--out", dir, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("[holds]", r.Out);
        Assert.DoesNotContain("[does not hold", r.Out);
        Assert.Contains("[not enough data]", r.Out);
        Assert.Contains("3 of 3 runs did not finish (3 diverged", r.Out);
        string md = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("## Runs that did not finish", md);
        Assert.Contains("| diverged |", md);
        Assert.Contains("0 of 6 claims hold; 6 without enough data to decide.", md);
        Assert.True(File.Exists(Path.Combine(dir, "loss_fc.png")));
    }

    [Fact]
    public void OnlyTheProbeAtStepZero_IsNotEnoughData() // the target is met at k = 0: the run converged there
    {
        var config = tmp.Write("study.json",
            """{"architectures":["fc"],"depths":[1],"widths":[16],"seeds":1,"n":8,"d":4,"steps":10,"probe_every":1,"target_loss":1e9}""");
        var r = CliHarness.Run("verify", "--config", config, "--out", tmp.File("report"), "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("[holds]", r.Out);
        Assert.Contains("no probe after k = 0", r.Out);
        Assert.DoesNotContain("did not finish", r.Out);
    }

    [Fact]
    public void VerdictText_SaysNotEnoughData() => Assert.Equal("not enough data", VerdictText.Of(Verdict.NotApplicable));
}
