using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Overparam.Online;

/// <summary>
/// The per-example loops of <see cref="OnlineLearner"/> (docs/mathematics.md §12), each one pass over its rows, eight
/// hidden units at a time (<see cref="Vector512{T}"/>); a row's last few units go through a scalar loop that rounds as the
/// lanes do (the same products, <see cref="Math.FusedMultiplyAdd"/> where the lanes fuse), so no number depends on where
/// a unit falls in a row. Indices: j a hidden unit (n of them), i an input (M with the bias entry), k an output (K).
/// </summary>
internal static class OnlineKernels
{
    private const int L = 8;

    private static Vector512<double> At(ref double r, int j) => Vector512.LoadUnsafe(ref r, (nuint)j);

    private static ref double Ref(Span<double> s) => ref MemoryMarshal.GetReference(s);

    private static ref double Ref(ReadOnlySpan<double> s) => ref MemoryMarshal.GetReference(s);

    /// <summary>
    /// net_j = Σ_i x_i u_ij over the inputs <paramref name="active"/> (those with x_i ≠ 0), in increasing i:
    /// net_j ← fma(u_ij, x_i, net_j) from 0 (row i of U at i·<paramref name="stride"/>). Four vectors of units at a time
    /// are summed in registers over all the rows, so U is read once and net written once.
    /// </summary>
    public static void Forward(ReadOnlySpan<double> u, int stride, ReadOnlySpan<double> x, ReadOnlySpan<int> active, Span<double> net)
    {
        int n = net.Length;
        foreach (int i in active) _ = u.Slice(i * stride, n);                      // every row in range: the loads below are unchecked
        ref double ur = ref Ref(u), nr = ref Ref(net);
        int j = 0;
        for (; j <= n - 4 * L; j += 4 * L)
        {
            var (s0, s1, s2, s3) = (Vector512<double>.Zero, Vector512<double>.Zero, Vector512<double>.Zero, Vector512<double>.Zero);
            foreach (int i in active)
            {
                var (xv, o) = (Vector512.Create(x[i]), i * stride + j);
                s0 = Vector512.FusedMultiplyAdd(At(ref ur, o), xv, s0);
                s1 = Vector512.FusedMultiplyAdd(At(ref ur, o + L), xv, s1);
                s2 = Vector512.FusedMultiplyAdd(At(ref ur, o + 2 * L), xv, s2);
                s3 = Vector512.FusedMultiplyAdd(At(ref ur, o + 3 * L), xv, s3);
            }
            s0.StoreUnsafe(ref nr, (nuint)j);
            s1.StoreUnsafe(ref nr, (nuint)(j + L));
            s2.StoreUnsafe(ref nr, (nuint)(j + 2 * L));
            s3.StoreUnsafe(ref nr, (nuint)(j + 3 * L));
        }
        for (; j <= n - L; j += L)
        {
            var sum = Vector512<double>.Zero;
            foreach (int i in active) sum = Vector512.FusedMultiplyAdd(At(ref ur, i * stride + j), Vector512.Create(x[i]), sum);
            sum.StoreUnsafe(ref nr, (nuint)j);
        }
        for (; j < n; j++)
        {
            double sum = 0;
            foreach (int i in active) sum = Math.FusedMultiplyAdd(u[i * stride + j], x[i], sum);
            net[j] = sum;
        }
    }

    /// <summary>
    /// One SGD step of a row along a scaled direction: θ_j ← θ_j − α (s g_j), the product s g_j rounded first and then
    /// fused into θ as <see cref="Training.Optimizers.SgdRule{T}"/> does (grad = s g, param.add_(grad, alpha = −α)).
    /// bp's and cp-alt's U row (θ = u_i·, s = x_i, g = d or cp-alt's direction) and every LMS step of W
    /// (θ = w_·k, s = e_k, g = φ with φ_n = 1).
    /// </summary>
    public static void SgdRow(Span<double> theta, ReadOnlySpan<double> g, double s, double alpha)
    {
        int n = theta.Length;
        g = g[..n];
        var (sv, step) = (Vector512.Create(s), Vector512.Create(-alpha));
        ref double tr = ref Ref(theta), gr = ref Ref(g);
        int j = 0;
        for (; j <= n - L; j += L) Vector512.FusedMultiplyAdd(sv * At(ref gr, j), step, At(ref tr, j)).StoreUnsafe(ref tr, (nuint)j);
        for (; j < n; j++) theta[j] = Math.FusedMultiplyAdd(s * g[j], -alpha, theta[j]);
    }

