using Overparam.Architectures;
using Overparam.Numerics;
using Overparam.Tests.Architectures;
using Overparam.Training;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Training;

/// <summary>Entropy-SGD (docs/mathematics.md §11.2) against SGD in its limits, against the formula by hand, and its noise.</summary>
public class EntropySgdTests
{
    private static readonly Matrix<double> X = NetworkTestKit.UnitRows(8, 3, 4);
    private static readonly double[] Y = [0.5, -1, 0.3, 0.8, -0.2, 1.1, -0.7, 0.1];

    private static INetwork<double> Net() => NetworkTestKit.Network("fc", 2, 6, 3, "tanh", 2);

    /// <summary>The parameters after <paramref name="steps"/> steps of the optimizer on minibatches of 2 (shuffled), and the step losses.</summary>
    private static (double[][] Theta, List<double> Losses) Train(IOptimizer<double> optimizer, int steps)
    {
        var net = Net();
        var losses = new List<double>();
        TrainingLoop.Run<double>(net, X, Y, optimizer, new TrainingOptions(steps, Batches: new BatchPlan(8, 2, shuffle: true, seed: 5)), new Losses(losses));
        return (net.Parameters.Select(p => p.Value).ToArray(), losses);
    }

    private sealed class Losses(List<double> losses) : ITrainingObserver<double>
    {
        public void OnStep(in StepState<double> s) => losses.Add(s.Loss);
    }

    private static OptimizerSettings Entropy(double lr, int inner) => new(lr) { InnerSteps = inner, Gamma0 = 1, Gamma1 = 0, GScale = false };

    [Theory]
    [InlineData(0.9, false, 0.0)]
    [InlineData(0.9, true, 1e-3)]
    public void NoInnerSteps_NoGScale_IsSgdWithMomentum_BitForBit(double momentum, bool nesterov, double weightDecay)
    {
        var sgd = Train(new Sgd<double>(new OptimizerSettings(0.1) { Momentum = momentum, Nesterov = nesterov, WeightDecay = weightDecay }), 6);
        var esgd = Train(new EntropySgd<double>(Entropy(0.1, 0) with { Momentum = momentum, Nesterov = nesterov, WeightDecay = weightDecay }), 6);
        Assert.Equal(sgd.Losses, esgd.Losses);
        for (int p = 0; p < sgd.Theta.Length; p++) Assert.Equal(sgd.Theta[p], esgd.Theta[p]);
    }

    /// <summary>
    /// L = 1, γ = 0, ε = 0, α = 0, gscale off: the inner step is w′ = w_c − η′∇ on the step's own batch, μ = w′, and the
    /// outer g = w_c − w′, which is η′∇ up to the one rounding of w_c − η′∇ (at most half an ulp of w). So the run is
    /// SGD with step η·η′ (here with momentum) to within that rounding per step, not bit for bit.
    /// </summary>
    [Fact]
    public void OneInnerStep_NoCoupling_NoAverage_IsSgdWithStepLrTimesSgldLr()
    {
        var sgd = Train(new Sgd<double>(new OptimizerSettings(0.1 * 0.5) { Momentum = 0.9 }), 6);
        var esgd = Train(new EntropySgd<double>(Entropy(0.1, 1) with { Gamma0 = 0, SgldLr = 0.5, SgldNoise = 0, EmaAlpha = 0, Momentum = 0.9 }), 6);
        for (int k = 0; k < sgd.Losses.Count; k++) Assert.True(Math.Abs(sgd.Losses[k] - esgd.Losses[k]) <= 1e-13, $"step {k}: {sgd.Losses[k]:R} vs {esgd.Losses[k]:R}");
        for (int p = 0; p < sgd.Theta.Length; p++)
            for (int i = 0; i < sgd.Theta[p].Length; i++)
                Assert.True(Math.Abs(sgd.Theta[p][i] - esgd.Theta[p][i]) <= 1e-14, $"θ{p}[{i}]: {sgd.Theta[p][i]:R} vs {esgd.Theta[p][i]:R}");
        Assert.NotEqual(Net().Parameters[0].Value, esgd.Theta[0]);
    }

    [Fact]
    public void GScaleWithZeroCoupling_DoesNotMove()
    {
        var esgd = Train(new EntropySgd<double>(Entropy(0.1, 3) with { Gamma0 = 0, GScale = true, SgldNoise = 1e-2, Momentum = 0.9 }), 4);
        var init = Net();
        for (int p = 0; p < esgd.Theta.Length; p++) Assert.Equal(init.Parameters[p].Value, esgd.Theta[p]);
    }

