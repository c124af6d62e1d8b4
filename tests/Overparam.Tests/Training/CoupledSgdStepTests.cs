using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Training;

/// <summary>
/// Replicated-SGD's one-pass update of a replica's block is the element-wise passes it replaced — w − w̄
/// (TensorPrimitives.Subtract), g + c(w − w̄) (TensorPrimitives.FusedMultiplyAdd), then <see cref="SgdRule{T}"/> — bit for
/// bit, for every combination of coupling, momentum, dampening, Nesterov, weight decay and first step, on whole vectors
/// and tails, in float64 and float32.
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
        Check<double>(coupling, mu, tau, nesterov, lambda, first);
        Check<float>(coupling, mu, tau, nesterov, lambda, first);
    }

    /// <summary>Lengths 4096 (a whole block), 13 (a vector of eight doubles and a tail; a tail of floats) and 3 (a tail).</summary>
    private static void Check<T>(double coupling, double mu, double tau, bool nesterov, double lambda, bool first) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        const double eta = 0.15;
        var rng = new Random(5);
        foreach (int n in new[] { 4096, 13, 3 })
        {
            T[] Random() => Enumerable.Range(0, n).Select(_ => T.CreateTruncating(rng.NextDouble() - 0.5)).ToArray();
            T[] w = Random(), g = Random(), centre = Random(), b = Random();
            T[] w2 = (T[])w.Clone(), g2 = (T[])g.Clone(), b2 = (T[])b.Clone(), diff = new T[n];

            new CoupledSgdStep<T>(coupling, eta, mu, tau, lambda, nesterov).Apply(w, g, centre, mu != 0 ? b : [], first);

            if (coupling != 0)
            {
                TensorPrimitives.Subtract(w2, centre, diff);
                TensorPrimitives.FusedMultiplyAdd(diff, T.CreateTruncating(coupling), g2, g2);
            }
            new SgdRule<T>(eta, mu, tau, lambda, nesterov).Apply(w2, g2, mu != 0 ? b2 : [], first);

            Assert.Equal(w2, w);
            Assert.Equal(b2, b);
        }
    }
}