    /// <summary>d_j = f′_j Σ_k w_jk e_k, backprop's ∂L/∂net_j (W before its update, output-major with stride n + 1).</summary>
    public static void BackError(ReadOnlySpan<double> w, ReadOnlySpan<double> e, ReadOnlySpan<double> slope, Span<double> d)
    {
        int n = d.Length, stride = n + 1;
        slope = slope[..n];
        w = w[..(e.Length * stride)];
        ref double wr = ref Ref(w), fr = ref Ref(slope), dr = ref Ref(d);
        int j = 0;
        for (; j <= n - L; j += L)
        {
            var sum = At(ref wr, j) * Vector512.Create(e[0]);
            for (int k = 1; k < e.Length; k++) sum = Vector512.FusedMultiplyAdd(At(ref wr, k * stride + j), Vector512.Create(e[k]), sum);
            (At(ref fr, j) * sum).StoreUnsafe(ref dr, (nuint)j);
        }
        for (; j < n; j++)
        {
            double sum = w[j] * e[0];
            for (int k = 1; k < e.Length; k++) sum = Math.FusedMultiplyAdd(w[k * stride + j], e[k], sum);
            d[j] = slope[j] * sum;
        }
    }

    /// <summary>
    /// Crossprop's per-unit factors of this example (W before its update):
    /// decay_j = 1 − (1 − λ) α_W φ_j²,  a_kj = (1 − λ) e_k φ_j,  c_kj = α_W f′_j (−e_k − λ φ_j w_jk)  (a, c as [k·n + j]).
    /// </summary>
    public static void CrosspropFactors(ReadOnlySpan<double> phi, ReadOnlySpan<double> slope, ReadOnlySpan<double> w, ReadOnlySpan<double> e,
        double lambda, double alphaW, Span<double> decay, Span<double> a, Span<double> c)
    {
        int n = decay.Length, stride = n + 1, outputs = e.Length;
        phi = phi[..n];
        slope = slope[..n];
        w = w[..(outputs * stride)];
        a = a[..(outputs * n)];
        c = c[..(outputs * n)];
        double shrink = -(1 - lambda) * alphaW;
        ref double pr = ref Ref(phi), fr = ref Ref(slope), wr = ref Ref(w), dr = ref Ref(decay), ar = ref Ref(a), cr = ref Ref(c);
        int j = 0;
        for (; j <= n - L; j += L)
        {
            var (ph, f) = (At(ref pr, j), At(ref fr, j));
            Vector512.FusedMultiplyAdd(ph * ph, Vector512.Create(shrink), Vector512<double>.One).StoreUnsafe(ref dr, (nuint)j);
            for (int k = 0; k < outputs; k++)
            {
                (Vector512.Create((1 - lambda) * e[k]) * ph).StoreUnsafe(ref ar, (nuint)(k * n + j));
                var inner = Vector512.FusedMultiplyAdd(ph * At(ref wr, k * stride + j), Vector512.Create(-lambda), Vector512.Create(-e[k]));
                (inner * f * Vector512.Create(alphaW)).StoreUnsafe(ref cr, (nuint)(k * n + j));
            }
        }
        for (; j < n; j++)
        {
            double ph = phi[j], f = slope[j];
            decay[j] = Math.FusedMultiplyAdd(ph * ph, shrink, 1);
            for (int k = 0; k < outputs; k++)
            {
                a[k * n + j] = (1 - lambda) * e[k] * ph;
                c[k * n + j] = Math.FusedMultiplyAdd(ph * w[k * stride + j], -lambda, -e[k]) * f * alphaW;
            }
        }
    }

