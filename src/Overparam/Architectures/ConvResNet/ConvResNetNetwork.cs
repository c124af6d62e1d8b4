using System.Numerics;
using System.Numerics.Tensors;
using Overparam.Numerics;

namespace Overparam.Architectures.ConvResNet;

/// <summary>
/// The convolutional ResNet of docs/mathematics.md §2.3: x^(1) = sqrt(c_σ/m) σ(W^(1) φ(x)),
/// x^(h) = x^(h−1) + (c_res/(H sqrt(m))) σ(W^(h) φ(x^(h−1))) for 2 ≤ h ≤ H, f = Σ_{c,l} a_{c,l} x^(H)_{c,l}.
/// Input rows hold d₀ channels × p positions with feature index c·p + l; φ is stride 1 with zero padding (q−1)/2
/// (<see cref="Patches"/>); W^(h) is [m, q·d_{h−1}] with column c·q + t; a is [m, p] with entry (c, l) at c·p + l.
/// Internally the batch is position-major (row i·p + l, column c), so each layer is one GEMM
/// [n·p, q·d] × [q·d, m] on the batch's patch matrix.
/// </summary>
public sealed class ConvResNetNetwork<T> : PaperNetwork<T>, IFeatureModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>How <see cref="GramMatrices"/> contracts the per-sample gradients; both give the same matrices.</summary>
    public ConvGramStrategy GramStrategy { get; set; } = ConvGramStrategy.Auto;

    private int H => Config.Depth;
    private int M => Config.Width;
    private int P => Config.Positions;
    private int Q => Config.KernelSize;
    private int C => Config.Outputs;

    private readonly Matrix<T>[] w;      // W^(h), h = 1..H at index h−1, [m, q·d_{h−1}]
    private readonly T[] a;              // [m, p] or [m, p, C]
    private readonly T[] aT;             // [p·m, C]: entry (l·m + c, k) = a[c, l, k], the layout of one sample's rows of X_H
    private readonly double firstScale;  // sqrt(c_σ/m) (1 in the standard parameterization)
    private readonly double residualScale; // c_res/(H sqrt(m)) (c_res/H in the standard parameterization)
    private int n;
    private readonly T[][] xStore, slopeStore, deltaStore;   // storage for the largest batch seen
    private Matrix<T>[] x = [];          // X_0 … X_H, [n·p, d_h], position-major (views for the current batch)
    private Matrix<T>[] slope = [];      // scale_h · σ′(Z_h), [n·p, m]
    private Matrix<T>[] delta = [];      // Δ_h = ∂u_i/∂Z_h at row (i, l), [n·p, m]
    private T[] patches = [];            // scratch [n·p, q·max(d₀, m)]: φ(X_{h−1}), r ∘ φ(X_{h−1}) or ∂u/∂φ
    private T[] sampleScale = [];        // the residual r, as an array for the parallel im2col
    private T[] rowWeights = [];         // r_i at every row (i, l), for the bias gradients
    private readonly T[] aGradient;      // X_Hᵀ G in the [p·m, C] layout

    public ConvResNetNetwork(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters) : base(config, parameters)
    {
        if (config.KernelSize < 1 || config.KernelSize % 2 == 0) throw new ArgumentException($"kernel size q must be odd and positive, got {config.KernelSize}");
        if (config.Positions < 1) throw new ArgumentException($"positions p must be positive, got {config.Positions}");
        w = new Matrix<T>[config.Depth];
        for (int h = 1; h <= config.Depth; h++)
            w[h - 1] = Weights(parameters[WAt[h - 1]], config.Width, config.KernelSize * Channels(h - 1));
        var pa = parameters[AAt];
        int[] aShape = config.Outputs == 1 ? [config.Width, config.Positions] : [config.Width, config.Positions, config.Outputs];
        if (!pa.Shape.SequenceEqual(aShape))
            throw new ArgumentException($"a has shape [{string.Join(", ", pa.Shape)}], expected [{string.Join(", ", aShape)}]");
        a = pa.Value;
        aT = new T[a.Length];
        bool ntk = config.Parameterization == Parameterization.Ntk;
        firstScale = ntk ? Math.Sqrt(config.CSigma / config.Width) : 1;
        residualScale = config.CRes / (config.Depth * (ntk ? Math.Sqrt(config.Width) : 1));
        aGradient = new T[a.Length];
        xStore = new T[config.Depth + 1][];
        slopeStore = new T[config.Depth][];
        deltaStore = new T[config.Depth][];
        for (int h = 0; h <= config.Depth; h++) xStore[h] = [];
        for (int h = 0; h < config.Depth; h++) { slopeStore[h] = []; deltaStore[h] = []; }
    }

    /// <summary>d_h: d₀ input channels, m for every hidden layer.</summary>
    private int Channels(int h) => h == 0 ? Config.InputChannels : Config.Width;

    /// <summary>X_H of the last forward pass as n × p·m: sample i's p position rows of m channels are contiguous.</summary>
    public Matrix<T> Features => Matrix<T>.View(n, P * M, x[H].Data);

    public override void Forward(Matrix<T> input, Span<T> u)
    {
        if (input.Cols != Config.InputSize) throw new ArgumentException($"input has {input.Cols} features, the network expects d₀·p = {Config.InputSize}");
        Allocate(input.Rows);
        ToPositionMajor(input, x[0]);
        for (int c = 0; c < M; c++)
            for (int l = 0; l < P; l++)
                for (int k = 0; k < C; k++) aT[(l * M + c) * C + k] = a[(c * P + l) * C + k];
        for (int h = 1; h <= H; h++)
        {
            int k = Q * Channels(h - 1);
            Patches.Im2Col(x[h - 1].Data, n, P, Channels(h - 1), Q, null, patches);
            var z = slope[h - 1];
            LinearAlgebra.Gemm(false, true, n * P, M, k, T.One, patches, k, w[h - 1].Data, k, T.Zero, z.Data, M); // Z_h = φ(X_{h−1}) W_hᵀ
            Activate(Config.Activation, h == 1 ? firstScale : residualScale, z, x[h], h == 1 ? null : x[h - 1],
                BAt[h - 1] >= 0 ? Parameters[BAt[h - 1]].Value : null);                                          // + b_h per channel, then σ
        }
        LinearAlgebra.Gemm(false, false, n, C, P * M, T.One, x[H].Data, P * M, aT, C, T.Zero, u, C); // f_k = Σ_{c,l} a_{c,l,k} x^(H)_{c,l}
        if (BOutAt >= 0) AddToRows(u[..(n * C)], Parameters[BOutAt].Value);                        // + b_out
    }

    public override void BackPropagate()
    {
        RequireOneOutput("BackPropagate");
        // B_H = ∂u_i/∂X_H = a at every sample (row (i, l) is column l of a).
        for (int i = 0; i < n; i++) aT.CopyTo(delta[H - 1].Data.AsSpan(i * P * M, P * M));
        PropagateDown();
    }

    protected override void BackPropagate(ReadOnlySpan<T> g)
    {
        // B_H = ∂L/∂X_H: sample i's p·m row is aT · G_i.
        LinearAlgebra.Gemm(false, true, n, P * M, C, T.One, g, C, aT, C, T.Zero, delta[H - 1].Data, P * M);
        PropagateDown();
    }

    // B_h lives in delta[h−1] and becomes Δ_h = B_h ∘ slope_h in place; B_{h−1} = B_h + φᵀ(Δ_h W_h) (layer h ≥ 2 is
    // residual) is built in delta[h−2].
    private void PropagateDown()
    {
        for (int h = H; h >= 1; h--)
        {
            var d = delta[h - 1];
            if (h > 1) d.Span.CopyTo(delta[h - 2].Span);
            MultiplyInPlace(d, slope[h - 1]);
            if (h == 1) break;
            int k = Q * M;
            LinearAlgebra.Gemm(false, false, n * P, k, M, T.One, d.Data, M, w[h - 1].Data, k, T.Zero, patches, k); // ∂u/∂φ(X_{h−1}) = Δ_h W_h
            Patches.Col2ImAdd(patches, n, P, M, Q, delta[h - 2].Data);                                          // φᵀ: scatter-add over q offsets
        }
    }

    // One output (residual r): ∂L/∂W_h = Σ_i r_i Σ_l Δ_{h,(i,l)} φ(x_i^(h−1))_lᵀ = Δ_hᵀ (r ∘ Φ_h), ∂L/∂b_h = Σ_{i,l} r_i Δ_{h,(i,l)},
    // ∂L/∂a_{c,l} = Σ_i r_i x^(H)_{i,c,l}, ∂L/∂b_out = Σ_i r_i. Seeded (C outputs, G = ∂L/∂u): the same without the r_i
    // weights in the hidden layers, and ∂L/∂a_{c,l,k} = Σ_i G_ik x^(H)_{i,c,l}, ∂L/∂b_out = Gᵀ1.
    protected override void Accumulate(ReadOnlySpan<T> g, bool seeded, T alpha, T beta, Func<int, T[]> target, IReadOnlyList<bool>? trained)
    {
        if (!seeded) g.CopyTo(sampleScale);
        bool biases = BAt.Any(p => Trains(p, trained));
        if (biases)
            for (int i = 0; i < n; i++) rowWeights.AsSpan(i * P, P).Fill(seeded ? T.One : g[i]);
        for (int h = 1; h <= H; h++)
        {
            if (Trains(WAt[h - 1], trained))
            {
                int k = Q * Channels(h - 1);
                Patches.Im2Col(x[h - 1].Data, n, P, Channels(h - 1), Q, seeded ? null : sampleScale, patches);   // r_i φ(x_i^(h−1))
                LinearAlgebra.Gemm(true, false, M, k, n * P, alpha, delta[h - 1].Data, M, patches, k, beta, target(WAt[h - 1]), k);
            }
            if (Trains(BAt[h - 1], trained))
                LinearAlgebra.Gemm(true, false, M, 1, n * P, alpha, delta[h - 1].Data, M, rowWeights, 1, beta, target(BAt[h - 1]), 1);
        }
        if (Trains(AAt, trained))
        {
            LinearAlgebra.Gemm(true, false, P * M, C, n, T.One, x[H].Data, P * M, g, C, T.Zero, aGradient, C);
            var ta = target(AAt);
            for (int c = 0; c < M; c++)
                for (int l = 0; l < P; l++)
                    for (int k = 0; k < C; k++)
                    {
                        T v = alpha * aGradient[(l * M + c) * C + k];
                        int at = (c * P + l) * C + k;
                        ta[at] = beta == T.Zero ? v : v + beta * ta[at];
                    }
        }
        if (Trains(BOutAt, trained))
            LinearAlgebra.Gemm(true, false, C, 1, n, alpha, g, C, Ones(n), 1, beta, target(BOutAt), 1);
    }

    public override Matrix<double>[] GramMatrices()
    {
        RequireOneOutput("GramMatrices");
        // G^(h)_ij = ⟨J_i, J_j⟩ with J_i = ∂u_i/∂W^(h) = Σ_l Δ_{h,(i,l)} φ(x_i^(h−1))_lᵀ (docs/mathematics.md §5, eq. 15 for h = H);
        // G^(H+1)_ij = ⟨x_i^(H), x_j^(H)⟩_F.
        var grams = new Matrix<double>[H + 1];
        for (int h = 1; h <= H; h++)
        {
            int channels = Channels(h - 1), k = Q * channels;
            var phi = new double[checked(n * P * k)];
            Patches.Im2Col(AsDouble(x[h - 1]), n, P, channels, Q, null, phi);
            var d = AsDouble(delta[h - 1]);
            var strategy = GramStrategy == ConvGramStrategy.Auto ? ConvGramCost.Cheaper(n, P, M, k) : GramStrategy;
            grams[h - 1] = strategy == ConvGramStrategy.PerSample ? PerSampleGram(d, phi, k) : PerPositionGram(d, phi, k);
        }
        var last = AsDouble(x[H]);
        grams[H] = new Matrix<double>(n, n);
        LinearAlgebra.Gemm(false, true, n, n, P * M, 1.0, last, P * M, last, P * M, 0.0, grams[H].Data, n);
        return grams;
    }

    // G = J Jᵀ, J_i = Δ_iᵀ Φ_i (m × k, a GEMM over the p positions). J is formed for a block of channels at a time
    // (⟨J_i, J_j⟩ is a sum over channels), so that it never holds more than about 2^24 entries.
    private Matrix<double> PerSampleGram(double[] d, double[] phi, int k)
    {
        int block = (int)Math.Clamp((1L << 24) / ((long)n * k), 1, M);
        var j = new double[n * block * k];
        var g = new Matrix<double>(n, n);
        for (int r0 = 0; r0 < M; r0 += block)
        {
            int rows = Math.Min(block, M - r0), size = rows * k;
            for (int i = 0; i < n; i++)
                LinearAlgebra.Gemm(true, false, rows, k, P, 1.0, d.AsSpan(i * P * M + r0, (P - 1) * M + rows), M,
                    phi.AsSpan(i * P * k, P * k), k, 0.0, j.AsSpan(i * size, size), k);                 // J_i = Σ_l Δ_{i,l} φ_{i,l}ᵀ
            LinearAlgebra.Gemm(false, true, n, n, size, 1.0, j, size, j, size, r0 == 0 ? 0.0 : 1.0, g.Data, n); // G += J Jᵀ
        }
        return g;
    }

    // G_ij = Σ_{l,l′} (Δ Δᵀ)_{(i,l),(j,l′)} (Φ Φᵀ)_{(i,l),(j,l′)}: Hadamard product of two (n p)×(n p) Grams, p×p block sums.
    private Matrix<double> PerPositionGram(double[] d, double[] phi, int k)
    {
        int np = n * P;
        var back = new double[np * np];
        var features = new double[np * np];
        LinearAlgebra.Gemm(false, true, np, np, M, 1.0, d, M, d, M, 0.0, back, np);
        LinearAlgebra.Gemm(false, true, np, np, k, 1.0, phi, k, phi, k, 0.0, features, np);
        TensorPrimitives.Multiply(back, features, back);
        var g = new Matrix<double>(n, n);
        for (int i = 0; i < n; i++)
            for (int l = 0; l < P; l++)
            {
                var row = back.AsSpan((i * P + l) * np, np);
                for (int j = 0; j < n; j++) g[i, j] += TensorPrimitives.Sum<double>(row.Slice(j * P, P));
            }
        return g;
    }

    private static double[] AsDouble(Matrix<T> m) => typeof(T) == typeof(double) ? (double[])(object)m.Data : m.Convert<double>().Data;

    // X_0[(i, l), c] = input[i, c·p + l]: channel-major input rows to the position-major batch.
    private void ToPositionMajor(Matrix<T> input, Matrix<T> x0)
    {
        int d0 = Config.InputChannels;
        for (int i = 0; i < n; i++)
        {
            var src = input.Row(i);
            var dst = x0.Data.AsSpan(i * P * d0, P * d0);
            for (int c = 0; c < d0; c++)
                for (int l = 0; l < P; l++) dst[l * d0 + c] = src[c * P + l];
        }
    }

    private void Allocate(int rows)
    {
        if (x.Length == H + 1 && n == rows) return;
        n = rows;
        x = new Matrix<T>[H + 1];
        slope = new Matrix<T>[H];
        delta = new Matrix<T>[H];
        x[0] = Buffer(ref xStore[0], n * P, Config.InputChannels);
        for (int h = 1; h <= H; h++)
        {
            x[h] = Buffer(ref xStore[h], n * P, M);
            slope[h - 1] = Buffer(ref slopeStore[h - 1], n * P, M);
            delta[h - 1] = Buffer(ref deltaStore[h - 1], n * P, M);
        }
        Buffer(ref patches, n * P, Q * Math.Max(M, Config.InputChannels));
        Buffer(ref sampleScale, n, 1);
        Buffer(ref rowWeights, n, P);
    }
}
