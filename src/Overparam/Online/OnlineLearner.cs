using Overparam.Activations;
using Overparam.Architectures;
using Overparam.IO;
using Overparam.Numerics;
using Overparam.Training;
using Overparam.Training.Optimizers;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Overparam.Online;

/// <summary>Step sizes and λ of an online learner: α_W for W (and the traces' decay), α_U for U; bp uses α_W for both.</summary>
public sealed record LearnerSettings(double AlphaW, double AlphaU)
{
    /// <summary>λ of the "-lambda" learners (the others use 0): 0 is crossprop, 1 is backprop.</summary>
    public double Lambda { get; init; } = 0.5;
}

/// <summary>What one example did: its loss before the update, and whether the prediction was wrong (classification).</summary>
public readonly record struct LearnStep(double Loss, bool Wrong);

/// <summary>
/// One learner of the online network (<see cref="OnlineWeights"/>), updated one example at a time in the authors'
/// order (docs/mathematics.md, "Crossprop"): forward pass, then W, then U (with the traces before this example), then the
/// traces. With e_k = ∂L/∂z_k (regression: z − y*; classification: softmax p_k − 1[k = y*]) and
/// d_j = f′_j Σ_k w_jk e_k (backprop's ∂L/∂net_j, from W before its update):
/// <code>
/// bp:      ∂L/∂u_ij = d_j x_i                    (through sgd, sgd+momentum, adam or rmsprop at α)
/// cp:      g_ij = (1 − λ) Σ_k e_k φ_j H[k,i,j] + λ d_j x_i,   u ← u − α_U g,   w ← w − α_W e_k φ_j (LMS)
///          H[k,i,j] ← H[k,i,j] (1 − (1 − λ) α_W φ_j²) + α_W f′_j x_i (−e_k − λ φ_j w_jk)
/// cp-alt:  g_ij = x_i [(1 − λ) φ_j f′_j Σ_k h_jk e_k + λ d_j],   h_jk ← h_jk (1 − α_W φ_j²) − α_W e_k
/// </code>
/// Backprop's gradients go through the project's optimizers (<see cref="Sgd{T}"/>, <see cref="Adam{T}"/>,
/// <see cref="RmsProp{T}"/>), which ask this object for them (<see cref="IModel{T}.Gradients"/>); crossprop's W step is
/// <see cref="Sgd{T}"/> too, and its U direction g is applied by plain SGD's rule row by row, fused with the traces'
/// update, so that at λ = 1 every number equals backprop's. Inputs
/// equal to 0 are skipped where they contribute nothing (binary GEOFF inputs, blank pixels). Nothing is allocated per
/// example.
/// </summary>
public sealed class OnlineLearner : IModel<double>
{
    private static readonly bool[] OnlyW = [false, true];

    private readonly Activation activation;
    private readonly int m, n, outputs;
    private readonly double lambda, alphaW;
    private readonly double[] u, w, traces, x, net, phi, slope, z, e, back, d, lambdaD, a, c, decay, alt, scratch;
    private readonly Parameter<double>[] parameters;
    private readonly IOptimizer<double>? both, forW;
    private readonly SgdRule<double> sgdU;
    private long steps;

