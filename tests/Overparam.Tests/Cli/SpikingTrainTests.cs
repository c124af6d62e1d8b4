using System.Text.Json.Nodes;
using Overparam.Experiments;

namespace Overparam.Tests.Cli;

/// <summary>`train --arch snn` with grad-r: the run folder's columns and records, resume to the same bits, and bad input (exit 2).</summary>
[Collection(ConsoleCollection.Name)]
public sealed class SpikingTrainTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static readonly string[] Mixture =
        ["train", "--data", "mixture", "--n", "32", "--d", "6", "--n-test", "40", "--outputs", "2", "--arch", "snn", "--depth", "1", "--width", "12",
         "--raw", "--seed", "3", "--batch-size", "8", "--lr", "0.01", "--threads", "1", "--quiet"];

    private CliResult Train(string dir, params string[] extra) => CliHarness.Run([.. Mixture, .. extra, "--out", dir]);

    [Fact]
    public void GradR_WritesConnectivityRegrowthAndSpikeRates()
    {
        string dir = tmp.File("g");
        var r = Train(dir, "--optimizer", "grad-r", "--prior-alpha", "0.5", "--target-sparsity", "0.9", "--epochs", "3", "--eval-every", "1", "--time-steps", "4");
        Assert.True(r.ExitCode == 0, r.ToString());
        var rows = CliHarness.ReadCsv(Path.Combine(dir, "metrics.csv"));
        foreach (var c in new[] { "connectivity", "connectivity_all", "connectivity_W1", "pruned_W1", "regrown_W1", "connectivity_a", "pruned_a", "regrown_a", "spike_rate_1", "spike_rate_2" })
            Assert.True(rows[0].ContainsKey(c), $"no column {c}");
        Assert.Equal("1", rows[0]["connectivity"]);
        double last = double.Parse(rows[^1]["connectivity"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(last < 1, $"connectivity {last} after 12 steps at α = 0.5");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!["resolved"]!;
        Assert.Equal(4, (int)config["spiking"]!["time_steps"]!);
        Assert.Equal("atan", (string)config["spiking"]!["surrogate"]!);
        Assert.Equal("rate", (string)config["spiking"]!["readout"]!);
        Assert.Equal("mse", (string)config["loss_name"]!);
        Assert.Equal(Math.Log(0.2) / 0.5, (double)config["grad_r"]!["prior_centre"]!, 12);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;
        Assert.Equal(last, (double)summary["final_probes"]!["connectivity"]!, 12);
    }

    [Fact]
    public void GradR_AlphaZero_RecordsNoPriorCentre()
    {
        string dir = tmp.File("a0");
        var r = Train(dir, "--optimizer", "grad-r", "--prior-alpha", "0", "--steps", "2");
        Assert.True(r.ExitCode == 0, r.ToString());
        var gradR = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!["resolved"]!["grad_r"]!;
        Assert.Null(gradR["prior_centre"]);
        Assert.False((bool)gradR["prior_active"]!);
    }

    [Fact]
    public void CrossEntropy_ReadsOutCounts()
    {
        string dir = tmp.File("ce");
        var r = Train(dir, "--optimizer", "adam", "--loss", "cross-entropy", "--steps", "3");
        Assert.True(r.ExitCode == 0, r.ToString());
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!["resolved"]!;
        Assert.Equal("count", (string)config["spiking"]!["readout"]!);
        Assert.Contains("connectivity", File.ReadLines(Path.Combine(dir, "metrics.csv")).First().Split(','));
    }

    [Fact]
    public void GradR_StoppedAndResumed_EndsWithTheSameBits()
    {
        var spec = new RunSpec
        {
            Architecture = "snn", Data = "mixture", N = 32, D = 6, NTest = 40, Outputs = 2, Depth = 1, Width = 12, RawInputs = true, Seed = 3,
            BatchSize = 8, LrPolicy = "fixed", Lr = 0.01, Optimizer = "grad-r", PriorAlpha = 0.5, TargetSparsity = 0.9, Steps = 14,
            CheckpointEvery = 3, EvalEvery = 1, TimeSteps = 4,
        };
        string clean = tmp.File("clean"), stopped = tmp.File("stopped");
        RunExecutor.Execute(spec, clean);
        using var cancel = new CancellationTokenSource();
        var outcome = RunExecutor.Execute(spec, stopped, new StopAt(8, cancel), cancel.Token);
        Assert.Equal(Overparam.Training.TrainingStatus.Stopped, outcome.Status);
        RunExecutor.Resume(stopped, null);
        Assert.Equal(File.ReadAllBytes(Path.Combine(clean, "final.safetensors")), File.ReadAllBytes(Path.Combine(stopped, "final.safetensors")));
        static IEnumerable<string> WithoutSeconds(string dir) => CliHarness.ReadCsv(Path.Combine(dir, "metrics.csv"))
            .Select(m => string.Join(",", m.Where(kv => kv.Key != "seconds").Select(kv => kv.Value)));
        Assert.Equal(WithoutSeconds(clean), WithoutSeconds(stopped));
    }

    private sealed class StopAt(int step, CancellationTokenSource cancel) : IProgress<RunProgress>
    {
        public void Report(RunProgress p) { if (p.Step >= step) cancel.Cancel(); }
    }

    [Theory]
    [InlineData("--target-sparsity 0.3 --optimizer grad-r", "--target-sparsity 0.3")]
    [InlineData("--prior-alpha -1 --optimizer grad-r", "--prior-alpha -1")]
    [InlineData("--time-steps 0", "--time-steps 0")]
    [InlineData("--tau 0", "--tau 0")]
    [InlineData("--tau -2", "--tau -2")]
    [InlineData("--surrogate-alpha 0", "--surrogate-alpha 0")]
    [InlineData("--surrogate box", "--surrogate box")]
    [InlineData("--probe-every 1", "--probe-every 1")]
    [InlineData("--lr-policy theory", "no infinite-width kernel")]
    [InlineData("--lr-policy stable", "--lr-policy stable")]
    [InlineData("--bias", "--bias")]
    [InlineData("--true-gradient --optimizer adam", "--true-gradient")]
    public void BadInput_ExitsTwo_WithoutARunFolder(string options, string fragment)
    {
        string dir = tmp.File("bad");
        var r = Train(dir, options.Split(' '));
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains(fragment, r.Err);
        Assert.False(Directory.Exists(dir), "a run folder was left behind");
    }

    [Fact]
    public void SpikingOptions_OnANetworkThatDoesNotSpike_AreBadInput()
    {
        string dir = tmp.File("fc");
        var r = CliHarness.Run(["train", "--data", "mixture", "--n", "16", "--d", "4", "--outputs", "2", "--depth", "1", "--width", "4", "--lr", "0.1",
            "--steps", "2", "--threads", "1", "--quiet", "--time-steps", "4", "--out", dir]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("--time-steps: only for --arch snn", r.Err);
    }
}
