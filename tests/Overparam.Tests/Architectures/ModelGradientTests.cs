using Overparam.Activations;
using Overparam.Architectures;
using Overparam.Numerics;
using Overparam.Training.Losses;

namespace Overparam.Tests.Architectures;

/// <summary>∂L/∂θ through the generic model interface against central finite differences, for every architecture × loss × parameterization × bias, C ∈ {1, 3}.</summary>
public class ModelGradientTests
{
    public static TheoryData<string, string, Parameterization, bool, int> Cases()
    {
        var data = new TheoryData<string, string, Parameterization, bool, int>();
        foreach (var arch in new[] { "fc", "resnet", "convresnet" })
            foreach (var loss in Loss.Names)
                foreach (var p in new[] { Parameterization.Ntk, Parameterization.Standard })
                    foreach (var bias in new[] { false, true })
                        foreach (var c in new[] { 1, 3 })
                            if (!(loss == "cross-entropy" && c == 1)) data.Add(arch, loss, p, bias, c);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientsMatchFiniteDifferences(string arch, string lossName, Parameterization parameterization, bool bias, int outputs)
    {
        bool conv = arch == "convresnet";
        int n = 4, d0 = 2, p = conv ? 3 : 1, d = conv ? d0 * p : 3;
        var config = new NetworkConfig(Architecture.Parse(arch), 2, 5, conv ? d0 : d, new Softplus(), 0.5, p, 3,
            Outputs: outputs, Parameterization: parameterization, Bias: bias);
        var rng = new GaussianRng(17);
        var parameters = NetworkFactory.Initialize<double>(config, rng);
        foreach (var t in parameters.Where(t => NetworkFactory.IsBias(t.Name)))
            for (int k = 0; k < t.Value.Length; k++) t.Value[k] = 0.3 * rng.NextGaussian();   // non-zero biases, so their effect shows
        var model = NetworkFactory.Create(config, parameters);
        var x = NetworkTestKit.UnitRows(n, d, 5);
        var y = Enumerable.Range(0, n).Select(i => outputs == 1 ? rng.NextGaussian() : i % outputs).ToArray();
        var loss = Loss.TryParse(lossName)!;
        NetworkTestKit.AssertModelGradientsMatchFiniteDifferences(model, x, y, loss);
    }

    [Fact]
    public void StandardParameterization_DrawsTheSameNormalsScaledByOneOverRootFanIn()
    {
        var ntk = new NetworkConfig(Architecture.Parse("fc"), 2, 6, 3, new Tanh(), Outputs: 2);
        var std = ntk with { Parameterization = Parameterization.Standard, Bias = true };
        var a = NetworkFactory.Initialize<double>(ntk, new GaussianRng(3));
        var b = NetworkFactory.Initialize<double>(std, new GaussianRng(3));
        Assert.Equal(["W1", "W2", "a"], a.Select(t => t.Name));
        Assert.Equal(["W1", "b1", "W2", "b2", "a", "b_out"], b.Select(t => t.Name));
        Assert.Equal([6, 2], b.Single(t => t.Name == "a").Shape);
        var fanIn = new Dictionary<string, int> { ["W1"] = 3, ["W2"] = 6, ["a"] = 6 };
        foreach (var t in a)
        {
            var s = b.Single(u => u.Name == t.Name);
            for (int k = 0; k < t.Value.Length; k++) Assert.Equal(t.Value[k] / Math.Sqrt(fanIn[t.Name]), s.Value[k], 15);
        }
        Assert.All(b.Where(t => t.Name.StartsWith('b')), t => Assert.All(t.Value, v => Assert.Equal(0.0, v)));
    }

    [Fact]
    public void ProofQuantities_AreRefusedForManyOutputs()
    {
        var config = new NetworkConfig(Architecture.Parse("fc"), 2, 4, 3, new Tanh(), Outputs: 3);
        var net = (INetwork<double>)NetworkFactory.Create(config, NetworkFactory.Initialize<double>(config, new GaussianRng(1)));
        net.Forward(NetworkTestKit.UnitRows(2, 3, 1), new double[6]);
        Assert.Contains("one output", Assert.Throws<InvalidOperationException>(() => net.BackPropagate()).Message);
        Assert.Contains("one output", Assert.Throws<InvalidOperationException>(() => net.GramMatrices()).Message);
        Assert.NotNull(Architecture.Parse("fc").KernelUnavailable(config));
    }
}
