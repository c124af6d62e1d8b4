using Overparam.Activations;
using Overparam.Numerics;
using static Overparam.Tests.Kernels.KernelTestSupport;

namespace Overparam.Tests.Kernels;

/// <summary>
/// Explicit, slow, independent finite-width networks at initialization (plain loops, N(0, 1) weights) and their
/// per-layer Gram matrices G^(h)_ij = ⟨∂u_i/∂W^(h), ∂u_j/∂W^(h)⟩ (docs/mathematics.md §5), from hand-written backpropagation:
/// ∂u/∂W^(h) = δ^(h) x^(h−1)ᵀ, so G^(h)_ij = ⟨δ_i^(h), δ_j^(h)⟩ ⟨x_i^(h−1), x_j^(h−1)⟩, and G^(H+1) = ⟨x_i^(H), x_j^(H)⟩.
/// </summary>
internal static class FiniteWidthGrams
{
    /// <summary>
    /// One draw of N(0, 1) weights: W^(1) (m×d), W^(h) (m×m) up to MaxDepth, and an independent output vector a per
    /// depth, so one draw serves the fully connected nets of every depth ≤ MaxDepth and the ResNet (each of those nets
    /// still has i.i.d. N(0, 1) weights).
    /// </summary>
    public sealed class Weights
    {
        public readonly int M, D, MaxDepth;
        public readonly double[][] W;
        public readonly double[][] A;

        public Weights(int m, int d, int maxDepth, ulong seed)
        {
            var rng = new Random((int)seed);
            M = m; D = d; MaxDepth = maxDepth;
            W = new double[maxDepth + 1][]; A = new double[maxDepth + 1][];
            for (int h = 1; h <= maxDepth; h++) W[h] = Gaussians(rng, m * (h == 1 ? d : m));
            for (int h = 1; h <= maxDepth; h++) A[h] = Gaussians(rng, m);
        }

        public int Width(int h) => h == 0 ? D : M;
    }

    /// <summary>Fully connected net, eq. (2), with fresh weights. Returns G^(1..H+1) at index h−1.</summary>
    public static Matrix<double>[] FullyConnected(Matrix<double> x, int depth, Activation sigma, int m, ulong seed)
        => FullyConnected(x, depth, sigma, new Weights(m, x.Cols, depth, seed));

    /// <summary>ResNet, eq. (3), with fresh weights. Returns G^(1..H+1) at index h−1.</summary>
    public static Matrix<double>[] ResNet(Matrix<double> x, int depth, Activation sigma, double cRes, int m, ulong seed)
        => ResNet(x, depth, sigma, cRes, new Weights(m, x.Cols, depth, seed));

    /// <summary>Fully connected net, eq. (2). Returns G^(1..H+1) at index h−1.</summary>
    public static Matrix<double>[] FullyConnected(Matrix<double> x, int depth, Activation sigma, Weights wt)
        => FullyConnectedAllDepths(x, sigma, wt, depth)[depth];

    /// <summary>
    /// The fully connected nets of depth 1..maxDepth on one weight draw (the forward pass is shared: the first h layers
    /// of every net are the same; each depth has its own output vector a). Result[H] = G^(1..H+1) of the depth-H net.
    /// </summary>
    public static Matrix<double>[][] FullyConnectedAllDepths(Matrix<double> x, Activation sigma, Weights wt, int maxDepth)
    {
        int n = x.Rows, m = wt.M;
        double scale = Math.Sqrt(sigma.CSigma / m);
        var xs = new double[maxDepth + 1][][]; var gs = new double[maxDepth + 1][][];
        xs[0] = Enumerable.Range(0, n).Select(i => x.Row(i).ToArray()).ToArray();
        for (int h = 1; h <= maxDepth; h++)
        {
            gs[h] = MatVecBatch(wt.W[h], m, wt.Width(h - 1), xs[h - 1]);
            xs[h] = gs[h].Select(g => g.Select(v => scale * sigma.Value(v)).ToArray()).ToArray();   // x^(h) = √(c_σ/m) σ(W x^(h−1))
        }
        var result = new Matrix<double>[maxDepth + 1][];
        for (int depth = 1; depth <= maxDepth; depth++) result[depth] = FullyConnectedBackward(xs, gs, n, depth, scale, wt, sigma);
        return result;
    }

