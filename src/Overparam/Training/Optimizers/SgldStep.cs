using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Overparam.Numerics;

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
/// every "+ x·y" is one fused multiply-add. The pass runs <see cref="Vector512{T}"/> lanes (each coordinate rounded
/// alike whatever the width; the last partial vector through padded copies). ξ is of type T, or float32 draws in a
/// float64 pass (--sgld-noise-float32), widened exactly.
/// </summary>
internal readonly struct SgldStep<T>(double gamma, double weightDecay, double eta, double momentum, double dampening, bool nesterov,
    double noiseScale, double alpha) where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T gammaT = T.CreateTruncating(gamma), lambda = T.CreateTruncating(weightDecay), minusEta = T.CreateTruncating(-eta);
    private readonly T mu = T.CreateTruncating(momentum), undamped = T.CreateTruncating(1 - dampening), scale = T.CreateTruncating(noiseScale);
    private readonly T a = T.CreateTruncating(alpha), oneMinusA = T.CreateTruncating(1 - alpha);
    private readonly bool coupled = gamma != 0, decayed = weightDecay != 0, hasMomentum = momentum != 0, noisy = noiseScale != 0;

    /// <summary>One block: w, ∇, w_c, μ_w of one length; m′ as long or empty (μ′ = 0); ξ (of T or float32) as long or empty (no noise).</summary>
    public void Apply<TNoise>(Span<T> w, ReadOnlySpan<T> g, ReadOnlySpan<T> centre, Span<T> average, Span<T> m, ReadOnlySpan<TNoise> xi)
        where TNoise : unmanaged, IFloatingPointIeee754<TNoise>
    {
        if (typeof(TNoise) != typeof(T) && typeof(TNoise) != typeof(float)) throw new ArgumentException($"noise of {typeof(TNoise).Name} in a {typeof(T).Name} step");
        int n = w.Length, width = Vector512<T>.Count, full = n - n % width;
        Run(w[..full], g, centre, average, m, xi);
        if (full == n) return;
        // The last n − full coordinates, through zero-padded copies.
        int r = n - full;
        Span<T> tw = stackalloc T[width], tg = stackalloc T[width], tc = stackalloc T[width], ta = stackalloc T[width], tm = stackalloc T[width];
        Span<TNoise> tx = stackalloc TNoise[width];
        w[full..].CopyTo(tw); g[full..].CopyTo(tg); centre[full..].CopyTo(tc); average[full..].CopyTo(ta);
        if (hasMomentum) m[full..].CopyTo(tm);
        if (noisy) xi[full..].CopyTo(tx);
        Run(tw, tg, tc, ta, tm, tx);
        tw[..r].CopyTo(w[full..]); ta[..r].CopyTo(average[full..]);
        if (hasMomentum) tm[..r].CopyTo(m[full..]);
    }

    /// <summary>The step of whole vectors: w.Length is a multiple of the width; the other spans are at least as long (m′, ξ unread when off).</summary>
    private void Run<TNoise>(Span<T> ws, ReadOnlySpan<T> gs, ReadOnlySpan<T> cs, Span<T> avgs, Span<T> ms, ReadOnlySpan<TNoise> xis)
        where TNoise : unmanaged, IFloatingPointIeee754<TNoise>
    {
        // The settings in locals: read through `this` inside the loop they are reloaded after every store.
        bool coupled = this.coupled, decayed = this.decayed, hasMomentum = this.hasMomentum, noisy = this.noisy, nesterov1 = nesterov;
        Vector512<T> gammaV = Vector512.Create(gammaT), lambdaV = Vector512.Create(lambda), minusEtaV = Vector512.Create(minusEta);
        Vector512<T> muV = Vector512.Create(mu), undampedV = Vector512.Create(undamped), scaleV = Vector512.Create(scale);
        Vector512<T> aV = Vector512.Create(a), oneMinusAV = Vector512.Create(oneMinusA);
        ref T w0 = ref MemoryMarshal.GetReference(ws), g0 = ref MemoryMarshal.GetReference(gs), c0 = ref MemoryMarshal.GetReference(cs);
        ref T a0 = ref MemoryMarshal.GetReference(avgs), m0 = ref MemoryMarshal.GetReference(ms);
        ref TNoise x0 = ref MemoryMarshal.GetReference(xis);
        for (nuint j = 0, n = (nuint)ws.Length; j < n; j += (nuint)Vector512<T>.Count)
        {
            var w = Vector512.LoadUnsafe(ref w0, j);
            var d = Vector512.LoadUnsafe(ref g0, j);
            if (coupled) d = VectorFma<T>.Of(w - Vector512.LoadUnsafe(ref c0, j), gammaV, d); // dw.add_(wc − w, alpha=−γ)
            if (decayed) d = VectorFma<T>.Of(w, lambdaV, d);
            var m = Vector512<T>.Zero;
            if (hasMomentum)
            {
                m = VectorFma<T>.Of(d, undampedV, Vector512.LoadUnsafe(ref m0, j) * muV);
                d = nesterov1 ? VectorFma<T>.Of(m, muV, d) : m;
            }
            if (noisy)
            {
                d = VectorFma<T>.Of(Noise(ref x0, j), scaleV, d);
                if (hasMomentum && !nesterov1) m = d;
            }
            if (hasMomentum) m.StoreUnsafe(ref m0, j);
            w = VectorFma<T>.Of(d, minusEtaV, w);
            w.StoreUnsafe(ref w0, j);
            VectorFma<T>.Of(w, oneMinusAV, Vector512.LoadUnsafe(ref a0, j) * aV).StoreUnsafe(ref a0, j);
        }
    }

    /// <summary>The draws of ξ at coordinates j … j + width − 1 as T: loaded, or (float32 draws in a float64 pass) widened, exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Noise<TNoise>(ref TNoise x0, nuint j) where TNoise : unmanaged
    {
        if (typeof(TNoise) == typeof(T)) return Vector512.LoadUnsafe(ref Unsafe.As<TNoise, T>(ref x0), j);
        var v = Vector256.LoadUnsafe(ref Unsafe.As<TNoise, float>(ref x0), j);
        return Vector512.Create(Vector256.WidenLower(v), Vector256.WidenUpper(v)).As<double, T>();
    }
}
