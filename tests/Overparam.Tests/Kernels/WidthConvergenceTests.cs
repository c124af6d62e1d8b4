using Overparam.Activations;
using Overparam.Architectures;
using Overparam.Architectures.FullyConnected;
using Overparam.Numerics;
using Overparam.Reports;
using Overparam.Tests.Architectures;

namespace Overparam.Tests.Kernels;

[Trait("Category", "Slow")]
public class WidthConvergenceTests
{
    [Fact]
    public void FiniteGramApproachesKernelLikeOneOverSqrtWidth()
    {
        // G^(H)(0) of the real network against K^(H) of the recursion (Definition 5.1, corrected): the mean entry error
        // over seeds should fall like m^(−1/2) (Theorem E.1).
        var x = NetworkTestKit.UnitRows(8, 6, 31);
        var act = Activation.Parse("softplus");
        var kh = FullyConnectedKernel.Compute(x, 2, act).KH;
        int[] widths = [256, 512, 1024, 2048, 4096];
        var errors = new double[widths.Length];
        const int seeds = 4;
        for (int w = 0; w < widths.Length; w++)
        {
            double total = 0;
            for (int s = 0; s < seeds; s++)
            {
                var net = NetworkTestKit.Network("fc", 2, widths[w], 6, "softplus", (ulong)(100 + s));
                var u = new double[8];
                net.Forward(x, u);
                net.BackPropagate();
                var gh = net.GramMatrices()[1];
                total += gh.Data.Zip(kh.Data, (g, k) => Math.Abs(g - k)).Average();
            }
            errors[w] = total / seeds;
        }
        var fit = LogLogFit.TryFit(widths.Select(m => (double)m).ToArray(), errors)!;
        Assert.InRange(fit.Slope, -0.7, -0.3);
    }
}
