using Overparam.Architectures;
using Overparam.Architectures.Spiking;
using Overparam.Numerics;
using Overparam.Training.Losses;

namespace Overparam.Tests.Architectures;

/// <summary>
/// The LIF layer and the spiking network against hand-worked values, the surrogate formulas, and finite differences of
/// the same network with the Heaviside step replaced by the surrogate's smooth step (docs/mathematics.md §15).
/// </summary>
public class SpikingNetworkTests
{
    private static readonly SpikingConfig Authors = SpikingConfig.Default;

    [Fact]
    public void Lif_ThreeStepsOfOneNeuron_MatchTheHandWorkedCharges()
    {
        // τ = 2, V_0 = 0, inputs X = 1.5, 2.5, 1.0:
        // H1 = 0 + (1.5 − 0)/2 = 0.75 < 1: S1 = 0, V1 = 0.75
        // H2 = 0.75 + (2.5 − 0.75)/2 = 1.625 ≥ 1: S2 = 1, V2 = 0 (hard reset)
        // H3 = 0 + (1.0 − 0)/2 = 0.5: S3 = 0, V3 = 0.5
        // σ′(H − 1) = 1/(1 + (π(H − 1))²) for ATan with α = 2.
        double[] x = [1.5, 2.5, 1.0], h = [0.75, 1.625, 0.5], s = [0, 1, 0], v = [0.75, 0, 0.5];
        var c = Authors with { TimeSteps = 3 };
        double[] spikes = new double[3], slope = new double[3], charge = new double[3], membrane = new double[3];
        LifNeurons.Forward(x, 1, 1, c, spikes, slope, charge, membrane);
        Assert.Equal(s, spikes);
        Assert.Equal(h, charge);
        Assert.Equal(v, membrane);
        for (int t = 0; t < 3; t++)
            Assert.Equal(1 / (1 + Math.Pow(Math.PI * (h[t] - 1), 2)), slope[t], 15);
    }

    [Fact]
    public void Lif_VectorPathAndTail_EqualTheScalarNeuron()
    {
        // 37 copies of the hand-worked neuron (a vector path plus a scalar tail), float32: the same spikes and slopes.
        const int len = 37;
        float[] x = new float[3 * len];
        for (int e = 0; e < len; e++) { x[e] = 1.5f; x[len + e] = 2.5f; x[2 * len + e] = 1.0f; }
        var c = Authors with { TimeSteps = 3 };
        float[] spikes = new float[3 * len], slope = new float[3 * len];
        LifNeurons.Forward(x, len, len, c, spikes, slope);
        float[] one = new float[3], oneSlope = new float[3];
        LifNeurons.Forward([1.5f, 2.5f, 1.0f], 1, 1, c, one, oneSlope);
        for (int t = 0; t < 3; t++)
            for (int e = 0; e < len; e++)
            {
                Assert.Equal(one[t], spikes[t * len + e]);
                Assert.Equal(oneSlope[t], slope[t * len + e], 6);
            }
        Assert.Equal([0f, 1f, 0f], one);
    }

    [Fact]
    public void Lif_VectorPathOverManyChunks_EqualsTheScalarPath()
    {
        // 40,001 neurons × 8 steps: parallel chunks, each with its own membrane buffer, and a scalar tail; random currents
        // around the threshold. Asking for H and V takes the scalar path: the same spikes, and slopes to float rounding.
        const int len = 40001, steps = 8;
        var rng = new Random(5);
        float[] x = Enumerable.Range(0, steps * len).Select(_ => (float)(rng.NextDouble() * 3 - 0.5)).ToArray();
        var c = Authors with { TimeSteps = steps };
        float[] spikes = new float[steps * len], slope = new float[steps * len];
        float[] scalarSpikes = new float[steps * len], scalarSlope = new float[steps * len], charge = new float[steps * len], membrane = new float[steps * len];
        LifNeurons.Forward(x, len, len, c, spikes, slope);
        LifNeurons.Forward(x, len, len, c, scalarSpikes, scalarSlope, charge, membrane);
        Assert.Equal(scalarSpikes, spikes);
        for (int i = 0; i < slope.Length; i++) Assert.Equal(scalarSlope[i], slope[i], 1e-6f);
        Assert.InRange(spikes.Average(), 0.1, 0.9);                                              // both outcomes occur
    }

