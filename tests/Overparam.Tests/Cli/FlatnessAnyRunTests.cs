namespace Overparam.Tests.Cli;

/// <summary>
/// Every optimizer trains, and `overparam flatness` measures, on run folders of every kind: each registered optimizer,
/// the three architectures, float32, the paper's full-batch regression run (no classification error: train-loss), and
/// the run folders a sweep keeps.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class FlatnessAnyRunTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    private static readonly string[] Mixture =
        ["--data", "mixture", "--n", "24", "--d", "6", "--n-test", "30", "--outputs", "2", "--parameterization", "standard", "--bias",
         "--activation", "tanh", "--depth", "2", "--width", "8", "--batch-size", "6", "--epochs", "2", "--seed", "5", "--threads", "1", "--quiet"];

    private static void AssertFlatness(string dir, string energy)
    {
        var r = CliHarness.Run("flatness", "--run", dir, "--sigmas", "0,0.5", "--draws", "3", "--energy", energy, "--threads", "2");
        Assert.True(r.ExitCode == 0, r.ToString());
        string name = energy == "train-error" ? "flatness.csv" : $"flatness-{energy}.csv";
        var rows = CliHarness.ReadCsv(Path.Combine(dir, name));
        Assert.Equal("0", rows[0]["mean"]);                                              // δE(w, 0) = 0
        Assert.True(double.IsFinite(CliHarness.D(rows[1]["mean"])), rows[1]["mean"]);
    }

    [Theory]
    [InlineData("gd", "--lr", "0.1")]
    [InlineData("sgd", "--lr", "0.1", "--momentum", "0.9", "--nesterov")]
    [InlineData("adam", "--lr", "0.01")]
    [InlineData("rmsprop", "--lr", "0.01")]
    [InlineData("entropy-sgd", "--lr", "0.5", "--gamma0", "0.5", "--gamma-max", "5", "--fair-budget", "--inner-steps", "2")]
    [InlineData("replicated-sgd", "--lr", "0.1", "--replicas", "2", "--gamma-max", "10")]
    public void EveryOptimizer_TrainsAClassifier_WhoseFlatnessIsMeasured(string optimizer, params string[] options)
    {
        string dir = tmp.File(optimizer);
        var r = CliHarness.Run(["train", .. Mixture, "--optimizer", optimizer, .. options, "--out", dir]);
        Assert.True(r.ExitCode == 0, r.ToString());
        AssertFlatness(dir, "train-error");
        AssertFlatness(dir, "test-loss");
    }

    [Theory]
    [InlineData("resnet", "float64")]
    [InlineData("convresnet", "float64")]
    [InlineData("fc", "float32")]
    public void OtherArchitecturesAndFloat32_WithEntropySgd(string arch, string dtype)
    {
        string dir = tmp.File($"{arch}-{dtype}");
        string[] shape = arch == "convresnet" ? ["--d0", "2", "--p", "4"] : [];
        var r = CliHarness.Run(["train", .. Mixture, "--arch", arch, .. shape, "--dtype", dtype, "--optimizer", "entropy-sgd", "--lr", "0.5",
            "--gamma0", "0.5", "--gamma-max", "5", "--inner-steps", "2", "--out", dir]);
        Assert.True(r.ExitCode == 0, r.ToString());
        AssertFlatness(dir, "train-error");
    }

    [Fact]
    public void ThePapersRegressionRun_HasNoErrorButATrainingLoss()
    {
        string dir = tmp.File("paper");
        var r = CliHarness.Run("train", "--arch", "fc", "--depth", "2", "--width", "16", "--n", "8", "--d", "4", "--steps", "20", "--threads", "1", "--quiet", "--out", dir);
        Assert.True(r.ExitCode == 0, r.ToString());
        var error = CliHarness.Run("flatness", "--run", dir, "--draws", "2");
        Assert.Equal(2, error.ExitCode);
        Assert.Contains("use --energy train-loss", error.Err);
        AssertFlatness(dir, "train-loss");
    }

    [Fact]
    public void TheRunFoldersASweepKeeps_AreMeasured()
    {
        var spec = tmp.Write("cells.yaml", """
            base: { data: mixture, n: 24, d: 5, n_test: 30, outputs: 2, parameterization: standard, bias: true, activation: tanh,
                    depth: 1, width: 8, lr: 0.1, lr_policy: fixed, batch_size: 6, epochs: 2, eval_every: 1, momentum: 0.9 }
            cells:
              - { optimizer: entropy-sgd, inner_steps: 2, gamma0: 0.5, gamma_max: 10, fair_budget: true }
              - { optimizer: replicated-sgd, replicas: 2, gamma0: 0.1, gamma_max: 10 }
            """);
        string sweep = tmp.File("sweep");
        var r = CliHarness.Run("sweep", spec, "--out", sweep, "--keep-runs", "--quiet", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.ToString());
        var runs = Directory.GetFiles(sweep, "config.json", SearchOption.AllDirectories).Select(Path.GetDirectoryName).ToList();
        Assert.Equal(2, runs.Count);
        foreach (var run in runs) AssertFlatness(run!, "train-error");
    }
}
