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
/// order (docs/mathematics.md §12): forward pass, then W, then U (with the traces before this example), then the
/// traces. With e_k = ∂L/∂z_k (regression: z − y*; classification: softmax p_k − 1[k = y*]) and
/// d_j = f′_j Σ_k w_jk e_k (backprop's ∂L/∂net_j, from W before its update):
/// <code>
/// bp:      ∂L/∂u_ij = d_j x_i                    (plain SGD, or sgd+momentum, adam or rmsprop at α)
/// cp:      g_ij = (1 − λ) Σ_k e_k φ_j H[k,i,j] + λ d_j x_i,   u ← u − α_U g,   w ← w − α_W e_k φ_j (LMS)
///          H[k,i,j] ← H[k,i,j] (1 − (1 − λ) α_W φ_j²) + α_W f′_j x_i (−e_k − λ φ_j w_jk)
/// cp-alt:  g_ij = x_i [(1 − λ) φ_j f′_j Σ_k h_jk e_k + λ d_j],   h_jk ← h_jk (1 − α_W φ_j²) − α_W e_k
/// </code>
/// Each rule is a few fused passes (<see cref="OnlineKernels"/>): plain SGD's steps of W and U (bp's, and crossprop's LMS
/// and U step) are applied in place with the arithmetic of <see cref="SgdRule{T}"/>, so bp's numbers are those of the
/// <see cref="Sgd{T}"/> optimizer (a test compares them) and at λ = 1 cp-lambda's and cp-alt-lambda's numbers are bp's;
/// bp-momentum, bp-adam and bp-rmsprop go through the project's optimizers (<see cref="Sgd{T}"/>, <see cref="Adam{T}"/>,
/// <see cref="RmsProp{T}"/>), which ask this object for the gradients (<see cref="IModel{T}.Gradients"/>). tanh is
/// <see cref="VectorTanh"/> (through <see cref="Tanh"/>). Inputs equal to 0 are skipped where they contribute nothing (binary GEOFF inputs, blank
/// pixels). Nothing is allocated per example.
/// </summary>
public sealed class OnlineLearner : IModel<double>
{
    private readonly Activation activation;
    private readonly int m, n, outputs, stride;
    private readonly double lambda, alphaW, alphaU;
    // U and cp's traces as rows of `stride` (n rounded up to whole cache lines), every row 64-byte aligned (AlignedArray);
    // the per-unit vectors aligned too. uView, wView and hView are the compact layouts the API shows.
    private readonly ArraySegment<double> u, w, traces, net, phi, slope, d, lambdaD, a, c, decay, direction;
    private readonly double[] uView, wView, hView, x, z, e;
    private readonly int[] active;
    private int activeCount;
    private readonly Parameter<double>[] parameters;
    private readonly IOptimizer<double>? optimizer;
    private long steps;

    public OnlineLearner(LearnerKind kind, OnlineWeights initial, Activation activation, LearnerSettings settings)
        : this(kind, initial, activation, settings, throughOptimizer: false) { }

