using System.Numerics;
using System.Text.Json.Nodes;
using Overparam.Architectures;
using Overparam.Architectures.Dense;
using Overparam.IO;
using Overparam.Numerics;
using Overparam.Tests.Cli;

namespace Overparam.Tests.Architectures;

/// <summary>
/// Architectures are looked up, never defaulted: a test registers its own (an fc net with a doubled layer scale, and a
/// linear model without Gram matrices) and trains them through `overparam train`'s code path.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ArchitectureRegistryTests : IDisposable
{
    private readonly TempDirectory tmp = new();
    public void Dispose() => tmp.Dispose();

    /// <summary>eq. (2) with every layer scaled by 2·sqrt(c_σ/m) instead of sqrt(c_σ/m).</summary>
    private sealed class DoubledNetwork<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters)
        : DenseNetwork<T>(config, parameters) where T : unmanaged, IFloatingPointIeee754<T>
    {
        protected override double LayerScale(int h) => 2 * Math.Sqrt(Config.CSigma / Config.Width);
        protected override double Skip(int h) => 0;
    }

    private sealed class DoubledArchitecture : Architecture
    {
        public override string Name => "fc-doubled";
        public override string DisplayName => "fc with doubled scale";
        public override string Description => "fc-doubled: a test's architecture";
        public override IReadOnlyList<(string Name, int[] Shape)> Shapes(NetworkConfig config) => DenseShapes.Of(config);
        public override IModel<T> Create<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters) => new DoubledNetwork<T>(config, parameters);
    }

    /// <summary>f(x) = wᵀx: a model with no layers, hence no per-layer Gram matrices.</summary>
    private sealed class LinearModel<T>(IReadOnlyList<Parameter<T>> parameters) : IModel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private Matrix<T>? x;
        private T[] g = [];
        public IReadOnlyList<Parameter<T>> Parameters => parameters;
        public int Outputs => 1;
        public int InputSize => parameters[0].Value.Length;

        public void Forward(Matrix<T> input, Span<T> outputs)
        {
            x = input;
            for (int i = 0; i < input.Rows; i++)
            {
                T s = T.Zero;
                for (int j = 0; j < input.Cols; j++) s += parameters[0].Value[j] * input[i, j];
                outputs[i] = s;
            }
        }

        public void Backward(ReadOnlySpan<T> outputGradient) => g = outputGradient.ToArray();

        public void Gradients(IReadOnlyList<T[]> gradients, IReadOnlyList<bool>? trained = null)
        {
            Array.Clear(gradients[0]);
            for (int i = 0; i < x!.Rows; i++)
                for (int j = 0; j < x.Cols; j++) gradients[0][j] += g[i] * x[i, j];
        }
    }

    private sealed class LinearArchitecture : Architecture
    {
        public override string Name => "linear-test";
        public override string DisplayName => "linear";
        public override string Description => "linear-test: a test's model without Gram matrices";
        public override IReadOnlyList<(string Name, int[] Shape)> Shapes(NetworkConfig config) => [("w", [config.InputChannels])];
        public override IModel<T> Create<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters) => new LinearModel<T>(parameters);
    }

    static ArchitectureRegistryTests()
    {
        if (Architecture.TryParse("fc-doubled") is null) Architecture.Register(new DoubledArchitecture());
        if (Architecture.TryParse("linear-test") is null) Architecture.Register(new LinearArchitecture());
    }

    private static readonly string[] Small = ["--depth", "1", "--width", "16", "--n", "6", "--d", "3", "--activation", "tanh", "--seed", "4", "--threads", "1", "--quiet"];

    [Fact]
    public void TestArchitecture_TrainsThroughTrain_WithItsOwnForwardPass()
    {
        string fc = tmp.File("fc"), doubled = tmp.File("doubled");
        Assert.Equal(0, CliHarness.Run(["train", "--arch", "fc", .. Small, "--lr", "0.01", "--steps", "0", "--out", fc]).ExitCode);
        var r = CliHarness.Run(["train", "--arch", "fc-doubled", .. Small, "--lr", "0.01", "--steps", "5", "--out", doubled]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("fc-doubled", JsonNode.Parse(File.ReadAllText(Path.Combine(doubled, "config.json")))!["resolved"]!["architecture"]!.GetValue<string>());

        // Same seed, same data and init; with H = 1 the doubled scale doubles every output: L(0) = ½ Σ (2 u_i − y_i)².
        // (The files differ only in the architecture their metadata names.)
        var fcInit = SafeTensors.Read(Path.Combine(fc, "init.safetensors"), out var fcMeta);
        var doubledInit = SafeTensors.Read(Path.Combine(doubled, "init.safetensors"), out var doubledMeta);
        Assert.Equal(fcInit.Keys.Order(), doubledInit.Keys.Order());
        foreach (var name in fcInit.Keys) Assert.Equal(fcInit[name].AsDoubles(), doubledInit[name].AsDoubles());
        Assert.Equal(("fc", "fc-doubled"), (fcMeta["architecture"], doubledMeta["architecture"]));
        var data = SafeTensors.Read(Path.Combine(fc, "data.safetensors"));
        var net = NetworkTestKit.Network("fc", 1, 16, 3, "tanh", 4);
        var u = new double[6];
        net.Forward(data["X"].AsMatrix(), u);
        var y = data["y"].AsDoubles();
        double expected = 0.5 * u.Select((v, i) => (2 * v - y[i]) * (2 * v - y[i])).Sum();
        var metrics = CliHarness.ReadCsv(Path.Combine(doubled, "metrics.csv"));
        Assert.Equal(expected, CliHarness.D(metrics[0]["loss"]), 12);
        Assert.True(CliHarness.D(metrics[^1]["loss"]) < CliHarness.D(metrics[0]["loss"]));
    }

    [Fact]
    public void ArchitectureWithoutKernel_RefusesTheTheoryPolicy()
    {
        var r = CliHarness.Run(["train", "--arch", "fc-doubled", .. Small, "--lr-policy", "theory", "--out", tmp.File("run")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("has no infinite-width kernel", r.Err);
        Assert.False(Directory.Exists(tmp.File("run")));
    }

    [Fact]
    public void ModelWithoutGrams_TrainsWithGd_ButRefusesProbesAndTheStablePolicy()
    {
        string dir = tmp.File("linear");
        var r = CliHarness.Run(["train", "--arch", "linear-test", .. Small, "--lr", "0.1", "--steps", "3", "--out", dir]);
        Assert.True(r.ExitCode == 0, r.ToString());
        var init = SafeTensors.Read(Path.Combine(dir, "init.safetensors"))["w"].AsDoubles();
        var final = SafeTensors.Read(Path.Combine(dir, "final.safetensors"))["w"].AsDoubles();
        // Three GD steps on L = ½‖Xw − y‖² by hand: w ← w − 0.1 Xᵀ(Xw − y).
        var data = SafeTensors.Read(Path.Combine(dir, "data.safetensors"));
        var x = data["X"].AsMatrix();
        var y = data["y"].AsDoubles();
        var w = (double[])init.Clone();
        for (int k = 0; k < 3; k++)
        {
            var res = Enumerable.Range(0, 6).Select(i => Enumerable.Range(0, 3).Sum(j => x[i, j] * w[j]) - y[i]).ToArray();
            w = w.Select((v, j) => v - 0.1 * Enumerable.Range(0, 6).Sum(i => res[i] * x[i, j])).ToArray();
        }
        for (int j = 0; j < 3; j++) Assert.Equal(w[j], final[j], 14);

        var probes = CliHarness.Run(["train", "--arch", "linear-test", .. Small, "--lr", "0.1", "--probe-every", "2", "--out", tmp.File("p")]);
        Assert.Equal(2, probes.ExitCode);
        Assert.Contains("--probe-every 2: the probes measure Gram matrices and the linear-test model has no per-layer Gram matrices", probes.Err);
        var stable = CliHarness.Run(["train", "--arch", "linear-test", .. Small, "--out", tmp.File("s")]);
        Assert.Equal(2, stable.ExitCode);
        Assert.Contains("--lr-policy stable", stable.Err);
        Assert.False(Directory.Exists(tmp.File("p")));
        Assert.False(Directory.Exists(tmp.File("s")));
    }

    [Theory]
    [InlineData("train")]
    [InlineData("kernel")]
    public void UnknownArchitectureOnTheCommandLine_IsExit2(string command)
    {
        var r = CliHarness.Run(command, "--arch", "mlp", "--threads", "1", "--out", tmp.File("out"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--arch mlp: expected one of fc, resnet, convresnet", r.Err);
        Assert.False(Directory.Exists(tmp.File("out")));
    }

    [Fact]
    public void UnknownArchitectureInASweepSpec_IsExit2()
    {
        var spec = tmp.Write("grid.yaml", "base: { architecture: mlp, n: 4, d: 2 }\nsteps: 1\n");
        var r = CliHarness.Run("sweep", spec, "--out", tmp.File("sweep"), "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("architecture", r.Err);
        Assert.Contains("mlp", r.Err);
        Assert.Contains("fc, resnet, convresnet", r.Err);
    }

    [Fact]
    public void UnknownArchitectureInAVerifyConfig_IsExit2()
    {
        var config = tmp.Write("study.json", """{ "architectures": ["mlp"] }""");
        var r = CliHarness.Run("verify", "--config", config, "--out", tmp.File("verify"), "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("architectures: \"mlp\" is not one of fc, resnet", r.Err);
    }

    [Fact]
    public void ANameCannotBeRegisteredTwice()
    {
        Assert.Throws<ArgumentException>(() => Architecture.Register(new DoubledArchitecture()));
        Assert.Null(Architecture.TryParse("mlp"));
        Assert.Throws<ArgumentException>(() => Architecture.Parse("mlp"));
    }
}
