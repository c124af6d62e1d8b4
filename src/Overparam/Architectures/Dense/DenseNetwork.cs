using System.Numerics;
using System.Numerics.Tensors;
using Overparam.Numerics;

namespace Overparam.Architectures.Dense;

/// <summary>
/// The layer chain shared by the fully-connected network (eq. 2) and the ResNet (eq. 3):
/// x^(h) = skip_h · x^(h−1) + scale_h · σ(W^(h) x^(h−1) + b_h), f = Aᵀx^(H) + b_out, with A = a [m] for one output or
/// [m, C]; the biases only with <see cref="NetworkConfig.Bias"/>. The batch is held row-wise: X_h is n × m_h,
/// pre-activations Z_h = X_{h−1} W_hᵀ (+ b_h), outputs U = X_H A (+ b_out), n × C. Every layer has width m_h = m except
/// the last, m_H = M_H (<see cref="NetworkConfig.FeatureWidth"/>, docs/mathematics.md §2.5). With
/// <see cref="NetworkConfig.BatchNorm"/> every layer's pre-activation goes through its <see cref="BatchNorm{T}"/> before σ:
/// x^(h) = skip_h · x^(h−1) + scale_h · σ(BN_h(W^(h) x^(h−1) + b_h)) (docs/mathematics.md §2.6); without it the layer code
/// is what it was.
/// </summary>
public abstract class DenseNetwork<T> : PaperNetwork<T>, IFeatureModel<T>, IBatchNormModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    protected int H => Config.Depth;
    private int MH => Config.FeatureSize;
    private int C => Config.Outputs;

    private readonly Matrix<T>[] w;       // W^(h), h = 1..H at index h−1, [m, in]
    private readonly T[] a;               // [m, C]
    private readonly T[][] xStore, slopeStore, deltaStore;   // storage for the largest batch seen
    private T[] scaledStore = [];
    private Matrix<T>[] x = [];           // X_0 … X_H (views for the current batch)
    private Matrix<T>[] slope = [];       // scale_h · σ′(Z_h), h = 1..H at index h−1
    private Matrix<T>[] delta = [];       // Δ_h = ∂u/∂Z_h per sample (or ∂L/∂Z_h after a seeded backward), h = 1..H at index h−1
    private readonly BatchNorm<T>[]? norms;   // BN_h, h = 1..H at index h−1 (null without batch norm)
    private readonly int[] gammaAt = [], betaAt = [];
    private bool forwardBatchStatistics;  // the mode of the last forward pass, which its backward pass follows

    public IReadOnlyList<Parameter<T>> Buffers { get; } = [];

    /// <summary>Batch statistics (training) or running statistics (evaluation, the default); no effect without batch norm.</summary>
    public bool BatchStatistics { get; set; }

    /// <summary>The multiplier of σ(W^(h) x^(h−1)) in layer h (1-based).</summary>
    protected abstract double LayerScale(int h);

    /// <summary>The multiplier of the skip connection x^(h−1) in layer h: 0 (fc) or 1 (resnet, h ≥ 2).</summary>
    protected abstract double Skip(int h);

    /// <param name="buffers">bn{h}.running_mean and bn{h}.running_var (shared) with batch norm; null without.</param>
    protected DenseNetwork(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters, IReadOnlyList<Parameter<T>>? buffers = null) : base(config, parameters)
    {
        if (config.BatchNorm)
        {
            if (buffers is null) throw new ArgumentException("batch norm needs its running statistics (the buffers)");
            Buffers = buffers;
            T[] Buffer(string name) => buffers.FirstOrDefault(b => b.Name == name)?.Value ?? throw new ArgumentException($"buffer {name} is missing");
            gammaAt = Enumerable.Range(1, config.Depth).Select(h => IndexOf(DenseShapes.BatchNormName(h, "weight"))).ToArray();
            betaAt = Enumerable.Range(1, config.Depth).Select(h => IndexOf(DenseShapes.BatchNormName(h, "bias"))).ToArray();
            norms = Enumerable.Range(1, config.Depth).Select(h => new BatchNorm<T>(parameters[gammaAt[h - 1]].Value, parameters[betaAt[h - 1]].Value,
                Buffer(DenseShapes.BatchNormName(h, "running_mean")), Buffer(DenseShapes.BatchNormName(h, "running_var")))).ToArray();
        }
        else if (buffers is { Count: > 0 }) throw new ArgumentException("buffers given to a network without batch norm");
        w = new Matrix<T>[config.Depth];
        for (int h = 1; h <= config.Depth; h++)
            w[h - 1] = Weights(parameters[WAt[h - 1]], config.LayerWidth(h), h == 1 ? config.InputChannels : config.LayerWidth(h - 1));
        var pa = parameters[AAt];
        int[] aShape = config.Outputs == 1 ? [config.FeatureSize] : [config.FeatureSize, config.Outputs];
        if (!pa.Shape.SequenceEqual(aShape))
            throw new ArgumentException($"a has shape [{string.Join(", ", pa.Shape)}], expected [{string.Join(", ", aShape)}]");
        a = pa.Value;
        xStore = new T[config.Depth + 1][];
        slopeStore = new T[config.Depth][];
        deltaStore = new T[config.Depth][];
        for (int h = 0; h <= config.Depth; h++) xStore[h] = [];
        for (int h = 0; h < config.Depth; h++) { slopeStore[h] = []; deltaStore[h] = []; }
    }

    /// <summary>X_H of the last forward pass (n × M_H), the features the output layer multiplies.</summary>
    public Matrix<T> Features => x[H];

    public override void Forward(Matrix<T> input, Span<T> u)
    {
        if (input.Cols != Config.InputChannels) throw new ArgumentException($"input has {input.Cols} features, the network expects {Config.InputChannels}");
        int n = input.Rows;
        Allocate(n);
        x[0] = input;
        forwardBatchStatistics = BatchStatistics;
        for (int h = 1; h <= H; h++)
        {
            var prev = x[h - 1];
            var z = slope[h - 1];
            LinearAlgebra.Gemm(prev, false, w[h - 1], true, z, T.One, T.Zero);   // Z_h = X_{h−1} W_hᵀ
            var bias = BAt[h - 1] >= 0 ? Parameters[BAt[h - 1]].Value : null;
            if (norms is not null)
            {
                if (bias is not null) AddToRows(z.Span, bias);                  // + b_h
                norms[h - 1].Forward(z, forwardBatchStatistics);                // BN_h (§2.6)
                bias = null;
            }
            Activate(Config.Activation, LayerScale(h), z, x[h], Skip(h) != 0 ? prev : null, bias);   // (+ b_h), then σ
        }
        LinearAlgebra.Gemm(false, false, n, C, MH, T.One, x[H].Data, MH, a, C, T.Zero, u, C); // U = X_H A
        if (BOutAt >= 0) AddToRows(u[..(n * C)], Parameters[BOutAt].Value);     // + b_out
    }

    public override void BackPropagate()
    {
        RequireOneOutput("BackPropagate");
        int n = x[0].Rows;
        for (int i = 0; i < n; i++) a.CopyTo(delta[H - 1].Row(i));                // B_H = ∂u_i/∂X_H = a for every sample
        PropagateDown();
    }

    protected override void BackPropagate(ReadOnlySpan<T> g)
    {
        int n = x[0].Rows;
        LinearAlgebra.Gemm(false, true, n, MH, C, T.One, g, C, a, C, T.Zero, delta[H - 1].Data, MH);   // B_H = G Aᵀ
        PropagateDown();
    }

    // B_h lives in delta[h−1] and becomes Δ_h = B_h ∘ slope_h in place; B_{h−1} = skip_h·B_h + Δ_h W_h is built in delta[h−2].
    private void PropagateDown()
    {
        for (int h = H; h >= 1; h--)
        {
            var d = delta[h - 1];
            double skip = Skip(h);
            if (h > 1 && skip != 0) d.Span.CopyTo(delta[h - 2].Span);
            MultiplyInPlace(d, slope[h - 1]);
            norms?[h - 1].Backward(d);                                             // ∂L/∂BN_h(Z_h) → ∂L/∂Z_h
            if (h > 1) LinearAlgebra.Gemm(d, false, w[h - 1], false, delta[h - 2], T.One, T.CreateTruncating(skip));
        }
    }

    // One output: ∂L/∂W_h = Δ_hᵀ (r ∘ X_{h−1}), ∂L/∂b_h = Δ_hᵀ r, ∂L/∂a = X_Hᵀ r, ∂L/∂b_out = Σ_i r_i.
    // Seeded (C outputs): ∂L/∂W_h = Δ_hᵀ X_{h−1}, ∂L/∂b_h = Δ_hᵀ 1, ∂L/∂A = X_Hᵀ G, ∂L/∂b_out = Gᵀ 1.
    protected override void Accumulate(ReadOnlySpan<T> g, bool seeded, T alpha, T beta, Func<int, T[]> target, IReadOnlyList<bool>? trained)
    {
        int n = x[0].Rows;
        var ones = Ones(n);
        ReadOnlySpan<T> weights = seeded ? ones.AsSpan(0, n) : g;                // what multiplies each sample's Δ_h
        for (int h = 1; h <= H; h++)
        {
            var prev = x[h - 1];
            int m = x[h].Cols;
            if (Trains(WAt[h - 1], trained))
            {
                ReadOnlySpan<T> rx = prev.Span;
                if (!seeded)
                {
                    var scaled = scaledStore.AsSpan(0, n * prev.Cols);
                    for (int i = 0; i < n; i++) TensorPrimitives.Multiply(prev.Row(i), g[i], scaled.Slice(i * prev.Cols, prev.Cols));
                    rx = scaled;
                }
                LinearAlgebra.Gemm(true, false, m, prev.Cols, n, alpha, delta[h - 1].Data, m, rx, prev.Cols, beta, target(WAt[h - 1]), prev.Cols);
            }
            if (Trains(BAt[h - 1], trained))
                LinearAlgebra.Gemm(true, false, m, 1, n, alpha, delta[h - 1].Data, m, weights, 1, beta, target(BAt[h - 1]), 1);
            if (norms is not null)
            {
                if (Trains(gammaAt[h - 1], trained)) Combine(norms[h - 1].GammaGradient, alpha, beta, target(gammaAt[h - 1]));
                if (Trains(betaAt[h - 1], trained)) Combine(norms[h - 1].BetaGradient, alpha, beta, target(betaAt[h - 1]));
            }
        }
        if (Trains(AAt, trained))
            LinearAlgebra.Gemm(true, false, MH, C, n, alpha, x[H].Data, MH, g, C, beta, target(AAt), C);
        if (Trains(BOutAt, trained))
            LinearAlgebra.Gemm(true, false, C, 1, n, alpha, g, C, ones, 1, beta, target(BOutAt), 1);
    }

    // target = alpha·g + beta·target (beta = 0 overwrites, as GEMM's).
    private static void Combine(ReadOnlySpan<T> g, T alpha, T beta, Span<T> target)
    {
        if (beta == T.Zero) TensorPrimitives.Multiply(g, alpha, target);
        else
        {
            TensorPrimitives.Multiply(target, beta, target);
            TensorPrimitives.MultiplyAdd(g, alpha, target, target);
        }
    }

    public override Matrix<double>[] GramMatrices()
    {
        RequireOneOutput("GramMatrices");
        // G^(h) = (X_{h−1} X_{h−1}ᵀ) ∘ (Δ_h Δ_hᵀ) (docs/mathematics.md §5, eq. 13–14 for h = H), G^(H+1) = X_H X_Hᵀ.
        var grams = new Matrix<double>[H + 1];
        for (int h = 1; h <= H; h++)
        {
            var features = OuterGram(x[h - 1]);
            var back = OuterGram(delta[h - 1]);
            TensorPrimitives.Multiply(features.Data, back.Data, features.Data);
            grams[h - 1] = features;
        }
        grams[H] = OuterGram(x[H]);
        return grams;
    }

    private static Matrix<double> OuterGram(Matrix<T> rows)
    {
        var d = typeof(T) == typeof(double) ? (Matrix<double>)(object)rows : rows.Convert<double>();
        return LinearAlgebra.Multiply(d, false, d, true);
    }

    private void Allocate(int n)
    {
        if (x.Length == H + 1 && x[1].Rows == n) return;
        x = new Matrix<T>[H + 1];
        slope = new Matrix<T>[H];
        delta = new Matrix<T>[H];
        for (int h = 1; h <= H; h++)
        {
            int m = Config.LayerWidth(h);
            x[h] = Buffer(ref xStore[h], n, m);
            slope[h - 1] = Buffer(ref slopeStore[h - 1], n, m);
            delta[h - 1] = Buffer(ref deltaStore[h - 1], n, m);
        }
        Buffer(ref scaledStore, n, Math.Max(Config.Width, Config.InputChannels));
    }
}