    /// <param name="throughOptimizer">bp with plain SGD through the <see cref="Sgd{T}"/> optimizer instead of in place (for the test that they agree).</param>
    internal OnlineLearner(LearnerKind kind, OnlineWeights initial, Activation activation, LearnerSettings settings, bool throughOptimizer)
    {
        if (!(settings.AlphaW > 0) || !(settings.AlphaU > 0))
            throw new ArgumentException($"step sizes α_W = {settings.AlphaW}, α_U = {settings.AlphaU}: must be positive");
        Kind = kind;
        this.activation = activation;
        (m, n, outputs) = (initial.InputsWithBias, initial.Hidden, initial.Outputs);
        stride = AlignedArray.Stride(n);
        lambda = kind.UsesLambda ? settings.Lambda : 0;
        (alphaW, alphaU) = (settings.AlphaW, kind.Rule == IncomingRule.Backprop ? settings.AlphaW : settings.AlphaU);
        if (!(lambda >= 0 && lambda <= 1)) throw new ArgumentException($"--lambda {lambda}: must be in [0, 1]");
        (uView, wView) = ((double[])initial.U.Clone(), (double[])initial.W.Clone());
        (u, w) = (AlignedArray.Create(m * stride), AlignedArray.Create(wView.Length));
        AlignedArray.CopyRows(uView, n, u, stride, m, n);
        wView.CopyTo(w.AsSpan());
        parameters = [new("U", [m, n], uView), new("W", [outputs, n + 1], wView)];
        (traces, hView) = kind.Rule switch
        {
            IncomingRule.Crossprop => (AlignedArray.Create(outputs * m * stride), new double[outputs * m * n]),
            IncomingRule.CrosspropAlt => (AlignedArray.Create(outputs * n), []),
            _ => (ArraySegment<double>.Empty, []),
        };
        (x, active, z, e) = (new double[m], new int[m], new double[outputs], new double[outputs]);
        (net, slope, d, lambdaD, decay, direction) = (AlignedArray.Create(n), AlignedArray.Create(n), AlignedArray.Create(n), AlignedArray.Create(n), AlignedArray.Create(n), AlignedArray.Create(n));
        phi = AlignedArray.Create(n + 1);
        (a, c) = kind.Rule == IncomingRule.Crossprop ? (AlignedArray.Create(outputs * n), AlignedArray.Create(outputs * n)) : (ArraySegment<double>.Empty, ArraySegment<double>.Empty);
        bool plainSgd = kind.Optimizer == Sgd<double>.KindName && kind.Momentum == 0;
        if (kind.Rule == IncomingRule.Backprop && (throughOptimizer || !plainSgd))
            optimizer = OptimizerKind.TryParse(kind.Optimizer)!.Create<double>(new OptimizerSettings(settings.AlphaW) { Momentum = kind.Momentum });
    }

    public LearnerKind Kind { get; }

    /// <summary>λ in effect (0 for the learners without "-lambda").</summary>
    public double Lambda => lambda;

    /// <summary>U, input-major: U[i·n + j] = u_ij (a copy taken at this call, valid until the next).</summary>
    public ReadOnlySpan<double> U
    {
        get { AlignedArray.CopyRows(u, stride, uView, n, m, n); return uView; }
    }

    /// <summary>W, output-major: W[k·(n+1) + j] = w_jk.</summary>
    public ReadOnlySpan<double> W => w;

    /// <summary>cp: H[(k·M + i)·n + j] (a copy taken at this call, valid until the next); cp-alt: h[k·n + j]; bp: empty.</summary>
    public ReadOnlySpan<double> Traces
    {
        get
        {
            if (Kind.Rule != IncomingRule.Crossprop) return traces;
            AlignedArray.CopyRows(traces, stride, hView, n, outputs * m, n);
            return hView;
        }
    }

    /// <summary>The current weights (copies).</summary>
    public OnlineWeights Weights(int inputs) => new(inputs, n, outputs, U.ToArray(), W.ToArray());

