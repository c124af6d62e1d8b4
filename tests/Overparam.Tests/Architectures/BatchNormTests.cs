using Overparam.Activations;
using Overparam.Architectures;
using Overparam.Numerics;
using Overparam.Training.Losses;

namespace Overparam.Tests.Architectures;

/// <summary>
/// --batch-norm (docs/mathematics.md §2.6): gradients against finite differences with batch statistics (through μ and v of
/// the whole batch) and with running statistics, evaluation and the running-statistics update against hand-computed values.
/// </summary>
public class BatchNormTests
{
    private static NetworkConfig Config(string arch, bool bias, int outputs, int? featureWidth = null, int depth = 3) =>
        new(Architecture.Parse(arch), depth, 5, 3, new Softplus(), 0.5, Outputs: outputs, Parameterization: Parameterization.Standard,
            Bias: bias, FeatureWidth: featureWidth, BatchNorm: true);

    /// <summary>A network with every γ, β, bias and running statistic moved off its initial value, so that each one's effect shows.</summary>
    private static IBatchNormModel<double> Model(NetworkConfig c, bool batchStatistics)
    {
        var rng = new GaussianRng(17);
        var parameters = NetworkFactory.Initialize<double>(c, rng);
        foreach (var t in parameters.Where(t => NetworkFactory.IsBias(t.Name) || NetworkFactory.IsBatchNorm(t.Name)))
            for (int k = 0; k < t.Value.Length; k++) t.Value[k] += 0.3 * rng.NextGaussian();
        var buffers = NetworkFactory.InitialBuffers<double>(c);
        foreach (var b in buffers)
            for (int k = 0; k < b.Value.Length; k++) b.Value[k] = b.Name.EndsWith("var") ? 0.5 + rng.NextUniform() : 0.2 * rng.NextGaussian();
        var model = (IBatchNormModel<double>)NetworkFactory.Create(c, parameters, buffers);
        model.BatchStatistics = batchStatistics;
        return model;
    }

