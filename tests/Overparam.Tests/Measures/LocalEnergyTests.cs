using Overparam.Activations;
using Overparam.Architectures;
using Overparam.Data;
using Overparam.Measures;
using Overparam.Numerics;
using Overparam.Training;
using Overparam.Training.Losses;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Measures;

/// <summary>The local energy δE(w, σ) = E_ξ[E(w ⊙ (1 + σξ))] − E(w) (docs/mathematics.md §11.1) on a small trained classifier.</summary>
public class LocalEnergyTests
{
    private static readonly Dataset Data = new GaussianMixture([4], 0.01, 7).Sample(60, 8);
    private static readonly double[] Labels = Data.Y.Select(v => v > 0 ? 1.0 : 0).ToArray();

    private static NetworkConfig Config(bool bias = true) => new(Architecture.Parse("fc"), 1, 16, 4, Activation.Parse("relu"), 0.5,
        Outputs: 2, Parameterization: Parameterization.Standard, Bias: bias);

    /// <summary>A 4-16-2 ReLU classifier trained by full-batch SGD with momentum on the mixture until it fits it.</summary>
    private static IReadOnlyList<Parameter<double>> Trained { get; } = Train();

    private static IReadOnlyList<Parameter<double>> Train()
    {
        var config = Config();
        var parameters = NetworkFactory.Initialize<double>(config, new GaussianRng(3));
        TrainingLoop.Run<double>(NetworkFactory.Create(config, parameters), Data.X, Labels, new Sgd<double>(new OptimizerSettings(0.5) { Momentum = 0.9 }),
            new TrainingOptions(400), loss: CrossEntropy.Instance);
        return parameters;
    }

    private static double TrainError(IModel<double> m) => DataScore.Evaluate(m, CrossEntropy.Instance, Data.X, Labels).Error;
    private static double TrainLoss(IModel<double> m) => DataScore.Evaluate(m, CrossEntropy.Instance, Data.X, Labels).Loss;

    private static LocalEnergyCurve Measure(Func<IModel<double>, double> energy, LocalEnergyOptions options, IReadOnlyList<Parameter<double>>? w = null, NetworkConfig? config = null) =>
        LocalEnergy.Measure(w ?? Trained, p => NetworkFactory.Create(config ?? Config(), p), energy, options);

    [Fact]
    public void AtSigmaZero_IsZeroExactly()
    {
        var curve = Measure(TrainLoss, new LocalEnergyOptions([0, 0.3], 5, 1));
        Assert.Equal(0.0, curve.Points[0].Mean);
        Assert.Equal(0.0, curve.Points[0].StandardError);
        Assert.NotEqual(0.0, curve.Points[1].Mean);
    }

    [Fact]
    public void AtATrainedMinimum_IsNonNegativeOnAverage_AndGrowsWithSigma()
    {
        Assert.Equal(0.0, TrainError(NetworkFactory.Create(Config(), Trained)));
        double[] sigmas = [0, 0.1, 0.3, 0.6, 1];
        foreach (var energy in new Func<IModel<double>, double>[] { TrainError, TrainLoss })
        {
            var curve = Measure(energy, new LocalEnergyOptions(sigmas, 16, 2));
            for (int s = 1; s < sigmas.Length; s++)
            {
                Assert.True(curve.Points[s].Mean >= 0, $"σ = {sigmas[s]}: δE = {curve.Points[s].Mean}");
                Assert.True(curve.Points[s].Mean >= curve.Points[s - 1].Mean, $"δE(σ = {sigmas[s]}) = {curve.Points[s].Mean} < δE(σ = {sigmas[s - 1]}) = {curve.Points[s - 1].Mean}");
            }
            Assert.True(curve.Points[^1].Mean > curve.Points[1].Mean);
        }
    }

    [Fact]
    public void TheNumbers_DoNotDependOnTheThreads()
    {
        double[] sigmas = [0, 0.2, 0.5];
        var one = Measure(TrainLoss, new LocalEnergyOptions(sigmas, 7, 4) { Threads = 1 });
        var two = Measure(TrainLoss, new LocalEnergyOptions(sigmas, 7, 4) { Threads = 2 });
        Assert.Equal(one.Energy, two.Energy);
        Assert.Equal(one.Points, two.Points);
    }

    /// <summary>ReLU is positively homogeneous: W1 × 2 and a × ½ is the same function, and with multiplicative noise the same δE.</summary>
    [Fact]
    public void LayerRescaling_LeavesItUnchanged()
    {
        var config = Config(bias: false);
        var w = NetworkFactory.Initialize<double>(config, new GaussianRng(5));
        var rescaled = w.Select(p => p with { Value = p.Value.Select(v => v * (p.Name == "W1" ? 2 : 0.5)).ToArray() }).ToArray();
        var options = new LocalEnergyOptions([0.2, 0.7], 6, 3);
        Assert.Equal(Measure(TrainError, options, w, config).Points, Measure(TrainError, options, rescaled, config).Points);
    }

    [Fact]
    public void BiasesAndTheOutputLayer_CanBeLeftAlone()
    {
        var all = new LocalEnergyOptions([1], 1, 1);
        Assert.True(new[] { "W1", "b1", "a", "b_out" }.All(all.Perturbs));
        var hidden = all with { PerturbBiases = false, PerturbOutputLayer = false };
        Assert.Equal(["W1"], new[] { "W1", "b1", "a", "b_out" }.Where(hidden.Perturbs));
        var onlyWeights = all with { PerturbBiases = false };
        Assert.Equal(["W1", "a"], new[] { "W1", "b1", "a", "b_out" }.Where(onlyWeights.Perturbs));
    }

    [Theory]
    [InlineData(-0.1, 5, "--sigmas: σ = -0.1 must be a finite number ≥ 0")]
    [InlineData(0.5, 0, "--draws 0: must be at least 1")]
    public void BadOptions_NameTheOption(double sigma, int draws, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => Measure(TrainError, new LocalEnergyOptions([0, sigma], draws, 1)));
        Assert.Equal(message, e.Message);
    }
}