    /// <summary>The traces as saved: cp's H as [hidden, inputs+1] (K = 1) or [outputs, hidden, inputs+1]; cp-alt's h as [hidden, outputs]; none for bp.</summary>
    public IReadOnlyList<Tensor> TraceTensors()
    {
        var flat = Traces;
        switch (Kind.Rule)
        {
            case IncomingRule.Crossprop:
                var h = new double[flat.Length];
                for (int k = 0; k < outputs; k++)
                    OnlineWeights.Transpose(flat.Slice(k * m * n, m * n), m, n).CopyTo(h, k * m * n);
                return [Tensor.F64("H", outputs == 1 ? [n, m] : [outputs, n, m], h)];
            case IncomingRule.CrosspropAlt:
                return [Tensor.F64("H", [n, outputs], OnlineWeights.Transpose(flat, outputs, n))];
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
        activeCount = 0;
        for (int i = 0; i < m; i++)
            if (x[i] != 0) active[activeCount++] = i;
        var (loss, wrong) = ForwardAndError(target);
        if (!double.IsFinite(loss)) return new LearnStep(loss, wrong);
        steps++;
        if (Kind.Rule == IncomingRule.Backprop || lambda != 0) OnlineKernels.BackError(w, e, slope, d);
        if (lambda != 0) TensorPrimitives.Multiply(d, lambda, lambdaD);
        if (optimizer is not null)
        {
            optimizer.Step(new OptimizerStep<double>
            {
                Step = (int)Math.Min(steps, int.MaxValue), Model = this, Loss = loss, OutputGradient = e, Oracle = null!,
            });
            AlignedArray.CopyRows(uView, n, u, stride, m, n);               // the optimizer stepped the compact copies
            wView.CopyTo(w.AsSpan());
            return new LearnStep(loss, wrong);
        }
        switch (Kind.Rule)
        {
            case IncomingRule.Backprop:
                Lms();
                StepActiveRows(d);                                          // u_i· ← u_i· − α (x_i d), x_i ≠ 0
                break;
            case IncomingRule.Crossprop:
                OnlineKernels.CrosspropFactors(phi, slope, w, e, lambda, alphaW, decay, a, c);
                Lms();                                                      // W by LMS first,
                for (int i = m - 1; i >= 0; i--)                            // then U with the traces before this example, then the traces
                {
                    var ui = u.AsSpan(i * stride, n);
                    if (outputs > 1) OnlineKernels.CrosspropRows(ui, traces.AsSpan(i * stride), m * stride, x[i], lambdaD, a, c, decay, alphaU);
                    else OnlineKernels.CrosspropRow(ui, traces.AsSpan(i * stride, n), x[i], lambda != 0 && x[i] != 0 ? lambdaD : [], a, c, decay, alphaU);
                }
                break;
            case IncomingRule.CrosspropAlt:
                OnlineKernels.AltDirection(traces, e, phi, slope, lambdaD, lambda, direction);
                Lms();
                StepActiveRows(direction);                                  // u_i· ← u_i· − α_U x_i g, x_i ≠ 0
                OnlineKernels.AltTraces(traces, e, phi, alphaW);
                break;
        }
        return new LearnStep(loss, wrong);
    }

    /// <summary>net = Σ_i x_i u_i·, φ = f(net) with φ_n = 1, z_k = Σ_j w_jk φ_j; the loss and e = ∂L/∂z.</summary>
    private (double Loss, bool Wrong) ForwardAndError(double target)
    {
        OnlineKernels.Forward(u, stride, x, active.AsSpan(0, activeCount), net);
        activation.Evaluate<double>(net, phi.AsSpan(0, n), slope);
        phi[n] = 1;
        for (int k = 0; k < outputs; k++) z[k] = TensorPrimitives.Dot(w.AsSpan(k * (n + 1), n + 1), (ReadOnlySpan<double>)phi);
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

    /// <summary>LMS, plain SGD on ∂L/∂w_jk = e_k φ_j: w_·k ← w_·k − α_W (e_k φ).</summary>
    private void Lms()
    {
        for (int k = 0; k < outputs; k++) OnlineKernels.SgdRow(w.AsSpan(k * (n + 1), n + 1), phi, e[k], alphaW);
    }

    /// <summary>U's SGD step along x g (rank 1), on the rows with x_i ≠ 0 (the others' gradient is 0), last row first (it is the one in cache).</summary>
    private void StepActiveRows(ReadOnlySpan<double> g)
    {
        for (int r = activeCount - 1; r >= 0; r--)
        {
            int i = active[r];
            OnlineKernels.SgdRow(u.AsSpan(i * stride, n), g, x[i], alphaU);
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

    IReadOnlyList<Parameter<double>> IModel<double>.Parameters => parameters;
    int IModel<double>.Outputs => outputs;
    int IModel<double>.InputSize => m;

    void IModel<double>.Forward(Matrix<double> input, Span<double> result) =>
        throw new NotSupportedException("an online learner evaluates one example at a time (Learn)");

    void IModel<double>.Backward(ReadOnlySpan<double> outputGradient) =>
        throw new NotSupportedException("an online learner computes its own gradients (Learn)");
}
