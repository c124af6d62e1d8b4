using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Overparam.Training.Optimizers;

/// <summary>
/// One SGLD step of Entropy-SGD's inner loop and the moving average of its iterates (docs/mathematics.md §11.2) on one
/// block of a parameter, in a single pass over the coordinates (each array is read and written once, not once per line):
/// <code>
/// d ← ∇ + γ (w − w_c) + λ w
/// if μ′ ≠ 0:  m′ ← μ′ m′ + (1 − τ) d;  d ← d + μ′ m′ (Nesterov), else d ← m′
/// if s ≠ 0:   d ← d + s ξ            (s = ε / sqrt(η′/2); without Nesterov the noise enters m′ too, d being m′)
/// w ← w − η′ d
/// μ_w ← α μ_w + (1 − α) w
/// </code>
/// rounded as the element-wise passes it replaces (and PyTorch's kernels) round it: w − w_c, μ′m′ and αμ_w are rounded,
/// every "+ x·y" is one fused multiply-add.
/// </summary>
internal readonly struct SgldStep<T>(double gamma, double weightDecay, double eta, double momentum, double dampening, bool nesterov,
    double noiseScale, double alpha) where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector256<T> gammaV = Vector256.Create(T.CreateTruncating(gamma)), lambdaV = Vector256.Create(T.CreateTruncating(weightDecay));
    private readonly Vector256<T> minusEta = Vector256.Create(T.CreateTruncating(-eta)), mu = Vector256.Create(T.CreateTruncating(momentum));
    private readonly Vector256<T> undamped = Vector256.Create(T.CreateTruncating(1 - dampening)), scale = Vector256.Create(T.CreateTruncating(noiseScale));
    private readonly Vector256<T> a = Vector256.Create(T.CreateTruncating(alpha)), oneMinusA = Vector256.Create(T.CreateTruncating(1 - alpha));
    private readonly bool coupled = gamma != 0, decayed = weightDecay != 0, hasMomentum = momentum != 0, noisy = noiseScale != 0;

    /// <summary>One block: w, ∇, w_c, μ_w of one length; m′ as long or empty (μ′ = 0); ξ as long or empty (no noise).</summary>
    public void Apply(Span<T> w, ReadOnlySpan<T> g, ReadOnlySpan<T> centre, Span<T> average, Span<T> m, ReadOnlySpan<T> xi)
    {
        int n = w.Length, width = Vector256<T>.Count, j = 0;
        for (; j <= n - width; j += width) At(w, g, centre, average, m, xi, j);
        if (j == n) return;
        // The last n − j coordinates, through zero-padded copies.
        int r = n - j;
        Span<T> tw = stackalloc T[width], tg = stackalloc T[width], tc = stackalloc T[width], ta = stackalloc T[width], tm = stackalloc T[width], tx = stackalloc T[width];
        w[j..].CopyTo(tw); g[j..].CopyTo(tg); centre[j..].CopyTo(tc); average[j..].CopyTo(ta);
        if (hasMomentum) m[j..].CopyTo(tm);
        if (noisy) xi[j..].CopyTo(tx);
        At(tw, tg, tc, ta, hasMomentum ? tm : [], noisy ? tx : [], 0);
        tw[..r].CopyTo(w[j..]); ta[..r].CopyTo(average[j..]);
        if (hasMomentum) tm[..r].CopyTo(m[j..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void At(Span<T> ws, ReadOnlySpan<T> gs, ReadOnlySpan<T> cs, Span<T> avgs, Span<T> ms, ReadOnlySpan<T> xis, int j)
    {
        var w = Load(ws, j);
        var d = Load(gs, j);
        if (coupled) d = Fma(w - Load(cs, j), gammaV, d);                       // dw.add_(wc − w, alpha=−γ)
        if (decayed) d = Fma(w, lambdaV, d);
        var m = Vector256<T>.Zero;
        if (hasMomentum)
        {
            m = Fma(d, undamped, Load(ms, j) * mu);
            d = nesterov ? Fma(m, mu, d) : m;
        }
        if (noisy)
        {
            d = Fma(Load(xis, j), scale, d);
            if (hasMomentum && !nesterov) m = d;
        }
        if (hasMomentum) Store(m, ms, j);
        w = Fma(d, minusEta, w);
        Store(w, ws, j);
        Store(Fma(w, oneMinusA, Load(avgs, j) * a), avgs, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Load(ReadOnlySpan<T> s, int j) => Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)j);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<T> v, Span<T> s, int j) => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)j);

    /// <summary>x·y + z with one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> Fma(Vector256<T> x, Vector256<T> y, Vector256<T> z)
    {
        if (typeof(T) == typeof(double)) return Vector256.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), z.As<T, double>()).As<double, T>();
        if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), z.As<T, float>()).As<float, T>();
        throw new NotSupportedException($"{typeof(T).Name}: Entropy-SGD runs in float64 or float32");
    }
}