    /// <summary>
    /// One outer step with ε = 0 on u = w·x (half-sum-squares loss), batches of 2 rows in data order, worked out here from
    /// docs/mathematics.md §11.2 with every option on: L = 3 (batches 0, 1, 2 = rows 0–1, 2–3, 0–1), γ = γ0(1+γ1)^0 = 0.5,
    /// η′ = 0.1, α = 0.75, λ = 0.01 (inner and outer), inner momentum 0.5 and outer momentum 0.9 (no Nesterov),
    /// gscale: w ← w_c − ηγ·m with m = g + λw_c. Then step 1 evaluates batch 3 (rows 2–3) at the new w.
    /// </summary>
    [Fact]
    public void OneOuterStep_EqualsTheFormulaByHand()
    {
        var x = new Matrix<double>(4, 2, [1, 0.5, -0.3, 2, 0.7, -1, 0.2, 0.4]);
        double[] y = [1, -0.5, 0.25, 2];
        double[] w0 = [0.3, -0.2];
        double eta = 0.2, gamma = 0.5, sgldLr = 0.1, alpha = 0.75, lambda = 0.01, muInner = 0.5, muOuter = 0.9;

        double[] Gradient(double[] w, int batch)
        {
            var g = new double[2];
            for (int i = 2 * (batch % 2); i < 2 * (batch % 2) + 2; i++)
            {
                double r = w[0] * x[i, 0] + w[1] * x[i, 1] - y[i];
                g[0] += r * x[i, 0];
                g[1] += r * x[i, 1];
            }
            return g;
        }
        var wc = (double[])w0.Clone();
        var wv = (double[])w0.Clone();
        var mean = (double[])w0.Clone();
        var inner = new double[2];
        for (int i = 0; i < 3; i++)
        {
            var g = Gradient(wv, i);
            for (int j = 0; j < 2; j++)
            {
                double d = g[j] + gamma * (wv[j] - wc[j]) + lambda * wv[j];
                inner[j] = muInner * inner[j] + d;
                wv[j] -= sgldLr * inner[j];
                mean[j] = alpha * mean[j] + (1 - alpha) * wv[j];
            }
        }
        var expected = new double[2];
        for (int j = 0; j < 2; j++)
        {
            double g = wc[j] - mean[j] + lambda * wc[j];
            double m = muOuter * 0 + g;
            expected[j] = wc[j] - eta * gamma * m;
        }
        double r2 = expected[0] * x[2, 0] + expected[1] * x[2, 1] - y[2], r3 = expected[0] * x[3, 0] + expected[1] * x[3, 1] - y[3];

        var model = new LinearModel((double[])w0.Clone());
        var optimizer = new EntropySgd<double>(new OptimizerSettings(eta)
        {
            InnerSteps = 3, Gamma0 = gamma, Gamma1 = 0.1, SgldLr = sgldLr, SgldNoise = 0, EmaAlpha = alpha, WeightDecay = lambda,
            SgldMomentum = muInner, Momentum = muOuter,
        });
        var losses = new List<double>();
        TrainingLoop.Run<double>(model, x, y, optimizer, new TrainingOptions(1, Batches: new BatchPlan(4, 2, shuffle: false)), new Losses(losses));
        for (int j = 0; j < 2; j++) Assert.True(Math.Abs(expected[j] - model.Parameters[0].Value[j]) <= 1e-15, $"w[{j}]: {expected[j]:R} vs {model.Parameters[0].Value[j]:R}");
        Assert.Equal(0.5 * (r2 * r2 + r3 * r3), losses[1], 1e-14);
    }

