using Overparam.Architectures;
using Overparam.Numerics;

namespace Overparam.Tests.Architectures;

public class DenseNetworkTests
{
    private static readonly double[] Labels = [0.3, -1.2, 0.8, 0.1, -0.5];

    [Theory]
    [InlineData("fc", "softplus")]
    [InlineData("fc", "tanh")]
    [InlineData("fc", "sigmoid")]
    [InlineData("fc", "gelu")]
    [InlineData("fc", "silu")]
    [InlineData("resnet", "softplus")]
    [InlineData("resnet", "tanh")]
    [InlineData("resnet", "gelu")]
    [InlineData("resnet", "silu")]
    [InlineData("resnet", "sigmoid")]
    public void GradientsMatchFiniteDifferences(string kind, string activation)
    {
        var x = NetworkTestKit.UnitRows(5, 4, 11);
        var net = NetworkTestKit.Network(kind, 3, 7, 4, activation, 5);
        NetworkTestKit.AssertGradientsMatchFiniteDifferences(net, x, Labels);
    }

    [Fact]
    public void ForwardMatchesEquationTwoByHand()
    {
        // A direct, loop-by-loop evaluation of eq. (2) for one sample.
        var x = NetworkTestKit.UnitRows(2, 3, 2);
        var net = NetworkTestKit.Network("fc", 2, 4, 3, "tanh", 9);
        var u = new double[2];
        net.Forward(x, u);
        var act = net.Config.Activation;
        double s = Math.Sqrt(act.CSigma / 4);
        for (int i = 0; i < 2; i++)
        {
            double[] h = x.Row(i).ToArray();
            for (int l = 0; l < 2; l++)
            {
                var W = net.Parameters[l];
                var next = new double[4];
                for (int r = 0; r < 4; r++)
                {
                    double z = 0;
                    for (int c = 0; c < h.Length; c++) z += W.Value[r * h.Length + c] * h[c];
                    next[r] = s * act.Value(z);
                }
                h = next;
            }
            double f = 0;
            for (int r = 0; r < 4; r++) f += net.Parameters[2].Value[r] * h[r];
            Assert.Equal(f, u[i], 1e-14);
        }
    }

    [Fact]
    public void ResNetOfDepthOneEqualsFullyConnected()
    {
        var x = NetworkTestKit.UnitRows(6, 5, 3);
        var fc = NetworkTestKit.Network("fc", 1, 16, 5, "softplus", 4);
        var res = NetworkTestKit.Network("resnet", 1, 16, 5, "softplus", 4);
        var u1 = new double[6]; var u2 = new double[6];
        fc.Forward(x, u1); res.Forward(x, u2);
        Assert.Equal(u1, u2);
    }

    [Theory]
    [InlineData("fc")]
    [InlineData("resnet")]
    public void GramMatricesEqualExplicitJacobianProducts(string kind)
    {
        var x = NetworkTestKit.UnitRows(6, 4, 21);
        var net = NetworkTestKit.Network(kind, 3, 9, 4, "softplus", 8);
        var expected = NetworkTestKit.ExplicitGrams(net, x);
        var u = new double[6];
        net.Forward(x, u);
        net.BackPropagate();
        var actual = net.GramMatrices();
        for (int h = 0; h < expected.Length; h++) NetworkTestKit.AssertClose(expected[h], actual[h], 1e-10, $"G^({h + 1})");
    }

    [Fact]
    public void DescentStepEqualsExplicitUpdate()
    {
        var x = NetworkTestKit.UnitRows(5, 4, 12);
        var net = NetworkTestKit.Network("resnet", 3, 6, 4, "silu", 2);
        NetworkTestKit.AssertDescentStepMatchesGradients(net, x, Labels);
    }
}
