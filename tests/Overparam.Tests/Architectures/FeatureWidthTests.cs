using Overparam.Activations;
using Overparam.Architectures;
using Overparam.Numerics;
using Overparam.Training.Losses;

namespace Overparam.Tests.Architectures;

/// <summary>
/// --feature-width M_H (docs/mathematics.md §2.5): the last hidden layer's own width, for fc and resnet. The forward pass
/// against a hand-written one, gradients against finite differences, Grams against explicit Jacobians, shapes.
/// </summary>
public class FeatureWidthTests
{
    private const int N = 4, D = 3, M = 5, MH = 7;

    private static NetworkConfig Config(string arch, Parameterization p, bool bias, int outputs, int depth = 3) =>
        new(Architecture.Parse(arch), depth, M, D, new Softplus(), 0.5, Outputs: outputs, Parameterization: p, Bias: bias, FeatureWidth: MH);

    private static IModel<double> Model(NetworkConfig c, ulong seed = 17)
    {
        var rng = new GaussianRng(seed);
        var parameters = NetworkFactory.Initialize<double>(c, rng);
        foreach (var t in parameters.Where(t => NetworkFactory.IsBias(t.Name)))
            for (int k = 0; k < t.Value.Length; k++) t.Value[k] = 0.3 * rng.NextGaussian();   // non-zero biases, so their effect shows
        return NetworkFactory.Create(c, parameters);
    }

    public static TheoryData<string, Parameterization, bool, int> Cases()
    {
        var data = new TheoryData<string, Parameterization, bool, int>();
        foreach (var arch in new[] { "fc", "resnet" })
            foreach (var p in new[] { Parameterization.Ntk, Parameterization.Standard })
                foreach (var (bias, c) in new[] { (false, 1), (true, 3) })
                    data.Add(arch, p, bias, c);
        return data;
    }

    [Fact]
    public void ShapesGiveTheLastLayerItsOwnWidth()
    {
        var shapes = NetworkFactory.Shapes(Config("resnet", Parameterization.Standard, true, 2));
        Assert.Equal(["W1", "b1", "W2", "b2", "W3", "b3", "a", "b_out"], shapes.Select(s => s.Name));
        Assert.Equal(new[] { new[] { M, D }, [M], [M, M], [M], [MH, M], [MH], [MH, 2], [2] }, shapes.Select(s => s.Shape));
        Assert.Equal([MH], NetworkFactory.Shapes(Config("fc", Parameterization.Ntk, false, 1)).Single(s => s.Name == "a").Shape);
    }

    [Fact]
    public void StandardInitializationUsesEachLayersFanIn()
    {
        var c = Config("fc", Parameterization.Standard, false, 1);
        var ntk = NetworkFactory.Initialize<double>(c with { Parameterization = Parameterization.Ntk }, new GaussianRng(3));
        var std = NetworkFactory.Initialize<double>(c, new GaussianRng(3));
        var fanIn = new Dictionary<string, int> { ["W1"] = D, ["W2"] = M, ["W3"] = M, ["a"] = MH };
        foreach (var t in ntk)
            for (int k = 0; k < t.Value.Length; k++) Assert.Equal(t.Value[k] / Math.Sqrt(fanIn[t.Name]), std.Single(s => s.Name == t.Name).Value[k], 15);
    }