    /// <summary>
    /// Crossprop's step of row i with one output (K = 1), U and its trace in one pass:
    /// g_j = a_j h_ij (+ λ d_j x_i, fused, when <paramref name="lambdaD"/> is given: λ ≠ 0 and x_i ≠ 0),
    /// u_ij ← u_ij − α_U g_j  (SGD's rounding, as <see cref="SgdRow"/>), then h_ij ← fma(c_j, x_i, h_ij decay_j) with the
    /// trace before the step in g.
    /// </summary>
    public static void CrosspropRow(Span<double> ui, Span<double> hi, double xi, ReadOnlySpan<double> lambdaD,
        ReadOnlySpan<double> a, ReadOnlySpan<double> c, ReadOnlySpan<double> decay, double alphaU)
    {
        int n = ui.Length;
        hi = hi[..n];
        a = a[..n];
        c = c[..n];
        decay = decay[..n];
        bool mixed = !lambdaD.IsEmpty;
        lambdaD = mixed ? lambdaD[..n] : decay;
        var (xv, step) = (Vector512.Create(xi), Vector512.Create(-alphaU));
        ref double ur = ref Ref(ui), hr = ref Ref(hi), ar = ref Ref(a), cr = ref Ref(c), dr = ref Ref(decay), lr = ref Ref(lambdaD);
        int j = 0;
        for (; j <= n - L; j += L)
        {
            var h = At(ref hr, j);
            var g = mixed ? Vector512.FusedMultiplyAdd(At(ref ar, j), h, At(ref lr, j) * xv) : At(ref ar, j) * h;
            Vector512.FusedMultiplyAdd(g, step, At(ref ur, j)).StoreUnsafe(ref ur, (nuint)j);
            Vector512.FusedMultiplyAdd(At(ref cr, j), xv, h * At(ref dr, j)).StoreUnsafe(ref hr, (nuint)j);
        }
        for (; j < n; j++)
        {
            double g = mixed ? Math.FusedMultiplyAdd(a[j], hi[j], lambdaD[j] * xi) : a[j] * hi[j];
            ui[j] = Math.FusedMultiplyAdd(g, -alphaU, ui[j]);
            hi[j] = Math.FusedMultiplyAdd(c[j], xi, hi[j] * decay[j]);
        }
    }

    /// <summary>
    /// Crossprop's step of row i with K outputs, U and its traces in one pass (<paramref name="traces"/> starts at
    /// H[0,i,0]; H[k,i,·] at k·<paramref name="traceStride"/>):
    /// g_j = λ d_j x_i + Σ_k a_kj H[k,i,j]  (fused, k in order),  u_ij ← u_ij − α_U g_j  (SGD's rounding, as <see cref="SgdRow"/>),
    /// then H[k,i,j] ← fma(c_kj, x_i, H[k,i,j] decay_j) with the traces before the step in g.
    /// </summary>
    public static void CrosspropRows(Span<double> ui, Span<double> traces, int traceStride, double xi, ReadOnlySpan<double> lambdaD,
        ReadOnlySpan<double> a, ReadOnlySpan<double> c, ReadOnlySpan<double> decay, double alphaU)
    {
        int n = ui.Length, outputs = a.Length / n;
        if (outputs < 1 || (outputs - 1) * traceStride + n > traces.Length || c.Length < outputs * n)
            throw new ArgumentException("the traces or factors are shorter than the row's outputs need");
        lambdaD = lambdaD[..n];
        decay = decay[..n];
        var (xv, step) = (Vector512.Create(xi), Vector512.Create(-alphaU));
        ref double ur = ref Ref(ui), hr = ref Ref(traces), lr = ref Ref(lambdaD), ar = ref Ref(a), cr = ref Ref(c), dr = ref Ref(decay);
        int j = 0;
        for (; j <= n - L; j += L)
        {
            var g = At(ref lr, j) * xv;
            for (int k = 0; k < outputs; k++) g = Vector512.FusedMultiplyAdd(At(ref ar, k * n + j), At(ref hr, k * traceStride + j), g);
            Vector512.FusedMultiplyAdd(g, step, At(ref ur, j)).StoreUnsafe(ref ur, (nuint)j);
            var dj = At(ref dr, j);
            for (int k = 0; k < outputs; k++)
                Vector512.FusedMultiplyAdd(At(ref cr, k * n + j), xv, At(ref hr, k * traceStride + j) * dj).StoreUnsafe(ref hr, (nuint)(k * traceStride + j));
        }
        for (; j < n; j++)
        {
            double g = lambdaD[j] * xi;
            for (int k = 0; k < outputs; k++) g = Math.FusedMultiplyAdd(a[k * n + j], traces[k * traceStride + j], g);
            ui[j] = Math.FusedMultiplyAdd(g, -alphaU, ui[j]);
            for (int k = 0; k < outputs; k++)
                traces[k * traceStride + j] = Math.FusedMultiplyAdd(c[k * n + j], xi, traces[k * traceStride + j] * decay[j]);
        }
    }

