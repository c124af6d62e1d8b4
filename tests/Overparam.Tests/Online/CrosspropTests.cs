using Overparam.Activations;
using Overparam.Online;
using Xunit.Abstractions;

namespace Overparam.Tests.Online;

/// <summary>The online learners against hand-computed numbers, backprop, and finite differences (docs/mathematics.md, "Crossprop").</summary>
public sealed class CrosspropTests(ITestOutputHelper output)
{
    private static LearnerKind K(string name) => LearnerKind.TryParse(name)!;

    /// <summary>
    /// Three cp updates (λ = 0, tanh, 1 input + bias, 2 hidden + bias unit) by hand from the equations, in this order per example:
    /// net_j = Σ_i x_i u_ij, φ_j = tanh net_j, φ_2 = 1, y = Σ_j w_j φ_j, δ = y* − y;
    /// w_j ← w_j + α_W δ φ_j;  u_ij ← u_ij + α_U δ φ_j h_ij (old h);  h_ij ← h_ij (1 − α_W φ_j²) + α_W δ x_i (1 − φ_j²).
    /// Example 1: x = (0.5, 1), net = (0.35, −0.05), h = 0 so U does not move; the numbers below were evaluated in
    /// double precision from these lines.
    /// </summary>
    [Fact]
    public void ThreeCrosspropUpdates_EqualHandComputedNumbers()
    {
        var init = new OnlineWeights(1, 2, 1, [0.1, -0.2, 0.3, 0.05], [0.4, -0.3, 0.2]);
        var learner = new OnlineLearner(K("cp"), init, new Tanh(), new LearnerSettings(0.1, 0.05));
        double[][] xs = [[0.5, 1], [-1, 1], [2, 1]];
        double[] ys = [1, -0.5, 0.25], losses = [0.21155058220244086, 0.2995716171905696, 0.02737609281150138];
        for (int t = 0; t < 3; t++) Assert.Equal(losses[t], learner.Learn(xs[t], ys[t]).Loss, 1e-14);
        AssertClose([0.09922298258175502, -0.19989291706386106, 0.2996507239191175, 0.049352335064248826], learner.U);
        AssertClose([0.3958053129247762, -0.31431094340718047, 0.16424269884540538], learner.W);
        AssertClose([0.06408972661939547, 0.06234387941345301, -0.03498410427783071, -0.02890682362523126], learner.Traces);
    }