    [Fact]
    public void Lif_ConstantInput_StrideZeroEqualsRepeatedInput()
    {
        // The first layer's current is the same at every step: stride 0 must equal the input written out T times.
        var c = Authors with { TimeSteps = 5 };
        double[] once = [0.3, 1.2, 2.6, -0.4], repeated = Enumerable.Range(0, 5).SelectMany(_ => once).ToArray();
        double[] s0 = new double[20], d0 = new double[20], s1 = new double[20], d1 = new double[20];
        LifNeurons.Forward(once, 0, 4, c, s0, d0);
        LifNeurons.Forward(repeated, 4, 4, c, s1, d1);
        Assert.Equal(s1, s0);
        Assert.Equal(d1, d0);
        // Input 2.6: H1 = 1.3 fires, V1 = 0; H2 = 1.3 fires again: it spikes at every step.
        for (int t = 0; t < 5; t++) Assert.Equal(1.0, s0[t * 4 + 2]);
    }

    [Fact]
    public void Surrogate_ATanBackward_EqualsTheFormula()
    {
        // One step, one neuron, input 3: H = 1.5, ∂L/∂S = 1 → ∂L/∂X = σ′(0.5)/τ with σ′(x) = (α/2)/(1 + (π/2·α·x)²).
        foreach (double alpha in new[] { 2.0, 0.5, 5.0 })
        {
            var c = Authors with { TimeSteps = 1, SurrogateAlpha = alpha };
            double[] spikes = new double[1], slope = new double[1], dx = new double[1];
            LifNeurons.Forward([3.0], 1, 1, c, spikes, slope);
            LifNeurons.Backward([1.0], 1, spikes, slope, 1, c, dx, sumOverTime: false);
            double u = Math.PI / 2 * alpha * 0.5;
            Assert.Equal(alpha / 2 / (1 + u * u) / 2, dx[0], 14);
        }
        // α = 2 at the threshold: σ′(0) = 1; at x = 0.5: 1/(1 + π²/4).
        Assert.Equal(1.0, Surrogate.ATan.Derivative(0, 2), 15);
        Assert.Equal(1 / (1 + Math.PI * Math.PI / 4), Surrogate.ATan.Derivative(0.5, 2), 15);
    }

    [Theory]
    [InlineData("atan", 2.0)]
    [InlineData("sigmoid", 4.0)]
    [InlineData("rectangular", 1.0)]
    public void Surrogate_StepIsThePrimitiveOfTheDerivative(string name, double alpha)
    {
        var s = Surrogate.TryParse(name)!;
        Assert.Equal(alpha, s.DefaultAlpha);
        foreach (double x in new[] { -1.3, -0.2, 0.1, 0.35, 2.0 })
        {
            const double h = 1e-6;
            Assert.Equal(s.Derivative(x, alpha), (s.Step(x + h, alpha) - s.Step(x - h, alpha)) / (2 * h), 7);
        }
        Assert.Equal(0, s.Step(-50, alpha), 2);
        Assert.Equal(1, s.Step(50, alpha), 2);
    }

    private static NetworkConfig Config(int depth, int width, int d, int outputs, SpikingConfig snn) =>
        new(new SpikingArchitecture(), depth, width, d, Overparam.Activations.Activation.Parse("relu"), Outputs: outputs, Spiking: snn);

