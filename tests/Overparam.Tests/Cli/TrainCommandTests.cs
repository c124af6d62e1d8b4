using System.Diagnostics;
using System.Text.Json.Nodes;
using Overparam.IO;

namespace Overparam.Tests.Cli;

/// <summary>`overparam train` end to end: warnings, reproducibility, --init, float32, Ctrl-C.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class TrainCommandTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static readonly string[] Small = ["--arch", "fc", "--depth", "2", "--width", "32", "--n", "8", "--d", "4", "--lr", "0.05", "--threads", "1", "--quiet"];

    private CliResult Train(string dir, params string[] extra) => CliHarness.Run(["train", .. Small, "--out", dir, .. extra]);

    [Fact]
    public void DuplicateAndParallelInputs_WarnThatLambda0WillBeZero()
    {
        // Row 3 repeats row 1; row 4 is 2 × row 2 (parallel, identical after normalization).
        var csv = tmp.Write("dup.csv", "1,2,3,0.5\n0,1,-1,1\n1,2,3,-0.5\n0,2,-2,0.3\n3,-1,0.5,0.2\n");
        var r = CliHarness.Run(["train", "--depth", "2", "--width", "16", "--steps", "5", "--threads", "1", "--quiet", "--data", "csv:" + csv, "--out", tmp.File("run")]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("warning: inputs 1 and 3 are parallel", r.Err);
        Assert.Contains("warning: inputs 2 and 4 are parallel", r.Err);
        Assert.Contains("λ₀ will be 0", r.Err);
        Assert.DoesNotContain("parallel", r.Out);
    }

    // metrics.csv minus the `seconds` column, which is wall-clock time and differs between runs.
    private static List<string> MetricsWithoutSeconds(string dir) =>
        CliHarness.ReadCsv(Path.Combine(dir, "metrics.csv"))
            .Select(row => string.Join(",", row.Where(kv => kv.Key != "seconds").Select(kv => kv.Key + "=" + kv.Value))).ToList();

    [Fact]
    public void SameSeed_BitIdenticalMetricsAndWeights_DifferentSeed_Differs()
    {
        string a = tmp.File("a"), b = tmp.File("b"), c = tmp.File("c");
        string[] extra = ["--steps", "30", "--probe-every", "10", "--seed", "5"];
        Assert.Equal(0, Train(a, extra).ExitCode);
        Assert.Equal(0, Train(b, extra).ExitCode);
        Assert.Equal(0, Train(c, ["--steps", "30", "--probe-every", "10", "--seed", "6"]).ExitCode);

        var ma = MetricsWithoutSeconds(a);
        Assert.Equal(31, ma.Count);
        Assert.Equal(ma, MetricsWithoutSeconds(b));          // every column but seconds, as exact text ("R" round-trip)
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "final.safetensors")), File.ReadAllBytes(Path.Combine(b, "final.safetensors")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "init.safetensors")), File.ReadAllBytes(Path.Combine(b, "init.safetensors")));

        Assert.NotEqual(ma, MetricsWithoutSeconds(c));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a, "final.safetensors")), File.ReadAllBytes(Path.Combine(c, "final.safetensors")));
        // (--data-seed defaults to --seed, so both the data and the weights differ here.)
        Assert.NotEqual(CliHarness.ReadCsv(Path.Combine(a, "metrics.csv"))[0]["loss"], CliHarness.ReadCsv(Path.Combine(c, "metrics.csv"))[0]["loss"]);
    }

    [Fact]
    public void InitFromFinalWeights_StartsAtTheFirstRunsFinalLoss()
    {
        string first = tmp.File("first"), second = tmp.File("second");
        Assert.Equal(0, Train(first, "--steps", "20", "--seed", "3").ExitCode);
        var r = Train(second, "--steps", "0", "--seed", "3", "--init", Path.Combine(first, "final.safetensors"));
        Assert.True(r.ExitCode == 0, r.ToString());

        var m1 = CliHarness.ReadCsv(Path.Combine(first, "metrics.csv"));
        var m2 = CliHarness.ReadCsv(Path.Combine(second, "metrics.csv"));
        Assert.Equal("20", m1[^1]["step"]);
        Assert.Equal("0", m2[0]["step"]);
        Assert.Equal(CliHarness.D(m1[^1]["loss"]), CliHarness.D(m2[0]["loss"]));   // exactly
        var s1 = JsonNode.Parse(File.ReadAllText(Path.Combine(first, "summary.json")))!;
        var s2 = JsonNode.Parse(File.ReadAllText(Path.Combine(second, "summary.json")))!;
        Assert.Equal((double)s1["final_loss"]!, (double)s2["initial_loss"]!);
        // With no steps the weights are written back unchanged.
        var w1 = SafeTensors.Read(Path.Combine(first, "final.safetensors"));
        var w2 = SafeTensors.Read(Path.Combine(second, "final.safetensors"));
        foreach (var name in new[] { "W1", "W2", "a" }) Assert.Equal(w1[name].AsDoubles(), w2[name].AsDoubles());
    }

    [Fact]
    public void Float32_RecordsDtypeAndAgreesWithFloat64AtStepZero()
    {
        string f64 = tmp.File("f64"), f32 = tmp.File("f32");
        Assert.Equal(0, Train(f64, "--steps", "10").ExitCode);
        var r = Train(f32, "--steps", "10", "--dtype", "float32");
        Assert.True(r.ExitCode == 0, r.ToString());
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(f32, "config.json")))!;
        Assert.Equal("float32", (string)config["resolved"]!["dtype"]!);
        double l64 = CliHarness.D(CliHarness.ReadCsv(Path.Combine(f64, "metrics.csv"))[0]["loss"]);
        double l32 = CliHarness.D(CliHarness.ReadCsv(Path.Combine(f32, "metrics.csv"))[0]["loss"]);
        Assert.True(Math.Abs(l32 - l64) <= 1e-5 * Math.Abs(l64), $"float32 {l32} vs float64 {l64}");
        Assert.NotEqual(l64, l32);                                             // really computed in float32
        Assert.Equal(TensorDType.F32, SafeTensors.Read(Path.Combine(f32, "final.safetensors"))["a"].DType);
    }

    [Fact]
    public void CtrlC_StopsCleanly()
    {
        string dir = tmp.File("stopped");
        using var p = CliHarness.Start(["train", "--depth", "2", "--width", "64", "--n", "16", "--d", "8", "--lr", "0.01",
            "--steps", "100000", "--target-loss", "0", "--threads", "1", "--out", dir]);
        string metrics = Path.Combine(dir, "metrics.csv");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && !p.HasExited)
        {
            if (File.Exists(metrics) && File.ReadLines(metrics).Count() > 20) break;
            Thread.Sleep(50);
        }
        Assert.False(p.HasExited, "the run ended before it could be interrupted");
        int killCode;
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString()])!) { kill.WaitForExit(); killCode = kill.ExitCode; }
        Assert.Equal(0, killCode);
        Assert.True(p.WaitForExit(30_000), "the run did not stop after SIGINT");
        string err = p.StandardError.ReadToEnd() + "\n--- stdout ---\n" + p.StandardOutput.ReadToEnd();

        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;
        Assert.True((string)summary["status"]! == "stopped", summary.ToJsonString() + "\n" + err);
        var rows = CliHarness.ReadCsv(metrics);
        Assert.True(rows.Count > 20);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(i, (int)CliHarness.D(rows[i]["step"]));
            Assert.True(double.IsFinite(CliHarness.D(rows[i]["loss"])));
        }
        Assert.True(rows.Count < 100001);
        var final = SafeTensors.Read(Path.Combine(dir, "final.safetensors"));
        Assert.Equal([64, 8], final["W1"].Shape);
        Assert.Equal((int)summary["steps"]!, (int)CliHarness.D(rows[^1]["step"]));
        Assert.NotEqual(0, p.ExitCode);                                        // a stopped run is not a success
    }
}