    private static Matrix<double>[] FullyConnectedBackward(double[][][] xs, double[][][] gs, int n, int depth, double scale, Weights wt, Activation sigma)
    {
        int m = wt.M;
        var deltas = new double[depth + 1][][];
        var back = Enumerable.Range(0, n).Select(_ => wt.A[depth]).ToArray();                     // ∂u/∂x^(H) = a
        for (int h = depth; h >= 1; h--)
        {
            deltas[h] = new double[n][];
            for (int i = 0; i < n; i++)
            {
                var delta = deltas[h][i] = new double[m];
                for (int r = 0; r < m; r++) delta[r] = scale * sigma.Derivative(gs[h][i][r]) * back[i][r];   // δ^(h) = ∂u/∂(W^(h) x^(h−1))
            }
            if (h > 1) back = MatTVecBatch(wt.W[h], m, wt.Width(h - 1), deltas[h]);                 // ∂u/∂x^(h−1) = W^(h)ᵀ δ^(h)
        }
        return Grams(xs, deltas, n, depth);
    }

    /// <summary>ResNet, eq. (3). Returns G^(1..H+1) at index h−1.</summary>
    public static Matrix<double>[] ResNet(Matrix<double> x, int depth, Activation sigma, double cRes, Weights wt)
    {
        int n = x.Rows, m = wt.M;
        double first = Math.Sqrt(sigma.CSigma / m), res = cRes / (depth * Math.Sqrt(m));
        var xs = new double[depth + 1][][]; var gs = new double[depth + 1][][]; var deltas = new double[depth + 1][][];
        xs[0] = Enumerable.Range(0, n).Select(i => x.Row(i).ToArray()).ToArray();
        for (int h = 1; h <= depth; h++)
        {
            gs[h] = MatVecBatch(wt.W[h], m, wt.Width(h - 1), xs[h - 1]);
            xs[h] = new double[n][];
            for (int i = 0; i < n; i++)
                xs[h][i] = h == 1
                    ? gs[h][i].Select(v => first * sigma.Value(v)).ToArray()                          // x^(1) = √(c_σ/m) σ(W x)
                    : gs[h][i].Select((v, r) => xs[h - 1][i][r] + res * sigma.Value(v)).ToArray();   // x^(h) = x^(h−1) + c_res/(H√m) σ(W x^(h−1))
        }
        var back = Enumerable.Range(0, n).Select(_ => (double[])wt.A[depth].Clone()).ToArray();    // ∂u/∂x^(H) = a
        for (int h = depth; h >= 1; h--)
        {
            double s = h == 1 ? first : res;
            deltas[h] = new double[n][];
            for (int i = 0; i < n; i++)
            {
                var delta = deltas[h][i] = new double[m];
                for (int r = 0; r < m; r++) delta[r] = s * sigma.Derivative(gs[h][i][r]) * back[i][r];
            }
            if (h > 1)
            {
                var through = MatTVecBatch(wt.W[h], m, wt.Width(h - 1), deltas[h]);                  // ∂u/∂x^(h−1) = ∂u/∂x^(h) + W^(h)ᵀ δ^(h)
                for (int i = 0; i < n; i++) for (int r = 0; r < m; r++) back[i][r] += through[i][r];
            }
        }
        return Grams(xs, deltas, n, depth);
    }

    private static Matrix<double>[] Grams(double[][][] xs, double[][][] deltas, int n, int depth)
    {
        var g = new Matrix<double>[depth + 1];
        for (int h = 1; h <= depth + 1; h++)
        {
            var gh = new Matrix<double>(n, n);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    gh[i, j] = h <= depth
                        ? Dot(deltas[h][i], deltas[h][j]) * Dot(xs[h - 1][i], xs[h - 1][j])
                        : Dot(xs[depth][i], xs[depth][j]);
            g[h - 1] = gh;
        }
        return g;
    }

