using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Training;

/// <summary>
/// Entropy-SGD's one-pass SGLD step of a block is the element-wise passes of its formula (docs/mathematics.md §11.2) —
/// d = ∇ + γ(w − w_c) + λw, the inner momentum, d + sξ, w − η′d, αμ_w + (1 − α)w, each a TensorPrimitives pass —
/// bit for bit, for every combination of coupling, weight decay, inner momentum, dampening, Nesterov, noise and
/// averaging, on whole vectors and tails, in float64 and float32.
/// </summary>
public class SgldStepTests
{
    public static TheoryData<double, double, double, double, bool, double, double> Settings()
    {
        var data = new TheoryData<double, double, double, double, bool, double, double>();
        foreach (double gamma in new[] { 0.0, 0.3 })
            foreach (double lambda in new[] { 0.0, 1e-3 })
                foreach (double mu in new[] { 0.0, 0.9 })
                    foreach (double tau in new[] { 0.0, 0.3 })
                        foreach (bool nesterov in new[] { false, true })
                            foreach (double s in new[] { 0.0, 0.02 })
                                foreach (double alpha in new[] { 0.0, 0.75 })
                                    if (!nesterov || mu > 0 && tau == 0) data.Add(gamma, lambda, mu, tau, nesterov, s, alpha);
        return data;
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void OnePass_IsTheFormulasPasses(double gamma, double lambda, double mu, double tau, bool nesterov, double s, double alpha)
    {
        Check<double>(gamma, lambda, mu, tau, nesterov, s, alpha, float32Noise: false);
        Check<double>(gamma, lambda, mu, tau, nesterov, s, alpha, float32Noise: true);
        Check<float>(gamma, lambda, mu, tau, nesterov, s, alpha, float32Noise: false);
    }

    /// <summary>
    /// Lengths 4096 (a whole block), 29 (vectors of doubles or floats and a tail) and 3 (a tail); with
    /// <paramref name="float32Noise"/>, ξ is handed to the pass as float32 draws and the formula uses them widened.
    /// </summary>
    private static void Check<T>(double gamma, double lambda, double mu, double tau, bool nesterov, double s, double alpha, bool float32Noise)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        const double eta = 0.1;
        var rng = new Random(9);
        T C(double x) => T.CreateTruncating(x);
        foreach (int n in new[] { 4096, 29, 3 })
        {
            T[] Random() => Enumerable.Range(0, n).Select(_ => C(rng.NextDouble() - 0.5)).ToArray();
            T[] w = Random(), g = Random(), centre = Random(), average = Random(), m = Random(), xi = Random();
            T[] w2 = (T[])w.Clone(), average2 = (T[])average.Clone(), m2 = (T[])m.Clone(), d = (T[])g.Clone(), diff = new T[n], scaled = new T[n];

            var step = new SgldStep<T>(gamma, lambda, eta, mu, tau, nesterov, s, alpha);
            if (float32Noise)
            {
                float[] xi32 = xi.Select(float.CreateTruncating).ToArray();
                xi = xi32.Select(T.CreateTruncating).ToArray();
                step.Apply<float>(w, g, centre, average, mu != 0 ? m : [], s != 0 ? xi32 : []);
            }
            else step.Apply<T>(w, g, centre, average, mu != 0 ? m : [], s != 0 ? xi : []);

            if (gamma != 0)
            {
                TensorPrimitives.Subtract(w2, centre, diff);
                TensorPrimitives.FusedMultiplyAdd(diff, C(gamma), d, d);              // ∇ + γ(w − w_c)
            }
            if (lambda != 0) TensorPrimitives.FusedMultiplyAdd(w2, C(lambda), d, d);   // + λw
            if (mu != 0)
            {
                TensorPrimitives.Multiply(m2, C(mu), m2);                              // m′ ← μ′m′ + (1 − τ)d
                TensorPrimitives.FusedMultiplyAdd(d, C(1 - tau), m2, m2);
                if (nesterov) TensorPrimitives.FusedMultiplyAdd(m2, C(mu), d, d);       // d + μ′m′
                else m2.CopyTo(d);
            }
            if (s != 0)
            {
                TensorPrimitives.FusedMultiplyAdd(xi, C(s), d, d);                      // + sξ
                if (mu != 0 && !nesterov) d.CopyTo(m2);
            }
            TensorPrimitives.FusedMultiplyAdd(d, C(-eta), w2, w2);                      // w − η′d
            TensorPrimitives.Multiply(average2, C(alpha), scaled);                      // αμ_w + (1 − α)w
            TensorPrimitives.FusedMultiplyAdd(w2, C(1 - alpha), scaled, average2);

            Assert.Equal(w2, w);
            Assert.Equal(average2, average);
            if (mu != 0) Assert.Equal(m2, m);
        }
    }
}
