using System.Text.Json.Nodes;

namespace Overparam.Tests.Cli;

/// <summary>`overparam expressivity`, --probe-expressivity-every, --two-phase-at and --lr-hidden through the CLI, and their bad input.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class PracticalSizesCliTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static readonly string[] Small =
        ["train", "--arch", "fc", "--depth", "2", "--n", "24", "--d", "5", "--parameterization", "standard", "--bias",
         "--loss", "mse", "--optimizer", "sgd", "--momentum", "0.9", "--lr", "0.05", "--batch-size", "8", "--epochs", "3", "--threads", "1", "--quiet"];

    private CliResult Train(string dir, params string[] extra) =>
        CliHarness.Run([.. Small, .. extra.Contains("--width") ? Array.Empty<string>() : ["--width", "40"], .. extra, "--out", dir]);

    private static void AssertBadInput(CliResult r, string dir, params string[] fragments)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        foreach (var f in fragments) Assert.True(r.Err.Contains(f, StringComparison.Ordinal), $"missing \"{f}\" in:\n{r}");
        Assert.False(Directory.Exists(dir), "a run folder was left behind");
    }

    [Fact]
    public void NegativeTauIsBadInput() => AssertBadInput(Train(tmp.File("r"), "--two-phase-at", "-1"), tmp.File("r"), "--two-phase-at -1", "τ must be ≥ 0");

    [Fact]
    public void TauBeyondTheRunWithRequireConditionIsBadInput() =>
        AssertBadInput(Train(tmp.File("r"), "--two-phase-at", "3", "--require-condition"), tmp.File("r"), "--two-phase-at 3 (epochs)", "beyond the run");

    [Fact]
    public void TwoPhaseSettingsWithoutTauAreBadInput() =>
        AssertBadInput(Train(tmp.File("r"), "--two-phase-keep", "0.3"), tmp.File("r"), "--two-phase-keep", "--two-phase-at");

    [Fact]
    public void AKeepOutsideTheUnitIntervalIsBadInput() =>
        AssertBadInput(Train(tmp.File("r"), "--two-phase-at", "1", "--two-phase-keep", "1.5"), tmp.File("r"), "--two-phase-keep 1.5");

    [Fact]
    public void AnUnknownCheckIsBadInput() =>
        AssertBadInput(Train(tmp.File("r"), "--two-phase-at", "1", "--two-phase-check", "maybe"), tmp.File("r"), "--two-phase-check maybe", "exact, certified");

    [Fact]
    public void ACheckWithoutTauIsBadInput() =>
        AssertBadInput(Train(tmp.File("r"), "--two-phase-check", "certified"), tmp.File("r"), "--two-phase-check", "--two-phase-at");

    [Fact]
    public void LrHiddenWithFrozenHiddenLayersIsBadInput() =>
        AssertBadInput(Train(tmp.File("r"), "--lr-hidden", "0.01", "--train", "output"), tmp.File("r"), "--lr-hidden", "--train output");

    [Fact]
    public void ACertifiedTwoPhaseRunIsTheExactRunsLossCurve()
    {
        // width 40 > n = 24: the condition holds at τ = 1 epoch; the two runs make the same decisions, so the same losses
        string exact = tmp.File("exact"), certified = tmp.File("certified");
        Assert.Equal(0, Train(exact, "--two-phase-at", "1").ExitCode);
        var r = Train(certified, "--two-phase-at", "1", "--two-phase-check", "certified");
        Assert.True(r.ExitCode == 0, r.ToString());
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(certified, "two-phase.json")))!;
        Assert.Equal("certified", (string)json["check"]!);
        Assert.True((int)json["checks"]! > 0);
        var (exactRows, certifiedRows) = (CliHarness.ReadCsv(Path.Combine(exact, "metrics.csv")), CliHarness.ReadCsv(Path.Combine(certified, "metrics.csv")));
        Assert.Equal(exactRows.Select(row => row["loss"]), certifiedRows.Select(row => row["loss"]));
        Assert.True(CliHarness.D(exactRows[^1]["sigma_ratio"]) >= 0.5);
        Assert.Equal("", certifiedRows[^1]["sigma_ratio"]);           // proven σ_min > s_τ/2, its value not computed
    }

    [Fact]
    public void AFailedConditionWithRequireConditionStopsTheRun()
    {
        string dir = tmp.File("r");
        var r = Train(dir, "--width", "10", "--two-phase-at", "1", "--require-condition");
        Assert.True(r.ExitCode == 1 && File.Exists(Path.Combine(dir, "summary.json")), r.ToString());
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;
        Assert.Equal("failed", (string)summary["status"]!);
        Assert.Contains("rank Φ_τ = 10 < n = 24", (string)summary["message"]!);
        Assert.False((bool)JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "two-phase.json")))!["condition_holds"]!);
    }

    [Fact]
    public void ExpressivityCommandAnswersYesOrNoAndWritesTheFile()
    {
        string dir = tmp.File("r");
        Assert.Equal(0, Train(dir, "--probe-expressivity-every", "1").ExitCode);
        var header = File.ReadLines(Path.Combine(dir, "metrics.csv")).First().Split(',');
        Assert.Contains("sigma_min_phi", header);
        Assert.Contains("rank_phi", header);
        var r = CliHarness.Run("expressivity", "--run", dir, "--weights", "init", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("expressivity condition (rank = 24): yes", r.Out);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "expressivity-init.json")))!;
        Assert.Equal(24, (int)json["rank"]!);
        Assert.True((bool)json["condition_holds"]!);
        var jacobian = CliHarness.Run("expressivity", "--run", dir, "--block", "W2", "--threads", "1");
        Assert.True(jacobian.ExitCode == 0, jacobian.ToString());
        Assert.True(File.Exists(Path.Combine(dir, "expressivity-W2.json")));
        Assert.Equal(2, CliHarness.Run("expressivity", "--run", dir, "--weights", "step-3").ExitCode);
        Assert.Equal(2, CliHarness.Run("expressivity", "--run", dir, "--block", "W9").ExitCode);
        Assert.Equal(2, CliHarness.Run("expressivity", "--run", dir, "--weights", "checkpoint").ExitCode);
    }
}
