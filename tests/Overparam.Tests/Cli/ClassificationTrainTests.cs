using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Overparam.Activations;
using Overparam.Architectures;
using Overparam.IO;
using Overparam.Numerics;
using Overparam.Tests.Sweeps;
using Overparam.Training.Losses;

namespace Overparam.Tests.Cli;

/// <summary>`overparam train` for classifiers: minibatches in data order, evaluation, the Fashion-MNIST baseline, resume, bad input.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ClassificationTrainTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static readonly string[] Mixture =
        ["--data", "mixture", "--n", "24", "--d", "5", "--n-test", "50", "--outputs", "2", "--arch", "fc", "--depth", "2", "--width", "16",
         "--parameterization", "standard", "--bias", "--activation", "tanh", "--seed", "3", "--threads", "1", "--quiet"];

    /// <summary>`train` on the small mixture; an option in <paramref name="extra"/> replaces its default (the parser rejects a repeated option).</summary>
    private CliResult Train(string dir, params string[] extra) => CliHarness.Run(["train", .. WithDefaults(extra), "--out", dir]);

    private static string[] WithDefaults(string[] extra)
    {
        var args = new List<string>();
        for (int i = 0; i < Mixture.Length; i++)
        {
            bool hasValue = i + 1 < Mixture.Length && !Mixture[i + 1].StartsWith("--");
            if (!extra.Contains(Mixture[i])) { args.Add(Mixture[i]); if (hasValue) args.Add(Mixture[i + 1]); }
            if (hasValue) i++;
        }
        return [.. args, .. extra];
    }

    [Fact]
    public void ShuffleFalse_TakesTheBatchesInDataOrder()
    {
        // Two SGD steps with batches of 12 in data order; replayed here with the library on rows 0–11, then 12–23.
        string dir = tmp.File("run");
        var r = Train(dir, "--optimizer", "sgd", "--lr", "0.1", "--batch-size", "12", "--shuffle", "false", "--steps", "2");
        Assert.True(r.ExitCode == 0, r.ToString());
        var data = SafeTensors.Read(Path.Combine(dir, "data.safetensors"));
        var init = SafeTensors.Read(Path.Combine(dir, "init.safetensors"));
        var final = SafeTensors.Read(Path.Combine(dir, "final.safetensors"));
        var config = new NetworkConfig(Architecture.Parse("fc"), 2, 16, 5, new Tanh(), Outputs: 2, Parameterization: Parameterization.Standard, Bias: true);
        var parameters = NetworkFactory.Shapes(config).Select(s => new Parameter<double>(s.Name, s.Shape, init[s.Name].AsDoubles())).ToList();
        var model = NetworkFactory.Create(config, parameters);
        var x = data["X"].AsMatrix();
        var y = data["y"].AsDoubles();
        foreach (int start in new[] { 0, 12 })
        {
            var xb = new Matrix<double>(12, 5, x.Data[(start * 5)..((start + 12) * 5)]);
            var u = new double[24];
            var g = new double[24];
            model.Forward(xb, u);
            CrossEntropy.Instance.Evaluate<double>(u, y.AsSpan(start, 12), 2, g);
            model.Backward(g);
            var grads = parameters.Select(p => new double[p.Value.Length]).ToArray();
            model.Gradients(grads);
            for (int p = 0; p < parameters.Count; p++)   // PyTorch's param.add_(grad, alpha=-lr): one fused multiply-add
                for (int k = 0; k < grads[p].Length; k++) parameters[p].Value[k] = Math.FusedMultiplyAdd(grads[p][k], -0.1, parameters[p].Value[k]);
        }
        foreach (var p in parameters) Assert.Equal(p.Value, final[p.Name].AsDoubles());
        var metrics = CliHarness.ReadCsv(Path.Combine(dir, "metrics.csv"));
        Assert.Equal(["0", "0", "1"], metrics.Select(m => m["epoch"]));
    }

    [Fact]
    public void Evaluation_AddsColumns_AndLeavesTheTrajectoryAlone()
    {
        string plain = tmp.File("plain"), evaluated = tmp.File("eval");
        string[] run = ["--optimizer", "adam", "--lr", "0.01", "--batch-size", "8", "--epochs", "4"];
        Assert.Equal(0, Train(plain, run).ExitCode);
        var r = Train(evaluated, [.. run, "--eval-every", "2"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(plain, "final.safetensors")), File.ReadAllBytes(Path.Combine(evaluated, "final.safetensors")));

        var rows = CliHarness.ReadCsv(Path.Combine(evaluated, "metrics.csv"));
        Assert.Equal(13, rows.Count);                                  // steps 0 … 12 (4 epochs of 3 steps)
        var evaluatedSteps = rows.Where(m => m["test_error"] != "").Select(m => m["step"]).ToArray();
        Assert.Equal(["0", "6", "12"], evaluatedSteps);                // epochs 0, 2 and the last step
        Assert.All(rows.Where(m => m["test_error"] != ""), m => Assert.InRange(CliHarness.D(m["test_error"]), 0, 1));
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(evaluated, "summary.json")))!;
        double last = CliHarness.D(rows[^1]["test_error"]);
        Assert.Equal(last, summary["final_test_error"]!.GetValue<double>());
        Assert.Equal(rows.Where(m => m["test_error"] != "").Min(m => CliHarness.D(m["test_error"])), summary["best_test_error"]!.GetValue<double>());
        Assert.Contains("X_test", SafeTensors.Read(Path.Combine(evaluated, "data.safetensors")).Keys);
    }

    /// <summary>
    /// Baseline: Zalando's Fashion-MNIST benchmark lists multinomial logistic regression at about 84 % accuracy (16 %
    /// error) on the full training set; a one-hidden-layer MLP trained on the first 3000 images for 5 epochs stays
    /// within reach of it, so its test error on the first 1000 t10k images must be below 20 %.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void FashionMnistClassifier_ReachesTheLogisticRegressionBaseline()
    {
        string dir = tmp.File("fmnist");
        var r = CliHarness.Run("train", "--data", "fashion-mnist", "--classes", "all", "--n", "3000", "--n-test", "1000", "--standardize",
            "--arch", "fc", "--depth", "1", "--width", "256", "--parameterization", "standard", "--bias", "--activation", "relu",
            "--optimizer", "sgd", "--momentum", "0.9", "--lr", "0.01", "--batch-size", "64", "--epochs", "5", "--eval-every", "5",
            "--threads", "2", "--quiet", "--out", dir);
        Assert.True(r.ExitCode == 0, r.ToString());
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;
        double error = summary["final_test_error"]!.GetValue<double>();
        Assert.True(error < 0.20, $"test error {error:P1}");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!["resolved"]!;
        Assert.Equal(10, config["outputs"]!.GetValue<int>());
        Assert.Equal("cross-entropy", config["loss_name"]!.GetValue<string>());
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void KilledAndResumed_EndsWithTheSameBitsAsAnUninterruptedRun()
    {
        string[] run = ["train", "--data", "mixture", "--n", "256", "--d", "20", "--n-test", "64", "--outputs", "2", "--arch", "fc", "--depth", "3",
            "--width", "512", "--parameterization", "standard", "--bias", "--activation", "tanh", "--optimizer", "sgd", "--momentum", "0.9",
            "--nesterov", "--weight-decay", "1e-4", "--lr", "0.01", "--lr-schedule", "step", "--lr-milestones", "20", "--batch-size", "32",
            "--epochs", "60", "--eval-every", "10", "--checkpoint-every", "25", "--seed", "9", "--threads", "1", "--quiet"];
        string clean = tmp.File("clean"), killed = tmp.File("killed");
        var r = CliHarness.Run([.. run, "--out", clean]);
        Assert.True(r.ExitCode == 0, r.ToString());

        using (var p = Process.Start(CliProcess.StartInfo(tmp.Path, [.. run[1..].Prepend("train").ToArray(), "--out", killed]))!)
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(60) && !p.HasExited && NextStep(killed) < 100) Thread.Sleep(5);
            Assert.False(p.HasExited, "the run finished before it could be killed");
            using (var kill = Process.Start("kill", ["-9", p.Id.ToString(CultureInfo.InvariantCulture)])) kill.WaitForExit();
            p.WaitForExit();
            Assert.Equal(137, p.ExitCode);
        }
        Assert.Contains("\"running\"", File.ReadAllText(Path.Combine(killed, "summary.json")));
        Assert.False(File.Exists(Path.Combine(killed, "final.safetensors")));

        var resumed = CliHarness.Run("train", "--resume", killed, "--threads", "1", "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(clean, "final.safetensors")), File.ReadAllBytes(Path.Combine(killed, "final.safetensors")));
        // metrics.csv: every step once, the same values (seconds aside) as the uninterrupted run.
        static List<string> WithoutSeconds(string dir) => CliHarness.ReadCsv(Path.Combine(dir, "metrics.csv"))
            .Select(m => string.Join(",", m.Where(kv => kv.Key != "seconds").Select(kv => kv.Value))).ToList();
        Assert.Equal(WithoutSeconds(clean), WithoutSeconds(killed));
        var a = JsonNode.Parse(File.ReadAllText(Path.Combine(clean, "summary.json")))!;
        var b = JsonNode.Parse(File.ReadAllText(Path.Combine(killed, "summary.json")))!;
        foreach (var field in new[] { "status", "steps", "initial_loss", "final_loss", "final_test_error", "best_test_error", "best_test_error_step" })
            Assert.Equal(a[field]!.ToJsonString(), b[field]!.ToJsonString());
    }

    private static int NextStep(string dir)
    {
        string file = Path.Combine(dir, "checkpoint.safetensors");
        try { return File.Exists(file) && SafeTensors.Read(file, out var meta) is not null ? int.Parse(meta["next_step"], CultureInfo.InvariantCulture) : 0; }
        catch (Exception e) when (e is IOException or InvalidDataException) { return 0; }
    }

    [Fact]
    public void Resume_RefusesAFolderWithoutCheckpoint_AndOtherOptions()
    {
        string dir = tmp.File("run");
        Assert.Equal(0, Train(dir, "--optimizer", "sgd", "--lr", "0.1", "--batch-size", "8", "--epochs", "1").ExitCode);
        var none = CliHarness.Run("train", "--resume", dir, "--quiet");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("has finished", none.Err);

        string killed = tmp.File("ckpt");
        Assert.Equal(0, Train(killed, "--optimizer", "sgd", "--lr", "0.1", "--batch-size", "8", "--epochs", "2", "--checkpoint-every", "2").ExitCode);
        // Make it look interrupted: the status of a killed run is still "running".
        var summary = Path.Combine(killed, "summary.json");
        File.WriteAllText(summary, File.ReadAllText(summary).Replace("\"budget_exhausted\"", "\"running\""));
        var other = CliHarness.Run(["train", .. WithDefaults(["--optimizer", "sgd", "--lr", "0.2", "--batch-size", "8", "--epochs", "2", "--checkpoint-every", "2"]), "--resume", killed]);
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("the options differ from the run's configuration (lr: 0.2 here, 0.1 in the run", other.Err);

        string plain = tmp.File("plain");
        Assert.Equal(0, Train(plain, "--optimizer", "sgd", "--lr", "0.1", "--steps", "2").ExitCode);
        File.WriteAllText(Path.Combine(plain, "summary.json"), File.ReadAllText(Path.Combine(plain, "summary.json")).Replace("\"budget_exhausted\"", "\"running\""));
        var noCheckpoint = CliHarness.Run("train", "--resume", plain, "--quiet");
        Assert.Equal(2, noCheckpoint.ExitCode);
        Assert.Contains("no checkpoint.safetensors", noCheckpoint.Err);
    }

    [Theory]
    [InlineData("--outputs 1 --loss cross-entropy", "--loss cross-entropy needs C ≥ 2 outputs")]
    [InlineData("--batch-size 0", "--batch-size 0: must be between 1 and the number of training samples n = 24")]
    [InlineData("--batch-size 25", "--batch-size 25: must be between 1 and the number of training samples n = 24")]
    [InlineData("--optimizer adam --beta1 1 --lr 0.1", "--beta1 1: must be in [0, 1)")]
    [InlineData("--optimizer adam --beta2 -0.1 --lr 0.1", "--beta2 -0.1: must be in [0, 1)")]
    [InlineData("--optimizer sgd --beta1 0.5 --lr 0.1", "--beta1: the sgd optimizer has no such setting")]
    [InlineData("--optimizer sgd --nesterov --lr 0.1", "--nesterov needs --momentum > 0")]
    [InlineData("--optimizer rmsprop --momentum -1 --lr 0.1", "--momentum -1")]
    [InlineData("--epochs 2 --steps 5", "--epochs and --steps: give one of them")]
    [InlineData("--lr-schedule warmup --lr 0.1", "--lr-schedule warmup: expected one of constant, step, cosine")]
    [InlineData("--loss hinge", "--loss hinge: expected one of half-sum-squares, mse, cross-entropy")]
    [InlineData("--parameterization mup", "--parameterization mup: expected ntk or standard")]
    [InlineData("--probe-every 5", "--probe-every 5: the probes measure Gram matrices and per-layer Gram matrices are defined for one output")]
    [InlineData("--checkpoint-every 5 --probe-every 5 --outputs 1 --parameterization ntk", "--checkpoint-every with --probe-every")]
    public void BadClassificationInput_IsExit2_AndWritesNothing(string extra, string message)
    {
        string dir = tmp.File("bad");
        var given = extra.Split(' ');
        var r = Train(dir, [.. given, .. given.Contains("--lr") ? Array.Empty<string>() : ["--lr", "0.1"]]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("error: ", r.Err);
        Assert.Contains(message, r.Err);
        Assert.False(Directory.Exists(dir), "the run folder was created for bad input");
    }

    [Fact]
    public void ClassIdAtOrAboveC_IsExit2()
    {
        var csv = tmp.Write("three.csv", "0.1,0.2,0\n0.3,0.1,1\n0.5,0.9,2\n0.2,0.4,1\n");
        var r = CliHarness.Run("train", "--data", "csv:" + csv, "--classes-count", "3", "--outputs", "2", "--lr", "0.1", "--steps", "1", "--quiet", "--out", tmp.File("c"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--outputs 2: the data has class ids up to 2, so C must be at least 3", r.Err);
        var ce = CliHarness.Run("train", "--loss", "cross-entropy", "--lr", "0.1", "--steps", "1", "--quiet", "--out", tmp.File("ce"));
        Assert.Equal(2, ce.ExitCode);
        Assert.Contains("--loss cross-entropy needs C ≥ 2 outputs", ce.Err);
    }

    [Fact]
    public void SweepSpecs_TakeTheSameOptions_AndRecordTheTestError()
    {
        var spec = tmp.Write("grid.yaml", """
            base: { data: mixture, n: 32, d: 5, n_test: 40, outputs: 2, parameterization: standard, bias: true, activation: tanh,
                    depth: 1, optimizer: adam, beta1: 0.8, lr: 0.01, lr_policy: fixed, batch_size: 8, epochs: 2, eval_every: 1,
                    lr_schedule: step, lr_milestones: [1], lr_gamma: 0.5, shuffle: false }
            grid: { width: [8, 16] }
            """);
        var r = CliHarness.Run("sweep", spec, "--out", tmp.File("sweep"), "--quiet", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.ToString());
        var report = CliHarness.Run("sweep", "report", tmp.File("sweep"), "--out", tmp.File("report"));
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains("test_error", File.ReadAllText(Path.Combine(tmp.File("report"), "summary.csv")));

        var bad = tmp.Write("bad.yaml", "base: { optimizer: adam, beta1: 1, batch_size: 0, loss: hinge }\n");
        var b = CliHarness.Run("sweep", bad, "--out", tmp.File("bad"), "--quiet");
        Assert.Equal(2, b.ExitCode);
        Assert.Contains("beta1", b.Err);
        Assert.Contains("batch_size", b.Err);
        Assert.Contains("loss", b.Err);
    }
}