    public static TheoryData<string, bool, int, int?, bool> Cases()
    {
        var data = new TheoryData<string, bool, int, int?, bool>();
        foreach (var arch in new[] { "fc", "resnet" })
            foreach (var batch in new[] { true, false })
            {
                data.Add(arch, false, 1, null, batch);
                data.Add(arch, true, 3, 7, batch);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientsMatchFiniteDifferences(string arch, bool bias, int outputs, int? featureWidth, bool batchStatistics)
    {
        const int n = 6;
        var model = Model(Config(arch, bias, outputs, featureWidth), batchStatistics);
        var x = NetworkTestKit.UnitRows(n, 3, 5);
        var rng = new GaussianRng(9);
        var y = Enumerable.Range(0, n).Select(i => outputs == 1 ? rng.NextGaussian() : i % outputs).ToArray();
        var loss = Loss.TryParse(outputs == 1 ? "half-sum-squares" : "cross-entropy")!;
        var frozen = model.Buffers.Select(b => (double[])b.Value.Clone()).ToArray();
        foreach (var (name, rel, fdNorm, analytic) in NetworkTestKit.FiniteDifferenceErrors(model, x, y, loss))
        {
            if (batchStatistics && name.StartsWith('b') && char.IsDigit(name[1]))
            {
                // b_h before a batch norm with batch statistics cancels in Z − μ: both gradients are 0 up to rounding.
                Assert.True(fdNorm < 1e-8 && analytic.All(g => Math.Abs(g) < 1e-12), $"{name}: ‖fd‖ = {fdNorm:E2}");
                continue;
            }
            Assert.True(rel < 1e-6, $"{name}: relative error {rel:E2} (‖fd‖ = {fdNorm:E2})");
        }
        if (!batchStatistics)
            for (int b = 0; b < frozen.Length; b++) Assert.Equal(frozen[b], model.Buffers[b].Value);   // evaluation changes no statistic
    }

    /// <summary>The batch statistics' own dependence on the batch matters: the gradient with the same statistics held constant is a different one.</summary>
    [Fact]
    public void TheGradientGoesThroughTheBatchStatistics()
    {
        const int n = 6;
        var c = Config("resnet", false, 1);
        var model = Model(c, true);
        var x = NetworkTestKit.UnitRows(n, 3, 5);
        var y = new[] { 0.5, -1.0, 0.2, 0.9, -0.3, 0.0 };
        var loss = HalfSumSquares.Instance;
        var uTrain = new double[n];
        model.Forward(x, uTrain);
        var through = NetworkTestKit.ModelGradients(model, x, y, loss);

        // Every layer's batch mean and biased variance, read off one training-mode update from running statistics 0 and 1.
        var probe = (IBatchNormModel<double>)NetworkFactory.Create(c, model.Parameters, NetworkFactory.InitialBuffers<double>(c));
        probe.BatchStatistics = true;
        probe.Forward(x, new double[n]);
        var constants = probe.Buffers.Select(b => b with
        {
            Value = b.Name.EndsWith("var") ? b.Value.Select(v => (v - 0.9) / 0.1 * (n - 1) / n).ToArray() : b.Value.Select(v => v / 0.1).ToArray(),
        }).ToList();
        var held = (IBatchNormModel<double>)NetworkFactory.Create(c, model.Parameters, constants);   // evaluation mode: the statistics as constants
        var uHeld = new double[n];
        held.Forward(x, uHeld);
        for (int i = 0; i < n; i++) Assert.Equal(uTrain[i], uHeld[i], 10);                             // the same function value
        var constant = NetworkTestKit.ModelGradients(held, x, y, loss);
        double diff = 0, norm = 0;
        for (int k = 0; k < through[0].Length; k++) { diff += Math.Pow(through[0][k] - constant[0][k], 2); norm += through[0][k] * through[0][k]; }
        Assert.True(Math.Sqrt(diff / norm) > 1e-2, $"∂L/∂W1: relative difference {Math.Sqrt(diff / norm):E2}");
    }

    private static IBatchNormModel<double> TinyNetwork(out Matrix<double> x)
    {
        // fc, depth 1, two features, W1 = I, a = (1, 1): f(x_i) = Σ_c softplus(BN(x_i)_c).
        var c = new NetworkConfig(Architecture.Parse("fc"), 1, 2, 2, new Softplus(), Parameterization: Parameterization.Standard, BatchNorm: true);
        var p = NetworkFactory.Initialize<double>(c, new GaussianRng(1));
        p.Single(t => t.Name == "W1").Value.AsSpan().Clear();
        p.Single(t => t.Name == "W1").Value[0] = 1;
        p.Single(t => t.Name == "W1").Value[3] = 1;
        Array.Fill(p.Single(t => t.Name == "a").Value, 1.0);
        p.Single(t => t.Name == "bn1.weight").Value[0] = 2;      // γ = (2, 1)
        p.Single(t => t.Name == "bn1.bias").Value[1] = 1;        // β = (0, 1)
        x = new Matrix<double>(3, 2, [1, 2, 3, -1, 5, 0]);
        return (IBatchNormModel<double>)NetworkFactory.Create(c, p);
    }

    private static double Softplus(double z) => Math.Log(1 + Math.Exp(z));

    [Fact]
    public void EvaluationUsesTheRunningStatistics()
    {
        var net = TinyNetwork(out var x);
        Assert.False(net.BatchStatistics);                                           // a network starts in evaluation mode
        net.Buffers[0].Value[0] = 0.5; net.Buffers[0].Value[1] = -1;                  // running_mean
        net.Buffers[1].Value[0] = 4; net.Buffers[1].Value[1] = 0.25;                  // running_var
        var u = new double[3];
        net.Forward(x, u);
        double s0 = Math.Sqrt(4 + 1e-5), s1 = Math.Sqrt(0.25 + 1e-5);
        Assert.Equal(Softplus(2 * (1 - 0.5) / s0) + Softplus((2 + 1) / s1 + 1), u[0], 14);
        Assert.Equal(Softplus(2 * (3 - 0.5) / s0) + Softplus((-1 + 1) / s1 + 1), u[1], 14);
        Assert.Equal(Softplus(2 * (5 - 0.5) / s0) + Softplus((0 + 1) / s1 + 1), u[2], 14);
        Assert.Equal([0.5, -1], net.Buffers[0].Value);
        Assert.Equal([4, 0.25], net.Buffers[1].Value);
    }

    [Fact]
    public void TrainingNormalizesWithTheBiasedBatchVarianceAndUpdatesTheRunningOnesWithTheUnbiased()
    {
        var net = TinyNetwork(out var x);
        net.BatchStatistics = true;
        var u = new double[3];
        net.Forward(x, u);
        // Column 0: 1, 3, 5 → μ = 3, biased v = 8/3, unbiased 4. Column 1: 2, −1, 0 → μ = 1/3, biased 14/9, unbiased 7/3.
        double s0 = Math.Sqrt(8.0 / 3 + 1e-5), s1 = Math.Sqrt(14.0 / 9 + 1e-5);
        Assert.Equal(Softplus(2 * (1 - 3) / s0) + Softplus((2 - 1.0 / 3) / s1 + 1), u[0], 14);
        Assert.Equal(Softplus(2 * (5 - 3) / s0) + Softplus((0 - 1.0 / 3) / s1 + 1), u[2], 14);
        Assert.Equal(0.1 * 3, net.Buffers[0].Value[0], 15);
        Assert.Equal(0.1 / 3, net.Buffers[0].Value[1], 15);
        Assert.Equal(0.9 + 0.1 * 4, net.Buffers[1].Value[0], 15);
        Assert.Equal(0.9 + 0.1 * 7 / 3, net.Buffers[1].Value[1], 15);
        net.Forward(x, u);                                                            // a second step: the moving average again
        Assert.Equal(0.9 * 0.3 + 0.3, net.Buffers[0].Value[0], 15);
        Assert.Equal(0.9 * (0.9 + 0.4) + 0.4, net.Buffers[1].Value[0], 15);
    }

    [Fact]
    public void ABatchOfOneHasNoBatchStatistics()
    {
        var net = TinyNetwork(out _);
        net.BatchStatistics = true;
        Assert.Contains("at least 2 samples", Assert.Throws<InvalidOperationException>(() => net.Forward(new Matrix<double>(1, 2, [1, 2]), new double[1])).Message);
    }

    [Fact]
    public void InitializationIsPyTorchsAndDrawsNothing()
    {
        var c = Config("resnet", false, 1);
        var with = NetworkFactory.Initialize<double>(c, new GaussianRng(4));
        var without = NetworkFactory.Initialize<double>(c with { BatchNorm = false }, new GaussianRng(4));
        Assert.Equal(["W1", "bn1.weight", "bn1.bias", "W2", "bn2.weight", "bn2.bias", "W3", "bn3.weight", "bn3.bias", "a"], with.Select(t => t.Name));
        foreach (var t in without) Assert.Equal(t.Value, with.Single(s => s.Name == t.Name).Value);
        Assert.All(with.Where(t => t.Name.EndsWith(".weight")), t => Assert.All(t.Value, v => Assert.Equal(1.0, v)));
        Assert.All(with.Where(t => t.Name.EndsWith(".bias")), t => Assert.All(t.Value, v => Assert.Equal(0.0, v)));
        var buffers = NetworkFactory.InitialBuffers<double>(c);
        Assert.Equal(["bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var", "bn3.running_mean", "bn3.running_var"], buffers.Select(b => b.Name));
        Assert.All(buffers, b => Assert.All(b.Value, v => Assert.Equal(b.Name.EndsWith("var") ? 1.0 : 0.0, v)));
    }

    [Fact]
    public void ThePerSampleViewIsRefused()
    {
        var net = (INetwork<double>)Model(Config("fc", false, 1), true);
        net.Forward(NetworkTestKit.UnitRows(4, 3, 1), new double[4]);
        Assert.Contains("batch norm couples", Assert.Throws<InvalidOperationException>(() => net.BackPropagate()).Message);
        Assert.Contains("batch norm couples", Assert.Throws<InvalidOperationException>(() => net.GramMatrices()).Message);
    }
}

