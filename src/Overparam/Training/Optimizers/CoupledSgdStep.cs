using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Overparam.Numerics;

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
/// (five passes over the block), and g is left as it was. The pass runs <see cref="Vector512{T}"/> lanes (each coordinate
/// rounded alike whatever the width; the last partial vector through padded copies).
/// </summary>
internal readonly struct CoupledSgdStep<T>(double coupling, double eta, double momentum, double dampening, double weightDecay, bool nesterov)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T c = T.CreateTruncating(coupling), lambda = T.CreateTruncating(weightDecay), minusEta = -T.CreateTruncating(eta);
    private readonly T mu = T.CreateTruncating(momentum), undamped = T.CreateTruncating(1 - dampening);
    private readonly bool decayed = weightDecay != 0, hasMomentum = momentum != 0;

    /// <summary>Whether the coupling, rounded to T, is nonzero (else w̄ is not read).</summary>
    public bool Coupled { get; } = T.CreateTruncating(coupling) != T.Zero;

    /// <summary>One block: w, g, w̄ of one length (w̄ unread without coupling), b as long or empty without momentum.</summary>
    public void Apply(Span<T> w, ReadOnlySpan<T> g, ReadOnlySpan<T> centre, Span<T> buffer, bool first)
    {
        int n = w.Length, width = Vector512<T>.Count, full = n - n % width;
        Run(w[..full], g, centre, buffer, first);
        if (full == n) return;
        // The last n − full coordinates, through zero-padded copies.
        Span<T> tw = stackalloc T[width], tg = stackalloc T[width], tc = stackalloc T[width], tb = stackalloc T[width];
        w[full..].CopyTo(tw); g[full..].CopyTo(tg);
        if (Coupled) centre[full..].CopyTo(tc);
        if (hasMomentum) buffer[full..].CopyTo(tb);
        Run(tw, tg, tc, tb, first);
        tw[..(n - full)].CopyTo(w[full..]);
        if (hasMomentum) tb[..(n - full)].CopyTo(buffer[full..]);
    }

    /// <summary>The update of whole vectors: w.Length is a multiple of the width; the other spans are at least as long.</summary>
    private void Run(Span<T> ws, ReadOnlySpan<T> gs, ReadOnlySpan<T> cs, Span<T> bs, bool first)
    {
        // The settings in locals: read through `this` inside the loop they were reloaded after every store (1.6× slower).
        bool coupled = Coupled, decayed = this.decayed, hasMomentum = this.hasMomentum, nesterov1 = nesterov;
        Vector512<T> cv = Vector512.Create(c), lambdaV = Vector512.Create(lambda), minusEtaV = Vector512.Create(minusEta);
        Vector512<T> muV = Vector512.Create(mu), undampedV = Vector512.Create(undamped);
        ref T w0 = ref MemoryMarshal.GetReference(ws), g0 = ref MemoryMarshal.GetReference(gs);
        ref T c0 = ref MemoryMarshal.GetReference(cs), b0 = ref MemoryMarshal.GetReference(bs);
        for (nuint j = 0, n = (nuint)ws.Length; j < n; j += (nuint)Vector512<T>.Count)
        {
            var w = Vector512.LoadUnsafe(ref w0, j);
            var g = Vector512.LoadUnsafe(ref g0, j);
            if (coupled) g = VectorFma<T>.Of(w - Vector512.LoadUnsafe(ref c0, j), cv, g);             // + (2γ/y)(w − w̄)
            if (decayed) g = VectorFma<T>.Of(w, lambdaV, g);                                            // grad.add(param, alpha=λ)
            if (hasMomentum)
            {
                var b = first ? g : VectorFma<T>.Of(g, undampedV, Vector512.LoadUnsafe(ref b0, j) * muV); // buf = clone(grad), or buf.mul_(μ).add_(grad, alpha=1 − τ)
                b.StoreUnsafe(ref b0, j);
                g = nesterov1 ? VectorFma<T>.Of(b, muV, g) : b;
            }
            VectorFma<T>.Of(g, minusEtaV, w).StoreUnsafe(ref w0, j);                                   // param.add_(grad, alpha=−η)
        }
    }
}
