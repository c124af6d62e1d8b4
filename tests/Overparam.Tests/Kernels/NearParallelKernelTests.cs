using Overparam.Activations;
using Overparam.Architectures.ConvResNet;
using Overparam.Architectures.FullyConnected;
using Overparam.Architectures.ResNet;
using Overparam.Kernels;
using Overparam.Numerics;
using Xunit.Abstractions;

namespace Overparam.Tests.Kernels;

/// <summary>
/// λ₀ of two inputs at angle θ → 0 (docs/mathematics.md §4.6): against <see cref="NearParallelReference"/>, for every
/// architecture, unit norm and norm 2, θ = 1e−1 … 1e−8 and θ = 0 (equal inputs).
/// The bound is |λ₀ − λ₀_ref| ≤ 1e−9·λ₀_ref + 4(H + 1)·ε·tr K^(H), ε = 2^−52: the first term is the accuracy asked of the
/// quadrature (the reference is good to ~1e−12 of λ₀); the second is what storing the kernels as entries costs — each
/// K^(h)_ij is rounded to ~ε K_ii, so the distance K_ii − K_ij, and with it λ₀, is known to a few ε·K_ii per layer
/// (H layers plus the eigensolver, which is backward stable: |δλ| ≤ ε‖K‖₂·O(1)). Below θ ≈ 1e−7 the exact λ₀ is itself
/// under that floor, so there the test checks that λ₀ is 0 to rounding.
/// </summary>
public class NearParallelKernelTests(ITestOutputHelper output)
{
    private static readonly double[] Angles = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 0];
    private const double CRes = 0.5, Eps = 1.0 / (1L << 52);
    private static readonly double[,] Positions = { { 0.9, -0.3, 0.5 }, { 0.2, 0.7, -0.4 } };

    [Theory]
    [InlineData("fc", 1, 1.0)]
    [InlineData("fc", 1, 2.0)]
    [InlineData("fc", 3, 1.0)]
    [InlineData("fc", 3, 2.0)]
    [InlineData("resnet", 3, 1.0)]
    [InlineData("resnet", 3, 2.0)]
    [InlineData("convresnet", 3, 1.0)]
    [InlineData("convresnet", 3, 2.0)]
    public void TanhLambda0VanishesSmoothlyWithTheAngle(string arch, int depth, double norm) => Check("tanh", arch, depth, norm);

    [Theory]
    [InlineData("softplus")]
    [InlineData("sigmoid")]
    [InlineData("gelu")]
    [InlineData("silu")]
    public void SmoothActivationsLambda0VanishesSmoothlyWithTheAngle(string activation)
    {
        foreach (double norm in new[] { 1.0, 2.0 })
        {
            Check(activation, "fc", 3, norm);
            Check(activation, "resnet", 3, norm);
        }
        Check(activation, "convresnet", 3, 2.0);
    }

    [Fact]
    public void ReluLambda0MatchesTheArcCosineFormsUpToTheConditioningOfTheGram()
    {
        // ReLU's kernels are not smooth at ρ = 1: λ₀ ∝ θ, and an entry rounded by ε K_ii moves the arc-cosine angle by
        // ~ε/θ (at most √(2ε)), so the rounding floor is ε·tr K/min(θ, √ε) per layer instead of ε·tr K.
        foreach (double norm in new[] { 1.0, 2.0 })
            foreach (int depth in new[] { 1, 3 })
                foreach (double theta in Angles)
                {
                    var (lambda0, _) = Lambda0("relu", "fc", depth, norm, theta);
                    var (reference, trace) = NearParallelReference.ReluFullyConnected(norm, theta, depth);
                    double floor = 4 * (depth + 1) * Eps * trace / Math.Max(theta, Math.Sqrt(Eps));
                    output.WriteLine($"relu fc H={depth} r={norm} θ={theta:e0}: λ₀ = {lambda0:e6}, reference {reference:e6}, floor {floor:e1}");
                    Assert.True(Math.Abs(lambda0 - reference) <= 1e-9 * reference + floor, $"relu H={depth} r={norm} θ={theta}: {lambda0:e6} vs {reference:e6}");
                }
    }

    [Theory]
    [InlineData("fc", 1.0)]
    [InlineData("fc", 2.0)]
    [InlineData("resnet", 1.0)]
    [InlineData("resnet", 2.0)]
    [InlineData("convresnet", 1.0)]
    [InlineData("convresnet", 2.0)]
    public void EqualInputsAmongOthersGiveLambda0ZeroToRounding(string arch, double norm)
    {
        // Eight inputs, two of them equal: K^(H) has two equal rows, so λ₀ = 0 exactly, and a backward-stable
        // eigensolver returns |λ₀| ≤ n·ε·‖K‖₂ ≤ n·ε·tr K.
        int n = 8, channels = 2, positions = 3, d = channels * positions;
        var x = KernelTestSupport.UnitInputs(n, d, 29);
        for (int k = 0; k < d; k++) { x[5, k] = x[2, k]; }
        for (int e = 0; e < x.Data.Length; e++) x.Data[e] *= norm;
        var r = arch switch
        {
            "fc" => FullyConnectedKernel.Compute(x, 3, new Tanh()),
            "resnet" => ResNetKernel.Compute(x, 3, new Tanh(), CRes),
            _ => ConvResNetKernel.Compute(x, channels, positions, 3, 3, new Tanh(), CRes),
        };
        double trace = 0;
        for (int i = 0; i < n; i++) trace += r.KH[i, i];
        output.WriteLine($"{arch} r={norm}: λ₀ = {r.Lambda0:e3}, n ε tr K = {n * Eps * trace:e3}");
        Assert.True(Math.Abs(r.Lambda0) <= n * Eps * trace, $"λ₀ = {r.Lambda0:e3}");
    }

    private void Check(string activation, string arch, int depth, double norm)
    {
        var reference = new NearParallelReference(NearParallelReference.For(activation));
        foreach (double theta in Angles)
        {
            var (lambda0, trace) = Lambda0(activation, arch, depth, norm, theta);
            var (expected, refTrace) = arch switch
            {
                "fc" => reference.FullyConnected(norm, theta, depth),
                "resnet" => reference.ResNet(norm, theta, depth, CRes),
                _ => reference.ConvResNet(Positions, norm, theta, depth, CRes),
            };
            double floor = 4 * (depth + 1) * Eps * trace;
            output.WriteLine($"{activation} {arch} H={depth} r={norm} θ={theta:e0}: λ₀ = {lambda0:e9}, reference {expected:e9}, " +
                $"rel {(lambda0 - expected) / expected:e2}, floor {floor:e1}");
            Assert.Equal(refTrace, trace, 1e-12 * trace);
            Assert.True(Math.Abs(lambda0 - expected) <= 1e-9 * expected + floor,
                $"{activation} {arch} H={depth} r={norm} θ={theta}: λ₀ = {lambda0:e9}, reference {expected:e9}");
        }
    }

    /// <summary>λ₀ and tr K^(H) from the kernels for x₁ and x₂ = x₁ turned by θ (fc, resnet: in a plane; conv: the channels at every position).</summary>
    private static (double Lambda0, double Trace) Lambda0(string activation, string arch, int depth, double norm, double theta)
    {
        var sigma = Activation.Parse(activation);
        KernelResult r;
        if (arch == "convresnet")
        {
            int c = Positions.GetLength(0), p = Positions.GetLength(1);
            double n2 = 0;
            foreach (double v in Positions) n2 += v * v;
            var x = new Matrix<double>(2, c * p);
            for (int l = 0; l < p; l++)
            {
                double u0 = norm * Positions[0, l] / Math.Sqrt(n2), u1 = norm * Positions[1, l] / Math.Sqrt(n2);
                x[0, l] = u0; x[0, p + l] = u1;
                x[1, l] = Math.Cos(theta) * u0 - Math.Sin(theta) * u1; x[1, p + l] = Math.Sin(theta) * u0 + Math.Cos(theta) * u1;
            }
            r = ConvResNetKernel.Compute(x, c, p, 3, depth, sigma, CRes);
        }
        else
        {
            var x = new Matrix<double>(2, 4);
            x[0, 0] = norm; x[1, 0] = norm * Math.Cos(theta); x[1, 1] = norm * Math.Sin(theta);
            r = arch == "fc" ? FullyConnectedKernel.Compute(x, depth, sigma) : ResNetKernel.Compute(x, depth, sigma, CRes);
        }
        return (r.Lambda0, r.KH[0, 0] + r.KH[1, 1]);
    }
}
