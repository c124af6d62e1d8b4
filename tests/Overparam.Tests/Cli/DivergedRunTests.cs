using System.Text.Json.Nodes;
using Overparam.IO;

namespace Overparam.Tests.Cli;

/// <summary>
/// A diverged run (issue 11, item 8) keeps the last weights before the divergence, says which step they are, reports
/// the loss that belongs to them, and writes no NaN or infinity into any weights file.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class DivergedRunTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static readonly string[] Small = ["--arch", "fc", "--depth", "2", "--width", "32", "--n", "8", "--d", "4", "--threads", "1", "--quiet"];

    private CliResult Train(string dir, params string[] extra) => CliHarness.Run(["train", .. Small, "--out", dir, .. extra]);

    private static JsonNode Summary(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;

    private static void AssertAllFinite(string file)
    {
        foreach (var (name, t) in SafeTensors.Read(file))
            Assert.True(t.AsDoubles().All(double.IsFinite), $"{file}: {name} holds a non-finite value");
    }

    [Fact]
    public void InfiniteLossAtStepOne_KeepsTheInitialWeightsAndLoss()
    {
        string dir = tmp.File("inf");
        var r = Train(dir, "--lr", "1e300", "--steps", "20", "--checkpoint-every", "1");
        Assert.Equal(1, r.ExitCode);
        var s = Summary(dir);
        Assert.Equal("diverged", (string)s["status"]!);
        Assert.Equal(1, (int)s["diverged_at_step"]!);
        Assert.Equal(0, (int)s["final_weights_step"]!);
        Assert.Equal((double)s["initial_loss"]!, (double)s["final_loss"]!);
        Assert.Contains("the weights kept are those of step 0", (string)s["message"]!);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "init.safetensors")), File.ReadAllBytes(Path.Combine(dir, "final.safetensors")));
        foreach (var f in Directory.GetFiles(dir, "*.safetensors")) AssertAllFinite(f);   // init, final, data and the checkpoint
        Assert.True(File.Exists(Path.Combine(dir, "checkpoint.safetensors")));
    }

    [Fact]
    public void LossPastTheDivergenceFactor_KeepsTheStepBefore_AndItsLossIsTheWeightsLoss()
    {
        string dir = tmp.File("grow");
        var r = Train(dir, "--lr", "8", "--steps", "100");
        Assert.Equal(1, r.ExitCode);
        var s = Summary(dir);
        Assert.Equal("diverged", (string)s["status"]!);
        int at = (int)s["diverged_at_step"]!;
        Assert.True(at >= 2, $"diverged at step {at}: the test wants a run that moved before diverging");
        Assert.Equal(at - 1, (int)s["final_weights_step"]!);
        var rows = CliHarness.ReadCsv(Path.Combine(dir, "metrics.csv"));
        Assert.Equal(at - 1, (int)CliHarness.D(rows[^1]["step"]));
        Assert.Equal(CliHarness.D(rows[^1]["loss"]), (double)s["final_loss"]!);
        AssertAllFinite(Path.Combine(dir, "final.safetensors"));

        // Independently: a run started from final.safetensors measures that same loss at its step 0.
        string again = tmp.File("again");
        Assert.Equal(0, Train(again, "--lr", "8", "--steps", "0", "--init", Path.Combine(dir, "final.safetensors")).ExitCode);
        Assert.Equal((double)s["final_loss"]!, CliHarness.D(CliHarness.ReadCsv(Path.Combine(again, "metrics.csv"))[0]["loss"]));
    }

    [Fact]
    public void AFinishedRun_HasNoFinalWeightsStep()
    {
        string dir = tmp.File("ok");
        Assert.Equal(0, Train(dir, "--lr", "0.05", "--steps", "3").ExitCode);
        Assert.Null(Summary(dir)["final_weights_step"]);
        Assert.False(Summary(dir).AsObject().ContainsKey("final_weights_step"));
    }
}