    /// <summary>
    /// cp-alt's direction for U (the h_jk before this example, [k·n + j]): q_j = φ_j f′_j Σ_k h_jk e_k, then
    /// g_j = fma(q_j, 1 − λ, λ d_j) (at λ = 1 exactly d_j, at λ = 0 exactly q_j).
    /// </summary>
    public static void AltDirection(ReadOnlySpan<double> h, ReadOnlySpan<double> e, ReadOnlySpan<double> phi, ReadOnlySpan<double> slope,
        ReadOnlySpan<double> lambdaD, double lambda, Span<double> g)
    {
        int n = g.Length, outputs = e.Length;
        h = h[..(outputs * n)];
        phi = phi[..n];
        slope = slope[..n];
        lambdaD = lambdaD[..n];
        ref double hr = ref Ref(h), pr = ref Ref(phi), fr = ref Ref(slope), lr = ref Ref(lambdaD), gr = ref Ref(g);
        var keep = Vector512.Create(1 - lambda);
        int j = 0;
        for (; j <= n - L; j += L)
        {
            var sum = At(ref hr, j) * Vector512.Create(e[0]);
            for (int k = 1; k < outputs; k++) sum = Vector512.FusedMultiplyAdd(At(ref hr, k * n + j), Vector512.Create(e[k]), sum);
            Vector512.FusedMultiplyAdd(At(ref pr, j) * At(ref fr, j) * sum, keep, At(ref lr, j)).StoreUnsafe(ref gr, (nuint)j);
        }
        for (; j < n; j++)
        {
            double sum = h[j] * e[0];
            for (int k = 1; k < outputs; k++) sum = Math.FusedMultiplyAdd(h[k * n + j], e[k], sum);
            g[j] = Math.FusedMultiplyAdd(phi[j] * slope[j] * sum, 1 - lambda, lambdaD[j]);
        }
    }

    /// <summary>cp-alt's traces after the step: h_jk ← fma(h_jk, 1 − α_W φ_j², −α_W e_k) ([k·n + j]).</summary>
    public static void AltTraces(Span<double> h, ReadOnlySpan<double> e, ReadOnlySpan<double> phi, double alphaW)
    {
        int outputs = e.Length, n = h.Length / outputs;
        phi = phi[..n];
        ref double hr = ref Ref(h), pr = ref Ref(phi);
        int j = 0;
        for (; j <= n - L; j += L)
        {
            var ph = At(ref pr, j);
            var decay = Vector512.FusedMultiplyAdd(ph * ph, Vector512.Create(-alphaW), Vector512<double>.One);
            for (int k = 0; k < outputs; k++)
                Vector512.FusedMultiplyAdd(At(ref hr, k * n + j), decay, Vector512.Create(-alphaW * e[k])).StoreUnsafe(ref hr, (nuint)(k * n + j));
        }
        for (; j < n; j++)
        {
            double decay = Math.FusedMultiplyAdd(phi[j] * phi[j], -alphaW, 1);
            for (int k = 0; k < outputs; k++) h[k * n + j] = Math.FusedMultiplyAdd(h[k * n + j], decay, -alphaW * e[k]);
        }
    }
}