    public OnlineLearner(LearnerKind kind, OnlineWeights initial, Activation activation, LearnerSettings settings)
    {
        if (!(settings.AlphaW > 0) || !(settings.AlphaU > 0))
            throw new ArgumentException($"step sizes α_W = {settings.AlphaW}, α_U = {settings.AlphaU}: must be positive");
        Kind = kind;
        this.activation = activation;
        (m, n, outputs) = (initial.InputsWithBias, initial.Hidden, initial.Outputs);
        lambda = kind.UsesLambda ? settings.Lambda : 0;
        alphaW = settings.AlphaW;
        if (!(lambda >= 0 && lambda <= 1)) throw new ArgumentException($"--lambda {lambda}: must be in [0, 1]");
        u = (double[])initial.U.Clone();
        w = (double[])initial.W.Clone();
        parameters = [new("U", [m, n], u), new("W", [outputs, n + 1], w)];
        traces = kind.Rule switch
        {
            IncomingRule.Crossprop => new double[outputs * m * n],
            IncomingRule.CrosspropAlt => new double[outputs * n],
            _ => [],
        };
        x = new double[m];
        (net, slope, back, d, lambdaD, decay, alt, scratch) = (new double[n], new double[n], new double[n], new double[n], new double[n], new double[n], new double[n], new double[n]);
        phi = new double[n + 1];
        (z, e) = (new double[outputs], new double[outputs]);
        (a, c) = (new double[outputs * n], new double[outputs * n]);
        if (kind.Rule == IncomingRule.Backprop)
        {
            var s = new OptimizerSettings(settings.AlphaW) { Momentum = kind.Momentum };
            both = OptimizerKind.TryParse(kind.Optimizer)!.Create<double>(s);
        }
        else
        {
            forW = new Sgd<double>(new OptimizerSettings(settings.AlphaW));
            sgdU = new SgdRule<double>(settings.AlphaU, 0, 0, 0, false);
        }
    }

    public LearnerKind Kind { get; }

    /// <summary>λ in effect (0 for the learners without "-lambda").</summary>
    public double Lambda => lambda;

    /// <summary>U, input-major: U[i·n + j] = u_ij.</summary>
    public ReadOnlySpan<double> U => u;

    /// <summary>W, output-major: W[k·(n+1) + j] = w_jk.</summary>
    public ReadOnlySpan<double> W => w;

    /// <summary>cp: H[(k·M + i)·n + j]; cp-alt: h[k·n + j]; bp: empty.</summary>
    public ReadOnlySpan<double> Traces => traces;

    /// <summary>The current weights (copies).</summary>
    public OnlineWeights Weights(int inputs) => new(inputs, n, outputs, (double[])u.Clone(), (double[])w.Clone());

    /// <summary>The traces as saved: cp's H as [hidden, inputs+1] (K = 1) or [outputs, hidden, inputs+1]; cp-alt's h as [hidden, outputs]; none for bp.</summary>
    public IReadOnlyList<Tensor> TraceTensors()
    {
        switch (Kind.Rule)
        {
            case IncomingRule.Crossprop:
                var h = new double[traces.Length];
                for (int k = 0; k < outputs; k++)
                    OnlineWeights.Transpose(traces.AsSpan(k * m * n, m * n), m, n).CopyTo(h, k * m * n);
                return [Tensor.F64("H", outputs == 1 ? [n, m] : [outputs, n, m], h)];
            case IncomingRule.CrosspropAlt:
                return [Tensor.F64("H", [n, outputs], OnlineWeights.Transpose(traces, outputs, n))];
            default:
                return [];
        }
    }

    /// <summary>
    /// Learns one example: x with its bias entry (M values), the target (regression) or class id (classification).
    /// Returns the loss before the update (½e² or −log p_y*) and whether argmax z missed the class.
    /// </summary>
    public LearnStep Learn(ReadOnlySpan<double> input, double target)
    {
        if (input.Length != m) throw new ArgumentException($"an input has {input.Length} entries, the network takes {m} (with the bias entry)");
        input.CopyTo(x);
        var (loss, wrong) = ForwardAndError(target);
        if (!double.IsFinite(loss)) return new LearnStep(loss, wrong);
        steps++;
        Prepare();
        if (both is not null) both.Step(StepOf(loss, null));
        else
        {
            forW!.Step(StepOf(loss, OnlyW));                       // W by LMS first,
            UpdateIncomingAndTraces();                              // then U with the traces before this example, then the traces.
        }
        return new LearnStep(loss, wrong);
    }