    /// <summary>
    /// L = 1 with zero gradients, γ = 0, α = 0, η = 1, gscale off: w ← w_c − (w_c − μ) = w_c − η′·ε/sqrt(η′/2)·ξ, so
    /// the change of w is the SGLD noise itself: mean 0, standard deviation ε·sqrt(2η′).
    /// </summary>
    [Fact]
    public void SgldNoiseOnW_HasStandardDeviationEpsilonSqrtTwoEtaPrime()
    {
        const int size = 40_000;
        double eps = 1e-2, sgldLr = 0.3;
        var model = new ScriptedModel<double>([("w", new double[size])], [[new double[size]]]);
        var optimizer = new EntropySgd<double>(new OptimizerSettings(1) { InnerSteps = 1, Gamma0 = 0, Gamma1 = 0, GScale = false, SgldNoise = eps, SgldLr = sgldLr, EmaAlpha = 0, NoiseSeed = 11 });
        optimizer.Step(new OptimizerStep<double> { Model = model, OutputGradient = [] });
        var change = model.Value(0);
        double mean = change.Average(), sd = Math.Sqrt(change.Sum(v => (v - mean) * (v - mean)) / (size - 1));
        double expected = eps * Math.Sqrt(2 * sgldLr);
        Assert.True(Math.Abs(sd / expected - 1) < 0.02, $"sd {sd:G6}, expected {expected:G6}");
        Assert.True(Math.Abs(mean) < 4 * expected / Math.Sqrt(size), $"mean {mean:G6}");
    }

    /// <summary>The automatic γ0 stays 0 at outer steps 0 and 1 and is then ℓ / (½‖w_c − w‖²) of step 1's last inner step.</summary>
    [Fact]
    public void AutomaticGamma0_IsSetAtTheSecondOuterStep()
    {
        var optimizer = new EntropySgd<double>(new OptimizerSettings(0.1) { InnerSteps = 2, Gamma1 = 0, SgldNoise = 0 });
        var init = Net();
        var (theta, _) = Train(optimizer, 2);
        for (int p = 0; p < theta.Length; p++) Assert.Equal(init.Parameters[p].Value, theta[p]);   // gscale with γ = 0
        Assert.True(optimizer.Gamma0 > 0 && double.IsFinite(optimizer.Gamma0), $"γ0 = {optimizer.Gamma0}");
        var once = new EntropySgd<double>(new OptimizerSettings(0.1) { InnerSteps = 2, Gamma1 = 0, SgldNoise = 0 });
        Train(once, 1);
        Assert.Equal(0, once.Gamma0);
    }

    [Fact]
    public void GammaMax_SetsGamma1_SoThatGammaGrowsByGammaMaxOverTheOuterSteps()
    {
        var optimizer = new EntropySgd<double>(new OptimizerSettings(0.1) { Gamma0 = 0.5, GammaMax = 100, OuterSteps = 40 });
        Assert.Equal(100, Math.Pow(1 + optimizer.Gamma1, 40), 1e-10);
    }

