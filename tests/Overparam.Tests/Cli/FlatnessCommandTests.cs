namespace Overparam.Tests.Cli;

/// <summary>`overparam flatness --run DIR`: the files it writes, the weights it reads, and bad input.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class FlatnessCommandTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static readonly string[] Mixture =
        ["train", "--data", "mixture", "--n", "40", "--d", "5", "--n-test", "50", "--outputs", "2", "--arch", "fc", "--depth", "2", "--width", "8",
         "--parameterization", "standard", "--bias", "--activation", "tanh", "--seed", "3", "--batch-size", "8", "--lr", "0.1", "--momentum", "0.9",
         "--epochs", "3", "--threads", "1", "--quiet"];

    private string Run(string name, params string[] extra)
    {
        string dir = tmp.File(name);
        var r = CliHarness.Run([.. Mixture, .. extra, "--out", dir]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return dir;
    }

    [Fact]
    public void WritesTheCurveAndThePlot_NamedByWeightsAndEnergy_AndRefusesToOverwrite()
    {
        string dir = Run("sgd", "--optimizer", "sgd");
        var r = CliHarness.Run("flatness", "--run", dir, "--sigmas", "0,0.5,1", "--draws", "4", "--threads", "2");
        Assert.True(r.ExitCode == 0, r.ToString());
        var rows = CliHarness.ReadCsv(Path.Combine(dir, "flatness.csv"));
        Assert.Equal(["0", "0.5", "1"], rows.Select(row => row["sigma"]));
        Assert.Equal("0", rows[0]["mean"]);
        Assert.True(CliHarness.D(rows[2]["standard_error"]) > 0);
        foreach (var ext in new[] { "png", "svg", "csv" }) Assert.True(File.Exists(Path.Combine(dir, $"flatness-plot.{ext}")), ext);

        var again = CliHarness.Run("flatness", "--run", dir, "--sigmas", "0,0.5", "--draws", "2");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("flatness.csv exists (an earlier measurement); pass --overwrite to replace it", again.Err);
        Assert.Equal(0, CliHarness.Run("flatness", "--run", dir, "--sigmas", "0,0.5", "--draws", "2", "--overwrite").ExitCode);
        Assert.Equal(2, CliHarness.ReadCsv(Path.Combine(dir, "flatness.csv")).Count);

        var init = CliHarness.Run("flatness", "--run", dir, "--weights", "init", "--energy", "test-loss", "--sigmas", "0,1", "--draws", "2", "--threads", "1");
        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.True(File.Exists(Path.Combine(dir, "flatness-init-test-loss.csv")));
    }

    [Fact]
    public void ReadsAReplica_OfAReplicatedRun()
    {
        string dir = Run("rsgd", "--optimizer", "replicated-sgd", "--replicas", "2", "--gamma-max", "10");
        var r = CliHarness.Run("flatness", "--run", dir, "--weights", "replica-1", "--sigmas", "0,0.5", "--draws", "2");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(File.Exists(Path.Combine(dir, "flatness-replica-1.csv")));
        var missing = CliHarness.Run("flatness", "--run", dir, "--weights", "replica-2");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains($"--weights replica-2: {dir} has no replica-2.safetensors (it has replica-0 … replica-1)", missing.Err);
    }

    [Theory]
    [InlineData("--sigmas 0,-0.5", "--sigmas: σ = -0.5 must be a finite number ≥ 0")]
    [InlineData("--sigmas 0,x", "--sigmas 0,x: \"x\" is not a number")]
    [InlineData("--draws 0", "--draws 0: must be at least 1")]
    [InlineData("--weights replica-0", "has no replica-0.safetensors (only replicated-sgd runs keep replicas)")]
    [InlineData("--weights best", "--weights best: expected init, final or replica-K")]
    [InlineData("--energy accuracy", "--energy accuracy: expected train-error, train-loss, test-error or test-loss")]
    [InlineData("--threads 0", "--threads 0: must be at least 1")]
    public void BadInput_IsExit2_AndWritesNothing(string extra, string message)
    {
        string dir = Run("run", "--optimizer", "sgd");
        var r = CliHarness.Run(["flatness", "--run", dir, .. extra.Split(' ')]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains(message, r.Err);
        Assert.False(File.Exists(Path.Combine(dir, "flatness.csv")));
    }

    [Fact]
    public void AFolderWithoutARun_OrWithoutFinalWeights_IsExit2()
    {
        var none = CliHarness.Run("flatness", "--run", tmp.File("nothing"));
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("no config.json (not a run folder)", none.Err);
        string dir = Run("unfinished", "--optimizer", "sgd");
        File.Delete(Path.Combine(dir, "final.safetensors"));
        var unfinished = CliHarness.Run("flatness", "--run", dir);
        Assert.Equal(2, unfinished.ExitCode);
        Assert.Contains("has no final.safetensors (summary.json says budget_exhausted)", unfinished.Err);   // deleted by hand: the reason comes from summary.json
    }
}
