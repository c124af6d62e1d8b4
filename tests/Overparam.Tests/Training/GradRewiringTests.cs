using Overparam.Architectures;
using Overparam.Architectures.Spiking;
using Overparam.IO;
using Overparam.Numerics;
using Overparam.Training;
using Overparam.Training.Losses;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Training;

/// <summary>
/// Grad R (docs/mathematics.md §16) against the prior's closed form and a Monte-Carlo draw, hand-computed steps of the
/// authors' update, its invariants after every step of a small spiking network's training, and its trend in α.
/// </summary>
public class GradRewiringTests
{
    private static OptimizerSettings Settings(double lr, double alpha, double p = 0.95, bool trueGradient = false) =>
        new(lr) { PriorAlpha = alpha, TargetSparsity = p, TrueGradient = trueGradient };

    [Theory]
    [InlineData(0.5, 0.5)]
    [InlineData(0.8, 3.0)]
    [InlineData(0.95, 0.1)]
    [InlineData(0.99, 1.0)]
    public void PriorCentre_IsLn2OneMinusPOverAlpha_AndPutsMassPBelowZero(double p, double alpha)
    {
        double mu = GradRewiring<double>.PriorCentre(p, alpha);
        Assert.Equal(Math.Log(2 * (1 - p)) / alpha, mu, 14);
        // Laplace(μ, b = 1/α) by inversion: x = μ − b·sign(u − ½)·ln(1 − 2|u − ½|); P(x < 0) must be p within 4 standard errors.
        var rng = new GaussianRng(11);
        const int draws = 200_000;
        int below = 0;
        for (int k = 0; k < draws; k++)
        {
            double u = rng.NextUniform() - 0.5;
            double x = mu - 1 / alpha * Math.Sign(u) * Math.Log(1 - 2 * Math.Abs(u));
            if (x < 0) below++;
        }
        double se = Math.Sqrt(p * (1 - p) / draws);
        Assert.InRange((double)below / draws, p - 4 * se, p + 4 * se);
    }

    // w0 = [0.5, −0.2, 0, 0.01] (s = [1, −1, 0, 1]), g1 = [0.2, −0.4, 0.7, 0.3], g2 = [−0.1, 0.3, 0.5, −3], lr 0.01,
    // β = (0.9, 0.999), ε = 1e-8, p = 0.95.
    private static ScriptedModel<double> Tiny() =>
        new([("W1", [0.5, -0.2, 0.0, 0.01])], [[[0.2, -0.4, 0.7, 0.3]], [[-0.1, 0.3, 0.5, -3.0]]]);

    private static void Step(IOptimizer<double> o, IModel<double> m, int k) => o.Step(new OptimizerStep<double> { Step = k, Model = m, OutputGradient = [] });

    [Fact]
    public void AlphaZero_IsAdamOnTheRedefinedGradient_WithoutThePrior()
    {
        // Step 1: m = 0.1 g, v = 0.001 g², step = 0.01/0.1 = 0.1, denom = |g| + 1e-8, θ ← θ − s·0.1·0.1g/(|g| + 1e-8):
        //   θ1 = 0.5 − 0.02/(0.2 + 1e-8) = 0.4900000005;  θ2 = 0.2 − 0.04/(0.4 + 1e-8) = 0.19000000025
        //   θ4 = 0.01 − 0.03/(0.3 + 1e-8) = 3.33333e-10 (still connected); the zero weight (s = 0) stays 0.
        // Step 2 (t = 2): m = 0.9 m + 0.1 g, v = 0.999 v + 0.001 g², step = 0.01/0.19, denom = √v/√(1 − 0.999²) + 1e-8.
        var model = Tiny();
        var o = new GradRewiring<double>(Settings(0.01, 0));
        Assert.False(o.PriorActive);
        Step(o, model, 0);
        AssertClose([0.4900000005, -0.19000000025, 0, 3.3333332274954053e-10], model.Value(0));
        Step(o, model, 1);
        AssertClose([0.4873366302718676, -0.18910675020121356, 0, 0.006738072366500371], model.Value(0));
        // α below ε is skipped as the code skips it: the same numbers.
        var model2 = Tiny();
        var o2 = new GradRewiring<double>(Settings(0.01, 1e-9));
        Step(o2, model2, 0); Step(o2, model2, 1);
        Assert.Equal(model.Value(0), model2.Value(0));
    }

