using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Overparam.Training.Optimizers;

/// <summary>
/// Replicated-SGD's update of one replica on one block of a parameter (docs/mathematics.md §11.3): the coupling to the
/// centre w̄ and the SGD rule of <see cref="SgdRule{T}"/> in a single pass over the coordinates, for step η, momentum μ,
/// dampening τ, weight decay λ and coupling c = 2γ/y:
/// <code>
/// g ← g + c (w − w̄)
/// g ← g + λw
/// if μ ≠ 0:  b ← g at the first step, else b ← μb + (1 − τ)g
///            g ← g + μb  with Nesterov,  else g ← b
/// w ← w − ηg
/// </code>
/// rounded as the passes it replaces (TensorPrimitives' Subtract and FusedMultiplyAdd, then the rule): w − w̄ and μb
/// are rounded, every "+ x·y" is one fused multiply-add. Each array is read and written once instead of once per line
/// (five passes over the block), and g is left as it was.
/// </summary>
internal readonly struct CoupledSgdStep<T>(double coupling, double eta, double momentum, double dampening, double weightDecay, bool nesterov)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector256<T> c = Vector256.Create(T.CreateTruncating(coupling)), lambda = Vector256.Create(T.CreateTruncating(weightDecay));
    private readonly Vector256<T> minusEta = Vector256.Create(-T.CreateTruncating(eta)), mu = Vector256.Create(T.CreateTruncating(momentum));
    private readonly Vector256<T> undamped = Vector256.Create(T.CreateTruncating(1 - dampening));
    private readonly bool decayed = weightDecay != 0, hasMomentum = momentum != 0;

    /// <summary>Whether the coupling, rounded to T, is nonzero (else w̄ is not read).</summary>
    public bool Coupled { get; } = T.CreateTruncating(coupling) != T.Zero;

    /// <summary>One block: w, g, w̄ of one length (w̄ unread without coupling), b as long or empty without momentum.</summary>
    public void Apply(Span<T> w, ReadOnlySpan<T> g, ReadOnlySpan<T> centre, Span<T> buffer, bool first)
    {
        int n = w.Length, width = Vector256<T>.Count, j = 0;
        for (; j <= n - width; j += width) At(w, g, centre, buffer, first, j);
        if (j == n) return;
        // The last n − j coordinates, through zero-padded copies.
        int r = n - j;
        Span<T> tw = stackalloc T[width], tg = stackalloc T[width], tc = stackalloc T[width], tb = stackalloc T[width];
        w[j..].CopyTo(tw); g[j..].CopyTo(tg);
        if (Coupled) centre[j..].CopyTo(tc);
        if (hasMomentum) buffer[j..].CopyTo(tb);
        At(tw, tg, tc, hasMomentum ? tb : [], first, 0);
        tw[..r].CopyTo(w[j..]);
        if (hasMomentum) tb[..r].CopyTo(buffer[j..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void At(Span<T> ws, ReadOnlySpan<T> gs, ReadOnlySpan<T> cs, Span<T> bs, bool first, int j)
    {
        var w = Load(ws, j);
        var g = Load(gs, j);
        if (Coupled) g = SgldStep<T>.Fma(w - Load(cs, j), c, g);              // + (2γ/y)(w − w̄)
        if (decayed) g = SgldStep<T>.Fma(w, lambda, g);                        // grad.add(param, alpha=λ)
        if (hasMomentum)
        {
            var b = first ? g : SgldStep<T>.Fma(g, undamped, Load(bs, j) * mu);  // buf = clone(grad), or buf.mul_(μ).add_(grad, alpha=1 − τ)
            Store(b, bs, j);
            g = nesterov ? SgldStep<T>.Fma(b, mu, g) : b;
        }
        Store(SgldStep<T>.Fma(g, minusEta, w), ws, j);                          // param.add_(grad, alpha=−η)
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Load(ReadOnlySpan<T> s, int j) => Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)j);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<T> v, Span<T> s, int j) => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)j);
}