    /// <summary>
    /// An independent, naive forward pass of the network in float64: returns the outputs; spikes use the smooth step g
    /// (or Θ when <paramref name="heaviside"/>), and the reset uses <paramref name="resetMask"/>[l][t][i][j] when given
    /// (the spikes of a base point, held fixed: the detached reset), else the spikes themselves (recorded into it).
    /// </summary>
    private static double[,] Naive(NetworkConfig c, double[][] w, double[,] x, double[][][][]? resetMask, bool heaviside, out double[][][][] spikesOut)
    {
        var snn = c.Spiking!;
        int n = x.GetLength(0), T = snn.TimeSteps, L = c.Depth + 1;
        int[] size = Enumerable.Range(0, L).Select(l => l < L - 1 ? c.Width : c.Outputs).ToArray();
        spikesOut = new double[L][][][];
        // input of layer 0 at every t: x W1ᵀ
        var inputs = new double[T][][];
        for (int t = 0; t < T; t++) inputs[t] = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, c.InputChannels).Select(k => x[i, k]).ToArray()).ToArray();
        for (int l = 0; l < L; l++)
        {
            int fanIn = l == 0 ? c.InputChannels : size[l - 1];
            spikesOut[l] = new double[T][][];
            var v = new double[n, size[l]];
            for (int t = 0; t < T; t++)
            {
                spikesOut[l][t] = new double[n][];
                for (int i = 0; i < n; i++)
                {
                    spikesOut[l][t][i] = new double[size[l]];
                    for (int j = 0; j < size[l]; j++)
                    {
                        double cur = 0;
                        for (int k = 0; k < fanIn; k++) cur += w[l][j * fanIn + k] * inputs[t][i][k];
                        double hh = v[i, j] + (cur - (v[i, j] - 0)) / snn.Tau;
                        double s = heaviside ? (hh >= 1 ? 1 : 0) : snn.Surrogate.Step(hh - 1, snn.SurrogateAlpha);
                        double r = resetMask is null ? s : resetMask[l][t][i][j];
                        v[i, j] = hh * (1 - r);
                        spikesOut[l][t][i][j] = s;
                    }
                }
            }
            for (int t = 0; t < T; t++) inputs[t] = spikesOut[l][t];
        }
        var outputs = new double[n, c.Outputs];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c.Outputs; j++)
            {
                double count = 0;
                for (int t = 0; t < T; t++) count += spikesOut[L - 1][t][i][j];
                outputs[i, j] = snn.Readout == SpikeReadout.Rate ? count / T : count;
            }
        return outputs;
    }

    private static double NaiveLoss(NetworkConfig c, double[][] w, double[,] x, int[] labels, double[][][][] mask)
    {
        var u = Naive(c, w, x, mask, heaviside: false, out _);
        int n = labels.Length;
        double sum = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c.Outputs; j++) sum += Math.Pow(u[i, j] - (labels[i] == j ? 1 : 0), 2);
        return sum / (n * c.Outputs);
    }

    [Theory]
    [InlineData(1, "atan", "rate")]
    [InlineData(2, "atan", "rate")]
    [InlineData(2, "sigmoid", "count")]
    public void Bptt_EqualsFiniteDifferencesOfTheSmoothNetworkWithTheResetHeldFixed(int depth, string surrogate, string readout)
    {
        // With S = g(H − V_th) the network is smooth; the detached reset is the same network with the reset mask held
        // at its base-point value. The model's BPTT gradient must equal the central differences of that function.
        var sur = Surrogate.TryParse(surrogate)!;
        var snn = new SpikingConfig(4, 2, sur, sur.DefaultAlpha, readout == "rate" ? SpikeReadout.Rate : SpikeReadout.Count, SmoothSpikes: true);
        var c = Config(depth, 5, 3, 3, snn);
        var rng = new GaussianRng(7);
        var parameters = NetworkFactory.Initialize<double>(c, rng);
        foreach (var p in parameters) for (int i = 0; i < p.Value.Length; i++) p.Value[i] *= 6;   // enough current to cross the threshold
        var model = NetworkFactory.Create(c, parameters);
        var x = new Matrix<double>(2, 3, [0.9, 0.2, 0.7, 0.1, 0.8, 0.5]);
        int[] labels = [2, 0];
        var outputs = new double[2 * 3];
        model.Forward(x, outputs);
        var xs = new double[2, 3];
        for (int i = 0; i < 2; i++) for (int k = 0; k < 3; k++) xs[i, k] = x[i, k];
        var w = parameters.Select(p => p.Value).ToArray();
        var naive = Naive(c, w, xs, null, heaviside: false, out var mask);
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) Assert.Equal(naive[i, j], outputs[i * 3 + j], 12);
        var gradient = new double[6];
        MeanSquaredError.Instance.Evaluate<double>(outputs, labels.Select(l => (double)l).ToArray(), 3, gradient);
        model.Backward(gradient);
        var grads = parameters.Select(p => new double[p.Value.Length]).ToArray();
        model.Gradients(grads);
        double worst = 0, scale = 0;
        for (int p = 0; p < parameters.Count; p++)
            for (int i = 0; i < w[p].Length; i++)
            {
                const double h = 1e-6;
                double keep = w[p][i];
                w[p][i] = keep + h; double up = NaiveLoss(c, w, xs, labels, mask);
                w[p][i] = keep - h; double down = NaiveLoss(c, w, xs, labels, mask);
                w[p][i] = keep;
                double fd = (up - down) / (2 * h);
                worst = Math.Max(worst, Math.Abs(fd - grads[p][i]));
                scale = Math.Max(scale, Math.Abs(fd));
            }
        Assert.True(scale > 1e-4, $"the check is vacuous: the largest gradient is {scale:G3}");
        Assert.True(worst <= 1e-7 * scale, $"BPTT vs finite differences: max error {worst:G3} at gradient scale {scale:G3}");
    }

    [Fact]
    public void Forward_HeavisideNetwork_EqualsTheNaiveNetwork_AndCountsSpikes()
    {
        var c = Config(2, 6, 4, 3, Authors);
        var parameters = NetworkFactory.Initialize<double>(c, new GaussianRng(3));
        foreach (var p in parameters) for (int i = 0; i < p.Value.Length; i++) p.Value[i] *= 8;
        var model = (SpikingNetwork<double>)NetworkFactory.Create(c, parameters);
        var x = new Matrix<double>(3, 4, [0.9, 0.2, 0.7, 0.1, 0.8, 0.5, 0.3, 0.3, 0.0, 1.0, 0.6, 0.4]);
        var outputs = new double[9];
        model.Forward(x, outputs);
        var xs = new double[3, 4];
        for (int i = 0; i < 3; i++) for (int k = 0; k < 4; k++) xs[i, k] = x[i, k];
        var naive = Naive(c, parameters.Select(p => p.Value).ToArray(), xs, null, heaviside: true, out var spikes);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) Assert.Equal(naive[i, j], outputs[i * 3 + j], 12);
        var rates = model.SpikeRates();
        double hidden = spikes[0].Sum(t => t.Sum(r => r.Sum())) / (8 * 3 * 6);
        Assert.Equal(hidden, rates[0], 12);
        Assert.True(rates.Take(2).Any(r => r > 0), "no hidden spikes: the check is vacuous");
        foreach (var o in outputs) Assert.Equal(0, o * 8 - Math.Round(o * 8), 12);   // a rate is a count over T = 8
    }

    [Fact]
    public void Initialization_IsPyTorchsUniformOverFanIn()
    {
        var c = Config(1, 50, 40, 10, Authors);
        var ps = NetworkFactory.Initialize<double>(c, new GaussianRng(1));
        Assert.Equal(["W1", "a"], ps.Select(p => p.Name));
        Assert.Equal([50, 40], ps[0].Shape);
        Assert.Equal([10, 50], ps[1].Shape);
        foreach (var (p, fanIn) in new[] { (ps[0], 40), (ps[1], 50) })
        {
            double bound = 1 / Math.Sqrt(fanIn);
            Assert.All(p.Value, v => Assert.InRange(v, -bound, bound));
            // uniform on [−b, b]: variance b²/3 (a Monte-Carlo check over 2000 and 500 draws)
            double var = p.Value.Select(v => v * v).Average();
            Assert.InRange(var, bound * bound / 3 * 0.8, bound * bound / 3 * 1.2);
        }
    }
}