    /// <summary>The forward pass written out per sample and unit: eq. (2) / eq. (3) with the widening last layer of §2.5.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesTheDefinition(string arch, Parameterization p, bool bias, int outputs)
    {
        var c = Config(arch, p, bias, outputs);
        var model = Model(c);
        var x = NetworkTestKit.UnitRows(N, D, 5);
        var u = new double[N * outputs];
        model.Forward(x, u);
        var features = ((IFeatureModel<double>)model).Features;
        Assert.Equal((N, MH), (features.Rows, features.Cols));
        var byName = model.Parameters.ToDictionary(t => t.Name, t => t.Value);
        double cs = new Softplus().CSigma;
        bool ntk = p == Parameterization.Ntk;
        for (int i = 0; i < N; i++)
        {
            var prev = x.Row(i).ToArray();
            for (int h = 1; h <= 3; h++)
            {
                int rows = h == 3 ? MH : M;
                var w = byName[$"W{h}"];
                var next = new double[rows];
                for (int r = 0; r < rows; r++)
                {
                    double z = bias ? byName[$"b{h}"][r] : 0;
                    for (int k = 0; k < prev.Length; k++) z += w[r * prev.Length + k] * prev[k];
                    double sigma = Math.Log(1 + Math.Exp(z));
                    bool residual = arch == "resnet" && h == 2;   // layer 3 widens M → M_H: no skip
                    next[r] = residual
                        ? prev[r] + 0.5 / (3 * (ntk ? Math.Sqrt(M) : 1)) * sigma
                        : (ntk ? Math.Sqrt(cs / rows) : 1) * sigma;
                }
                prev = next;
            }
            for (int r = 0; r < MH; r++) Assert.Equal(prev[r], features[i, r], 13);
            for (int o = 0; o < outputs; o++)
            {
                double f = bias ? byName["b_out"][o] : 0;
                for (int r = 0; r < MH; r++) f += byName["a"][r * outputs + o] * prev[r];
                Assert.Equal(f, u[i * outputs + o], 13);
            }
        }
    }

    [Fact]
    public void AResNetWhoseFeatureWidthIsItsWidthIsEquationThree()
    {
        var plain = new NetworkConfig(Architecture.Parse("resnet"), 3, M, D, new Softplus());
        var same = plain with { FeatureWidth = M };
        var x = NetworkTestKit.UnitRows(N, D, 5);
        var u1 = new double[N];
        var u2 = new double[N];
        NetworkFactory.Create(plain, NetworkFactory.Initialize<double>(plain, new GaussianRng(2))).Forward(x, u1);
        NetworkFactory.Create(same, NetworkFactory.Initialize<double>(same, new GaussianRng(2))).Forward(x, u2);
        Assert.Equal(u1, u2);
        Assert.False(same.Widens);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientsMatchFiniteDifferences(string arch, Parameterization p, bool bias, int outputs)
    {
        var model = Model(Config(arch, p, bias, outputs));
        var x = NetworkTestKit.UnitRows(N, D, 5);
        var rng = new GaussianRng(9);
        var y = Enumerable.Range(0, N).Select(i => outputs == 1 ? rng.NextGaussian() : i % outputs).ToArray();
        var loss = outputs == 1 ? Loss.TryParse("half-sum-squares")! : Loss.TryParse("cross-entropy")!;
        NetworkTestKit.AssertModelGradientsMatchFiniteDifferences(model, x, y, loss);
    }

    /// <summary>The paper's view (label-independent back-propagation, residual gradients, per-layer Grams) stays exact with M_H ≠ m.</summary>
    [Theory]
    [InlineData("fc")]
    [InlineData("resnet")]
    public void ProofQuantitiesStayExact(string arch)
    {
        var net = (INetwork<double>)Model(Config(arch, Parameterization.Ntk, false, 1));
        var x = NetworkTestKit.UnitRows(N, D, 5);
        var y = new[] { 0.3, -1.0, 0.7, 0.1 };
        NetworkTestKit.AssertGradientsMatchFiniteDifferences(net, x, y);
        var explicitGrams = NetworkTestKit.ExplicitGrams(net, x);
        net.Forward(x, new double[N]);
        net.BackPropagate();
        var grams = net.GramMatrices();
        for (int h = 0; h < grams.Length; h++) NetworkTestKit.AssertClose(explicitGrams[h], grams[h], 1e-12, $"G^({h + 1})");
    }

    [Fact]
    public void TheKernelIsUnavailableAndSaysWhy()
    {
        var c = Config("fc", Parameterization.Ntk, false, 1);
        Assert.Contains("--feature-width 7 with --width 5", c.Architecture.KernelUnavailable(c));
        Assert.Null(c.Architecture.KernelUnavailable(c with { FeatureWidth = M }));
    }
}
