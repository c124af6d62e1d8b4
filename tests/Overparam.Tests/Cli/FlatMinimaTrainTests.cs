using System.Text.Json.Nodes;
using Overparam.Experiments;
using Overparam.IO;

namespace Overparam.Tests.Cli;

/// <summary>`train --optimizer entropy-sgd | replicated-sgd`: run folders, the limits through the CLI, resume, and bad input.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class FlatMinimaTrainTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static readonly string[] Mixture =
        ["train", "--data", "mixture", "--n", "24", "--d", "5", "--n-test", "50", "--outputs", "2", "--arch", "fc", "--depth", "2", "--width", "8",
         "--parameterization", "standard", "--bias", "--activation", "tanh", "--seed", "3", "--batch-size", "6", "--lr", "0.1", "--momentum", "0.9",
         "--threads", "1", "--quiet"];

    private CliResult Train(string dir, params string[] extra) => CliHarness.Run([.. Mixture, .. extra, "--out", dir]);

    /// <summary>The same run with two threads, BLAS on one (Mixture without its closing "--threads 1 --quiet").</summary>
    private CliResult TrainOnTwoCores(string dir, params string[] extra) =>
        CliHarness.Run([.. Mixture[..^3], .. extra, "--threads", "2", "--blas-threads", "1", "--quiet", "--out", dir]);

    [Fact]
    public void ReplicatedSgd_KeepsEveryReplica_AndTheCentreAsFinal()
    {
        string dir = tmp.File("r");
        var r = Train(dir, "--optimizer", "replicated-sgd", "--replicas", "3", "--epochs", "2", "--eval-every", "1", "--gamma-max", "10");
        Assert.True(r.ExitCode == 0, r.ToString());
        var replicas = Enumerable.Range(0, 3).Select(a => SafeTensors.Read(Path.Combine(dir, $"replica-{a}.safetensors"))).ToArray();
        var final = SafeTensors.Read(Path.Combine(dir, "final.safetensors"));
        foreach (var (name, t) in final)
        {
            var v = t.AsDoubles();
            for (int i = 0; i < v.Length; i++)
                Assert.Equal((replicas[0][name].AsDoubles()[i] + replicas[1][name].AsDoubles()[i] + replicas[2][name].AsDoubles()[i]) / 3, v[i]);
        }
        Assert.NotEqual(replicas[0]["W1"].AsDoubles(), replicas[1]["W1"].AsDoubles());
        var header = File.ReadLines(Path.Combine(dir, "metrics.csv")).First().Split(',');
        Assert.Contains("gamma", header);
        Assert.Contains("test_error", header);
        var flat = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!["resolved"]!["flat_minima"]!;
        Assert.Equal(3, (int)flat["replicas"]!);
    }

    [Fact]
    public void ReplicatedSgdWithOneReplica_WritesTheSgdRunsFinalWeights()
    {
        string sgd = tmp.File("sgd"), one = tmp.File("one");
        Assert.Equal(0, Train(sgd, "--optimizer", "sgd", "--nesterov", "--weight-decay", "1e-3", "--epochs", "3").ExitCode);
        Assert.Equal(0, Train(one, "--optimizer", "replicated-sgd", "--replicas", "1", "--nesterov", "--weight-decay", "1e-3", "--epochs", "3").ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(sgd, "final.safetensors")), File.ReadAllBytes(Path.Combine(one, "final.safetensors")));
    }

    [Fact]
    public void FairBudget_ReadsAsManyBatchesAsSgd()
    {
        string dir = tmp.File("e");
        var r = Train(dir, "--optimizer", "entropy-sgd", "--inner-steps", "2", "--gamma0", "0.5", "--gamma-max", "10", "--epochs", "4", "--fair-budget");
        Assert.True(r.ExitCode == 0, r.ToString());
        var rows = CliHarness.ReadCsv(Path.Combine(dir, "metrics.csv"));
        Assert.Equal(4 * 4 / 2 + 1, rows.Count);                 // 16 batches of SGD's 4 epochs = 8 outer steps of 2 batches, and the last evaluation
        Assert.Equal("4", rows[^1]["epoch"]);
        Assert.Equal(0.5 * Math.Pow(10, 7 / 8.0), double.Parse(rows[^2]["gamma"], System.Globalization.CultureInfo.InvariantCulture), 1e-12);
    }

    /// <summary>
    /// Runs with noise, momentum and the automatic γ0 (Entropy-SGD), or three replicas with the balanced γ0
    /// (Replicated-SGD), stopped and resumed from their checkpoint, end with the bits of an uninterrupted run.
    /// </summary>
    /// <summary>
    /// Entropy-SGD with noise on a net of several noise blocks: element-wise work on one thread (the noise drawn by the
    /// caller) and on two (drawn ahead by the worker thread) end with the same bits, BLAS on one thread in both.
    /// </summary>
    [Fact]
    public void EntropySgdNoise_DrawnAheadOrNot_EndsWithTheSameBits()
    {
        var spec = new RunSpec
        {
            Data = "mixture", N = 24, D = 5, NTest = 50, Outputs = 2, Depth = 2, Width = 100, Parameterization = "standard", Bias = true,
            Activation = "tanh", Seed = 3, BatchSize = 6, LrPolicy = "fixed", Lr = 0.1, Momentum = 0.9, Optimizer = "entropy-sgd", GammaMax = 10,
            Steps = 6, InnerSteps = 3, SgldNoise = 1e-2, SgldLr = 0.01,
        };
        var (blas, chunks) = (Overparam.Numerics.LinearAlgebra.Backend.Threads, Overparam.Numerics.Chunks.Threads);
        try
        {
            Overparam.Numerics.LinearAlgebra.Backend.Threads = 1;
            var finals = new[] { 1, 2 }.Select(threads =>
            {
                Overparam.Numerics.Chunks.Threads = threads;
                string dir = tmp.File($"threads-{threads}");
                RunExecutor.Execute(spec, dir);
                return File.ReadAllBytes(Path.Combine(dir, "final.safetensors"));
            }).ToArray();
            Assert.Equal(finals[0], finals[1]);
        }
        finally { (Overparam.Numerics.LinearAlgebra.Backend.Threads, Overparam.Numerics.Chunks.Threads) = (blas, chunks); }
    }

    [Theory]
    [InlineData("entropy-sgd")]
    [InlineData("replicated-sgd")]
    public void StoppedAndResumed_EndsWithTheSameBits(string optimizer)
    {
        var spec = new RunSpec
        {
            Data = "mixture", N = 24, D = 5, NTest = 50, Outputs = 2, Depth = 2, Width = 8, Parameterization = "standard", Bias = true,
            Activation = "tanh", Seed = 3, BatchSize = 6, LrPolicy = "fixed", Lr = 0.1, Momentum = 0.9, Optimizer = optimizer, GammaMax = 10,
            Steps = 12, CheckpointEvery = 3, EvalEvery = 1,
        };
        spec = optimizer == "entropy-sgd" ? spec with { InnerSteps = 3, SgldNoise = 1e-3, SgldLr = 0.01 } : spec with { Replicas = 3 };
        string clean = tmp.File("clean"), stopped = tmp.File("stopped");
        RunExecutor.Execute(spec, clean);
        using var cancel = new CancellationTokenSource();
        var outcome = RunExecutor.Execute(spec, stopped, new StopAt(7, cancel), cancel.Token);
        Assert.Equal(Overparam.Training.TrainingStatus.Stopped, outcome.Status);
        RunExecutor.Resume(stopped, null);
        foreach (var file in Directory.GetFiles(clean, "*.safetensors").Select(Path.GetFileName).Where(f => f is not "checkpoint.safetensors"))
            Assert.Equal(File.ReadAllBytes(Path.Combine(clean, file!)), File.ReadAllBytes(Path.Combine(stopped, file!)));
        static IEnumerable<string> WithoutSeconds(string dir) => CliHarness.ReadCsv(Path.Combine(dir, "metrics.csv"))
            .Select(m => string.Join(",", m.Where(kv => kv.Key != "seconds").Select(kv => kv.Value)));
        Assert.Equal(WithoutSeconds(clean), WithoutSeconds(stopped));
    }

    private sealed class StopAt(int step, CancellationTokenSource cancel) : IProgress<RunProgress>
    {
        public void Report(RunProgress p) { if (p.Step >= step) cancel.Cancel(); }
    }

    [Fact]
    public void FlatnessProbe_AddsColumnsEveryKEpochs_AndLeavesTheTrajectoryAlone()
    {
        string plain = tmp.File("plain"), probed = tmp.File("probed");
        Assert.Equal(0, Train(plain, "--optimizer", "replicated-sgd", "--replicas", "2", "--gamma-max", "10", "--epochs", "4").ExitCode);
        var r = Train(probed, "--optimizer", "replicated-sgd", "--replicas", "2", "--gamma-max", "10", "--epochs", "4",
            "--probe-flatness-every", "2", "--probe-flatness-sigmas", "0,0.5", "--probe-flatness-draws", "3");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(plain, "final.safetensors")), File.ReadAllBytes(Path.Combine(probed, "final.safetensors")));
        var rows = CliHarness.ReadCsv(Path.Combine(probed, "metrics.csv")).Where(m => m["delta_e_0.5"] != "").ToList();
        Assert.Equal(["0", "2", "4"], rows.Select(m => m["epoch"]));
        Assert.All(rows, m => Assert.Equal("0", m["delta_e_0"]));
    }

    [Fact]
    public void SweepSpecs_TakeTheFlatMinimaFields()
    {
        var spec = tmp.Write("cells.yaml", """
            base: { data: mixture, n: 24, d: 5, n_test: 40, outputs: 2, parameterization: standard, bias: true, activation: tanh,
                    depth: 1, width: 8, lr: 0.1, lr_policy: fixed, batch_size: 6, epochs: 2, eval_every: 1, momentum: 0.9 }
            cells:
              - { optimizer: entropy-sgd, inner_steps: 2, gamma0: 0.5, gamma_max: 10, fair_budget: true, sgld_noise: 0 }
              - { optimizer: replicated-sgd, replicas: 2, gamma_max: 10, gamma_schedule: lin, probe_flatness_every: 1, probe_flatness_sigmas: [0.5] }
            """);
        var r = CliHarness.Run("sweep", spec, "--out", tmp.File("sweep"), "--quiet", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.ToString());
        var bad = tmp.Write("bad.yaml", "base: { optimizer: replicated-sgd, replicas: 0, gamma_schedule: step, ema_alpha: 2 }\n");
        var b = CliHarness.Run("sweep", bad, "--out", tmp.File("bad"), "--quiet");
        Assert.Equal(2, b.ExitCode);
        foreach (var field in new[] { "replicas", "gamma_schedule", "ema_alpha" }) Assert.Contains(field, b.Err);
    }

    /// <summary>With a core BLAS leaves free the SGLD noise is drawn there: the run is the one-thread run, byte for byte.</summary>
    [Fact]
    public void EntropySgd_NoiseOnTheCoreBlasLeavesFree_IsTheOneThreadRun()
    {
        string[] esgd = ["--optimizer", "entropy-sgd", "--inner-steps", "3", "--sgld-noise", "0.01", "--sgld-lr", "0.01", "--gamma-max", "10", "--steps", "8"];
        string one = tmp.File("one"), two = tmp.File("two");
        var a = Train(one, esgd);
        var b = TrainOnTwoCores(two, esgd);
        Assert.True(a.ExitCode == 0 && b.ExitCode == 0, a + "\n" + b);
        Assert.Equal(File.ReadAllBytes(Path.Combine(one, "final.safetensors")), File.ReadAllBytes(Path.Combine(two, "final.safetensors")));
    }

    /// <summary>
    /// --sgld-noise-float32: config.json records it, the run ends elsewhere than the float64 noise's (the draws differ in
    /// their last bits), and it is the same with the noise drawn ahead on a second core.
    /// </summary>
    [Fact]
    public void EntropySgdFloat32Noise_IsRecorded_DiffersFromFloat64_AndIsTheSameOnTwoCores()
    {
        string[] esgd = ["--optimizer", "entropy-sgd", "--inner-steps", "3", "--sgld-noise", "0.01", "--sgld-lr", "0.01", "--gamma-max", "10", "--steps", "8"];
        string f64 = tmp.File("f64"), one = tmp.File("one"), two = tmp.File("two");
        var a = Train(f64, esgd);
        var b = Train(one, [.. esgd, "--sgld-noise-float32"]);
        var c = TrainOnTwoCores(two, [.. esgd, "--sgld-noise-float32"]);
        Assert.True(a.ExitCode == 0 && b.ExitCode == 0 && c.ExitCode == 0, a + "\n" + b + "\n" + c);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(one, "config.json")))!;
        Assert.True(config["spec"]!["sgld_noise_float32"]!.GetValue<bool>());
        Assert.True(config["resolved"]!["flat_minima"]!["sgld_noise_float32"]!.GetValue<bool>());
        byte[] Final(string dir) => File.ReadAllBytes(Path.Combine(dir, "final.safetensors"));
        Assert.NotEqual(Final(f64), Final(one));
        Assert.Equal(Final(one), Final(two));
    }

    [Theory]
    [InlineData("--optimizer sgd --sgld-noise-float32", "--sgld-noise-float32: the sgd optimizer has no such setting")]
    [InlineData("--optimizer sgd --probe-flatness-every 1 --probe-flatness-sigmas -1", "--probe-flatness-sigmas: σ = -1 must be a finite number ≥ 0")]
    [InlineData("--optimizer sgd --probe-flatness-every 1 --probe-flatness-draws 0", "--probe-flatness-draws 0: must be at least 1")]
    [InlineData("--optimizer replicated-sgd --replicas 0", "--replicas 0: must be at least 1")]
    [InlineData("--optimizer entropy-sgd --inner-steps 0", "--inner-steps 0: must be at least 1")]
    [InlineData("--optimizer entropy-sgd --inner-steps -2 --fair-budget", "--inner-steps -2: must be at least 1")]
    [InlineData("--optimizer sgd --replicas 2", "--replicas: the sgd optimizer has no such setting")]
    [InlineData("--optimizer sgd --fair-budget", "--fair-budget: the sgd optimizer has no such setting")]
    [InlineData("--optimizer entropy-sgd --gamma1 0.1 --gamma-max 10", "--gamma1 and --gamma-max: give one of them")]
    [InlineData("--optimizer entropy-sgd --sgld-noise -1", "--sgld-noise -1: must be a finite number ≥ 0")]
    [InlineData("--optimizer replicated-sgd --gamma-schedule step", "--gamma-schedule step: expected one of exp, lin, cosine")]
    [InlineData("--optimizer replicated-sgd --probe-every 2 --outputs 1 --parameterization ntk", "--probe-every 2: the probes follow one network")]
    [InlineData("--optimizer entropy-sgd --threads 2 --blas-threads 0", "--blas-threads 0: must be at least 1")]
    [InlineData("--optimizer entropy-sgd --threads 1 --blas-threads 2", "--blas-threads 2: must be at most --threads (1)")]
    public void BadInput_IsExit2_AndWritesNothing(string extra, string message)
    {
        string dir = tmp.File("bad");
        var given = extra.Split(' ');
        var args = new List<string>();
        for (int i = 0; i < Mixture.Length; i++)
        {
            bool hasValue = i + 1 < Mixture.Length && !Mixture[i + 1].StartsWith("--");
            if (!given.Contains(Mixture[i])) { args.Add(Mixture[i]); if (hasValue) args.Add(Mixture[i + 1]); }
            if (hasValue) i++;
        }
        var r = CliHarness.Run([.. args, .. given, "--steps", "2", "--out", dir]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains(message, r.Err);
        Assert.False(Directory.Exists(dir), "the run folder was created for bad input");
    }
}