    /// <summary>
    /// Convolutional ResNet (docs/mathematics.md §2.3, q odd, zero padding): G^(H) from eq. (15),
    /// G^(H)_ij = c_res²/(H² m) Σ_r Σ_{l,k} a_{l,r} a_{k,r} σ′(w_rᵀx̃_{i,l}) σ′(w_rᵀx̃_{j,k}) ⟨x̃_{i,l}, x̃_{j,k}⟩,
    /// x̃_{i,l} = φ(x_i^(H−1))_{:,l}. X rows are d0×p channel-major (c·p + l).
    /// </summary>
    public static Matrix<double> ConvGH(Matrix<double> x, int d0, int p, int q, int depth, Activation sigma, double cRes, int m, ulong seed)
    {
        var rng = new Random((int)seed);
        int n = x.Rows, half = (q - 1) / 2;
        double first = Math.Sqrt(sigma.CSigma / m), res = cRes / (depth * Math.Sqrt(m));
        var w = new double[depth + 1][];
        var chans = new int[depth + 1]; chans[0] = d0;
        for (int h = 1; h <= depth; h++) { chans[h] = m; w[h] = Gaussians(rng, m * q * chans[h - 1]); }
        var a = Gaussians(rng, m * p);                                                    // a[r * p + l] = a_{l,r}
        // patch(x)[l] ∈ R^{q·C}: entry c·q + (t + half) = x_{c, l+t}, 0 outside [0, p).
        double[][] Patches(double[][] xc, int c)
        {
            var pt = new double[p][];
            for (int l = 0; l < p; l++)
            {
                pt[l] = new double[q * c];
                for (int ch = 0; ch < c; ch++)
                    for (int t = -half; t <= half; t++)
                        if (l + t >= 0 && l + t < p) pt[l][ch * q + t + half] = xc[ch][l + t];
            }
            return pt;
        }
        var tilde = new double[n][][]; var prime = new double[n][][];                    // x̃_{i,l} and σ′(w_rᵀ x̃_{i,l}) [l][r]
        var xc = new double[n][][];                                                       // xc[i][c][l]
        for (int i = 0; i < n; i++)
        {
            xc[i] = new double[d0][];
            for (int c = 0; c < d0; c++) { xc[i][c] = new double[p]; for (int l = 0; l < p; l++) xc[i][c][l] = x[i, c * p + l]; }
        }
        for (int h = 1; h <= depth; h++)
        {
            var pts = xc.Select(v => Patches(v, chans[h - 1])).ToArray();
            var flat = MatVecBatch(w[h], m, q * chans[h - 1], pts.SelectMany(v => v).ToArray());   // [i·p + l][r] = w_rᵀ x̃_{i,l}
            if (h == depth)
            {
                for (int i = 0; i < n; i++)
                {
                    tilde[i] = pts[i];
                    prime[i] = Enumerable.Range(0, p).Select(l => flat[i * p + l].Select(sigma.Derivative).ToArray()).ToArray();
                }
                break;
            }
            for (int i = 0; i < n; i++)
            {
                var next = new double[m][];
                for (int r = 0; r < m; r++)
                {
                    next[r] = new double[p];
                    for (int l = 0; l < p; l++)
                    {
                        double g = flat[i * p + l][r];
                        next[r][l] = h == 1 ? first * sigma.Value(g) : xc[i][r][l] + res * sigma.Value(g);
                    }
                }
                xc[i] = next;
            }
        }
        var gh = new Matrix<double>(n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                var dots = new double[p, p];
                for (int l = 0; l < p; l++) for (int k = 0; k < p; k++) dots[l, k] = Dot(tilde[i][l], tilde[j][k]);
                double s = 0;
                for (int r = 0; r < m; r++)
                    for (int l = 0; l < p; l++)
                        for (int k = 0; k < p; k++)
                            s += a[r * p + l] * a[r * p + k] * prime[i][l][r] * prime[j][k][r] * dots[l, k];
                gh[i, j] = cRes * cRes / (depth * depth * (double)m) * s;
            }
        return gh;
    }
}