    private static void AssertClose(double[] expected, ReadOnlySpan<double> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-14, $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    /// <summary>
    /// λ = 1 makes cp-lambda and cp-alt-lambda backprop: U and W after every example equal bp's bit for bit (24 hidden
    /// units fill three vectors of eight, 13 leave a scalar tail).
    /// </summary>
    [Theory]
    [InlineData("cp-lambda", 1, 24)]
    [InlineData("cp-alt-lambda", 1, 24)]
    [InlineData("cp-lambda", 3, 24)]
    [InlineData("cp-alt-lambda", 3, 24)]
    [InlineData("cp-lambda", 1, 13)]
    [InlineData("cp-alt-lambda", 3, 13)]
    public void LambdaOne_IsBackpropBitForBit(string name, int outputs, int hidden)
    {
        var stream = outputs == 1 ? OnlineStream.Geoff(20, 50, 2, 2, 150, 0.5, 7) : Classes(3, 6, 300, 11);
        var init = OnlineWeights.Normal(stream.Inputs, hidden, stream.Outputs, 5);
        var settings = new LearnerSettings(0.003, 0.003) { Lambda = 1 };
        var mixed = new OnlineLearner(K(name), init, new Tanh(), settings);
        var bp = new OnlineLearner(K("bp"), init, new Tanh(), settings);
        for (int t = 0; t < stream.Examples; t++)
        {
            var (x, y) = stream[t];
            Assert.Equal(bp.Learn(x.Span, y).Loss, mixed.Learn(x.Span, y).Loss);
            Assert.True(Bits(bp.U).SequenceEqual(Bits(mixed.U)), $"U differs after example {t + 1}");
            Assert.True(Bits(bp.W).SequenceEqual(Bits(mixed.W)), $"W differs after example {t + 1}");
        }
        Assert.NotEqual(init.U, mixed.U.ToArray());
    }

    /// <summary>
    /// bp's in-place SGD step (a rank-1 update of the rows with x_i ≠ 0, and LMS for W) gives the numbers of the Sgd
    /// optimizer fed the full gradient ∂L/∂U, ∂L/∂W: U and W after every example bit for bit (13 hidden units: vectors and a tail).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Backprop_InPlace_EqualsTheSgdOptimizer(int outputs)
    {
        var stream = outputs == 1 ? OnlineStream.Geoff(20, 50, 2, 2, 150, 0.5, 7) : Classes(3, 6, 300, 11);
        var init = OnlineWeights.Normal(stream.Inputs, 13, stream.Outputs, 5);
        var settings = new LearnerSettings(0.003, 0.003);
        var inPlace = new OnlineLearner(K("bp"), init, new Tanh(), settings);
        var optimizer = new OnlineLearner(K("bp"), init, new Tanh(), settings, throughOptimizer: true);
        for (int t = 0; t < stream.Examples; t++)
        {
            var (x, y) = stream[t];
            Assert.Equal(optimizer.Learn(x.Span, y).Loss, inPlace.Learn(x.Span, y).Loss);
            Assert.True(Bits(optimizer.U).SequenceEqual(Bits(inPlace.U)), $"U differs after example {t + 1}");
            Assert.True(Bits(optimizer.W).SequenceEqual(Bits(inPlace.W)), $"W differs after example {t + 1}");
        }
        Assert.NotEqual(init.U, inPlace.U.ToArray());
    }

    /// <summary>λ &lt; 1 does differ from backprop (so the test above is not comparing a learner with itself).</summary>
    [Fact]
    public void LambdaHalf_DiffersFromBackprop()
    {
        var stream = OnlineStream.Geoff(20, 50, 1, 1, 50, 0, 7);
        var init = OnlineWeights.Normal(stream.Inputs, 24, 1, 5);
        var settings = new LearnerSettings(0.003, 0.003) { Lambda = 0.5 };
        var (mixed, bp) = (new OnlineLearner(K("cp-lambda"), init, new Tanh(), settings), new OnlineLearner(K("bp"), init, new Tanh(), settings));
        for (int t = 0; t < stream.Examples; t++) { var (x, y) = stream[t]; mixed.Learn(x.Span, y); bp.Learn(x.Span, y); }
        Assert.False(Bits(bp.U).SequenceEqual(Bits(mixed.U)));
    }

    /// <summary>
    /// After one example from h = 0 with w_j(0) = 0, h_ij = α_W δ f′_j x_i is exactly ∂w_j(1)/∂u_ij of the LMS update
    /// (the dropped term w_j f′_j x_i is 0): central differences of w_j(1) in u_ij(0) agree to 1e-6.
    /// </summary>
    [Theory]
    [InlineData("tanh")]
    [InlineData("sigmoid")]
    public void TraceAfterOneExample_IsTheDerivativeOfW(string activation)
    {
        var stream = OnlineStream.Geoff(20, 50, 1, 1, 10, 0, 3);
        var init = OnlineWeights.Normal(stream.Inputs, 7, 1, 9);
        Array.Clear(init.W, 0, init.Hidden);                                      // w_j(0) = 0 for the hidden units
        var settings = new LearnerSettings(0.05, 0.05);
        var (fd, traces) = Derivative(stream, init, activation, settings, 1);
        for (int k = 0; k < fd.Length; k++) Assert.True(Math.Abs(fd[k] - traces[k]) <= 1e-6, $"h[{k}] = {traces[k]}, finite difference {fd[k]}");
        Assert.Contains(fd, v => Math.Abs(v) > 1e-3);
    }

    /// <summary>
    /// Over 10 and 100 examples (w(0) random) the trace is an approximation of ∂w_j/∂u_ij (it drops the direct term and
    /// the paths through the other w_k). How far it drifts is reported, not asserted (docs/mathematics.md, "Crossprop").
    /// </summary>
    [Fact]
    public void TraceDrift_After10And100Examples_IsReported()
    {
        var stream = OnlineStream.Geoff(20, 50, 1, 1, 100, 0, 3);
        var init = OnlineWeights.Normal(stream.Inputs, 7, 1, 9);
        var settings = new LearnerSettings(0.01, 0.01);
        foreach (int examples in new[] { 1, 10, 100 })
        {
            var (fd, traces) = Derivative(stream, init, "tanh", settings, examples);
            double diff = Math.Sqrt(fd.Zip(traces, (a, b) => (a - b) * (a - b)).Sum()), norm = Math.Sqrt(fd.Sum(v => v * v));
            double cosine = fd.Zip(traces, (a, b) => a * b).Sum() / (norm * Math.Sqrt(traces.Sum(v => v * v)));
            output.WriteLine($"after {examples,3} examples: ||h - dw/du|| / ||dw/du|| = {diff / norm:G4}, cosine {cosine:G4}");
            Assert.True(double.IsFinite(diff / norm));
        }
    }

    /// <summary>∂w_j(t)/∂u_ij(0) by central differences (step 1e-6) over t examples, and cp's h_ij(t), both as [i·n + j].</summary>
    private static (double[] Fd, double[] Traces) Derivative(OnlineStream stream, OnlineWeights init, string activation, LearnerSettings settings, int examples)
    {
        var act = Activation.TryParse(activation)!;
        OnlineLearner Run(OnlineWeights w)
        {
            var l = new OnlineLearner(K("cp"), w, act, settings);
            for (int t = 0; t < examples; t++) { var (x, y) = stream[t]; l.Learn(x.Span, y); }
            return l;
        }
        int n = init.Hidden;
        var fd = new double[init.U.Length];
        const double eps = 1e-6;
        for (int k = 0; k < fd.Length; k++)
        {
            var (plus, minus) = (init.Copy(), init.Copy());
            plus.U[k] += eps;
            minus.U[k] -= eps;
            fd[k] = (Run(plus).W[k % n] - Run(minus).W[k % n]) / (2 * eps);
        }
        return (fd, Run(init).Traces.ToArray());
    }

    /// <summary>The full multi-output traces H[k, i, j] and one step of cp on softmax: the W update is SGD on the cross-entropy.</summary>
    [Fact]
    public void SoftmaxOutput_WStepIsCrossEntropyGradient()
    {
        var init = new OnlineWeights(1, 1, 2, [0.5, -0.25], [0.3, 0.1, -0.2, 0.4]);
        var learner = new OnlineLearner(K("cp"), init, new Tanh(), new LearnerSettings(0.1, 0.1));
        var step = learner.Learn([2.0, 1.0], 1);
        double phi = Math.Tanh(2 * 0.5 - 0.25), z0 = 0.3 * phi + 0.1, z1 = -0.2 * phi + 0.4;
        double p0 = Math.Exp(z0) / (Math.Exp(z0) + Math.Exp(z1)), p1 = 1 - p0;
        Assert.Equal(-Math.Log(p1), step.Loss, 1e-14);
        Assert.Equal(z0 > z1, step.Wrong);
        double[] expected = [0.3 - 0.1 * p0 * phi, 0.1 - 0.1 * p0, -0.2 - 0.1 * (p1 - 1) * phi, 0.4 - 0.1 * (p1 - 1)];
        AssertClose(expected, learner.W);
        Assert.Equal(2 * 2 * 1, learner.Traces.Length);
        Assert.Equal(init.U, learner.U.ToArray());                                 // h = 0 before the first example
        double f = 1 - phi * phi;                                                  // H[k, i, 0] = α_W (−e_k) f′ x_i
        AssertClose([0.1 * -p0 * f * 2, 0.1 * -p0 * f, 0.1 * (1 - p1) * f * 2, 0.1 * (1 - p1) * f], learner.Traces);
    }

    [Fact]
    public void BadSettings_AreRejected()
    {
        var init = OnlineWeights.Normal(2, 3, 1, 1);
        Assert.Throws<ArgumentException>(() => new OnlineLearner(K("cp"), init, new Tanh(), new LearnerSettings(0, 0.1)));
        Assert.Throws<ArgumentException>(() => new OnlineLearner(K("cp"), init, new Tanh(), new LearnerSettings(0.1, -1)));
        Assert.Throws<ArgumentException>(() => new OnlineLearner(K("cp-lambda"), init, new Tanh(), new LearnerSettings(0.1, 0.1) { Lambda = 2 }));
    }

    private static long[] Bits(ReadOnlySpan<double> v)
    {
        var b = new long[v.Length];
        for (int i = 0; i < v.Length; i++) b[i] = BitConverter.DoubleToInt64Bits(v[i]);
        return b;
    }

    /// <summary>A small classification stream: Gaussian inputs, classes by the largest of a few random projections.</summary>
    private static OnlineStream Classes(int classes, int inputs, int count, ulong seed)
    {
        var rng = new Overparam.Numerics.GaussianRng(seed);
        var proj = new double[classes * inputs];
        rng.FillGaussian(proj);
        var x = new double[count * (inputs + 1)];
        var y = new double[count];
        for (int r = 0; r < count; r++)
        {
            for (int i = 0; i < inputs; i++) x[r * (inputs + 1) + i] = rng.NextGaussian();
            x[r * (inputs + 1) + inputs] = 1;
            y[r] = Enumerable.Range(0, classes).MaxBy(c => Enumerable.Range(0, inputs).Sum(i => proj[c * inputs + i] * x[r * (inputs + 1) + i]));
        }
        return new OnlineStream("test", inputs, classes, [new OnlineTask(x, y)], [0], count, new());
    }
}