    [Fact]
    public void OneStep_WithThePrior_EqualsTheHandComputedUpdate_AndPrunedSynapsesRegrow()
    {
        // α = 0.01: μ = ln(0.1)/0.01 = −230.26, so sign(θ − μ) = 1 and the prior takes α·step = 0.01·0.1 = 0.001 from every θ at step 1:
        //   θ1 = 0.4900000005 − 0.001 = 0.4890000005, θ2 = 0.18900000025, θ4 = 3.33e-10 − 0.001 = −0.000999999667 → w4 = 0 (pruned).
        // Step 2: the prior takes 0.01·0.01/0.19; g4 = −3 pushes θ4 back above 0: w4 = 0.0052117565770266865 (regrown).
        var model = Tiny();
        var o = new GradRewiring<double>(Settings(0.01, 0.01));
        Assert.Equal(-230.25850929940455, GradRewiring<double>.PriorCentre(0.95, 0.01), 10);
        Step(o, model, 0);
        AssertClose([0.4890000005, -0.18900000025, 0, 0], model.Value(0));
        Assert.Equal(-0.0009999996666666775, Strength(o, "W1")[3], 15);
        Assert.Equal((1L, 0L), o.Events(0));
        Step(o, model, 1);
        AssertClose([0.48581031448239387, -0.18758043441173988, 0, 0.0052117565770266865], model.Value(0));
        Assert.Equal((1L, 1L), o.Events(0));
    }

