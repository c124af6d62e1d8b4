using Overparam.Architectures;
using Overparam.Numerics;
using Overparam.Tests.Architectures;
using Overparam.Training;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Training;

public class GradientDescentTests
{
    private static double StableStep(INetwork<double> net, Matrix<double> x)
    {
        var u = new double[x.Rows];
        net.Forward(x, u);
        net.BackPropagate();
        var grams = net.GramMatrices();
        var g = new Matrix<double>(x.Rows, x.Rows);
        foreach (var gh in grams) System.Numerics.Tensors.TensorPrimitives.Add(g.Data, gh.Data, g.Data);
        return 1.0 / LinearAlgebra.SymmetricEigenvalues(g)[^1];
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("fc")]
    [InlineData("resnet")]
    public void OverparameterizedNetworkReachesZeroLoss(string kind)
    {
        // tanh and d = 8 keep the NTK's condition number near 20 (fc) and 80 (resnet); with softplus the mean E[σ] ≠ 0
        // adds a dominant constant mode (λ_max/λ_min ≈ 5·10⁴ at d = 4), and 1e-10 would take ~10⁶ steps.
        var x = NetworkTestKit.UnitRows(16, 8, 7);
        var rng = new GaussianRng(99);
        var y = Enumerable.Range(0, 16).Select(_ => rng.NextGaussian()).ToArray();
        var net = NetworkTestKit.Network(kind, 3, 512, 8, "tanh", 1);
        double eta = StableStep(net, x);
        var result = TrainingLoop.Run<double>(net, x, y, new GradientDescent<double>(eta), new TrainingOptions(5000, TargetLoss: 1e-11));
        Assert.Equal(TrainingStatus.Converged, result.Status);
        Assert.True(result.FinalLoss < 1e-10, $"final loss {result.FinalLoss:E3} after {result.Steps} steps");
        Assert.True(NetworkTestKit.Loss(net, x, y) < 1e-10);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void OverparameterizedConvResNetReachesZeroLoss()
    {
        // n = 12 inputs of 2 channels × 4 positions (unit Frobenius norm), q = 3, m = 256, H = 3, tanh.
        var x = NetworkTestKit.UnitRows(12, 8, 5);
        var rng = new GaussianRng(98);
        var y = Enumerable.Range(0, 12).Select(_ => rng.NextGaussian()).ToArray();
        var net = NetworkTestKit.Network("convresnet", 3, 256, 2, "tanh", 3, cRes: 0.5, positions: 4, q: 3);
        double eta = StableStep(net, x);
        var result = TrainingLoop.Run<double>(net, x, y, new GradientDescent<double>(eta), new TrainingOptions(20000, TargetLoss: 1e-11));
        Assert.Equal(TrainingStatus.Converged, result.Status);
        Assert.True(NetworkTestKit.Loss(net, x, y) < 1e-10, $"final loss {result.FinalLoss:E3} after {result.Steps} steps");
    }

    [Fact]
    public void TooLargeStepDivergesWithoutNaNs()
    {
        var x = NetworkTestKit.UnitRows(8, 4, 7);
        var y = Enumerable.Repeat(1.0, 8).ToArray();
        var net = NetworkTestKit.Network("fc", 2, 64, 4, "softplus", 1);
        var losses = new List<double>();
        var result = TrainingLoop.Run<double>(net, x, y, new GradientDescent<double>(50.0), new TrainingOptions(1000), new Recorder(losses));
        Assert.Equal(TrainingStatus.Diverged, result.Status);
        Assert.NotNull(result.DivergedAtStep);
        Assert.True(losses.All(double.IsFinite));
        Assert.True(double.IsFinite(result.FinalLoss));
        Assert.Equal(result.DivergedAtStep, losses.Count);
    }

    [Fact]
    public void BudgetStopsAtTheRequestedStep()
    {
        var x = NetworkTestKit.UnitRows(8, 4, 7);
        var y = Enumerable.Repeat(0.5, 8).ToArray();
        var net = NetworkTestKit.Network("resnet", 2, 32, 4, "tanh", 1);
        var losses = new List<double>();
        var result = TrainingLoop.Run<double>(net, x, y, new GradientDescent<double>(0.01), new TrainingOptions(25), new Recorder(losses));
        Assert.Equal(TrainingStatus.BudgetExhausted, result.Status);
        Assert.Equal(25, result.Steps);
        Assert.Equal(26, losses.Count);
        Assert.Equal(losses[^1], result.FinalLoss);
    }

    private sealed class Recorder(List<double> losses) : ITrainingObserver<double>
    {
        public void OnStep(in StepState<double> s) => losses.Add(s.Loss);
    }
}