    private OptimizerStep<double> StepOf(double loss, bool[]? trained) => new()
    {
        Step = (int)Math.Min(steps, int.MaxValue), Model = this, Loss = loss, OutputGradient = e, Trained = trained, Oracle = null!,
    };

    /// <summary>net = Σ_i x_i u_i·, φ = f(net) with φ_n = 1, z_k = Σ_j w_jk φ_j; the loss and e = ∂L/∂z.</summary>
    private (double Loss, bool Wrong) ForwardAndError(double target)
    {
        Array.Clear(net);
        for (int i = 0; i < m; i++)
            if (x[i] != 0) TensorPrimitives.MultiplyAdd(u.AsSpan(i * n, n), x[i], net, net);
        activation.Evaluate<double>(net, phi.AsSpan(0, n), slope);
        phi[n] = 1;
        for (int k = 0; k < outputs; k++) z[k] = TensorPrimitives.Dot(w.AsSpan(k * (n + 1), n + 1), phi);
        if (outputs == 1)
        {
            e[0] = z[0] - target;                                   // e = y − y* = −δ
            return (0.5 * e[0] * e[0], false);
        }
        int label = (int)target, best = TensorPrimitives.IndexOfMax<double>(z);
        double max = z[best], sum = 0;
        for (int k = 0; k < outputs; k++) sum += e[k] = Math.Exp(z[k] - max);
        for (int k = 0; k < outputs; k++) e[k] = e[k] / sum - (k == label ? 1 : 0);
        return (Math.Log(sum) + max - z[label], best != label);
    }

    /// <summary>Everything of the updates that needs W before its update: d, λd, and crossprop's per-unit factors.</summary>
    private void Prepare()
    {
        var wk = w.AsSpan(0, n);
        if (Kind.Rule == IncomingRule.Backprop || lambda != 0)
        {
            TensorPrimitives.Multiply(wk, e[0], back);              // Σ_k e_k w_jk
            for (int k = 1; k < outputs; k++) TensorPrimitives.MultiplyAdd(w.AsSpan(k * (n + 1), n), e[k], back, back);
            TensorPrimitives.Multiply(back, slope, d);              // d_j = f′_j Σ_k w_jk e_k
            TensorPrimitives.Multiply(d, lambda, lambdaD);
        }
        var ph = phi.AsSpan(0, n);
        if (Kind.Rule == IncomingRule.Crossprop)
        {
            TensorPrimitives.Multiply(ph, ph, decay);               // 1 − (1 − λ) α_W φ_j²
            TensorPrimitives.Multiply(decay, -(1 - lambda) * alphaW, decay);
            TensorPrimitives.Add(decay, 1.0, decay);
            for (int k = 0; k < outputs; k++)
            {
                Span<double> ak = a.AsSpan(k * n, n), ck = c.AsSpan(k * n, n);
                TensorPrimitives.Multiply(ph, (1 - lambda) * e[k], ak);          // (1 − λ) e_k φ_j
                TensorPrimitives.Multiply(ph, w.AsSpan(k * (n + 1), n), ck);     // α_W f′_j (−e_k − λ φ_j w_jk)
                TensorPrimitives.Multiply(ck, -lambda, ck);
                TensorPrimitives.Add(ck, -e[k], ck);
                TensorPrimitives.Multiply(ck, slope, ck);
                TensorPrimitives.Multiply(ck, alphaW, ck);
            }
        }
        else if (Kind.Rule == IncomingRule.CrosspropAlt)
        {
            TensorPrimitives.Multiply(traces.AsSpan(0, n), e[0], alt);          // Σ_k h_jk e_k
            for (int k = 1; k < outputs; k++) TensorPrimitives.MultiplyAdd(traces.AsSpan(k * n, n), e[k], alt, alt);
            TensorPrimitives.Multiply(alt, ph, alt);                             // (1 − λ) φ_j f′_j Σ_k h_jk e_k + λ d_j
            TensorPrimitives.Multiply(alt, slope, alt);
            TensorPrimitives.Multiply(alt, 1 - lambda, alt);
            if (lambda != 0) TensorPrimitives.Add(alt, lambdaD, alt);
        }
    }