    [Fact]
    public void TrueGradient_GatesPrunedSynapses_SoTheyDoNotRegrow()
    {
        // The same run with g·[θ > 0]: at step 2 θ4 = −0.001 sees g = 0, so m4 = 0.9·0.03 and it moves further down:
        // θ4 = −0.008226897681558237; the connected weights move as before.
        var model = Tiny();
        var o = new GradRewiring<double>(Settings(0.01, 0.01, trueGradient: true));
        Step(o, model, 0); Step(o, model, 1);
        AssertClose([0.48581031448239387, -0.18758043441173988, 0, 0], model.Value(0));
        Assert.Equal(-0.008226897681558237, Strength(o, "W1")[3], 14);
        Assert.Equal((1L, 0L), o.Events(0));
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    public void TargetSparsity_OutsideHalfToOne_IsRejected(double p) =>
        Assert.Contains("--target-sparsity", Assert.Throws<ArgumentException>(() => new GradRewiring<double>(Settings(1e-3, 0.1, p))).Message);

    [Fact]
    public void NegativeAlpha_IsRejected() =>
        Assert.Contains("--prior-alpha", Assert.Throws<ArgumentException>(() => new GradRewiring<double>(Settings(1e-3, -0.5))).Message);

    private static double[] Strength(IOptimizer<double> o, string name) => o.SaveState().First(t => t.Name == "strength." + name).AsDoubles();
    private static double[] Sign(IOptimizer<double> o, string name) => o.SaveState().First(t => t.Name == "sign." + name).AsDoubles();

    private static void AssertClose(double[] expected, double[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-15 * Math.Max(1, Math.Abs(expected[i])), $"w[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    /// <summary>A 16 → 24 → 4 SNN (T = 4) on a fixed random batch stream of 8 samples; every call sees the same init and batches.</summary>
    private sealed class SmallRun
    {
        public readonly SpikingNetwork<double> Model;
        private readonly Matrix<double>[] batches;
        private readonly double[][] labels;
        private readonly double[] outputs = new double[8 * 4], gradient = new double[8 * 4];

        public SmallRun(Action<IReadOnlyList<Parameter<double>>>? edit = null)
        {
            var c = new NetworkConfig(new SpikingArchitecture(), 1, 24, 16, Overparam.Activations.Activation.Parse("relu"), Outputs: 4,
                Spiking: SpikingConfig.Default with { TimeSteps = 4 });
            var ps = NetworkFactory.Initialize<double>(c, new GaussianRng(5));
            foreach (var p in ps) for (int i = 0; i < p.Value.Length; i++) p.Value[i] *= 4;
            edit?.Invoke(ps);
            Model = (SpikingNetwork<double>)NetworkFactory.Create(c, ps);
            var rng = new GaussianRng(9);
            batches = Enumerable.Range(0, 5).Select(_ => new Matrix<double>(8, 16, Enumerable.Range(0, 128).Select(_ => rng.NextUniform()).ToArray())).ToArray();
            labels = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 8).Select(_ => (double)(rng.NextUInt64() % 4)).ToArray()).ToArray();
        }

        public void Step(IOptimizer<double> o, int k)
        {
            Model.Forward(batches[k % batches.Length], outputs);
            MeanSquaredError.Instance.Evaluate<double>(outputs, labels[k % batches.Length], 4, gradient);
            Model.Backward(gradient);
            o.Step(new OptimizerStep<double> { Step = k, Model = Model, OutputGradient = gradient });
        }

        public double Connectivity() => (double)Model.Parameters.Sum(p => p.Value.Count(v => Math.Abs(v) >= 1e-10)) / Model.Parameters.Sum(p => p.Value.Length);
    }

    [Fact]
    public void EveryStep_KeepsWEqualSMaxTheta_SignsFixed_ZerosZero()
    {
        var run = new SmallRun(ps => { ps[0].Value[3] = 0; ps[0].Value[40] = 0; ps[1].Value[7] = 0; });
        var w0 = run.Model.Parameters.Select(p => (double[])p.Value.Clone()).ToArray();
        var o = new GradRewiring<double>(Settings(0.01, 0.5));
        for (int k = 0; k < 40; k++)
        {
            run.Step(o, k);
            for (int p = 0; p < 2; p++)
            {
                var name = run.Model.Parameters[p].Name;
                double[] theta = Strength(o, name), s = Sign(o, name), w = run.Model.Parameters[p].Value;
                for (int i = 0; i < w.Length; i++)
                {
                    Assert.Equal(Math.Sign(w0[p][i]), s[i]);
                    Assert.Equal(s[i] * Math.Max(theta[i], 0), w[i]);
                    Assert.True(Math.Sign(w[i]) == 0 || Math.Sign(w[i]) == Math.Sign(w0[p][i]), $"step {k}: {name}[{i}] flipped sign");
                }
            }
            Assert.Equal(0, run.Model.Parameters[0].Value[3]);
            Assert.Equal(0, run.Model.Parameters[0].Value[40]);
            Assert.Equal(0, run.Model.Parameters[1].Value[7]);
        }
        Assert.True(run.Connectivity() < 0.99, $"nothing was pruned (connectivity {run.Connectivity():G3}): the invariants were not exercised");
    }

    [Fact]
    public void Connectivity_FallsAsAlphaGrows_AndOnlyTheRedefinedGradientRegrows()
    {
        // The same initialization and batches for α = 0, 0.1, 1 (lr 0.01, 60 steps); connectivity is |w| ≥ 1e-10.
        double[] alphas = [0, 0.1, 1];
        var connectivity = new double[alphas.Length];
        for (int a = 0; a < alphas.Length; a++)
        {
            var run = new SmallRun();
            var o = new GradRewiring<double>(Settings(0.01, alphas[a]));
            for (int k = 0; k < 60; k++) run.Step(o, k);
            connectivity[a] = run.Connectivity();
        }
        Assert.True(connectivity[0] > connectivity[1] && connectivity[1] > connectivity[2], $"connectivity at α = 0, 0.1, 1: {string.Join(", ", connectivity)}");

        long Regrown(bool trueGradient)
        {
            var run = new SmallRun();
            var o = new GradRewiring<double>(Settings(0.01, 0.1, trueGradient: trueGradient));
            for (int k = 0; k < 60; k++) run.Step(o, k);
            return o.Events(0).Regrown + o.Events(1).Regrown;
        }
        Assert.True(Regrown(false) > 0, "no regrowth under Grad R");
        Assert.Equal(0, Regrown(true));
    }

    [Fact]
    public void SaveAndRestore_ContinueToTheSameBits()
    {
        var straight = new SmallRun();
        var o = new GradRewiring<double>(Settings(0.01, 0.3));
        for (int k = 0; k < 25; k++) straight.Step(o, k);

        var split = new SmallRun();
        var first = new GradRewiring<double>(Settings(0.01, 0.3));
        for (int k = 0; k < 12; k++) split.Step(first, k);
        var saved = first.SaveState().ToDictionary(t => t.Name);
        var second = new GradRewiring<double>(Settings(0.01, 0.3));
        second.RestoreState(saved);
        for (int k = 12; k < 25; k++) split.Step(second, k);
        for (int p = 0; p < 2; p++)
        {
            Assert.Equal(straight.Model.Parameters[p].Value, split.Model.Parameters[p].Value);
            Assert.Equal(o.Events(p), second.Events(p));
        }
    }
}
