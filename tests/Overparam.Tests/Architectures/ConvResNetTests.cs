using Overparam.Activations;
using Overparam.Architectures;
using Overparam.Architectures.ConvResNet;
using Overparam.Numerics;

namespace Overparam.Tests.Architectures;

public class ConvResNetTests
{
    private static readonly double[] Labels = [0.3, -1.2, 0.8, 0.1, -0.5];

    private static ConvResNetNetwork<double> Conv(int depth, int width, int d0, int p, int q, string activation, ulong seed)
        => (ConvResNetNetwork<double>)NetworkTestKit.Network("convresnet", depth, width, d0, activation, seed, 0.5, p, q);

    [Theory]
    [InlineData("softplus")]
    [InlineData("tanh")]
    [InlineData("gelu")]
    [InlineData("silu")]
    [InlineData("sigmoid")]
    public void GradientsMatchFiniteDifferences(string activation)
    {
        var x = NetworkTestKit.UnitRows(3, 2 * 4, 11);
        var net = Conv(3, 5, 2, 4, 3, activation, 5);
        NetworkTestKit.AssertGradientsMatchFiniteDifferences(net, x, Labels);
    }

    [Fact]
    public void GradientsMatchFiniteDifferencesWithKernelFive()
    {
        var x = NetworkTestKit.UnitRows(3, 2 * 4, 12);
        var net = Conv(2, 4, 2, 4, 5, "softplus", 6);
        NetworkTestKit.AssertGradientsMatchFiniteDifferences(net, x, Labels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void ForwardMatchesDirectEvaluation(int q)
    {
        const int n = 3, d0 = 2, p = 5, m = 4, depth = 3;
        var x = NetworkTestKit.UnitRows(n, d0 * p, 2);
        var net = Conv(depth, m, d0, p, q, "tanh", 9);
        var u = new double[n];
        net.Forward(x, u);
        var act = net.Config.Activation;
        int pad = (q - 1) / 2;
        for (int i = 0; i < n; i++)
        {
            // x^(0) as a d₀ × p array: feature c·p + l is channel c at position l.
            var h = new double[d0, p];
            for (int c = 0; c < d0; c++)
                for (int l = 0; l < p; l++) h[c, l] = x[i, c * p + l];
            for (int layer = 1; layer <= depth; layer++)
            {
                var W = net.Parameters[layer - 1].Value;
                int channels = h.GetLength(0);
                var next = new double[m, p];
                for (int r = 0; r < m; r++)
                    for (int l = 0; l < p; l++)
                    {
                        // (W φ(x))_{r,l} = Σ_c Σ_t W[r, c·q + t] x_{c, l − pad + t}, zero outside 0 … p−1.
                        double z = 0;
                        for (int c = 0; c < channels; c++)
                            for (int t = 0; t < q; t++)
                            {
                                int src = l - pad + t;
                                if (src >= 0 && src < p) z += W[r * q * channels + c * q + t] * h[c, src];
                            }
                        next[r, l] = layer == 1
                            ? Math.Sqrt(act.CSigma / m) * act.Value(z)
                            : h[r, l] + 0.5 / (depth * Math.Sqrt(m)) * act.Value(z);
                    }
                h = next;
            }
            double f = 0;
            var a = net.Parameters[depth].Value;
            for (int c = 0; c < m; c++)
                for (int l = 0; l < p; l++) f += a[c * p + l] * h[c, l];
            Assert.Equal(f, u[i], 1e-13);
        }
    }

    [Fact]
    public void ZeroPaddingHandWorkedExample()
    {
        // d₀ = 1, p = 3, q = 3, m = 2, H = 1, ReLU (c_σ = 2, so sqrt(c_σ/m) = 1).
        // W1 rows w_1 = (1, 1, 1), w_2 = (1, 0, −1) act on the patch (x_{l−1}, x_l, x_{l+1}) with x_0 = x_4 = 0.
        // a = [[1, 0, −1], [2, 1, 3]] (channel × position).
        //
        // Sample 1, x = (1, 2, −1): patches (0, 1, 2), (1, 2, −1), (2, −1, 0).
        //   w_1: 0+1+2 = 3, 1+2−1 = 2, 2−1+0 = 1        → relu (3, 2, 1)
        //   w_2: 0−2 = −2,  1+1 = 2,    2−0 = 2          → relu (0, 2, 2)
        //   f = 1·3 + 0·2 − 1·1 + 2·0 + 1·2 + 3·2 = 3 − 1 + 2 + 6 = 10
        //   (with wrap-around instead of zeros the end patches would be (−1, 1, 2) and (2, −1, 1), giving f = 5.)
        // Sample 2, x = (3, −1, 2): patches (0, 3, −1), (3, −1, 2), (−1, 2, 0).
        //   w_1: 0+3−1 = 2, 3−1+2 = 4, −1+2+0 = 1        → relu (2, 4, 1)
        //   w_2: 0+1 = 1,   3−2 = 1,   −1−0 = −1         → relu (1, 1, 0)
        //   f = 1·2 + 0·4 − 1·1 + 2·1 + 1·1 + 3·0 = 2 − 1 + 2 + 1 = 4
        var config = new NetworkConfig(Architecture.Parse("convresnet"), 1, 2, 1, new Relu(), Positions: 3, KernelSize: 3);
        var net = NetworkFactory.Create<double>(config,
        [
            new Parameter<double>("W1", [2, 3], [1, 1, 1, 1, 0, -1]),
            new Parameter<double>("a", [2, 3], [1, 0, -1, 2, 1, 3]),
        ]);
        var x = new Matrix<double>(2, 3, [1, 2, -1, 3, -1, 2]);
        var u = new double[2];
        net.Forward(x, u);
        Assert.Equal(10.0, u[0], 1e-15);
        Assert.Equal(4.0, u[1], 1e-15);
    }

    [Fact]
    public void ReducesToResNetWhenPAndQAreOne()
    {
        const int n = 6, d = 5, m = 16, depth = 3;
        var x = NetworkTestKit.UnitRows(n, d, 3);
        var convConfig = new NetworkConfig(Architecture.Parse("convresnet"), depth, m, d, new Softplus(), Positions: 1, KernelSize: 1);
        var convParams = NetworkFactory.Initialize<double>(convConfig, new GaussianRng(4));
        var resConfig = convConfig with { Architecture = Architecture.Parse("resnet") };
        var resParams = convParams.Select(p => p.Name == "a" ? new Parameter<double>("a", [m], (double[])p.Value.Clone()) : p with { Value = (double[])p.Value.Clone() }).ToList();
        var conv = (INetwork<double>)NetworkFactory.Create(convConfig, convParams);
        var res = (INetwork<double>)NetworkFactory.Create(resConfig, resParams);

        var u1 = new double[n]; var u2 = new double[n];
        conv.Forward(x, u1); res.Forward(x, u2);
        for (int i = 0; i < n; i++) Assert.Equal(u2[i], u1[i], 1e-14);

        conv.BackPropagate(); res.BackPropagate();
        var g1 = conv.GramMatrices(); var g2 = res.GramMatrices();
        for (int h = 0; h <= depth; h++) NetworkTestKit.AssertClose(g2[h], g1[h], 1e-13, $"G^({h + 1})");
    }

    [Theory]
    [InlineData(ConvGramStrategy.PerSample, 3)]
    [InlineData(ConvGramStrategy.PerPosition, 3)]
    [InlineData(ConvGramStrategy.PerSample, 5)]
    [InlineData(ConvGramStrategy.PerPosition, 5)]
    [InlineData(ConvGramStrategy.Auto, 3)]
    public void GramMatricesEqualExplicitJacobianProducts(ConvGramStrategy strategy, int q)
    {
        const int n = 5, d0 = 2, p = 6;
        var x = NetworkTestKit.UnitRows(n, d0 * p, 21);
        var net = Conv(3, 7, d0, p, q, "softplus", 8);
        net.GramStrategy = strategy;
        var expected = NetworkTestKit.ExplicitGrams(net, x);
        var u = new double[n];
        net.Forward(x, u);
        net.BackPropagate();
        var actual = net.GramMatrices();
        Assert.Equal(expected.Length, actual.Length);
        for (int h = 0; h < expected.Length; h++) NetworkTestKit.AssertClose(expected[h], actual[h], 1e-10, $"G^({h + 1})");
    }

    [Fact]
    public void GramStrategyChoiceFollowsFlopCounts()
    {
        Assert.Equal(ConvGramStrategy.PerSample, ConvGramCost.Cheaper(128, 64, 256, 3 * 256));
        Assert.Equal(ConvGramStrategy.PerPosition, ConvGramCost.Cheaper(128, 1, 256, 256));
    }

    [Fact]
    public void DescentStepEqualsExplicitUpdate()
    {
        var x = NetworkTestKit.UnitRows(4, 2 * 5, 12);
        var net = Conv(3, 6, 2, 5, 3, "silu", 2);
        NetworkTestKit.AssertDescentStepMatchesGradients(net, x, Labels);
    }

    [Fact]
    public void Float32ForwardAgreesWithFloat64()
    {
        const int n = 4, d0 = 3, p = 8, m = 32, depth = 4;
        var config = new NetworkConfig(Architecture.Parse("convresnet"), depth, m, d0, new Gelu(), Positions: p, KernelSize: 3);
        var p64 = NetworkFactory.Initialize<double>(config, new GaussianRng(7));
        var p32 = p64.Select(t => new Parameter<float>(t.Name, t.Shape, t.Value.Select(v => (float)v).ToArray())).ToList();
        var x64 = NetworkTestKit.UnitRows(n, d0 * p, 5);
        var u64 = new double[n]; var u32 = new float[n];
        NetworkFactory.Create(config, p64).Forward(x64, u64);
        NetworkFactory.Create(config, p32).Forward(x64.Convert<float>(), u32);
        double scale = u64.Max(Math.Abs);
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(u32[i] - u64[i]) <= 1e-5 * scale, $"u[{i}]: float32 {u32[i]}, float64 {u64[i]}");
    }
}
