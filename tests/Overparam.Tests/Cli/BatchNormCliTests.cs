using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Overparam.IO;
using Overparam.Tests.Sweeps;

namespace Overparam.Tests.Cli;

/// <summary>`train --batch-norm` through the CLI: its tensors in the files, kill and resume to the same bits, the statistics frozen at τ, bad input.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class BatchNormCliTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static readonly string[] Small =
        ["train", "--arch", "resnet", "--depth", "3", "--width", "8", "--feature-width", "24", "--n", "16", "--d", "5", "--parameterization", "standard",
         "--batch-norm", "--optimizer", "sgd", "--momentum", "0.9", "--lr", "0.01", "--loss", "mse", "--batch-size", "8", "--threads", "1", "--quiet"];

    /// <summary>Small with <paramref name="extra"/>'s options replacing its own (an option and its value) or added.</summary>
    private CliResult Train(string dir, params string[] extra)
    {
        var args = Small.ToList();
        for (int i = 0; i < extra.Length; i++)
        {
            int at = extra[i].StartsWith("--", StringComparison.Ordinal) ? args.IndexOf(extra[i]) : -1;
            bool hasValue = i + 1 < extra.Length && !extra[i + 1].StartsWith("--", StringComparison.Ordinal);
            if (at >= 0 && hasValue) { args[at + 1] = extra[++i]; continue; }
            args.Add(extra[i]);
            if (hasValue) args.Add(extra[++i]);
        }
        return CliHarness.Run([.. args, "--out", dir]);
    }

    [Fact]
    public void TheFilesHoldGammaBetaAndTheRunningStatistics()
    {
        string dir = tmp.File("r");
        var r = Train(dir, "--steps", "6", "--eval-every", "1");
        Assert.True(r.ExitCode == 0, r.ToString());
        var init = SafeTensors.Read(Path.Combine(dir, "init.safetensors"));
        var final = SafeTensors.Read(Path.Combine(dir, "final.safetensors"));
        string[] expected = ["W1", "bn1.weight", "bn1.bias", "W2", "bn2.weight", "bn2.bias", "W3", "bn3.weight", "bn3.bias", "a",
            "bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var", "bn3.running_mean", "bn3.running_var"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), final.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Order(StringComparer.Ordinal), init.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([24], final["bn3.running_var"].Shape);
        Assert.All(init["bn2.running_var"].AsDoubles(), v => Assert.Equal(1.0, v));
        Assert.All(init["bn2.weight"].AsDoubles(), v => Assert.Equal(1.0, v));
        Assert.NotEqual(init["bn2.running_mean"].AsDoubles(), final["bn2.running_mean"].AsDoubles());   // 7 training forward passes moved them
        Assert.NotEqual(init["bn2.weight"].AsDoubles(), final["bn2.weight"].AsDoubles());               // γ trains
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        Assert.True((bool)config["spec"]!["batch_norm"]!);
        Assert.Equal(0.1, (double)config["resolved"]!["batch_norm"]!["momentum"]!);

        var e = CliHarness.Run("expressivity", "--run", dir, "--threads", "1");
        Assert.True(e.ExitCode == 0, e.ToString());
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "expressivity.json")))!;
        Assert.Equal((16, 24), ((int)json["rows"]!, (int)json["cols"]!));
    }

    [Fact]
    public void WithoutTheOptionConfigIsAsItWas()
    {
        string dir = tmp.File("r");
        Assert.Equal(0, CliHarness.Run([.. Small.Where(a => a != "--batch-norm"), "--steps", "2", "--out", dir]).ExitCode);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        Assert.False(config["spec"]!.AsObject().ContainsKey("batch_norm"));
        Assert.False(config["resolved"]!.AsObject().ContainsKey("batch_norm"));
        Assert.DoesNotContain(SafeTensors.Read(Path.Combine(dir, "final.safetensors")).Keys, k => k.StartsWith("bn", StringComparison.Ordinal));
    }

    /// <summary>At τ the statistics freeze: the running statistics of a two-phase run are those of the base run stopped at τ (whose last evaluation is step τ's forward pass too).</summary>
    [Fact]
    public void TheTwoPhaseRuleFreezesTheStatisticsAtTau()
    {
        string twoPhase = tmp.File("two"), baseRun = tmp.File("base");
        var r = Train(twoPhase, "--steps", "40", "--two-phase-at", "30");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True((bool)JsonNode.Parse(File.ReadAllText(Path.Combine(twoPhase, "two-phase.json")))!["condition_holds"]!);
        Assert.Equal(0, Train(baseRun, "--steps", "30").ExitCode);
        var a = SafeTensors.Read(Path.Combine(twoPhase, "final.safetensors"));
        var b = SafeTensors.Read(Path.Combine(baseRun, "final.safetensors"));
        foreach (var name in a.Keys.Where(k => k.Contains(".running_", StringComparison.Ordinal)))
            Assert.Equal(b[name].AsDoubles(), a[name].AsDoubles());
        Assert.NotEqual(b["W2"].AsDoubles(), a["W2"].AsDoubles());                     // while phase 2 kept training
    }

    [Theory]
    [InlineData(new[] { "--parameterization", "ntk" }, "--batch-norm needs --parameterization standard")]
    [InlineData(new[] { "--batch-size", "5" }, "a batch of one sample")]
    [InlineData(new[] { "--optimizer", "replicated-sgd" }, "--batch-norm with replicated-sgd")]
    [InlineData(new[] { "--lr-policy", "stable" }, "--lr-policy stable")]
    [InlineData(new[] { "--probe-every", "1" }, "infinite-width kernel")]
    public void BadInputIsRefused(string[] extra, string fragment)
    {
        string dir = tmp.File("bad");
        var r = Train(dir, [.. extra, "--steps", "2"]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.True(r.Err.Contains(fragment, StringComparison.Ordinal), $"missing \"{fragment}\" in:\n{r}");
        Assert.False(Directory.Exists(dir), "a run folder was left behind");
    }

    [Fact]
    public void TheConvNetHasNoBatchNorm()
    {
        string dir = tmp.File("bad");
        var r = CliHarness.Run("train", "--arch", "convresnet", "--depth", "2", "--width", "4", "--n", "8", "--parameterization", "standard", "--batch-norm",
            "--lr", "0.01", "--steps", "1", "--quiet", "--out", dir);
        Assert.True(r.ExitCode == 2 && r.Err.Contains("--batch-norm: only for fc or resnet", StringComparison.Ordinal), r.ToString());
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void KilledAndResumed_EndsWithTheSameBitsAsAnUninterruptedRun()
    {
        string[] run = ["train", "--data", "mixture", "--n", "192", "--d", "20", "--n-test", "64", "--outputs", "2", "--arch", "resnet", "--depth", "3",
            "--width", "128", "--feature-width", "256", "--parameterization", "standard", "--batch-norm", "--optimizer", "sgd",
            "--momentum", "0.9", "--lr", "0.02", "--batch-size", "32", "--epochs", "60", "--eval-every", "10", "--checkpoint-every", "25",
            "--two-phase-at", "20", "--seed", "4", "--threads", "1", "--quiet"];
        string clean = tmp.File("clean"), killed = tmp.File("killed");
        var r = CliHarness.Run([.. run, "--out", clean]);
        Assert.True(r.ExitCode == 0, r.ToString());

        using (var p = Process.Start(CliProcess.StartInfo(tmp.Path, [.. run, "--out", killed]))!)
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(60) && !p.HasExited && NextStep(killed) < 150) Thread.Sleep(5);
            Assert.False(p.HasExited, "the run finished before it could be killed");
            using (var kill = Process.Start("kill", ["-9", p.Id.ToString(CultureInfo.InvariantCulture)])) kill.WaitForExit();
            p.WaitForExit();
            Assert.Equal(137, p.ExitCode);
        }
        Assert.False(File.Exists(Path.Combine(killed, "final.safetensors")));
        Assert.Contains("bn3.running_var", SafeTensors.Read(Path.Combine(killed, "checkpoint.safetensors")).Keys);
        var resumed = CliHarness.Run("train", "--resume", killed, "--threads", "1", "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(clean, "final.safetensors")), File.ReadAllBytes(Path.Combine(killed, "final.safetensors")));
        static List<string> WithoutSeconds(string dir) => CliHarness.ReadCsv(Path.Combine(dir, "metrics.csv"))
            .Select(m => string.Join(",", m.Where(kv => kv.Key != "seconds").Select(kv => kv.Value))).ToList();
        Assert.Equal(WithoutSeconds(clean), WithoutSeconds(killed));
    }

    private static int NextStep(string dir)
    {
        string file = Path.Combine(dir, "checkpoint.safetensors");
        try { return File.Exists(file) && SafeTensors.Read(file, out var meta) is not null ? int.Parse(meta["next_step"], CultureInfo.InvariantCulture) : 0; }
        catch (Exception e) when (e is IOException or InvalidDataException) { return 0; }
    }
}