    [Theory]
    [InlineData(-1, "--inner-steps -1: must be at least 0")]
    [InlineData(0, "the automatic γ0 (no --gamma0) needs --inner-steps ≥ 1")]
    public void BadSettings_NameTheOption(int inner, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new EntropySgd<double>(new OptimizerSettings(0.1) { InnerSteps = inner, Gamma1 = 0 }));
        Assert.Equal(message, e.Message);
        Assert.Contains("--ema-alpha 1.5", Assert.Throws<ArgumentException>(() => new EntropySgd<double>(new OptimizerSettings(0.1) { EmaAlpha = 1.5, Gamma1 = 0 })).Message);
        Assert.Contains("--gamma1 is not given", Assert.Throws<ArgumentException>(() => new EntropySgd<double>(new OptimizerSettings(0.1))).Message);
    }
    private sealed class ScriptedOracle(ScriptedModel<double> model) : IGradientOracle<double>
    {
        public double NextGradient(IReadOnlyList<double[]> gradients)
        {
            model.Gradients(gradients);
            return 1;
        }
    }

    /// <summary>
    /// Two outer steps with noise, Nesterov inner momentum, coupling, weight decay and averaging on scripted gradients,
    /// for parameters of 2·4096 + 5 and 3 coordinates (whole blocks and tails), against the formula of
    /// docs/mathematics.md §11.2 written here per coordinate with the same roundings (Math.FusedMultiplyAdd where the
    /// pass fuses) and the noise of each block drawn by key, with one thread and with the noise drawn ahead on a second
    /// one. Equal bit for bit, with and without noise, and with the noise stored in float32 (each draw rounded).
    /// </summary>
    [Theory]
    [InlineData(1, 0.0, false)]
    [InlineData(1, 1e-2, false)]
    [InlineData(2, 1e-2, false)]
    [InlineData(1, 1e-2, true)]
    [InlineData(2, 1e-2, true)]
    public void OuterSteps_EqualTheFormulaPerCoordinate_ForAnyThreadCount(int threads, double eps, bool float32Noise)
    {
        int[] lengths = [2 * 4096 + 5, 3];
        const int inner = 3, outer = 2;
        double eta = 0.3, gamma = 0.7, sgldLr = 0.05, alpha = 0.75, lambda = 1e-3, muInner = 0.5, muOuter = 0.9;
        const ulong seed = 99;
        var rng = new Random(3);
        double[] Random(int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var w0 = lengths.Select(Random).ToArray();
        var script = Enumerable.Range(0, outer * inner).Select(_ => lengths.Select(Random).ToArray()).ToArray();

        var w = w0.Select(v => (double[])v.Clone()).ToArray();
        var outerM = lengths.Select(n => new double[n]).ToArray();
        double scale = eps / Math.Sqrt(0.5 * sgldLr);
        for (int t = 0; t < outer; t++)
        {
            double gt = gamma * Math.Pow(1 + 0.1, t);
            for (int p = 0; p < lengths.Length; p++)
            {
                var xi = new double[lengths[p]];
                double[] wc = (double[])w[p].Clone(), mean = (double[])w[p].Clone(), m = new double[lengths[p]];
                for (int i = 1; i <= inner; i++)
                {
                    for (int b = 0; b * 4096 < lengths[p]; b++)
                        GaussianNoise.Fill(SgldNoise<double>.Key(seed, t, i, p, b), xi.AsSpan(b * 4096, Math.Min(4096, lengths[p] - b * 4096)));
                    if (float32Noise) for (int j = 0; j < xi.Length; j++) xi[j] = (float)xi[j];
                    var g = script[t * inner + i - 1][p];
                    for (int j = 0; j < lengths[p]; j++)
                    {
                        double d = Math.FusedMultiplyAdd(w[p][j] - wc[j], gt, g[j]);
                        d = Math.FusedMultiplyAdd(w[p][j], lambda, d);
                        m[j] = Math.FusedMultiplyAdd(d, 1, m[j] * muInner);
                        d = Math.FusedMultiplyAdd(m[j], muInner, d);
                        d = Math.FusedMultiplyAdd(xi[j], scale, d);
                        w[p][j] = Math.FusedMultiplyAdd(d, -sgldLr, w[p][j]);
                        mean[j] = Math.FusedMultiplyAdd(w[p][j], 1 - alpha, mean[j] * alpha);
                    }
                }
                for (int j = 0; j < lengths[p]; j++)
                {
                    double g = Math.FusedMultiplyAdd(wc[j], lambda, wc[j] - mean[j]);
                    outerM[p][j] = Math.FusedMultiplyAdd(g, 1, outerM[p][j] * muOuter);
                    g = Math.FusedMultiplyAdd(outerM[p][j], muOuter, g);
                    w[p][j] = Math.FusedMultiplyAdd(g, -(eta * gt), wc[j]);
                }
            }
        }

        var (saved, savedBlas) = (Chunks.Threads, LinearAlgebra.Backend.Threads);
        try
        {
            (Chunks.Threads, LinearAlgebra.Backend.Threads) = (threads, 1);                 // threads > 1: the noise worker on a core BLAS leaves free
            var model = new ScriptedModel<double>(lengths.Select((n, p) => ($"w{p}", w0[p])).ToArray(), script);
            var optimizer = new EntropySgd<double>(new OptimizerSettings(eta)
            {
                InnerSteps = inner, Gamma0 = gamma, Gamma1 = 0.1, SgldLr = sgldLr, SgldNoise = eps, EmaAlpha = alpha, WeightDecay = lambda,
                SgldMomentum = muInner, Momentum = muOuter, Nesterov = true, NoiseSeed = seed, SgldNoiseFloat32 = float32Noise,
            });
            var oracle = new ScriptedOracle(model);
            for (int t = 0; t < outer; t++)
            {
                optimizer.Step(new OptimizerStep<double> { Step = t, Model = model, OutputGradient = [], Oracle = oracle });
            }
            for (int p = 0; p < lengths.Length; p++)
            {
                var actual = model.Value(p);
                Assert.Equal(w[p], actual);
            }
        }
        finally { (Chunks.Threads, LinearAlgebra.Backend.Threads) = (saved, savedBlas); }
    }
}
