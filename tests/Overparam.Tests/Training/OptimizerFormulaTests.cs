using System.Numerics;
using Overparam.IO;
using Overparam.Training;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Training;

/// <summary>
/// The first three updates of sgd, adam and rmsprop on one parameter θ(0) = [1, −2] with the hand-chosen gradients
/// g1 = [0.5, −1], g2 = [0.2, 0.3], g3 = [−0.4, 0.1], against values worked out here from PyTorch's formulas
/// (torch/optim/sgd.py, adam.py, rmsprop.py), never from the code under test.
/// </summary>
public class OptimizerFormulaTests
{
    private static readonly double[] Theta0 = [1, -2];
    private static readonly double[][] G = [[0.5, -1], [0.2, 0.3], [-0.4, 0.1]];

    private static ScriptedModel<T> Model<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        new([("w", Theta0), ("b", [0.5, 0.25])], G.Select(g => new[] { g, new[] { 1.0, -1.0 } }).ToArray());

    private static void Step<T>(IOptimizer<T> optimizer, ScriptedModel<T> model, int k, bool[]? trained = null) where T : unmanaged, IFloatingPointIeee754<T> =>
        optimizer.Step(new OptimizerStep<T> { Step = k, Model = model, OutputGradient = [], Trained = trained });

    /// <summary>θ of "w" after each of the three steps of the optimizer <paramref name="kind"/> built from <paramref name="settings"/>.</summary>
    private static double[][] Trajectory<T>(string kind, OptimizerSettings settings) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var model = Model<T>();
        var optimizer = OptimizerKind.TryParse(kind)!.Create<T>(settings);
        var thetas = new double[3][];
        for (int k = 0; k < 3; k++)
        {
            Step(optimizer, model, k);
            thetas[k] = model.Value(0);
        }
        return thetas;
    }

    private static void AssertClose(double[][] expected, double[][] actual, double tolerance = 1e-12)
    {
        for (int k = 0; k < expected.Length; k++)
            for (int i = 0; i < expected[k].Length; i++)
                Assert.True(Math.Abs(expected[k][i] - actual[k][i]) <= tolerance * Math.Max(1, Math.Abs(expected[k][i])),
                    $"step {k + 1}, θ[{i}]: expected {expected[k][i]:R}, got {actual[k][i]:R}");
    }

    [Fact]
    public void Sgd_Plain()
    {
        // θ ← θ − 0.1 g
        // θ1 = [1 − 0.05, −2 + 0.1] = [0.95, −1.9]; θ2 = [0.95 − 0.02, −1.9 − 0.03] = [0.93, −1.93];
        // θ3 = [0.93 + 0.04, −1.93 − 0.01] = [0.97, −1.94]
        AssertClose([[0.95, -1.9], [0.93, -1.93], [0.97, -1.94]], Trajectory<double>("sgd", new(0.1)));
    }

    [Fact]
    public void Sgd_Momentum()
    {
        // μ = 0.9: b1 = g1 = [0.5, −1], θ1 = [0.95, −1.9]
        // b2 = 0.9 b1 + g2 = [0.45 + 0.2, −0.9 + 0.3] = [0.65, −0.6], θ2 = [0.95 − 0.065, −1.9 + 0.06] = [0.885, −1.84]
        // b3 = 0.9 b2 + g3 = [0.585 − 0.4, −0.54 + 0.1] = [0.185, −0.44], θ3 = [0.885 − 0.0185, −1.84 + 0.044] = [0.8665, −1.796]
        AssertClose([[0.95, -1.9], [0.885, -1.84], [0.8665, -1.796]], Trajectory<double>("sgd", new(0.1) { Momentum = 0.9 }));
    }

    [Fact]
    public void Sgd_Nesterov()
    {
        // μ = 0.9, g ← g + μb: b1 = [0.5, −1], step g = [0.5 + 0.45, −1 − 0.9] = [0.95, −1.9], θ1 = [0.905, −1.81]
        // b2 = [0.65, −0.6], step g = [0.2 + 0.585, 0.3 − 0.54] = [0.785, −0.24], θ2 = [0.905 − 0.0785, −1.81 + 0.024] = [0.8265, −1.786]
        // b3 = [0.185, −0.44], step g = [−0.4 + 0.1665, 0.1 − 0.396] = [−0.2335, −0.296], θ3 = [0.8265 + 0.02335, −1.786 + 0.0296] = [0.84985, −1.7564]
        AssertClose([[0.905, -1.81], [0.8265, -1.786], [0.84985, -1.7564]], Trajectory<double>("sgd", new(0.1) { Momentum = 0.9, Nesterov = true }));
    }

    [Fact]
    public void Sgd_WeightDecay()
    {
        // λ = 0.5, g = ∇ + 0.5θ: g1 = [0.5 + 0.5, −1 − 1] = [1, −2], θ1 = [0.9, −1.8]
        // g2 = [0.2 + 0.45, 0.3 − 0.9] = [0.65, −0.6], θ2 = [0.9 − 0.065, −1.8 + 0.06] = [0.835, −1.74]
        // g3 = [−0.4 + 0.4175, 0.1 − 0.87] = [0.0175, −0.77], θ3 = [0.835 − 0.00175, −1.74 + 0.077] = [0.83325, −1.663]
        AssertClose([[0.9, -1.8], [0.835, -1.74], [0.83325, -1.663]], Trajectory<double>("sgd", new(0.1) { WeightDecay = 0.5 }));
    }

    [Fact]
    public void Sgd_MomentumWithWeightDecay_DecaysBeforeTheBuffer()
    {
        // μ = 0.9, λ = 0.5: g1 = [1, −2] = b1, θ1 = [0.9, −1.8]
        // g2 = [0.65, −0.6], b2 = [0.9 + 0.65, −1.8 − 0.6] = [1.55, −2.4], θ2 = [0.9 − 0.155, −1.8 + 0.24] = [0.745, −1.56]
        // g3 = [−0.4 + 0.3725, 0.1 − 0.78] = [−0.0275, −0.68], b3 = [1.395 − 0.0275, −2.16 − 0.68] = [1.3675, −2.84],
        // θ3 = [0.745 − 0.13675, −1.56 + 0.284] = [0.60825, −1.276]
        AssertClose([[0.9, -1.8], [0.745, -1.56], [0.60825, -1.276]], Trajectory<double>("sgd", new(0.1) { Momentum = 0.9, WeightDecay = 0.5 }));
    }

    [Fact]
    public void Sgd_Dampening_NotOnTheFirstStep()
    {
        // μ = 0.9, τ = 0.5: b1 = g1 = [0.5, −1] (undamped, as PyTorch's first step), θ1 = [0.95, −1.9]
        // b2 = 0.9 b1 + 0.5 g2 = [0.45 + 0.1, −0.9 + 0.15] = [0.55, −0.75], θ2 = [0.95 − 0.055, −1.9 + 0.075] = [0.895, −1.825]
        // b3 = 0.9 b2 + 0.5 g3 = [0.495 − 0.2, −0.675 + 0.05] = [0.295, −0.625], θ3 = [0.895 − 0.0295, −1.825 + 0.0625] = [0.8655, −1.7625]
        AssertClose([[0.95, -1.9], [0.895, -1.825], [0.8655, -1.7625]], Trajectory<double>("sgd", new(0.1) { Momentum = 0.9, Dampening = 0.5 }));
    }

    /// <summary>
    /// Adam in Kingma and Ba's form with PyTorch's L2 term and ε: g = ∇ + λθ, m = β1 m + (1 − β1) g,
    /// v = β2 v + (1 − β2) g², m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t), θ ← θ − η m̂ / (sqrt(v̂) + ε), β = (0.9, 0.999), ε = 1e-8.
    /// </summary>
    private static double[][] AdamByHand(double eta, double lambda)
    {
        double[] theta = [.. Theta0], m = [0, 0], v = [0, 0];
        var thetas = new double[3][];
        for (int t = 1; t <= 3; t++)
        {
            for (int i = 0; i < 2; i++)
            {
                double g = G[t - 1][i] + lambda * theta[i];
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                double mHat = m[i] / (1 - Math.Pow(0.9, t)), vHat = v[i] / (1 - Math.Pow(0.999, t));
                theta[i] -= eta * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
            thetas[t - 1] = [.. theta];
        }
        return thetas;
    }

    [Fact]
    public void Adam_FirstStepIsASignStep_ThenTheFormula()
    {
        var actual = Trajectory<double>("adam", new(0.1));
        // t = 1: m̂ = g, v̂ = g², so θ1 = θ0 − η g / (|g| + ε) ≈ θ0 − 0.1 sign(g1) = [0.9, −1.9]
        AssertClose([[0.9, -1.9]], actual, 1e-8);
        AssertClose(AdamByHand(0.1, 0), actual);
    }

    [Fact]
    public void Adam_WeightDecay_IsAddedToTheGradient()
    {
        // λ = 0.1 at t = 1: g = [0.5 + 0.1, −1 − 0.2] = [0.6, −1.2], still a sign step: θ1 ≈ [0.9, −1.9]
        var actual = Trajectory<double>("adam", new(0.1) { WeightDecay = 0.1 });
        AssertClose([[0.9, -1.9]], actual, 1e-8);
        AssertClose(AdamByHand(0.1, 0.1), actual);
        Assert.NotEqual(Trajectory<double>("adam", new(0.1))[2][0], actual[2][0]);
    }

    /// <summary>
    /// RMSprop: g = ∇ + λθ, v = α v + (1 − α) g², avg = sqrt(v) + ε (centered: ḡ = α ḡ + (1 − α) g, avg = sqrt(v − ḡ²) + ε),
    /// with μ &gt; 0: b = μ b + g / avg, θ ← θ − η b; else θ ← θ − η g / avg; α = 0.99, ε = 1e-8.
    /// </summary>
    private static double[][] RmsPropByHand(double eta, double mu, bool centered, double lambda)
    {
        double[] theta = [.. Theta0], v = [0, 0], gbar = [0, 0], b = [0, 0];
        var thetas = new double[3][];
        for (int t = 1; t <= 3; t++)
        {
            for (int i = 0; i < 2; i++)
            {
                double g = G[t - 1][i] + lambda * theta[i];
                v[i] = 0.99 * v[i] + 0.01 * g * g;
                gbar[i] = 0.99 * gbar[i] + 0.01 * g;
                double avg = Math.Sqrt(centered ? v[i] - gbar[i] * gbar[i] : v[i]) + 1e-8;
                if (mu > 0)
                {
                    b[i] = mu * b[i] + g / avg;
                    theta[i] -= eta * b[i];
                }
                else theta[i] -= eta * g / avg;
            }
            thetas[t - 1] = [.. theta];
        }
        return thetas;
    }

    [Fact]
    public void RmsProp_Plain()
    {
        // t = 1: v = 0.01 g², avg = 0.1 |g| + ε, θ1 = θ0 − 0.01 g / (0.1 |g|) ≈ θ0 − 0.1 sign(g1) = [0.9, −1.9]
        var actual = Trajectory<double>("rmsprop", new(0.01));
        AssertClose([[0.9, -1.9]], actual, 1e-7);
        AssertClose(RmsPropByHand(0.01, 0, false, 0), actual);
    }

    [Fact]
    public void RmsProp_Momentum()
    {
        // t = 1: b = g / avg ≈ sign(g1) · 10, θ1 ≈ [0.9, −1.9]; afterwards b keeps 0.9 of the previous step
        var actual = Trajectory<double>("rmsprop", new(0.01) { Momentum = 0.9 });
        AssertClose([[0.9, -1.9]], actual, 1e-7);
        AssertClose(RmsPropByHand(0.01, 0.9, false, 0), actual);
    }

    [Fact]
    public void RmsProp_CenteredWithMomentumAndWeightDecay()
    {
        var actual = Trajectory<double>("rmsprop", new(0.01) { Momentum = 0.9, Centered = true, WeightDecay = 0.1 });
        AssertClose(RmsPropByHand(0.01, 0.9, true, 0.1), actual);
    }

    /// <summary>Every optimizer with all of its state in use.</summary>
    public static TheoryData<string, OptimizerSettings> Stateful => new()
    {
        { "sgd", new(0.1) { Momentum = 0.9, Nesterov = true, WeightDecay = 0.01 } },
        { "sgd", new(0.1) { Momentum = 0.9, Dampening = 0.3 } },
        { "adam", new(0.1) { WeightDecay = 0.01 } },
        { "rmsprop", new(0.01) { Momentum = 0.9, Centered = true, WeightDecay = 0.01 } },
    };

    [Theory]
    [MemberData(nameof(Stateful))]
    public void FrozenParameter_StaysAndHasNoState(string kind, OptimizerSettings settings)
    {
        var model = Model<double>();
        var optimizer = OptimizerKind.TryParse(kind)!.Create<double>(settings);
        bool[] trained = [true, false];
        for (int k = 0; k < 3; k++) Step(optimizer, model, k, trained);
        Assert.Equal([0.5, 0.25], model.Value(1));
        AssertClose(Trajectory<double>(kind, settings)[2..], [model.Value(0)], 0);
        Assert.DoesNotContain(optimizer.SaveState(), t => t.Name.EndsWith(".b", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Stateful))]
    public void SaveRestore_ContinuesBitwiseLikeAnUninterruptedRun(string kind, OptimizerSettings settings)
    {
        using var tmp = new TempDirectory();
        var uninterrupted = Model<double>();
        var reference = OptimizerKind.TryParse(kind)!.Create<double>(settings);
        for (int k = 0; k < 3; k++) Step(reference, uninterrupted, k);

        var resumed = Model<double>();
        var first = OptimizerKind.TryParse(kind)!.Create<double>(settings);
        Assert.Empty(first.SaveState());
        Step(first, resumed, 0);
        SafeTensors.Write(tmp.File("optimizer.safetensors"), first.SaveState());
        var second = OptimizerKind.TryParse(kind)!.Create<double>(settings);
        second.RestoreState(SafeTensors.Read(tmp.File("optimizer.safetensors")));
        for (int k = 1; k < 3; k++) Step(second, resumed, k);

        for (int p = 0; p < 2; p++) Assert.Equal(uninterrupted.Value(p), resumed.Value(p));
        var expected = reference.SaveState();
        var actual = second.SaveState();
        Assert.Equal(expected.Select(t => t.Name), actual.Select(t => t.Name));
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i].AsDoubles(), actual[i].AsDoubles());
    }

    [Theory]
    [MemberData(nameof(Stateful))]
    public void LongParameter_EveryBlockFollowsTheFormula(string kind, OptimizerSettings settings)
    {
        // 2·4096 + 3 elements (the updates run 4096 at a time): element i repeats θ0[i mod 2] and g_k[i mod 2]
        const int length = 2 * 4096 + 3;
        double[] Repeat(double[] pair) => Enumerable.Range(0, length).Select(i => pair[i % 2]).ToArray();
        var model = new ScriptedModel<double>([("w", Repeat(Theta0))], G.Select(g => new[] { Repeat(g) }).ToArray());
        var optimizer = OptimizerKind.TryParse(kind)!.Create<double>(settings);
        for (int k = 0; k < 3; k++) Step(optimizer, model, k);
        AssertClose([Repeat(Trajectory<double>(kind, settings)[2])], [model.Value(0)], 1e-15);
    }

    [Theory]
    [InlineData("sgd", new[] { "step", "momentum_buffer.w", "momentum_buffer.b" })]
    [InlineData("adam", new[] { "step", "exp_avg.w", "exp_avg_sq.w", "exp_avg.b", "exp_avg_sq.b" })]
    [InlineData("rmsprop", new[] { "step", "square_avg.w", "momentum_buffer.w", "grad_avg.w", "square_avg.b", "momentum_buffer.b", "grad_avg.b" })]
    public void StateTensors_AreNamedAsPyTorchsStateKeys(string kind, string[] names)
    {
        var model = Model<double>();
        var optimizer = OptimizerKind.TryParse(kind)!.Create<double>(new(0.1) { Momentum = 0.9, Centered = true });
        Step(optimizer, model, 0);
        var state = optimizer.SaveState();
        Assert.Equal(names, state.Select(t => t.Name));
        Assert.Equal([1.0], state[0].AsDoubles());
        Assert.All(state.Skip(1), t => Assert.Equal([2], t.Shape));
    }

    [Fact]
    public void PlainSgd_KeepsOnlyTheStepCount()
    {
        var model = Model<double>();
        var optimizer = OptimizerKind.TryParse("sgd")!.Create<double>(new(0.1));
        Step(optimizer, model, 0);
        Assert.Equal(["step"], optimizer.SaveState().Select(t => t.Name));
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    [InlineData("rmsprop")]
    public void Float32_FollowsFloat64(string kind)
    {
        var settings = new OptimizerSettings(0.01) { Momentum = 0.9, WeightDecay = 0.01 };
        AssertClose(Trajectory<double>(kind, settings), Trajectory<float>(kind, settings), 1e-6);
        var model = Model<float>();
        var optimizer = OptimizerKind.TryParse(kind)!.Create<float>(settings);
        Step(optimizer, model, 0);
        Assert.All(optimizer.SaveState().Skip(1), t => Assert.Equal(TensorDType.F32, t.DType));
    }

    [Fact]
    public void Registry_ListsGdFirstThenTheStochasticOptimizers()
    {
        Assert.Equal(["gd", "sgd", "adam", "rmsprop"], OptimizerKind.Names.Take(4));
        Assert.IsType<GradientDescent<double>>(OptimizerKind.Default.Create<double>(new(0.1)));
        Assert.IsType<Sgd<double>>(OptimizerKind.TryParse("SGD")!.Create<double>(new(0.1)));
        Assert.IsType<Adam<float>>(OptimizerKind.TryParse("adam")!.Create<float>(new(0.1)));
        Assert.IsType<RmsProp<float>>(OptimizerKind.TryParse("rmsprop")!.Create<float>(new(0.1)));
    }

    public static TheoryData<string, OptimizerSettings, string> BadSettings => new()
    {
        { "adam", new(0.1) { Beta1 = 1 }, "--beta1 1: must be in [0, 1)" },
        { "adam", new(0.1) { Beta2 = -0.1 }, "--beta2 -0.1: must be in [0, 1)" },
        { "adam", new(0.1) { Epsilon = -1e-8 }, "--epsilon -1E-08" },
        { "adam", new(-1), "--lr -1" },
        { "sgd", new(double.NaN), "--lr NaN" },
        { "sgd", new(0.1) { Momentum = -0.5 }, "--momentum -0.5" },
        { "sgd", new(0.1) { WeightDecay = -1 }, "--weight-decay -1" },
        { "sgd", new(0.1) { Nesterov = true }, "--nesterov needs --momentum > 0 and --dampening 0" },
        { "sgd", new(0.1) { Nesterov = true, Momentum = 0.9, Dampening = 0.1 }, "--nesterov needs --momentum > 0 and --dampening 0" },
        { "rmsprop", new(0.1) { Alpha = -0.5 }, "--alpha -0.5" },
        { "rmsprop", new(0.1) { Momentum = double.PositiveInfinity }, "--momentum Infinity" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void BadSettings_ThrowNamingTheOption(string kind, OptimizerSettings settings, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => OptimizerKind.TryParse(kind)!.Create<double>(settings));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void RestoredState_IsCheckedAgainstTheParameters()
    {
        var settings = new OptimizerSettings(0.1);
        var adam = OptimizerKind.TryParse("adam")!.Create<double>(settings);
        Step(adam, Model<double>(), 0);
        var state = adam.SaveState().ToDictionary(t => t.Name);

        var e = Assert.Throws<ArgumentException>(() => new Adam<double>(settings).RestoreState(new Dictionary<string, Tensor>(state) { ["velocity.w"] = state["exp_avg.w"] }));
        Assert.Contains("\"velocity.w\"", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Adam<double>(settings).RestoreState(state.Where(kv => kv.Key != "step").ToDictionary()));
        Assert.Contains("\"step\"", e.Message);

        var misshapen = new Adam<double>(settings);
        misshapen.RestoreState(new Dictionary<string, Tensor>(state) { ["exp_avg.w"] = Tensor.F64("exp_avg.w", [3], [1, 2, 3]) });
        e = Assert.Throws<ArgumentException>(() => Step(misshapen, Model<double>(), 0));
        Assert.Contains("\"exp_avg.w\" has shape [3]", e.Message);

        var missing = new Adam<double>(settings);
        missing.RestoreState(state.Where(kv => kv.Key != "exp_avg_sq.b").ToDictionary());
        e = Assert.Throws<ArgumentException>(() => Step(missing, Model<double>(), 0));
        Assert.Contains("\"exp_avg_sq.b\" is missing", e.Message);

        var frozen = new Adam<double>(settings);
        frozen.RestoreState(state);
        e = Assert.Throws<ArgumentException>(() => Step(frozen, Model<double>(), 0, [true, false]));
        Assert.Contains("\"exp_avg.b\"", e.Message);
    }
}
