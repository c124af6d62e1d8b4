using System.Diagnostics;
using System.Text.Json.Nodes;
using Overparam.IO;

namespace Overparam.Tests.Cli;

/// <summary>
/// SIGTERM, what Slurm, `timeout` and container stops send, stops a run as Ctrl-C does (issue 11, item 5), and `gram`
/// on a folder without final weights says why.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class SigTermTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    [Fact]
    public void SigTerm_StopsTheRunCleanly()
    {
        string dir = tmp.File("terminated");
        using var p = CliHarness.Start(["train", "--depth", "2", "--width", "64", "--n", "16", "--d", "8", "--lr", "0.01",
            "--steps", "1000000", "--target-loss", "0", "--threads", "1", "--out", dir]);
        string metrics = Path.Combine(dir, "metrics.csv");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && !p.HasExited)
        {
            if (File.Exists(metrics) && File.ReadLines(metrics).Count() > 20) break;
            Thread.Sleep(50);
        }
        Assert.False(p.HasExited, "the run ended before it could be terminated");
        using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString()])!) { kill.WaitForExit(); Assert.Equal(0, kill.ExitCode); }
        Assert.True(p.WaitForExit(30_000), "the run did not stop after SIGTERM");
        string output = p.StandardOutput.ReadToEnd() + "\n--- stderr ---\n" + p.StandardError.ReadToEnd();

        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;
        Assert.True((string)summary["status"]! == "stopped", summary.ToJsonString() + "\n" + output);
        Assert.StartsWith("stopped:", output);
        var rows = CliHarness.ReadCsv(metrics);
        Assert.Equal((int)summary["steps"]!, (int)CliHarness.D(rows[^1]["step"]));
        Assert.Equal(CliHarness.D(rows[^1]["loss"]), (double)summary["final_loss"]!);
        Assert.Equal([64, 8], SafeTensors.Read(Path.Combine(dir, "final.safetensors"))["W1"].Shape);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        Assert.Equal(1, p.ExitCode);                                            // a stopped run is not a success
    }

    [Fact]
    public void Gram_OnAFolderWithoutFinalWeights_SaysWhy()
    {
        string dir = tmp.File("killed");
        Assert.Equal(0, CliHarness.Run("train", "--depth", "1", "--width", "16", "--n", "6", "--d", "3", "--steps", "2", "--threads", "1", "--quiet", "--out", dir).ExitCode);
        // What a run killed with SIGKILL leaves: no final weights, summary.json still "running".
        File.Delete(Path.Combine(dir, "final.safetensors"));
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!.AsObject();
        summary["status"] = "running";
        File.WriteAllText(Path.Combine(dir, "summary.json"), summary.ToJsonString());

        var r = CliHarness.Run("gram", "--run", dir, "--threads", "1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{dir} has no final.safetensors", r.Err);
        Assert.Contains("still running", r.Err);
        Assert.Contains("--weights init", r.Err);
        Assert.DoesNotContain("--init", r.Err);
        Assert.False(File.Exists(Path.Combine(dir, "gram-final.safetensors")));
        Assert.Equal(0, CliHarness.Run("gram", "--run", dir, "--weights", "init", "--threads", "1").ExitCode);
    }
}