    /// <summary>bp's ∂L/∂U (row i: d x_i) and ∂L/∂W, into the optimizer's buffers.</summary>
    void IModel<double>.Gradients(IReadOnlyList<double[]> gradients, IReadOnlyList<bool>? trained)
    {
        if (trained is null || trained[0])
            for (int i = 0; i < m; i++)
            {
                var gi = gradients[0].AsSpan(i * n, n);
                if (x[i] != 0) TensorPrimitives.Multiply(d, x[i], gi); else gi.Clear();
            }
        if (trained is null || trained[1])
            for (int k = 0; k < outputs; k++) TensorPrimitives.Multiply(phi, e[k], gradients[1].AsSpan(k * (n + 1), n + 1));
    }

    /// <summary>
    /// Crossprop's U step, row by row (input i's weights to all hidden units) while the row is in cache: its direction
    /// g_i· into a scratch row, u_i· ← u_i· − α_U g_i· by plain SGD's rule (<see cref="SgdRule{T}"/>, the arithmetic of
    /// <see cref="Sgd{T}"/>, so that at λ = 1 the numbers are bp's), then the row's traces.
    /// </summary>
    private void UpdateIncomingAndTraces()
    {
        var g = scratch.AsSpan();
        for (int i = 0; i < m; i++)
        {
            double xi = x[i];
            var ui = u.AsSpan(i * n, n);
            if (Kind.Rule == IncomingRule.CrosspropAlt)
            {
                if (xi == 0) continue;                                          // g_i· = 0: u_i· stays
                TensorPrimitives.Multiply(alt, xi, g);
                sgdU.Apply(ui, g, [], false);
                continue;
            }
            TensorPrimitives.Multiply(traces.AsSpan(i * n, n), a.AsSpan(0, n), g);
            for (int k = 1; k < outputs; k++)
                TensorPrimitives.MultiplyAdd(traces.AsSpan((k * m + i) * n, n), a.AsSpan(k * n, n), g, g);
            if (lambda != 0 && xi != 0) TensorPrimitives.MultiplyAdd(lambdaD, xi, g, g);
            sgdU.Apply(ui, g, [], false);
            for (int k = 0; k < outputs; k++)
            {
                var h = traces.AsSpan((k * m + i) * n, n);
                TensorPrimitives.Multiply(h, decay, h);
                if (xi != 0) TensorPrimitives.MultiplyAdd(c.AsSpan(k * n, n), xi, h, h);
            }
        }
        if (Kind.Rule == IncomingRule.CrosspropAlt) UpdateAltTraces();
    }

    private void UpdateAltTraces()
    {
        var ph = phi.AsSpan(0, n);
        TensorPrimitives.Multiply(ph, ph, decay);                   // h_jk ← h_jk (1 − α_W φ_j²) − α_W e_k
        TensorPrimitives.Multiply(decay, -alphaW, decay);
        TensorPrimitives.Add(decay, 1.0, decay);
        for (int k = 0; k < outputs; k++)
        {
            var h = traces.AsSpan(k * n, n);
            TensorPrimitives.Multiply(h, decay, h);
            TensorPrimitives.Add(h, -alphaW * e[k], h);
        }
    }

    IReadOnlyList<Parameter<double>> IModel<double>.Parameters => parameters;
    int IModel<double>.Outputs => outputs;
    int IModel<double>.InputSize => m;

    void IModel<double>.Forward(Matrix<double> input, Span<double> result) =>
        throw new NotSupportedException("an online learner evaluates one example at a time (Learn)");

    void IModel<double>.Backward(ReadOnlySpan<double> outputGradient) =>
        throw new NotSupportedException("an online learner computes its own gradients (Learn)");
}
