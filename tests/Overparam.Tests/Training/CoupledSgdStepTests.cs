using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Training;

/// <summary>
/// Replicated-SGD's one-pass update of a replica's block is the element-wise passes it replaced — w − w̄
/// (TensorPrimitives.Subtract), g + c(w − w̄) (TensorPrimitives.FusedMultiplyAdd), then <see cref="SgdRule{T}"/> — bit for
/// bit, for every combination of coupling, momentum, dampening, Nesterov, weight decay and first step, on whole vectors
/// and tails.
/// </summary>
public class CoupledSgdStepTests
{
    public static TheoryData<double, double, double, bool, double, bool> Settings()
    {
        var data = new TheoryData<double, double, double, bool, double, bool>();
        foreach (double c in new[] { 0.0, 0.2 })
            foreach (double mu in new[] { 0.0, 0.9 })
                foreach (double tau in new[] { 0.0, 0.3 })
                    foreach (bool nesterov in new[] { false, true })
                        foreach (double lambda in new[] { 0.0, 1e-3 })
                            foreach (bool first in new[] { false, true })
                                if (!nesterov || mu > 0 && tau == 0) data.Add(c, mu, tau, nesterov, lambda, first);
        return data;
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void OnePass_IsThePassesItReplaced(double coupling, double mu, double tau, bool nesterov, double lambda, bool first)
    {
        const double eta = 0.15;
        var rng = new Random(5);
        foreach (int n in new[] { 4096, 13, 3 })
        {
            double[] Random() => Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
            double[] w = Random(), g = Random(), centre = Random(), b = Random();
            double[] w2 = (double[])w.Clone(), g2 = (double[])g.Clone(), b2 = (double[])b.Clone(), diff = new double[n];

            new CoupledSgdStep<double>(coupling, eta, mu, tau, lambda, nesterov).Apply(w, g, centre, mu != 0 ? b : [], first);

            if (coupling != 0)
            {
                TensorPrimitives.Subtract(w2, centre, diff);
                TensorPrimitives.FusedMultiplyAdd(diff, coupling, g2, g2);
            }
            new SgdRule<double>(eta, mu, tau, lambda, nesterov).Apply(w2, g2, mu != 0 ? b2 : [], first);

            Assert.Equal(w2, w);
            Assert.Equal(b2, b);
        }
    }
}
